//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not part
//! of the API). Each takes untrusted bytes and drives the crate's real
//! parsers with them; none panics on its own, so any panic is a bug in the
//! code under test. Where a result must hold a property (a `returnTo` that
//! is accepted stays on the app's origin, a sealed session opens to what was
//! sealed), these functions assert it.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use http::header::{HeaderName, HeaderValue, COOKIE};
use http::HeaderMap;
use serde_json::{Map, Value};
use url::Url;

use crate::secret::CookieSecret;
use crate::server::config::SameSite;
use crate::server::cookies::{delete_chunked, write_chunked, CookieAttrs, RequestCookies};
use crate::server::crypto::jwe::Keyring;
use crate::server::error::TokenKind;
use crate::server::layer::store_backend::StoreCookie;
use crate::server::oidc::id_token::{
    check_header, check_id_token_claims, check_logout_token_claims, Expectations,
};
use crate::server::oidc::{jwt_audiences, same_issuer, Metadata, ParResponse, TokenResponse};
use crate::server::request::{request_origin, safe_logout_return_to, safe_return_to};
use crate::server::routes::backchannel_logout::{logout_request, logout_token_param};
use crate::server::routes::login::login_options;
use crate::server::routes::{param, query_pairs};
use crate::server::session::SessionData;
use crate::server::transaction::TransactionState;
use crate::AccessTokenRequest;

/// The cookie secret the fuzz targets seal and open with.
pub const TEST_SECRET: &str = "fuzzing-secret-fuzzing-secret-fuzzing-secret";

/// The clock the fuzz targets run at (seconds since the epoch), so that a
/// crash reproduces whenever it is replayed.
pub const NOW: i64 = 1_800_000_000;

/// The app's base URL in the route targets.
pub const BASE_URL: &str = "https://app.example.com/";

/// The session cookie name (the default).
const SESSION: &str = "__session";
/// The transaction cookie prefix (the default).
const TXN_PREFIX: &str = "__txn_";
/// The client id the claim checks expect.
const CLIENT_ID: &str = "fuzz-client";
/// The nonce the ID-token checks expect when the input asks for one.
const NONCE: &str = "fuzz-nonce";
/// The provider's issuer.
const ISSUER: &str = "https://tenant.example.com/";

fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| Keyring::new([&CookieSecret::new(TEST_SECRET)]))
}

/// Splits `data` into lines (`\n`).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|b| *b == b'\n')
}

/// `Cookie` headers: every line of `data` is one `Cookie` header value
/// (lines `HeaderValue` refuses are skipped), parsed by
/// `RequestCookies::from_headers`, then looked up the way the session layer
/// and the transactions do, and written back chunked.
pub fn cookie_header(data: &[u8]) {
    let mut headers = HeaderMap::new();
    for line in lines(data) {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, v);
        }
    }
    let cookies = RequestCookies::from_headers(&headers);
    for (name, value) in cookies.iter_all() {
        assert!(!name.is_empty(), "empty cookie name");
        assert!(!name.contains(';') && !value.contains(';'), "';' in a pair");
        assert_eq!(name, name.trim(), "untrimmed cookie name");
    }
    let _ = cookies.get(SESSION);
    let _ = cookies
        .iter_all()
        .filter(|(n, _)| n.starts_with(TXN_PREFIX))
        .count();
    let chunks = cookies.chunks(SESSION);
    assert!(
        chunks.windows(2).all(|w| w[0].0 < w[1].0),
        "chunks not strictly ordered"
    );
    let whole = cookies.get_chunked(SESSION);
    if let Some(v) = &whole {
        if cookies.get(SESSION).is_none_or(str::is_empty) {
            let joined: String = chunks.iter().map(|c| c.2).collect();
            assert_eq!(v.as_ref(), joined, "chunks joined differently");
        }
    }
    assert_eq!(
        cookies.has_chunked(SESSION),
        cookies.get(SESSION).is_some() || !chunks.is_empty()
    );
    let attrs = CookieAttrs {
        path: "/".into(),
        domain: None,
        secure: true,
        same_site: SameSite::Lax,
        max_age: Some(3600),
    };
    let value = whole.as_deref().unwrap_or("x");
    for c in write_chunked(SESSION, value, &attrs, &cookies) {
        let _ = c.to_header_value();
    }
    let _ = delete_chunked(SESSION, &attrs, &cookies);
}

