#![allow(missing_docs)]
//! Session-cookie wire compatibility with the real `@auth0/nextjs-auth0` (v4),
//! both directions, through `compat/nextjs/cookie.mjs` (node).
//!
//! Needs `npm ci` in `compat/nextjs` first; without it the node-backed tests
//! fail (they never pass silently). The fixture test needs no node.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use auth0_leptos::server::testing::{generate_session_cookie, open_session_cookie};
use auth0_leptos::server::{SessionData, TokenSet};
use auth0_leptos::User;
use serde_json::{json, Value};

const SECRET: &str = "nextjs-compat-test-secret-0123456789abcdef";

/// The secret the committed fixture was sealed with.
const FIXTURE_SECRET: &str = "nextjs-auth0-compat-fixture-secret-0123456789";

/// 2100-01-01T00:00:00Z: the fixture's `exp` (and its tokenSet.expiresAt).
const FIXTURE_EXP: i64 = 4_102_444_800;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn compat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat/nextjs")
}

/// Runs `node cookie.mjs <args>` with `stdin`, returning stdout on success
/// and `None` when the script exits 1 (cookie did not open).
fn node(args: &[&str], stdin: &str) -> Option<String> {
    let dir = compat_dir();
    assert!(
        dir.join("node_modules/@auth0/nextjs-auth0").is_dir(),
        "{}/node_modules is missing: run `npm ci` in compat/nextjs \
         (cd compat/nextjs && npm ci) before running this test",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg("cookie.mjs")
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run `node` (is Node.js installed?): {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Some(String::from_utf8(out.stdout).unwrap()),
        Some(1) if stderr.contains("did not open") => None,
        _ => panic!("node cookie.mjs {args:?} failed ({}): {stderr}", out.status),
    }
}

/// A session with every field the tests compare, in nextjs-auth0's JSON shape.
fn session_json(created_at: i64, expires_at: i64) -> Value {
    json!({
        "user": {
            "sub": "auth0|compat-user",
            "name": "Compat User",
            "email": "compat@example.com",
            "https://example.com/roles": ["admin"]
        },
        "tokenSet": {
            "accessToken": "compat-access-token",
            "idToken": "compat-id-token",
            "refreshToken": "compat-refresh-token",
            "scope": "openid profile email offline_access",
            "expiresAt": expires_at
        },
        "internal": { "sid": "compat-sid", "createdAt": created_at },
        "customField": { "plan": "pro", "n": 42 }
    })
}

fn assert_same_session(s: &SessionData, created_at: i64, expires_at: i64) {
    assert_eq!(s.user.sub, "auth0|compat-user");
    assert_eq!(s.user.name.as_deref(), Some("Compat User"));
    assert_eq!(s.user.claims["https://example.com/roles"], json!(["admin"]));
    assert_eq!(s.token_set.access_token.secret(), "compat-access-token");
    assert_eq!(
        s.token_set.id_token.as_ref().map(|t| t.secret()),
        Some("compat-id-token")
    );
    assert_eq!(
        s.token_set.refresh_token.as_ref().map(|t| t.secret()),
        Some("compat-refresh-token")
    );
    assert_eq!(
        s.token_set.scope.as_deref(),
        Some("openid profile email offline_access")
    );
    assert_eq!(s.token_set.expires_at, expires_at);
    assert_eq!(s.internal.sid, "compat-sid");
    assert_eq!(s.internal.created_at, created_at);
    assert_eq!(s.extra["customField"], json!({ "plan": "pro", "n": 42 }));
}

#[test]
fn cookie_from_nextjs_generate_session_cookie_opens_here() {
    let (created_at, expires_at) = (now() - 60, now() + 86_400);
    let input = session_json(created_at, expires_at).to_string();
    let cookie = node(&["seal", SECRET], &input).expect("seal never exits 1");
    let cookie = cookie.trim();
    assert_eq!(cookie.split('.').count(), 5, "compact JWE: {cookie}");

    let s = open_session_cookie(cookie, SECRET).expect("nextjs-auth0 cookie must open");
    assert_same_session(&s, created_at, expires_at);
    // The JWT `exp` claim is the cookie's expiry, not session data: it is
    // checked on open and not handed back inside the session.
    assert!(!s.extra.contains_key("exp"));

    // Wrong secret: does not open.
    assert!(open_session_cookie(cookie, "some-other-secret-0123456789abcdef").is_none());
}

#[test]
fn cookie_from_generate_session_cookie_opens_in_nextjs() {
    let (created_at, expires_at) = (now() - 60, now() + 86_400);
    let session: SessionData =
        serde_json::from_value(session_json(created_at, expires_at)).unwrap();
    // Built through the public constructor as well, to check it round-trips.
    let built = {
        let user = User {
            sub: "auth0|compat-user".into(),
            name: Some("Compat User".into()),
            email: Some("compat@example.com".into()),
            claims: [("https://example.com/roles".to_string(), json!(["admin"]))]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let token_set = TokenSet {
            access_token: "compat-access-token".into(),
            id_token: Some("compat-id-token".into()),
            refresh_token: Some("compat-refresh-token".into()),
            scope: Some("openid profile email offline_access".into()),
            expires_at,
            ..Default::default()
        };
        let mut s = SessionData::new(user, token_set, Some("compat-sid".into()), created_at);
        s.extra
            .insert("customField".into(), json!({ "plan": "pro", "n": 42 }));
        s
    };
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        serde_json::to_value(&session).unwrap()
    );

    let cookie = generate_session_cookie(&built, SECRET);
    let opened = node(&["open", SECRET], &cookie).expect("our cookie must open in nextjs-auth0");
    let opened: Value = serde_json::from_str(&opened).unwrap();
    assert_eq!(opened["protectedHeader"]["alg"], "dir");
    assert_eq!(opened["protectedHeader"]["enc"], "A256GCM");

    let p = &opened["payload"];
    assert_eq!(p["user"]["sub"], "auth0|compat-user");
    assert_eq!(p["user"]["name"], "Compat User");
    assert_eq!(p["user"]["https://example.com/roles"], json!(["admin"]));
    assert_eq!(p["tokenSet"]["accessToken"], "compat-access-token");
    assert_eq!(p["tokenSet"]["idToken"], "compat-id-token");
    assert_eq!(p["tokenSet"]["refreshToken"], "compat-refresh-token");
    assert_eq!(
        p["tokenSet"]["scope"],
        "openid profile email offline_access"
    );
    assert_eq!(p["tokenSet"]["expiresAt"], expires_at);
    assert_eq!(p["internal"]["sid"], "compat-sid");
    assert_eq!(p["internal"]["createdAt"], created_at);
    assert_eq!(p["customField"], json!({ "plan": "pro", "n": 42 }));
    let exp = p["exp"].as_i64().expect("exp claim");
    assert!((exp - (now() + 3600)).abs() <= 60, "exp {exp}");

    // And nextjs-auth0 rejects it under another secret.
    assert!(node(&["open", "some-other-secret-0123456789abcdef"], &cookie).is_none());
}

/// `tests/fixtures/nextjs-session-cookie.txt` was minted once by
/// @auth0/nextjs-auth0 4.30.0 (compat/nextjs) with its lower-level
/// `encrypt(payload, secret, expiration)` from dist/server/cookies.js, because
/// `generateSessionCookie` always sets `exp` one hour ahead:
///
/// ```text
/// cd compat/nextjs
/// node cookie.mjs seal-until "$FIXTURE_SECRET" 4102444800 < session.json \
///   > ../../auth0-leptos/tests/fixtures/nextjs-session-cookie.txt
/// ```
///
/// with `session.json` holding the values asserted below (`exp` = 2100-01-01).
/// This keeps the format checked without node.
#[test]
fn committed_nextjs_fixture_opens() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nextjs-session-cookie.txt");
    let cookie = std::fs::read_to_string(&path).unwrap();
    let s = open_session_cookie(cookie.trim(), FIXTURE_SECRET).expect("fixture must open");

    assert_eq!(s.user.sub, "auth0|fixture-user");
    assert_eq!(s.user.name.as_deref(), Some("Fixture User"));
    assert_eq!(s.user.email.as_deref(), Some("fixture@example.com"));
    assert_eq!(s.user.email_verified, Some(true));
    assert_eq!(s.user.claims["https://example.com/roles"], json!(["admin"]));
    assert_eq!(s.token_set.access_token.secret(), "fixture-access-token");
    assert_eq!(
        s.token_set.id_token.as_ref().map(|t| t.secret()),
        Some("fixture-id-token")
    );
    assert_eq!(
        s.token_set.refresh_token.as_ref().map(|t| t.secret()),
        Some("fixture-refresh-token")
    );
    assert_eq!(
        s.token_set.scope.as_deref(),
        Some("openid profile email offline_access")
    );
    assert_eq!(s.token_set.expires_at, FIXTURE_EXP);
    assert_eq!(s.internal.sid, "fixture-sid");
    assert_eq!(s.internal.created_at, 1_700_000_000);
    assert_eq!(s.extra["customField"], json!({ "plan": "pro" }));
    assert!(!s.extra.contains_key("exp"));

    assert!(open_session_cookie(cookie.trim(), SECRET).is_none());
}

