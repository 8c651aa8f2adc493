// Stand-in for Auth0 multi-factor authentication: the step-up an Auth0 Action
// (challengeWithAny / enrollWithAny) forces on refresh-token grants for one API,
// the MFA API (/mfa/authenticators, /mfa/associate, /mfa/challenge) and the MFA
// token grants (mfa-otp, mfa-oob, mfa-recovery-code). State lives in memory.
// Env: IDP_MFA_AUDIENCE (https://mfa.example.test/) the API that demands MFA
//      IDP_MFA_TOKEN_TTL (300) lifetime of mfa_tokens, seconds
//      IDP_MFA_PUSH_DELAY_MS (500) delay after which a push is "approved on the phone"
import crypto from 'node:crypto';
import * as jose from 'jose';

export const MFA_AUDIENCE = process.env.IDP_MFA_AUDIENCE ?? 'https://mfa.example.test/';
export const MFA_SCOPES = 'read:secrets';
const GRANT_OTP = 'http://auth0.com/oauth/grant-type/mfa-otp';
const GRANT_OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';
const GRANT_RECOVERY = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
export const MFA_GRANT_TYPES = [GRANT_OTP, GRANT_OOB, GRANT_RECOVERY];
const MFA_TOKEN_TTL = Number(process.env.IDP_MFA_TOKEN_TTL ?? 300);
const PUSH_DELAY_MS = Number(process.env.IDP_MFA_PUSH_DELAY_MS ?? 500);
// Factor types in the order mfa_requirements lists them.
const CHALLENGE_TYPES = ['otp', 'phone', 'email', 'push-notification', 'recovery-code'];
const ENROLL_TYPES = ['otp', 'phone', 'email', 'push-notification'];
const E164 = /^\+[1-9][0-9]{6,14}$/;
const maskPhone = (n) => n.slice(0, 5) + 'X'.repeat(n.length - 5); // like Auth0's "+1123XXXXX"

// ---- small helpers ----
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomFrom = (alphabet, n) => Array.from({ length: n }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
const recoveryCode = () => randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 24);
const bindingCode = () => String(crypto.randomInt(1_000_000)).padStart(6, '0');
const now = () => Date.now() / 1000;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(buf) {
  let bits = 0; let value = 0; let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}