/// JWE cookies: `data` as a sealed session, transaction and store-id cookie
/// (opened with [`TEST_SECRET`]); `data` as the plaintext of a cookie sealed
/// with that secret (so the JSON and `exp` checks behind the decryption see
/// arbitrary input); and, when `data` is a `SessionData` JSON object, a seal
/// then open round trip that must give back the same session.
pub fn jwe_cookie(data: &[u8]) {
    let ring = keyring();
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = ring.open::<SessionData>(token, NOW);
        let _ = ring.open::<TransactionState>(token, NOW);
        let _ = ring.open::<StoreCookie>(token, NOW);
        let _ = ring.open::<Value>(token, NOW);
    }
    let sealed = ring.seal_bytes(data.to_vec());
    let _ = ring.open::<SessionData>(&sealed, NOW);
    let _ = ring.open::<TransactionState>(&sealed, NOW);
    let _ = ring.open::<StoreCookie>(&sealed, NOW);
    if let Some((v, exp)) = ring.open::<Value>(&sealed, NOW) {
        assert!(exp.saturating_add(15) > NOW, "an expired cookie opened");
        assert!(v.get("exp").is_none(), "exp left in the payload");
    }

    // Round trip. `exp` is the cookie format's own claim (as in
    // nextjs-auth0, the sealer's value replaces the payload's), so a session
    // field of that name is not carried.
    let Ok(mut session) = serde_json::from_slice::<SessionData>(data) else {
        return;
    };
    session.extra.remove("exp");
    let before = serde_json::to_value(&session).expect("a session serializes");
    let sealed = ring.seal(&session, NOW + 3600).expect("a session seals");
    if sealed.len() > 60 * 1024 {
        return; // beyond what `open` accepts by design
    }
    let (back, exp) = ring
        .open::<SessionData>(&sealed, NOW)
        .expect("a freshly sealed session opens");
    assert_eq!(exp, NOW + 3600);
    let after = serde_json::to_value(&back).expect("a session serializes");
    assert_eq!(
        before, after,
        "the session changed in a seal/open round trip"
    );
}

/// The claims of a compact JWT (its second part, base64url JSON), or `text`
/// itself as a JSON object.
fn claims_of(text: &str) -> Option<Map<String, Value>> {
    let mut parts = text.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_)) => {
            serde_json::from_slice(&B64.decode(payload.trim_end_matches('=')).ok()?).ok()
        }
        _ => serde_json::from_str(text).ok(),
    }
}

