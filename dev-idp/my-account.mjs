// Stand-ins for Auth0's My Account API (${ISSUER}me/v1/...: connected accounts,
// authentication methods) with the connect browser leg (${ISSUER}connect), and the
// My Organization API (${ISSUER}my-org/details). Callers present a JWT access token
// of this provider for the API's audience (Bearer, or DPoP with a proof when the
// token is DPoP-bound). Errors are problem JSON like Auth0's.
import crypto from 'node:crypto';
import * as jose from 'jose';

const CONNECT_TTL = 300;
export const myAccountApis = (ISSUER) => ({
  [`${ISSUER}me/`]: 'create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts read:me:authentication_methods',
  [`${ISSUER}my-org/`]: 'read:my_org:details update:my_org:details',
});

const rand = (n = 16) => Array.from({ length: n },
  () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[crypto.randomInt(62)]).join('');
const PROBLEMS = {
  400: ['A0E-400-0001', 'Bad Request'],
  401: ['A0E-401-0002', 'Missing Token'],
  403: ['A0E-403-0002', 'Insufficient Scope'],
  404: ['A0E-404-0002', 'Resource Not Found'],
  validation: ['A0E-400-0003', 'Validation Error'],
  // Not in Auth0's published examples; the code Auth0's SDK tests use for a rejected token.
  invalid: ['A0E-401-0003', 'Invalid Token'],
};
class Problem extends Error {
  constructor(kind, detail, extra) { super(detail); this.kind = kind; this.extra = extra; }
}
const validation = (field, detail) => new Problem('validation', detail, { validation_errors: [{ detail, field }] });

// Minimal JSON-object validation: fields (name -> check returning an error text or
// undefined); null counts as absent; unknown fields are rejected like Auth0 does.
function validate(body, fields, required = []) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Problem(400, 'The request body must be a JSON object');
  for (const k of Object.keys(body)) if (!Object.hasOwn(fields, k)) throw validation(k, `Unknown property: ${k}`);
  for (const k of required) if (body[k] == null) throw validation(k, `${k} is required`);
  for (const [k, check] of Object.entries(fields)) {
    const msg = body[k] == null ? undefined : check(body[k]);
    if (msg) throw validation(k, `${k} ${msg}`);
  }
  return body;
}
const str = (min = 1, max = 2048) => (v) => (typeof v !== 'string' || v.length < min || v.length > max ? `must be a string of ${min}-${max} characters` : undefined);
const url = (v) => (typeof v === 'string' && URL.canParse(v) ? undefined : 'must be an absolute URL');

const APP_ORIGIN = new URL(process.env.APP_BASE_URL ?? 'http://127.0.0.1:3000').origin;

