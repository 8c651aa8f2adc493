// Session cookies for an app's own tests: a logged-in browser (Playwright
// `context.addCookies`) or HTTP client without going through a provider.
// The cookie is what auth0-leptos (and nextjs-auth0 v4) writes: a compact
// JWE, `alg: dir`, `enc: A256GCM`, key = HKDF-SHA256(AUTH0_SECRET, salt empty,
// info "JWE CEK", 32 bytes), payload = the session JSON plus `exp`; chunked
// as `__session__0..N` above 3500 bytes.
//
//   import { sessionCookies } from 'path/to/dev-idp/testing.mjs';
//   await context.addCookies(sessionCookies({
//     secret: process.env.AUTH0_SECRET, url: 'http://127.0.0.1:3000',
//     user: { sub: 'auth0|alice', name: 'Alice', email: 'alice@example.test' },
//   }));
import crypto from 'node:crypto';

const CHUNK = 3500;

/** The session JSON for `user` (and optional `tokenSet`, extra fields). */
export function session({ user, tokenSet = {}, sid = '', createdAt = Math.floor(Date.now() / 1000), extra = {} }) {
  if (!user?.sub) throw new Error('user.sub is required');
  return { ...extra, user, tokenSet: { accessToken: '', expiresAt: 0, ...tokenSet }, internal: { sid, createdAt } };
}

/** Seals a session object into a cookie value that expires in `expiresIn` seconds. */
export function seal(sessionObject, secret, expiresIn = 3600) {
  if (!secret || secret.length < 32) throw new Error('the secret must be AUTH0_SECRET (32 characters or more)');
  const key = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), Buffer.from('JWE CEK'), 32));
  const header = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(header));
  const payload = JSON.stringify({ ...sessionObject, exp: Math.floor(Date.now() / 1000) + expiresIn });
  const ct = Buffer.concat([cipher.update(payload), cipher.final()]);
  return `${header}..${iv.toString('base64url')}.${ct.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * Playwright cookies (`{name, value, url, httpOnly, sameSite}`) of a session
 * for `user` on the app at `url`, chunked like the SDK chunks them.
 * Options: secret (AUTH0_SECRET), url, user, tokenSet, expiresIn (s), name.
 */
export function sessionCookies({ secret, url, user, tokenSet, expiresIn = 3600, name = '__session', extra }) {
  const value = seal(session({ user, tokenSet, extra }), secret, expiresIn);
  const base = { url, httpOnly: true, sameSite: 'Lax' };
  if (value.length <= CHUNK) return [{ ...base, name, value }];
  const chunks = [];
  for (let i = 0; i * CHUNK < value.length; i += 1) chunks.push({ ...base, name: `${name}__${i}`, value: value.slice(i * CHUNK, (i + 1) * CHUNK) });
  return chunks;
}

/** The same cookies as one `Cookie` header value (for fetch or curl). */
export function cookieHeader(options) {
  return sessionCookies(options).map((c) => `${c.name}=${c.value}`).join('; ');
}