function unbase32(s) {
  const bytes = []; let bits = 0; let value = 0;
  for (const c of s.toUpperCase().replace(/=+$/, '')) {
    const i = B32.indexOf(c);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { bytes.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(bytes);
}
// RFC 6238 TOTP: HMAC-SHA1, 30 s steps, 6 digits.
const totpStep = (t = Date.now()) => Math.floor(t / 30000);
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', unbase32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}
async function readParams(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try { const v = JSON.parse(text || '{}'); return v && typeof v === 'object' && !Array.isArray(v) ? v : null; } catch { return null; }
}
// The caller of a token request: HTTP Basic, form client_id, or the (unverified)
// subject of a client assertion; the refresh token itself is the real secret here.
function callerClientId(p, headers) {
  const auth = headers.authorization ?? '';
  if (/^basic /i.test(auth)) {
    const raw = Buffer.from(auth.slice(6), 'base64').toString();
    const i = raw.indexOf(':');
    const id = i < 0 ? raw : raw.slice(0, i);
    try { return decodeURIComponent(id.replace(/\+/g, ' ')); } catch { return id; }
  }
  if (p.get('client_id')) return p.get('client_id');
  try { return jose.decodeJwt(p.get('client_assertion') ?? '').sub; } catch { return undefined; }
}

export function createMfa({ provider, ISSUER, USERS, clients, resourceServerInfo, validateDpop, applyDpopBinding }) {
  const authenticators = new Map(); // sub -> [{ id, authenticator_type, type, oob_channel?, name?, active, ... }]
  const mfaTokens = new Map(); // mfa_token -> { sub, clientId, grantId, resource, scope, exp }
  const oobCodes = new Map(); // oob_code -> { mfaToken, authenticatorId, binding?, approveAt? }
  const outbox = new Map(); // sub -> [{ channel, to, code, at }]
  const steppedUp = new Map(); // grantId -> sub, grants that completed a step-up

  const listOf = (sub) => { if (!authenticators.has(sub)) authenticators.set(sub, []); return authenticators.get(sub); };
  const publicView = ({ id, authenticator_type, active, oob_channel, name, type }) => ({ id, authenticator_type, active, oob_channel, name, type });
  const hasActive = (sub) => listOf(sub).some((a) => a.active);

  function newAuthenticator(sub, fields) {
    const prefix = { otp: 'totp', phone: fields.oob_channel, email: 'email', 'push-notification': 'push', 'recovery-code': 'recovery-code' }[fields.type];
    const a = { id: `${prefix}|dev_${randomFrom(ALNUM, 16)}`, active: false, created_at: new Date().toISOString(), ...fields };
    listOf(sub).push(a);
    return a;
  }

  // Sends a one-time code (sms/voice/email) or a push, and returns the oob_code that verifies it.
  function sendOob(sub, mfaToken, a) {
    const oobCode = `oob_${crypto.randomBytes(24).toString('base64url')}`;
    const entry = { mfaToken, authenticatorId: a.id };
    if (a.oob_channel === 'auth0') {
      entry.approveAt = Date.now() + PUSH_DELAY_MS;
    } else {
      entry.binding = bindingCode();
      if (!outbox.has(sub)) outbox.set(sub, []);
      outbox.get(sub).push({ channel: a.oob_channel, to: a.phone_number ?? a.email, code: entry.binding, at: new Date().toISOString() });
    }
    oobCodes.set(oobCode, entry);
    return oobCode;
  }

  // Looks up an mfa_token; returns the record or an error [status, error, description] for the caller to shape.
  function checkMfaToken(token, { forGrant = false } = {}) {
    const rec = typeof token === 'string' ? mfaTokens.get(token) : undefined;
    if (!rec) return { err: forGrant ? [403, 'invalid_grant', 'Malformed mfa_token'] : [401, 'invalid_token', 'Invalid MFA token'] };
    if (rec.exp <= now()) return { err: [forGrant ? 403 : 401, 'expired_token', 'mfa_token is expired'] };
    return { rec };
  }
  const bearer = (req) => (req.headers.authorization ?? '').match(/^Bearer\s+(\S+)$/i)?.[1];

  // Step-up check on the raw POST /oauth/token body (stands in for an Auth0 Action
  // calling api.authentication.challengeWithAny / enrollWithAny on refresh): answers
  // 403 mfa_required without touching the refresh token, or undefined to pass through.
  async function stepUp(p, headers) {
    if (p.get('grant_type') !== 'refresh_token' || (p.get('resource') ?? p.get('audience')) !== MFA_AUDIENCE) return undefined;
    const rt = await provider.RefreshToken.find(p.get('refresh_token') ?? '').catch(() => undefined);
    if (!rt?.isValid || rt.clientId !== callerClientId(p, headers) || steppedUp.has(rt.grantId)) return undefined;
    const token = `mfa_${crypto.randomBytes(32).toString('base64url')}`;
    mfaTokens.set(token, { sub: rt.accountId, clientId: rt.clientId, grantId: rt.grantId, resource: MFA_AUDIENCE,
      scope: p.get('scope') || MFA_SCOPES, exp: now() + MFA_TOKEN_TTL });
    const active = new Set(listOf(rt.accountId).filter((a) => a.active).map((a) => a.type));
    const mfa_requirements = active.size
      ? { challenge: CHALLENGE_TYPES.filter((t) => active.has(t)).map((type) => ({ type })) }
      : { enroll: ENROLL_TYPES.map((type) => ({ type })) };
    return { status: 403, body: { error: 'mfa_required', error_description: 'Multifactor authentication required', mfa_token: token, mfa_requirements } };
  }

  // GET /mfa/authenticators (Bearer mfa_token): the user's authenticators.
  function listAuthenticators(req, res) {
    const { rec, err } = checkMfaToken(bearer(req));
    if (err) return sendJson(res, err[0], { error: err[1], error_description: err[2] });
    return sendJson(res, 200, listOf(rec.sub).map(publicView));
  }

  // POST /mfa/associate (Bearer mfa_token): enroll a first factor; it turns active with its first verification.
  async function associate(req, res) {
    const { rec, err } = checkMfaToken(bearer(req));
    if (err) return sendJson(res, err[0], { error: err[1], error_description: err[2] });
    if (hasActive(rec.sub)) return sendJson(res, 403, { error: 'access_denied', error_description: 'User is already enrolled.' });
    const body = await readParams(req);
    const bad = (d) => sendJson(res, 400, { error: 'invalid_request', error_description: d });
    const types = body?.authenticator_types;
    if (!Array.isArray(types) || types.length !== 1 || !['otp', 'oob'].includes(types[0])) {
      return bad('authenticator_types must be ["otp"] or ["oob"]');
    }
    const channel = body.oob_channels?.[0];
    if (types[0] === 'oob') {
      if (!Array.isArray(body.oob_channels) || !['sms', 'voice', 'email', 'auth0'].includes(channel)) {
        return bad('oob_channels must be one of sms, voice, email, auth0');
      }
      if ((channel === 'sms' || channel === 'voice') && !E164.test(body.phone_number ?? '')) return bad('phone_number must be in E.164 format');
      if (channel === 'email' && !/^[^@\s]+@[^@\s]+$/.test(body.email ?? '')) return bad('email is required');
    }
    const firstEnrollment = !listOf(rec.sub).some((a) => a.type === 'recovery-code');
    const label = `dev-idp:${USERS[rec.sub]?.email ?? rec.sub}`;
    let out;
    if (types[0] === 'otp') {
      const secret = base32(crypto.randomBytes(20));
      newAuthenticator(rec.sub, { authenticator_type: 'otp', type: 'otp', secret, usedSteps: new Set() });
      out = { authenticator_type: 'otp', secret,
        barcode_uri: `otpauth://totp/${label}?secret=${secret}&issuer=dev-idp&algorithm=SHA1&digits=6&period=30` };
    } else if (channel === 'auth0') {
      const a = newAuthenticator(rec.sub, { authenticator_type: 'oob', type: 'push-notification', oob_channel: 'auth0', name: 'dev-idp test device' });
      const txId = randomFrom(ALNUM, 24);
      out = { authenticator_type: 'oob', oob_channel: 'auth0', oob_code: sendOob(rec.sub, bearer(req), a),
        barcode_uri: `otpauth://totp/${label}?enrollment_tx_id=${txId}&base_url=${encodeURIComponent(ISSUER)}` };
    } else {
      const phone = channel !== 'email';
      const a = newAuthenticator(rec.sub, { authenticator_type: 'oob', type: phone ? 'phone' : 'email', oob_channel: channel,
        ...(phone ? { phone_number: body.phone_number, name: maskPhone(body.phone_number) } : { email: body.email, name: body.email }) });
      out = { authenticator_type: 'oob', binding_method: 'prompt', oob_channel: channel, oob_code: sendOob(rec.sub, bearer(req), a) };
    }
    if (firstEnrollment) {
      const code = recoveryCode();
      newAuthenticator(rec.sub, { authenticator_type: 'recovery-code', type: 'recovery-code', code, firstEnrollment: true });
      out.recovery_codes = [code];
    }
    return sendJson(res, 200, out);
  }

  // POST /mfa/challenge: start verification with an active factor (otp: nothing to send; oob: send a code or push).
  async function challenge(req, res) {
    const body = await readParams(req);
    if (!body) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Invalid request body' });
    const { rec, err } = checkMfaToken(body.mfa_token);
    if (err) return sendJson(res, err[0], { error: err[1], error_description: err[2] });
    if (body.client_id !== rec.clientId) return sendJson(res, 400, { error: 'invalid_request', error_description: 'mfa_token not issued to this client' });
    const client = clients.find((c) => c.client_id === rec.clientId);
    if (body.client_secret !== undefined && body.client_secret !== client?.client_secret) {
      return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const list = listOf(rec.sub);
    let candidates = list.filter((a) => a.active);
    if (body.authenticator_id !== undefined) {
      if (!list.some((a) => a.id === body.authenticator_id)) return sendJson(res, 400, { error: 'invalid_authenticator', error_description: 'Authenticator not found' });
      candidates = candidates.filter((a) => a.id === body.authenticator_id);
    }
    for (const type of String(body.challenge_type ?? 'otp oob').split(' ').filter(Boolean)) {
      const a = candidates.find((x) => x.authenticator_type === type);
      if (!a) continue;
      if (type === 'otp') return sendJson(res, 200, { challenge_type: 'otp' });
      const out = { challenge_type: 'oob', oob_code: sendOob(rec.sub, body.mfa_token, a) };
      if (a.oob_channel !== 'auth0') out.binding_method = 'prompt';
      return sendJson(res, 200, out);
    }
    return sendJson(res, 400, { error: 'unsupported_challenge_type', error_description: 'User is not enrolled with any of the requested challenge types' });
  }

  // DELETE /mfa/authenticators/{id}. Auth0 documents this as needing an access token for
  // https://{domain}/mfa/ with scope remove:authenticators (obtained after MFA); its JS SDK
  // sends the mfa_token, which is what this stand-in accepts.
  function deleteAuthenticator(req, res, id) {
    const { rec, err } = checkMfaToken(bearer(req));
    if (err) return sendJson(res, err[0], { error: err[1], error_description: err[2] });
    const list = listOf(rec.sub);
    const i = list.findIndex((a) => a.id === id);
    if (i < 0) return sendJson(res, 404, { error: 'invalid_authenticator', error_description: 'Authenticator not found' });
    list.splice(i, 1);
    // Without any factor left the user is no longer enrolled: the recovery code goes too.
    if (!list.some((a) => a.type !== 'recovery-code')) list.length = 0;
    return sendJson(res, 204);
  }

  // ---- POST /oauth/token MFA grants (client authentication is oidc-provider's) ----
  function fail(ctx, status, error, description) { ctx.status = status; ctx.body = { error, error_description: description }; }

  // Common checks; returns the mfa_token record, or undefined after answering an error.
  function grantToken(ctx, required) {
    const { params, client } = ctx.oidc;
    for (const name of ['mfa_token', ...required]) {
      if (!params[name]) return fail(ctx, 400, 'invalid_request', `Missing required parameter: ${name}`);
    }
    const { rec, err } = checkMfaToken(params.mfa_token, { forGrant: true });
    if (err) return fail(ctx, ...err);
    if (rec.clientId !== client.clientId) return fail(ctx, 400, 'invalid_request', 'mfa_token not issued to this client');
    return rec;
  }

  // A verification succeeded: activate the factor (and the recovery code of the first
  // enrollment), mark the login's grant as stepped up and mint a token for the MFA API.
  async function succeed(ctx, dPoP, rec, used, extra = {}) {
    // Like Auth0, the audience named with the grant must be the one the step-up was for.
    const audience = ctx.oidc.params.audience;
    if (audience && audience !== rec.resource) return fail(ctx, 400, 'invalid_request', 'The audience does not match the mfa_token.');
    used.active = true;
    for (const a of listOf(rec.sub)) if (a.firstEnrollment) { a.active = true; delete a.firstEnrollment; }
    steppedUp.set(rec.grantId, rec.sub);
    const info = resourceServerInfo(rec.resource);
    const token = new provider.AccessToken({ accountId: rec.sub, client: ctx.oidc.client, scope: rec.scope, gty: 'mfa', grantId: rec.grantId });
    token.resourceServer = { ...info, identifier: () => rec.resource, get scopes() { return new Set(info.scope.split(' ')); } };
    await applyDpopBinding(provider, ctx, dPoP, token);
    ctx.body = { access_token: await token.save(), token_type: dPoP ? 'DPoP' : 'Bearer', expires_in: token.expiration, scope: token.scope, ...extra };
  }

  // POST /oauth/token grant_type=http://auth0.com/oauth/grant-type/mfa-otp (mfa_token, otp).
  provider.registerGrantType(GRANT_OTP, async (ctx) => {
    const dPoP = await validateDpop(provider, ctx);
    const rec = grantToken(ctx, ['otp']);
    if (!rec) return;
    const otps = listOf(rec.sub).filter((a) => a.type === 'otp');
    const candidates = otps.some((a) => a.active) ? otps.filter((a) => a.active) : otps;
    if (!candidates.length) return fail(ctx, 403, 'invalid_grant', 'User is not enrolled with otp');
    const step = totpStep();
    for (const a of candidates) {
      const s = [step - 1, step, step + 1].find((x) => !a.usedSteps.has(x) && totp(a.secret, x) === ctx.oidc.params.otp);
      if (s !== undefined) { a.usedSteps.add(s); return succeed(ctx, dPoP, rec, a); }
    }
    return fail(ctx, 403, 'invalid_grant', 'Invalid otp_code.');
  }, ['mfa_token', 'otp', 'audience', 'scope']);

  // POST /oauth/token grant_type=http://auth0.com/oauth/grant-type/mfa-oob (mfa_token, oob_code, binding_code).
  provider.registerGrantType(GRANT_OOB, async (ctx) => {
    const dPoP = await validateDpop(provider, ctx);
    const rec = grantToken(ctx, ['oob_code']);
    if (!rec) return;
    const { oob_code: code, binding_code: binding, mfa_token: mfaToken } = ctx.oidc.params;
    const entry = oobCodes.get(code);
    const a = entry && listOf(rec.sub).find((x) => x.id === entry.authenticatorId);
    if (!entry) return fail(ctx, 403, 'invalid_grant', 'Invalid oob_code');
    if (entry.mfaToken !== mfaToken) return fail(ctx, 400, 'invalid_request', "The oob_code doesn't match the mfa_token");
    if (!a) return fail(ctx, 403, 'invalid_grant', 'Invalid oob_code');
    if (entry.approveAt !== undefined) {
      if (Date.now() < entry.approveAt) return fail(ctx, 400, 'authorization_pending', 'Authorization pending: please repeat the request in a few seconds.');
    } else {
      if (!binding) return fail(ctx, 400, 'invalid_request', 'Missing required parameter: binding_code');
      if (binding !== entry.binding) return fail(ctx, 403, 'invalid_grant', 'Invalid binding_code');
    }
    oobCodes.delete(code);
    return succeed(ctx, dPoP, rec, a);
  }, ['mfa_token', 'oob_code', 'binding_code', 'audience', 'scope']);

  // POST /oauth/token grant_type=http://auth0.com/oauth/grant-type/mfa-recovery-code (mfa_token, recovery_code);
  // answers a new recovery_code besides the token.
  provider.registerGrantType(GRANT_RECOVERY, async (ctx) => {
    const dPoP = await validateDpop(provider, ctx);
    const rec = grantToken(ctx, ['recovery_code']);
    if (!rec) return;
    const a = listOf(rec.sub).find((x) => x.type === 'recovery-code' && x.active);
    if (!a || a.code !== String(ctx.oidc.params.recovery_code).trim().toUpperCase()) {
      return fail(ctx, 403, 'invalid_grant', 'Invalid recovery_code.');
    }
    a.code = recoveryCode(); // the used code is consumed; the user gets a new one
    return succeed(ctx, dPoP, rec, a, { recovery_code: a.code });
  }, ['mfa_token', 'recovery_code', 'audience', 'scope']);

  // The user's confirmed factors, for the My Account API's authentication methods.
  const activeAuthenticators = (sub) => listOf(sub).filter((a) => a.active).map((a) => ({ ...a }));

  // Routes on the raw request; returns true when this module answered.
  function handle(req, res, path) {
    const q = new URL(req.url, 'http://x').searchParams;
    const run = (fn) => { Promise.resolve(fn()).catch((e) => { console.error('mfa stand-in', e); if (!res.headersSent) sendJson(res, 500, { error: 'server_error' }); }); return true; };
    if (path === '/mfa/authenticators' && req.method === 'GET') return run(() => listAuthenticators(req, res));
    if (path === '/mfa/associate' && req.method === 'POST') return run(() => associate(req, res));
    if (path === '/mfa/challenge' && req.method === 'POST') return run(() => challenge(req, res));
    const del = path.match(/^\/mfa\/authenticators\/([^/]+)$/);
    if (del && req.method === 'DELETE') return run(() => { let id; try { id = decodeURIComponent(del[1]); } catch { return sendJson(res, 400, { error: 'invalid_request', error_description: 'Malformed authenticator id' }); } return deleteAuthenticator(req, res, id); });
    // Test-only endpoints (not Auth0's): GET /__test/mfa-outbox?sub= (codes "sent" by sms/voice/email),
    // GET /__test/totp?secret= (the current code), GET /__test/mfa-state?sub=.
    if (path === '/__test/mfa-outbox') return run(() => sendJson(res, 200, { messages: outbox.get(q.get('sub')) ?? [] }));
    if (path === '/__test/totp') {
      // ?offset=-1|0|1 gives a neighbouring step's code (lets a test avoid reusing a step)
      return run(() => {
        try { return sendJson(res, 200, { code: totp(q.get('secret') ?? '', totpStep() + Number(q.get('offset') ?? 0)) }); } catch { return sendJson(res, 400, { error: 'invalid_request', error_description: 'secret must be base32' }); }
      });
    }
    if (path === '/__test/mfa-state') {
      const sub = q.get('sub');
      return run(() => sendJson(res, 200, { authenticators: listOf(sub).map(publicView),
        stepped_up_grants: [...steppedUp.values()].filter((s) => s === sub).length }));
    }
    return false;
  }

  return { stepUp, handle, activeAuthenticators };
}