export function createMyAccount({ ISSUER, signingKey, CONNECTIONS, LINKED, activeAuthenticators }) {
  const ME = `${ISSUER}me/`;
  const MY_ORG = `${ISSUER}my-org/`;
  const publicKey = jose.importJWK({ kty: 'RSA', n: signingKey.n, e: signingKey.e }, 'RS256');
  const connects = new Map(); // auth_session -> { sub, connection, redirect_uri, state, code_challenge, scopes, authorization_params, ticket, exp, code? }
  const accounts = new Map(); // `${sub} ${connection}` -> { id, connection, access_type, scopes, created_at }
  const startedAt = new Date().toISOString();
  const org = { id: `org_${rand(16)}`, name: 'test-org', display_name: 'Test Organization',
    branding: { logo_url: 'http://127.0.0.1/logo.png', colors: { primary: '#000000', page_background: '#FFFFFF' } } };
  let lastRequest = null;

  // The connected-account record of a linked connection (made on first sight for
  // connections linked from the start).
  function accountFor(sub, connection) {
    const key = `${sub} ${connection}`;
    if (!accounts.has(key)) {
      accounts.set(key, { id: `cac_${rand(22)}`, connection, access_type: 'offline',
        scopes: CONNECTIONS[connection].split(' '), created_at: startedAt });
    }
    return accounts.get(key);
  }

  // Checks the access token (and DPoP proof) for `audience`; returns its claims.
  async function authenticate(req, audience) {
    const m = (req.headers.authorization ?? '').match(/^(Bearer|DPoP)\s+(\S+)$/i);
    if (!m) throw new Problem(401, 'No auth token provided.');
    const [, scheme, token] = m;
    let claims;
    try {
      ({ payload: claims } = await jose.jwtVerify(token, await publicKey, { issuer: ISSUER, audience, algorithms: ['RS256'] }));
    } catch (e) { throw new Problem('invalid', `Invalid token: ${e.message}`); }
    const jkt = claims.cnf?.jkt;
    if (!jkt) return claims;
    if (scheme.toLowerCase() !== 'dpop') throw new Problem('invalid', 'A DPoP-bound token must be sent with the DPoP scheme');
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(req.headers.dpop ?? '', jose.EmbeddedJWK,
        { typ: 'dpop+jwt', algorithms: ['ES256', 'RS256', 'EdDSA', 'Ed25519'] });
      const htu = URL.parse(payload.htu ?? '');
      if (htu) { htu.search = ''; htu.hash = ''; }
      const expected = new URL(req.url.split('?')[0], ISSUER).href;
      if (payload.htm !== req.method) throw new Error('htm mismatch');
      if (htu?.href !== expected) throw new Error('htu mismatch');
      if (payload.ath !== crypto.hash('sha256', token, 'base64url')) throw new Error('ath mismatch');
      if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 60) throw new Error('iat is not recent');
      if (await jose.calculateJwkThumbprint(protectedHeader.jwk) !== jkt) throw new Error('the proof key does not match the token');
    } catch (e) { throw new Problem('invalid', `Invalid DPoP proof: ${e.message}`); }
    return claims;
  }
  function requireScope(claims, scope) {
    if (!String(claims.scope ?? '').split(' ').includes(scope)) throw new Problem(403, `The token lacks the scope ${scope}`);
  }
  const readJson = (raw) => { try { return JSON.parse(raw); } catch { throw new Problem(400, 'The request body is not valid JSON'); } };

  // POST /me/v1/connected-accounts/connect: start linking a connection for the user.
  function connect(claims, body) {
    validate(body, {
      connection: (v) => (Object.hasOwn(CONNECTIONS, v) ? undefined : 'is not a known connection'),
      redirect_uri: url, state: str(), code_challenge: str(43, 128),
      code_challenge_method: (v) => (v === 'S256' ? undefined : 'must be S256'),
      scopes: (v) => (Array.isArray(v) && v.length && v.every((s) => typeof s === 'string') ? undefined : 'must be a non-empty array of strings'),
      authorization_params: (v) => (typeof v === 'object' && !Array.isArray(v) ? undefined : 'must be an object'),
    }, ['connection', 'redirect_uri']);
    if ((body.code_challenge == null) !== (body.code_challenge_method == null)) {
      throw validation('code_challenge_method', 'code_challenge and code_challenge_method go together');
    }
    const session = rand(32);
    const ticket = crypto.randomUUID();
    connects.set(session, { ...body, sub: claims.sub, ticket, exp: Date.now() / 1000 + CONNECT_TTL });
    return [201, { auth_session: session, connect_uri: `${ISSUER}connect`, connect_params: { ticket }, expires_in: CONNECT_TTL }];
  }

  // POST /me/v1/connected-accounts/complete: redeem the connect_code; links the connection.
  function complete(claims, body) {
    validate(body, { auth_session: str(), connect_code: str(), redirect_uri: url, code_verifier: str(43, 128) },
      ['auth_session', 'connect_code', 'redirect_uri']);
    const c = connects.get(body.auth_session);
    const fail = (detail) => new Problem(400, detail);
    if (!c || c.sub !== claims.sub) throw fail('Unknown auth_session');
    if (c.exp < Date.now() / 1000) throw fail('The auth_session has expired');
    if (!c.code || c.code !== body.connect_code) throw fail('Invalid connect_code');
    if (c.redirect_uri !== body.redirect_uri) throw fail('redirect_uri does not match the one of the connect request');
    if (c.code_challenge && crypto.hash('sha256', body.code_verifier ?? '', 'base64url') !== c.code_challenge) {
      throw fail('Invalid code_verifier');
    }
    connects.delete(body.auth_session); // the code is single-use
    LINKED[c.sub] = [...new Set([...(LINKED[c.sub] ?? []), c.connection])];
    const account = { id: `cac_${rand(22)}`, connection: c.connection, access_type: 'offline',
      scopes: c.scopes ?? CONNECTIONS[c.connection].split(' '), created_at: new Date().toISOString() };
    accounts.set(`${c.sub} ${c.connection}`, account);
    return [201, account];
  }

  // GET ${ISSUER}connect?ticket=..: the browser leg of connecting an account (consents at once).
  function connectPage(req, res) {
    const ticket = new URL(req.url, ISSUER).searchParams.get('ticket');
    const c = [...connects.values()].find((x) => x.ticket === ticket && !x.code && x.exp >= Date.now() / 1000);
    if (!c) { res.writeHead(400, { 'content-type': 'text/plain' }); return res.end('Unknown or expired ticket'); }
    const to = new URL(c.redirect_uri);
    if (c.authorization_params?.login_hint === 'deny') {
      to.searchParams.set('error', 'access_denied');
      to.searchParams.set('error_description', 'The user refused');
      c.exp = 0;
    } else {
      c.code = rand(32);
      to.searchParams.set('connect_code', c.code);
    }
    if (c.state != null) to.searchParams.set('state', c.state);
    res.writeHead(302, { location: to.href }).end();
  }

  // The My Account and My Org routes: [method, path, audience, scope, handler(claims, body, ...path params)].
  const routes = [
    ['POST', /^\/me\/v1\/connected-accounts\/connect$/, ME, 'create:me:connected_accounts', connect],
    ['POST', /^\/me\/v1\/connected-accounts\/complete$/, ME, 'create:me:connected_accounts', complete],
    // GET /me/v1/connected-accounts/accounts: the user's linked connections.
    ['GET', /^\/me\/v1\/connected-accounts\/accounts$/, ME, 'read:me:connected_accounts',
      (claims) => [200, { accounts: (LINKED[claims.sub] ?? []).filter((c) => Object.hasOwn(CONNECTIONS, c)).map((c) => accountFor(claims.sub, c)) }]],
    // DELETE /me/v1/connected-accounts/accounts/{id}: unlink.
    ['DELETE', /^\/me\/v1\/connected-accounts\/accounts\/([^/]+)$/, ME, 'delete:me:connected_accounts', (claims, body, id) => {
      const linked = LINKED[claims.sub] ?? [];
      const connection = linked.find((c) => Object.hasOwn(CONNECTIONS, c) && accountFor(claims.sub, c).id === id);
      if (!connection) throw new Problem(404, 'The connected account does not exist.');
      LINKED[claims.sub] = linked.filter((c) => c !== connection);
      accounts.delete(`${claims.sub} ${connection}`);
      return [204];
    }],
    // GET /me/v1/authentication-methods: the user's confirmed MFA factors.
    ['GET', /^\/me\/v1\/authentication-methods$/, ME, 'read:me:authentication_methods', (claims) => [200, {
      authentication_methods: activeAuthenticators(claims.sub).map((a) => ({
        id: a.id, type: a.type === 'otp' ? 'totp' : a.type, created_at: a.created_at, usage: ['secondary'], confirmed: true,
        ...(a.phone_number ? { phone_number: a.phone_number, preferred_authentication_method: a.oob_channel } : {}),
        ...(a.email ? { email: a.email } : {}),
      })),
    }]],
    // GET /my-org/details: the organization of the token (org_id claim) or the one test org.
    ['GET', /^\/my-org\/details$/, MY_ORG, 'read:my_org:details', (claims) => [200, { ...org, id: claims.org_id ?? org.id }]],
    // PATCH /my-org/details: change the display name.
    ['PATCH', /^\/my-org\/details$/, MY_ORG, 'update:my_org:details', (claims, body) => {
      validate(body, { display_name: str(1, 255) });
      if (body.display_name != null) org.display_name = body.display_name;
      return [200, { ...org, id: claims.org_id ?? org.id }];
    }],
  ];

  async function api(req, res, path) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const u = new URL(req.url, ISSUER);
    lastRequest = { method: req.method, path, query: u.search.slice(1),
      headers: { ...req.headers }, body: raw }; // node gives lower-case header names
    const headers = { 'set-cookie': 'upstream_cookie=1; Path=/', 'x-upstream': 'dev-idp' };
    // CORS preflight: no authentication.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // Only the application's own origin is allowed (Auth0: the application's Allowed Web Origins).
      const origin = req.headers.origin === APP_ORIGIN ? APP_ORIGIN : 'null';
      return res.writeHead(204, { ...headers, 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE',
        'access-control-allow-headers': 'authorization, content-type, dpop', 'access-control-max-age': '600' }).end();
    }
    let status; let body;
    try {
      const audience = path.startsWith('/me/') ? ME : MY_ORG;
      const claims = await authenticate(req, audience);
      const route = routes.map(([method, re, aud, scope, fn]) => ({ method, m: path.match(re), aud, scope, fn }))
        .find((r) => r.m && r.method === req.method && r.aud === audience);
      if (!route) throw new Problem(404, `No resource at ${req.method} ${path}`);
      requireScope(claims, route.scope);
      [status, body] = route.fn(claims, raw ? readJson(raw) : undefined, ...route.m.slice(1).map(decodeURIComponent));
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      const [code, title] = PROBLEMS[e.kind];
      status = e.kind === 'validation' ? 400 : e.kind === 'invalid' ? 401 : e.kind;
      body = { type: `https://auth0.com/api-errors#${code}`, status, title, detail: e.message, ...e.extra };
      return res.writeHead(status, { ...headers, 'content-type': 'application/problem+json' }).end(JSON.stringify(body));
    }
    if (body === undefined) return res.writeHead(status, headers).end();
    return res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  // Routes on the raw request; returns true when this module answered.
  function handle(req, res, path) {
    const fail = (e) => { console.error('my-account stand-in', e); if (!res.headersSent) res.writeHead(500).end(); };
    if (path.startsWith('/me/') || path.startsWith('/my-org/')) { api(req, res, path).catch(fail); return true; }
    if (path === '/connect' && req.method === 'GET') { connectPage(req, res); return true; }
    if (path === '/__test/last-upstream-request') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(lastRequest));
      return true;
    }
    return false;
  }
  return { handle };
}