/// Multi-resource refresh tokens: an `accessTokens[]` entry written by
/// nextjs-auth0 answers `/auth/access-token` here for its audience (no
/// provider call: the stored token is valid and its requested scope
/// covers the ask), and an entry written here opens in nextjs-auth0 with
/// the keys it looks up (`audience`, `requestedScope`, `expiresAt`).
#[tokio::test]
async fn access_tokens_entries_are_shared_with_nextjs() {
    use tower::ServiceExt;
    const REPORTS: &str = "https://reports.example.com/";
    let (created_at, expires_at) = (now() - 60, now() + 86_400);
    let mut input = session_json(created_at, expires_at);
    input["tokenSet"]["audience"] = json!("https://api.example.com/");
    input["accessTokens"] = json!([{
        "accessToken": "compat-reports-token",
        "audience": REPORTS,
        "scope": "read:reports",
        "requestedScope": "read:reports",
        "expiresAt": expires_at,
        "token_type": "Bearer"
    }]);
    let cookie = node(&["seal", SECRET], &input.to_string()).expect("seal never exits 1");

    // The provider is never contacted: an unroutable domain proves it.
    let auth0 = auth0_leptos::server::Auth0::new(
        auth0_leptos::server::Auth0Config::builder()
            .domain("https://tenant.invalid")
            .client_id("compat-client")
            .client_secret("compat-client-secret")
            .secret(SECRET)
            .app_base_url("http://127.0.0.1:3000")
            .audience("https://api.example.com/")
            .scope([(REPORTS, "read:reports")])
            .build()
            .unwrap(),
    );
    let router = axum::Router::new()
        .merge(auth0.router())
        .layer(auth0.layer());
    let req = axum::http::Request::get(
        "/auth/access-token?audience=https%3A%2F%2Freports.example.com%2F",
    )
    .header("host", "127.0.0.1:3000")
    .header("cookie", format!("__session={}", cookie.trim()))
    .body(axum::body::Body::empty())
    .unwrap();
    let res = router.oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["token"], "compat-reports-token");
    assert_eq!(body["audience"], REPORTS);

    // The other way: our entry, read by nextjs-auth0.
    let session: SessionData = serde_json::from_value(input).unwrap();
    let ours = generate_session_cookie(&session, SECRET);
    let opened: Value =
        serde_json::from_str(&node(&["open", SECRET], &ours).expect("opens in nextjs-auth0"))
            .unwrap();
    let e = &opened["payload"]["accessTokens"][0];
    assert_eq!(e["accessToken"], "compat-reports-token");
    assert_eq!(e["audience"], REPORTS);
    assert_eq!(e["requestedScope"], "read:reports");
    assert_eq!(e["expiresAt"], expires_at);
    assert_eq!(e["token_type"], "Bearer");
}
