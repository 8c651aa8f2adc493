// Writes the seed inputs in seeds/<target>/ (run: node fuzz/make-seeds.js).
// The sealed cookies use the fuzz targets' secret and clock (auth0-leptos/src/server/fuzzing.rs).
const crypto = require('crypto');
const fs = require('fs');
const SECRET = 'fuzzing-secret-fuzzing-secret-fuzzing-secret';
const NOW = 1800000000;
const key = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(SECRET), Buffer.alloc(0), Buffer.from('JWE CEK'), 32));
const b64 = (b) => Buffer.from(b).toString('base64url');
function seal(obj, hdr = JSON.stringify({alg: 'dir', enc: 'A256GCM'})) {
  const h = b64(hdr);
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(h));
  const ct = Buffer.concat([c.update(Buffer.from(JSON.stringify(obj))), c.final()]);
  return `${h}..${b64(iv)}.${b64(ct)}.${b64(c.getAuthTag())}`;
}
const d = (t) => `${__dirname}/seeds/${t}/`;
const w = (t, n, s) => fs.writeFileSync(d(t) + n, s);
const jwtOf = (hdr, claims) => `${b64(JSON.stringify(hdr))}.${b64(JSON.stringify(claims))}.${b64(crypto.randomBytes(64))}`;

const session = {
  user: {sub: 'auth0|64f1c2', name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true, picture: 'https://example.com/a.png'},
  tokenSet: {accessToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig', idToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig', refreshToken: 'v1.MRrT', scope: 'openid profile email offline_access', expiresAt: NOW + 86400, token_type: 'Bearer'},
  accessTokens: [{accessToken: 'at2', audience: 'https://api.example.com/', scope: 'read:items', expiresAt: NOW + 600}],
  internal: {sid: 'sid-1', createdAt: NOW - 100},
  custom: {theme: 'dark', n: [1, 2.5, null]},
};
const txn = {nonce: 'n-0S6_WzA2Mj', maxAge: 3600, codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', responseType: 'code', state: 'af0ifjsldkj', returnTo: '/dashboard', scope: 'openid profile email', audience: 'https://api.example.com/'};
const sealedSession = seal({...session, exp: NOW + 3600});
const sealedTxn = seal({...txn, exp: NOW + 3600});
const sealedStore = seal({id: 'Jq3v0m1T0Xg5nXrYp1z2bA', exp: NOW + 3600});

// jwe_cookie
w('jwe_cookie', 'sealed_session', sealedSession);
w('jwe_cookie', 'sealed_transaction', sealedTxn);
w('jwe_cookie', 'sealed_store_id', sealedStore);
w('jwe_cookie', 'session_json', JSON.stringify(session));
w('jwe_cookie', 'session_json_minimal', JSON.stringify({user: {sub: 'u1'}}));
w('jwe_cookie', 'transaction_json', JSON.stringify({...txn, exp: NOW + 60}));
w('jwe_cookie', 'reordered_header', seal({...session, exp: NOW + 3600}, '{"enc":"A256GCM","alg":"dir"}'));

// cookie_header
w('cookie_header', 'plain', `__session=${sealedSession}; theme=dark; _ga=GA1.2.3.4`);
const s = sealedSession;
const third = Math.ceil(s.length / 3);
w('cookie_header', 'chunked', `__session__0=${s.slice(0, third)}; __session__1=${s.slice(third, 2 * third)}; __session__2=${s.slice(2 * third)}`);
w('cookie_header', 'chunked_two_headers', `__session__1=${s.slice(third)}; a=b\n__session__0=${s.slice(0, third)}`);
w('cookie_header', 'transactions', `__txn_af0ifjsldkj=${sealedTxn}; __txn_other="quoted"; __session=`);
w('cookie_header', 'junk', `junk; =x; ;; a==b; __session__x=1; __session__007=z;  spaced name = v ; __session__1=q`);

// jwt: [flags][max_age u64 LE][token]
const pre = (flags, maxAge) => { const b = Buffer.alloc(9); b[0] = flags; b.writeBigUInt64LE(BigInt(maxAge), 1); return b; };
const idClaims = {iss: 'https://tenant.example.com/', sub: 'auth0|64f1c2', aud: 'fuzz-client', azp: 'fuzz-client', iat: NOW - 10, exp: NOW + 3600, nonce: 'fuzz-nonce', auth_time: NOW - 20, sid: 'sid-1', name: 'Ada'};
fs.writeFileSync(d('jwt') + 'id_token_rs256', Buffer.concat([pre(3, 3600), Buffer.from(jwtOf({alg: 'RS256', typ: 'JWT', kid: 'k1'}, idClaims))]));
fs.writeFileSync(d('jwt') + 'id_token_multi_aud', Buffer.concat([pre(1, 0), Buffer.from(jwtOf({alg: 'ES256', kid: 'ec'}, {...idClaims, aud: ['fuzz-client', 'https://api.example.com/'], azp: undefined}))]));
fs.writeFileSync(d('jwt') + 'alg_none', Buffer.concat([pre(0, 0), Buffer.from(`${b64('{"alg":"none"}')}.${b64(JSON.stringify(idClaims))}.`)]));
fs.writeFileSync(d('jwt') + 'hs256', Buffer.concat([pre(0, 0), Buffer.from(jwtOf({alg: 'HS256', typ: 'JWT'}, idClaims))]));
const logoutClaims = {iss: 'https://tenant.example.com/', aud: 'fuzz-client', iat: NOW - 5, exp: NOW + 120, jti: 'jti-1', sid: 'sid-1', sub: 'auth0|64f1c2', events: {'http://schemas.openid.net/event/backchannel-logout': {}}};
fs.writeFileSync(d('jwt') + 'logout_claims_json', Buffer.concat([pre(2, 60), Buffer.from(JSON.stringify(logoutClaims))]));

// backchannel_body
const lt = jwtOf({alg: 'RS256', typ: 'logout+jwt', kid: 'k1'}, logoutClaims);
w('backchannel_body', 'logout_token', `logout_token=${lt}`);
w('backchannel_body', 'logout_token_sid_only', `foo=bar&logout_token=${encodeURIComponent(jwtOf({alg: 'PS256'}, {...logoutClaims, sub: undefined}))}`);
w('backchannel_body', 'logout_token_with_nonce', `logout_token=${jwtOf({alg: 'RS256'}, {...logoutClaims, nonce: 'n'})}&logout_token=second`);
w('backchannel_body', 'empty_token', 'logout_token=&x=%zz');

// route_queries
w('route_queries', 'login', 'returnTo=%2Fdashboard%3Ftab%3D1&screen_hint=signup&audience=https%3A%2F%2Fapi.example.com%2F&max_age=3600');
w('route_queries', 'login_bad_max_age', 'max_age=-1&returnTo=//evil.example.com/x');
w('route_queries', 'callback', 'code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj&iss=https%3A%2F%2Ftenant.example.com%2F');
w('route_queries', 'callback_error', 'error=access_denied&error_description=User%20cancelled&state=af0ifjsldkj');
w('route_queries', 'logout', 'returnTo=https%3A%2F%2Fpartner.example.com%2Fbye&federated&state=xyz');
w('route_queries', 'logout_hostile', 'returnTo=https%3A%2F%2Fapp.example.com%40evil.example.com%2F&returnTo=%2F%5Cevil');
w('route_queries', 'access_token', 'audience=https%3A%2F%2Fapi.example.com%2F&scope=read%3Aitems&refresh=true');
w('route_queries', 'origin_headers', 'app.example.com:8443\nproxy.example.com, internal\nhttps');

// dpop_proof: a valid ES256 proof for GET https://api.example/items with
// access token "tok" at NOW, and variants a resource server must refuse.
{
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const pub = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  const ath = crypto.createHash('sha256').update('tok').digest('base64url');
  const proof = (claims, hdr = { typ: 'dpop+jwt', alg: 'ES256', jwk: pub }) => {
    const input = `${b64(JSON.stringify(hdr))}.${b64(JSON.stringify(claims))}`;
    const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64(sig)}`;
  };
  const ok = { jti: 'j-1', htm: 'GET', htu: 'https://api.example/items', iat: NOW, ath };
  fs.mkdirSync(d('dpop_proof'), { recursive: true });
  w('dpop_proof', 'valid', proof(ok));
  w('dpop_proof', 'with_nonce', proof({ ...ok, jti: 'j-2', nonce: 'n-1' }));
  w('dpop_proof', 'wrong_htu', proof({ ...ok, htu: 'https://api.example/other' }));
  w('dpop_proof', 'stale', proof({ ...ok, iat: NOW - 3600 }));
  w('dpop_proof', 'private_key_in_header', proof(ok, { typ: 'dpop+jwt', alg: 'ES256', jwk: { ...pub, d: 'AAAA' } }));
  w('dpop_proof', 'alg_none', `${b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: pub }))}.${b64(JSON.stringify(ok))}.`);
  w('dpop_proof', 'nonce_challenge', 'DPoP error="use_dpop_nonce", algs="ES256"');
}

// platform: an encrypted mfa_token of the target's session, a provider's
// mfa_required body, MFA API and My Account answers, proxied paths, /auth/connect queries
w('platform', 'mfa_token', seal({mfaToken: 'mfa_fuzzing-raw-token', audience: 'https://api.example.com/', scope: 'read:items', createdAt: NOW * 1000 - 1000, exp: NOW + 300}));
w('platform', 'mfa_token_expired', seal({mfaToken: 'mfa_fuzzing-raw-token', audience: '', createdAt: NOW * 1000 - 400000, exp: NOW - 100}));
w('platform', 'mfa_required', JSON.stringify({error: 'mfa_required', error_description: 'Multifactor authentication required', mfa_token: 'Fe26.2**abc', mfa_requirements: {challenge: [{type: 'otp'}, {type: 'recovery-code'}], enroll: [{type: 'phone'}]}}));
w('platform', 'authenticators', JSON.stringify([{id: 'totp|dev_1', authenticator_type: 'otp', active: true, type: 'otp'}, {id: 'sms|dev_2', authenticator_type: 'oob', oob_channel: 'sms', name: '+1555XXXX', active: false}]));
w('platform', 'enrollment', JSON.stringify({authenticator_type: 'otp', secret: 'JBSWY3DPEHPK3PXP', barcode_uri: 'otpauth://totp/t:u?secret=JBSWY3DPEHPK3PXP', recovery_codes: ['ABCDEFGHJKLMNPQRSTUVWXYZ']}));
w('platform', 'problem', JSON.stringify({type: 'https://auth0.com/api-errors#A0E-403-0002', status: 403, title: 'Insufficient Scope', detail: 'x'}));
w('platform', 'connected_account', JSON.stringify({id: 'cac_1', connection: 'google-oauth2', access_type: 'offline', scopes: ['openid'], created_at: '2025-10-13T21:09:04.126Z'}));
w('platform', 'proxy_path', '/v1/connected-accounts/accounts?connection=google-oauth2&take=10');
w('platform', 'proxy_traversal', '/v1/%2e%2E/../oauth/token?a=1');
w('platform', 'connect_query', 'connection=slack&returnTo=/after&scopes=a&scopes[]=b&prompt=consent&connection=other');

// bearer_header: Authorization header values (one per line)
const at = jwtOf({alg: 'RS256', typ: 'at+jwt', kid: 'k1'}, {iss: 'https://tenant.example.com/', aud: 'https://api.example.com/', sub: 'c@clients', exp: NOW + 600, scope: 'read:items', permissions: ['read:items']});
w('bearer_header', 'bearer', `Bearer ${at}`);
w('bearer_header', 'dpop', `DPoP ${at}`);
w('bearer_header', 'two_headers', `Bearer ${at}\nBearer ${at}`);
w('bearer_header', 'alg_none', `bearer ${b64('{"alg":"none"}')}.${b64('{}')}.`);
w('bearer_header', 'basic', 'Basic dXNlcjpwYXNz');
w('bearer_header', 'spaces', 'Bearer   a b');