/// JWTs: the first byte of `data` selects what the ID-token checks expect
/// (bit 0: a nonce, bit 1: a `max_age`, taken from the next 8 bytes, little
/// endian); the rest is a compact JWT (its header decoded and its `alg`
/// checked, its claims run through the ID-token, logout-token and
/// back-channel checks that need no network) or a claims JSON object.
pub fn jwt(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (max_age, rest) = match rest.split_first_chunk::<8>() {
        Some((m, rest)) => (u64::from_le_bytes(*m), rest),
        None => (0, rest),
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let _ = check_header(text, TokenKind::IdToken, &[jsonwebtoken::Algorithm::RS256]);
    let Some(claims) = claims_of(text) else {
        return;
    };
    let expect = Expectations {
        nonce: (flags & 1 != 0).then_some(NONCE),
        max_age: (flags & 2 != 0).then_some(max_age),
        organization: None,
    };
    let _ = check_id_token_claims(&claims, CLIENT_ID, &expect, NOW);
    if check_logout_token_claims(&claims, NOW).is_ok() {
        let _ = logout_request(&claims, NOW);
    }
}

/// Query strings of every route and the request's origin headers:
/// `data` is the query string of `/auth/login` (login options, `max_age`,
/// `returnTo`, and the `max_age` carried on to the callback's ID-token
/// check), `/auth/callback` (its parameters, the RFC 9207 issuer check),
/// `/auth/logout` (`returnTo` against the base URL and an allow-list) and
/// `/auth/access-token` (axum's `Query<AccessTokenRequest>`); its first
/// three lines are also the `Host`, `X-Forwarded-Host` and
/// `X-Forwarded-Proto` headers of a request whose origin is inferred.
pub fn route_queries(data: &[u8]) {
    let base = Url::parse(BASE_URL).expect("base URL");
    let query = String::from_utf8_lossy(data);

    // /auth/login
    if let Ok(options) = login_options(Some(&query)) {
        if let Some(rt) = &options.return_to {
            if let Some(out) = safe_return_to(rt, &base) {
                assert_stays_on_origin(&out, &base);
            }
        }
        if let Some(ma) = options.authorization_params.get("max_age") {
            let max_age = ma.parse::<u64>().expect("login accepted max_age");
            let claims = serde_json::json!({"sub": "u", "iat": NOW, "auth_time": NOW - 3600});
            let expect = Expectations {
                nonce: None,
                max_age: Some(max_age),
                organization: None,
            };
            let _ =
                check_id_token_claims(claims.as_object().expect("object"), CLIENT_ID, &expect, NOW);
        }
    }

    // /auth/callback and /auth/logout
    let pairs = query_pairs(Some(&query));
    let _ = param(&pairs, "state").filter(|s| !s.is_empty());
    let _ = param(&pairs, "error").map(|e| (e, param(&pairs, "error_description")));
    if let Some(iss) = param(&pairs, "iss") {
        let _ = same_issuer(iss, ISSUER);
    }
    let _ = param(&pairs, "code").filter(|c| !c.is_empty());
    if let Some(rt) = param(&pairs, "returnTo") {
        if let Some(out) = safe_return_to(rt, &base) {
            assert_stays_on_origin(&out, &base);
        }
        let allow = [
            Url::parse("https://partner.example.com/").expect("url"),
            Url::parse("https://other.example.com/exact/path?x=1").expect("url"),
        ];
        if let Some(out) = safe_logout_return_to(rt, &base, &allow) {
            let u = Url::parse(&out).expect("an accepted logout returnTo is a URL");
            assert!(matches!(u.scheme(), "http" | "https"), "{out}");
            assert!(u.username().is_empty() && u.password().is_none(), "{out}");
            let host = u.host_str().unwrap_or_default();
            assert!(
                matches!(
                    host,
                    "app.example.com" | "partner.example.com" | "other.example.com"
                ),
                "logout returnTo left the allowed hosts: {out}"
            );
        }
    }

    // /auth/access-token
    let mut uri = b"/auth/access-token?".to_vec();
    uri.extend_from_slice(data);
    if let Ok(uri) = http::Uri::try_from(uri) {
        let _ = axum::extract::Query::<AccessTokenRequest>::try_from_uri(&uri);
    }

    // The request's origin.
    let mut headers = HeaderMap::new();
    let names = ["host", "x-forwarded-host", "x-forwarded-proto"];
    for (name, line) in names.into_iter().zip(lines(data)) {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    for origin in [false, true]
        .into_iter()
        .filter_map(|trust_proxy| request_origin(&headers, trust_proxy))
    {
        assert!(matches!(origin.scheme(), "http" | "https"), "{origin}");
        assert!(origin.host().is_some(), "{origin}");
        assert_eq!(origin.path(), "/", "{origin}");
        assert!(
            origin.query().is_none() && origin.fragment().is_none(),
            "{origin}"
        );
        assert!(
            origin.username().is_empty() && origin.password().is_none(),
            "{origin}"
        );
    }
}

/// A `returnTo` accepted by `safe_return_to` is a path that, joined to the
/// base URL, stays on the base URL's origin.
fn assert_stays_on_origin(out: &str, base: &Url) {
    assert!(out.starts_with('/') && !out.starts_with("//"), "{out}");
    let joined = base.join(out).expect("an accepted returnTo joins");
    assert_eq!(
        joined.origin(),
        base.origin(),
        "returnTo left the origin: {out}"
    );
}

/// The back-channel logout form body: `logout_token` from the form, its JWT
/// header and `alg`, then the logout-token checks that need no network and
/// what the route derives from the claims (jti, replay window, sid/sub).
pub fn backchannel_body(data: &[u8]) {
    let Some(token) = logout_token_param(data) else {
        return;
    };
    let _ = check_header(
        &token,
        TokenKind::LogoutToken,
        &[jsonwebtoken::Algorithm::RS256],
    );
    let Some(claims) = claims_of(&token) else {
        return;
    };
    if check_logout_token_claims(&claims, NOW).is_ok() {
        if let Ok((_, until, target)) = logout_request(&claims, NOW) {
            assert!(until >= NOW + 60, "replay window shorter than a minute");
            assert!(target.sid.is_some() || target.sub.is_some());
        }
    }
}

/// Provider responses: `data` is the body of a token endpoint answer (a
/// token response, its access token's `exp` and `aud` peeked at to know
/// when it expires and which API it is for), of a pushed authorization
/// request's answer, or of the discovery document.
/// A token response's expiry never lies before the response.
pub fn provider_response(data: &[u8]) {
    if let Ok(tr) = serde_json::from_slice::<TokenResponse>(data) {
        let at = tr.expires_at(NOW);
        assert!(at >= NOW, "a token expiring before it was received");
        let _ = jwt_audiences(tr.access_token.secret());
    }
    let _ = serde_json::from_slice::<Metadata>(data);
    let _ = serde_json::from_slice::<ParResponse>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jwt_audiences(text);
    }
}

/// DPoP proofs as a resource server receives them, checked against a fixed
/// request (GET `https://api.example/items`, access token `tok`, bound to
/// the key in the proof's own header), and the same bytes as a server's
/// `DPoP-Nonce` and `WWW-Authenticate`. An accepted proof is refused the
/// second time (replay).
pub fn dpop_proof(data: &[u8]) {
    use crate::server::dpop::verify::{DpopRequest, DpopVerifier};
    let Ok(proof) = std::str::from_utf8(data) else {
        return;
    };
    // The thumbprint of the header's key, computed apart from the verifier.
    let jkt = proof
        .split('.')
        .next()
        .and_then(|h| B64.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .and_then(|h| {
            let x = h.get("jwk")?.get("x")?.as_str()?.to_owned();
            let y = h.get("jwk")?.get("y")?.as_str()?.to_owned();
            Some(crate::server::crypto::dpop_key::thumbprint(&x, &y))
        });
    let headers = HeaderMap::new();
    let method = http::Method::GET;
    let request = DpopRequest {
        headers: &headers,
        method: &method,
        url: "https://api.example/items?page=2",
        access_token: "tok",
        jkt: jkt.as_deref(),
    };
    let verifier = DpopVerifier::new();
    if verifier.verify_proof(proof, &request, NOW).is_ok() {
        assert!(
            verifier.verify_proof(proof, &request, NOW).is_err(),
            "a proof accepted twice"
        );
    }
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(data) {
        h.insert("dpop-nonce", v.clone());
        h.insert(http::header::WWW_AUTHENTICATE, v);
        let _ =
            crate::server::dpop::is_resource_nonce_challenge(http::StatusCode::UNAUTHORIZED, &h);
        let _ = crate::server::dpop::valid_nonce(proof);
    }
}

/// The raw token of the step-up the `platform` target's session holds.
pub const MFA_RAW_TOKEN: &str = "mfa_fuzzing-raw-token";

/// MFA, connected accounts and the My Account proxy: `data` as an
/// encrypted `mfa_token` from the browser (opened for a session holding one
/// step-up: an opened token is always that session's), as a provider's
/// refusal (`mfa_required` with its `mfa_token`) and MFA API or My Account
/// answers, as the path and query the proxy forwards (an accepted path never
/// leaves the API), and as the `/auth/connect` query.
pub fn platform(data: &[u8]) {
    use crate::mfa::{Authenticator, Challenge, Enrollment, MfaToken};
    use crate::server::error::MyAccountApiError;
    use crate::server::hooks::ConnectedAccount;
    use crate::server::mfa::{begin, open, StepUp};
    use crate::server::routes::proxy::{upstream_url, Api};

    let text = String::from_utf8_lossy(data);
    let now_ms = NOW * 1000;
    let user: crate::User = serde_json::from_str(r#"{"sub":"u"}"#).expect("user");
    let mut session = SessionData::new(user, Default::default(), None, NOW);
    let step_up = StepUp {
        raw: crate::secret::RawMfaToken::new(MFA_RAW_TOKEN),
        audience: Some("https://api.example.com/".into()),
        scope: Some("read:items".into()),
        requirements: None,
    };
    let _ = begin(
        keyring(),
        &mut session,
        &step_up,
        now_ms - 1000,
        300,
        300_000,
    );
    if let Ok(opened) = open(
        keyring(),
        &session,
        &MfaToken::new(text.as_ref()),
        now_ms,
        300_000,
    ) {
        assert!(
            session.mfa.contains_key(&opened.key),
            "an opened token of another session"
        );
        assert_eq!(opened.step_up.raw.secret(), MFA_RAW_TOKEN);
    }

    let _ = crate::server::oidc::refusal(data, reqwest::StatusCode::FORBIDDEN, "fuzz");
    let _ = serde_json::from_slice::<Vec<Authenticator>>(data);
    let _ = serde_json::from_slice::<Enrollment>(data);
    let _ = serde_json::from_slice::<Challenge>(data);
    let _ = serde_json::from_slice::<MyAccountApiError>(data);
    let _ = serde_json::from_slice::<ConnectedAccount>(data);

    let (path, query) = match text.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (text.as_ref(), None),
    };
    for api in [Api::MyAccount, Api::MyOrg] {
        let (_, base) = api.audience_and_base(ISSUER);
        if let Some(url) = upstream_url(&base, path, query, api) {
            assert!(url.as_str().starts_with(&base), "left the API: {url}");
            let base_path = Url::parse(&base).expect("base").path().to_owned();
            assert!(url.path().starts_with(&base_path), "left the API: {url}");
            assert!(
                url.path_segments()
                    .is_some_and(|mut s| s.all(|s| s != ".." && s != ".")),
                "{url}"
            );
        }
    }
    let options = crate::server::routes::connect::connect_options(Some(&text));
    let _ = options.scopes.len() + options.authorization_params.len();
}

/// The `Authorization` header of a request to a protected API (one or more
/// lines, each a header value): scheme and token parsing, then the JWT
/// header checks the guard makes before any key is looked at. An accepted
/// token is always a non-empty RFC 6750 b64token.
pub fn bearer_header(data: &[u8]) {
    use crate::server::bearer::{presented, Presented};
    let mut headers = HeaderMap::new();
    for line in lines(data) {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            headers.append(http::header::AUTHORIZATION, v);
        }
    }
    let token = match presented(&headers) {
        Ok(Presented::Bearer(t) | Presented::Dpop(t)) => t,
        Err(_) => return,
    };
    assert!(
        !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)),
        "{token:?}"
    );
    if let Ok(h) = check_header(
        token,
        TokenKind::AccessToken,
        &[jsonwebtoken::Algorithm::RS256],
    ) {
        assert_eq!(h.alg, jsonwebtoken::Algorithm::RS256);
    }
}
