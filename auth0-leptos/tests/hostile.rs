//! A provider that misbehaves on purpose: forged ID tokens, broken and slow
//! token endpoints, key rotation. The real local provider cannot do these.
#![allow(missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth0_leptos::server::{
    Auth0, Auth0Config, Auth0ConfigBuilder, CallbackContext, CallbackError, IdTokenSigningAlg,
    SessionData, TokenSet,
};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use support::*;

const KEY1: &str = include_str!("fixtures/test-rsa-key-1.pem");
const KEY2: &str = include_str!("fixtures/test-rsa-key-2.pem");
const CLIENT: &str = "hostile-client";

type TokenFn = Box<dyn Fn(&std::collections::HashMap<String, String>) -> Response + Send + Sync>;

struct OpState {
    issuer: String,
    jwks: Mutex<Value>,
    token: Mutex<Option<TokenFn>>,
    token_headers: Mutex<Vec<HeaderMap>>,
    jwks_fetches: AtomicUsize,
    discovery_issuer: Mutex<Option<String>>,
    userinfo: Mutex<Value>,
    userinfo_calls: AtomicUsize,
    /// Tokens sent to `/oauth/revoke`.
    revoked: Mutex<Vec<String>>,
}

#[derive(Clone)]
struct Op(Arc<OpState>);

fn rsa_jwk(pem: &str, kid: &str) -> Value {
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem).unwrap();
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be())})
}

impl Op {
    async fn start() -> Op {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}/", listener.local_addr().unwrap());
        let op = Op(Arc::new(OpState {
            issuer,
            jwks: Mutex::new(json!({"keys": [rsa_jwk(KEY1, "k1")]})),
            token: Mutex::new(None),
            token_headers: Mutex::new(Vec::new()),
            jwks_fetches: AtomicUsize::new(0),
            discovery_issuer: Mutex::new(None),
            userinfo: Mutex::new(json!({})),
            userinfo_calls: AtomicUsize::new(0),
            revoked: Mutex::new(Vec::new()),
        }));
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/.well-known/jwks.json", get(jwks))
            .route("/oauth/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/oauth/revoke", post(revoke))
            .with_state(op.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        op
    }

    fn url(&self) -> String {
        self.0.issuer.clone()
    }

    fn on_token(
        &self,
        f: impl Fn(&std::collections::HashMap<String, String>) -> Response + Send + Sync + 'static,
    ) {
        *self.0.token.lock().unwrap() = Some(Box::new(f));
    }

    fn config(&self) -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain(self.url())
            .client_id(CLIENT)
            .client_secret("hostile-secret")
            .secret(SECRET)
            .app_base_url(APP)
            .allow_insecure_requests(true)
            .http_timeout(Duration::from_millis(500))
    }

    /// Claims of a valid ID token for `nonce`.
    fn claims(&self, nonce: &str) -> Value {
        let now = now();
        json!({"iss": self.url(), "aud": CLIENT, "sub": "auth0|hostile", "name": "Hostile User", "nonce": nonce,
               "iat": now, "exp": now + 600, "sid": "sid-1"})
    }
}

async fn discovery(State(op): State<Op>) -> Json<Value> {
    let iss =
        op.0.discovery_issuer
            .lock()
            .unwrap()
            .clone()
            .unwrap_or(op.url());
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{}authorize", op.url()),
        "token_endpoint": format!("{}oauth/token", op.url()),
        "jwks_uri": format!("{}.well-known/jwks.json", op.url()),
        "end_session_endpoint": format!("{}oidc/logout", op.url()),
        "userinfo_endpoint": format!("{}userinfo", op.url()),
    }))
}

async fn userinfo(State(op): State<Op>, headers: HeaderMap) -> Response {
    op.0.userinfo_calls.fetch_add(1, Ordering::SeqCst);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer at-1") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(op.0.userinfo.lock().unwrap().clone()).into_response()
}

async fn jwks(State(op): State<Op>) -> Json<Value> {
    op.0.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(op.0.jwks.lock().unwrap().clone())
}

async fn revoke(
    State(op): State<Op>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> StatusCode {
    op.0.revoked
        .lock()
        .unwrap()
        .push(form.get("token").cloned().unwrap_or_default());
    StatusCode::OK
}

async fn token(
    State(op): State<Op>,
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    op.0.token_headers.lock().unwrap().push(headers);
    let guard = op.0.token.lock().unwrap();
    match guard.as_ref() {
        Some(f) => f(&form),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no behaviour set").into_response(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign_rs256(claims: &Value, pem: &str, kid: Option<&str>) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(
        &h,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn tokens_with(id_token: String) -> Response {
    Json(json!({"access_token": "at-1", "id_token": id_token, "refresh_token": "rt-1", "expires_in": 3600, "token_type": "Bearer", "scope": "openid profile"}))
        .into_response()
}

/// Starts a login and returns (state, nonce).
async fn start_login(b: &mut Browser) -> (String, String) {
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let q = query(r.location());
    (q["state"].clone(), q["nonce"].clone())
}

async fn callback(b: &mut Browser, state: &str) -> TestResponse {
    b.get(&format!("/auth/callback?code=c&state={state}")).await
}

fn b64url(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn a_valid_id_token_logs_in() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let token = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(token.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");
}

/// A `max_age` as large as the login route accepts (any u64) means "no
/// limit": the callback neither overflows nor wraps it into a limit.
#[tokio::test]
async fn a_huge_max_age_logs_in_without_overflow() {
    for max_age in ["9223372036854775807", "18446744073709551615"] {
        let op = Op::start().await;
        let auth0 = Auth0::new(op.config().build().unwrap());
        let mut b = Browser::new(app(&auth0));
        let r = b.get(&format!("/auth/login?max_age={max_age}")).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        let q = query(r.location());
        assert_eq!(q["max_age"], max_age);
        let mut claims = op.claims(&q["nonce"]);
        claims["auth_time"] = json!(now() - 3600);
        let token = sign_rs256(&claims, KEY1, Some("k1"));
        op.on_token(move |_| tokens_with(token.clone()));
        let r = callback(&mut b, &q["state"]).await;
        assert_eq!(r.status, StatusCode::FOUND, "max_age={max_age}: {}", r.body);
        assert_eq!(b.get("/").await.body, "Welcome, Hostile User");
    }
}

#[tokio::test]
async fn forged_id_tokens_are_rejected() {
    type Forge = Box<dyn Fn(&Op, &str) -> String>;
    let cases: Vec<(&str, Forge)> = vec![
        (
            "wrong iss",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["iss"] = json!("http://evil.test/");
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "wrong aud",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["aud"] = json!("other-client");
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "wrong nonce",
            Box::new(|op, _| sign_rs256(&op.claims("another-nonce"), KEY1, Some("k1"))),
        ),
        (
            "no nonce",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c.as_object_mut().unwrap().remove("nonce");
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "expired",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["exp"] = json!(now() - 3600);
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "issued in the future",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["iat"] = json!(now() + 3600);
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "no iat",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c.as_object_mut().unwrap().remove("iat");
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "azp of another client",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["azp"] = json!("other-client");
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "several audiences, no azp",
            Box::new(|op, n| {
                let mut c = op.claims(n);
                c["aud"] = json!([CLIENT, "other"]);
                sign_rs256(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "signed by another key",
            Box::new(|op, n| sign_rs256(&op.claims(n), KEY2, Some("k1"))),
        ),
        (
            "unknown kid",
            Box::new(|op, n| sign_rs256(&op.claims(n), KEY2, Some("k9"))),
        ),
        (
            "alg none",
            Box::new(|op, n| {
                format!(
                    "{}.{}.",
                    b64url(&json!({"alg": "none", "kid": "k1"})),
                    b64url(&op.claims(n))
                )
            }),
        ),
        (
            "HS256 keyed with the public key",
            Box::new(|op, n| {
                let jwk = rsa_jwk(KEY1, "k1");
                let secret = serde_json::to_vec(&jwk).unwrap();
                let mut h = Header::new(Algorithm::HS256);
                h.kid = Some("k1".into());
                jsonwebtoken::encode(&h, &op.claims(n), &EncodingKey::from_secret(&secret)).unwrap()
            }),
        ),
        ("not a JWT", Box::new(|_, _| "not-a-jwt".into())),
    ];
    for (name, forge) in cases {
        let op = Op::start().await;
        let auth0 = Auth0::new(op.config().build().unwrap());
        let mut b = Browser::new(app(&auth0));
        let (state, nonce) = start_login(&mut b).await;
        let token = forge(&op, &nonce);
        op.on_token(move |_| tokens_with(token.clone()));
        let r = callback(&mut b, &state).await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{name}: {}",
            r.body
        );
        assert!(r.body.contains("invalid_id_token"), "{name}: {}", r.body);
        assert!(r.set_cookie("__session").is_none(), "{name}: no session");
        assert_eq!(b.get("/").await.body, "anonymous", "{name}");
    }
}

#[tokio::test]
async fn unknown_kids_refetch_the_key_set_once_and_pick_up_rotation() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    assert_eq!(callback(&mut b, &state).await.status, StatusCode::FOUND);
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 1);

    // The provider rotates to key 2.
    *op.0.jwks.lock().unwrap() = json!({"keys": [rsa_jwk(KEY2, "k2")]});
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY2, Some("k2"));
    op.on_token(move |_| tokens_with(t.clone()));
    assert_eq!(callback(&mut b, &state).await.status, StatusCode::FOUND);
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 2);

    // Made-up kids do not make us hammer the provider: within the interval
    // after a refetch, an unknown kid is refused without fetching again.
    for _ in 0..3 {
        let (state, nonce) = start_login(&mut b).await;
        let t = sign_rs256(&op.claims(&nonce), KEY2, Some("made-up"));
        op.on_token(move |_| tokens_with(t.clone()));
        assert_eq!(
            callback(&mut b, &state).await.status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn es256_tokens_verify() {
    use p256::pkcs8::EncodePrivateKey;
    let op = Op::start().await;
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let mut jwk: Value = serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap();
    jwk["kid"] = json!("ec1");
    jwk["alg"] = json!("ES256");
    *op.0.jwks.lock().unwrap() = json!({"keys": [jwk]});
    let pem = secret.to_pkcs8_pem(Default::default()).unwrap();
    let auth0 = Auth0::new(
        op.config()
            .id_token_signing_alg(IdTokenSigningAlg::ES256)
            .build()
            .unwrap(),
    );
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("ec1".into());
    let t = jsonwebtoken::encode(
        &h,
        &op.claims(&nonce),
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
}

#[tokio::test]
async fn broken_and_slow_token_endpoints_fail_cleanly_through_on_callback() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let hook = {
        let seen = seen.clone();
        move |err: Option<CallbackError>, ctx: CallbackContext, session: Option<SessionData>| {
            let seen = seen.clone();
            async move {
                match err {
                    Some(e) => {
                        seen.lock().unwrap().push(e.code().to_owned());
                        (
                            StatusCode::SEE_OTHER,
                            [("location", format!("/error?code={}", e.code()))],
                        )
                            .into_response()
                    }
                    None => {
                        assert!(session.is_some());
                        (
                            StatusCode::SEE_OTHER,
                            [(
                                "location",
                                format!("/welcome{}", ctx.return_to.unwrap_or_default()),
                            )],
                        )
                            .into_response()
                    }
                }
            }
        }
    };
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().on_callback(hook).build().unwrap());
    let mut b = Browser::new(app(&auth0));

    let (state, _) = start_login(&mut b).await;
    op.on_token(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html>stack trace</html>",
        )
            .into_response()
    });
    let r = callback(&mut b, &state).await;
    assert_eq!(r.location(), "/error?code=authorization_code_grant_error");
    assert!(!r.body.contains("stack trace"));

    let (state, _) = start_login(&mut b).await;
    op.on_token(|_| {
        std::thread::sleep(Duration::from_millis(1500));
        (StatusCode::OK, "{}").into_response()
    });
    let r = callback(&mut b, &state).await;
    assert_eq!(
        r.location(),
        "/error?code=authorization_code_grant_request_error"
    );

    let (state, _) = start_login(&mut b).await;
    op.on_token(|_| (StatusCode::OK, "not json").into_response());
    assert_eq!(
        callback(&mut b, &state).await.location(),
        "/error?code=authorization_code_grant_error"
    );

    let r = b.get("/auth/callback?code=x&state=nope").await;
    assert_eq!(r.location(), "/error?code=invalid_state");

    let (state, nonce) = start_login(&mut b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.location(), "/welcome/");
    assert!(
        r.set_cookie("__session").is_some(),
        "the session is saved with the hook's response"
    );
    assert!(b.jar.contains_key("__session"));
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn provider_error_text_is_escaped() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, _) = start_login(&mut b).await;
    op.on_token(|_| (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant", "error_description": "<img src=x onerror=alert(1)>"}))).into_response());
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        r.body.contains("invalid_grant") && r.body.contains("&lt;img") && !r.body.contains("<img"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn discovery_with_a_foreign_issuer_is_refused() {
    let op = Op::start().await;
    *op.0.discovery_issuer.lock().unwrap() = Some("http://evil.test/".into());
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.body,
        "An error occurred while trying to initiate the login request."
    );
}

#[tokio::test]
async fn telemetry_header_is_sent_unless_disabled() {
    for enabled in [true, false] {
        let op = Op::start().await;
        let auth0 = Auth0::new(op.config().enable_telemetry(enabled).build().unwrap());
        let mut b = Browser::new(app(&auth0));
        let (state, nonce) = start_login(&mut b).await;
        let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
        op.on_token(move |_| tokens_with(t.clone()));
        callback(&mut b, &state).await;
        let headers = op.0.token_headers.lock().unwrap();
        let h = headers[0].get("auth0-client");
        if enabled {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(h.expect("telemetry header"))
                .unwrap();
            let v: Value = serde_json::from_slice(&raw).unwrap();
            assert_eq!(v["name"], "auth0-leptos");
            assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        } else {
            assert!(h.is_none());
        }
    }
}

/// A session cookie whose access token expired. Each call makes a distinct
/// session (its own provider session id), as separate logins would.
fn session_with_expired_token(auth0: &Auth0) -> String {
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let sid = format!("sid-{}", SESSIONS.fetch_add(1, Ordering::SeqCst));
    let user = auth0_leptos::User {
        sub: "auth0|hostile".into(),
        ..Default::default()
    };
    let ts = TokenSet {
        access_token: "old".into(),
        refresh_token: Some("rt-old".into()),
        expires_at: 1,
        ..Default::default()
    };
    auth0.seal_session(&SessionData::new(user, ts, Some(sid), now()))
}

#[tokio::test]
async fn refresh_failures_have_stable_codes() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));

    op.on_token(|_| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response()
    });
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "failed_to_refresh_token");

    // Each case is another session: a failed refresh is remembered briefly
    // for the session that made it.
    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));
    op.on_token(|_| (StatusCode::FORBIDDEN, Json(json!({"error": "mfa_required", "error_description": "Multifactor authentication required"}))).into_response());
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The seeds' step-up body; without a provider mfa_token there is nothing
    // to seal (the user has to log in again).
    assert_eq!(r.json()["error"], "mfa_required");
    assert_eq!(r.json()["mfa_token"], "");

    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));
    op.on_token(|_| {
        std::thread::sleep(Duration::from_millis(1200));
        (StatusCode::OK, "{}").into_response()
    });
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "failed_to_refresh_token");

    // A provider that does not rotate: the refresh token is kept.
    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    op.on_token(move |form| {
        c.fetch_add(1, Ordering::SeqCst);
        assert_eq!(form["grant_type"], "refresh_token");
        assert_eq!(form["refresh_token"], "rt-old");
        assert_eq!(form["client_id"], CLIENT);
        assert_eq!(form["client_secret"], "hostile-secret");
        Json(json!({"access_token": "at-new", "expires_in": 60, "token_type": "Bearer"}))
            .into_response()
    });
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["token"], "at-new");
    let saved =
        auth0_leptos::server::testing::open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    assert_eq!(saved.token_set.refresh_token.unwrap().secret(), "rt-old");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn before_session_saved_decides_what_is_stored() {
    let op = Op::start().await;
    let hook = |mut s: SessionData, id_token: Option<String>| async move {
        assert!(id_token.is_some());
        let role = s.user.claims.remove("https://example.test/role");
        s.user = s.user.filter_default_claims();
        if let Some(r) = role {
            s.user.claims.insert("https://example.test/role".into(), r);
        }
        s
    };
    let auth0 = Auth0::new(op.config().before_session_saved(hook).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let mut c = op.claims(&nonce);
    c["https://example.test/role"] = json!("admin");
    c["https://example.test/other"] = json!("dropped");
    let t = sign_rs256(&c, KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    assert_eq!(callback(&mut b, &state).await.status, StatusCode::FOUND);
    let profile = b.get("/auth/profile").await.json();
    assert_eq!(profile["https://example.test/role"], "admin");
    assert!(profile.get("https://example.test/other").is_none());
    assert!(profile.get("nonce").is_none());
}

// ---- stateful sessions and back-channel logout -------------------------

fn logout_claims(op: &Op, jti: &str) -> Value {
    json!({"iss": op.url(), "aud": CLIENT, "iat": now(), "exp": now() + 120, "jti": jti, "sid": "sid-1",
           "sub": "auth0|hostile", "events": {"http://schemas.openid.net/event/backchannel-logout": {}}})
}

/// Signs a logout token with the `typ` providers send (`logout+jwt`).
fn sign_logout(claims: &Value, pem: &str, kid: Option<&str>) -> String {
    sign_typed(claims, pem, kid, Some("logout+jwt"))
}

fn sign_typed(claims: &Value, pem: &str, kid: Option<&str>, typ: Option<&str>) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = kid.map(str::to_owned);
    h.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(
        &h,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// Logs in with an ID token whose claims `edit` changed.
async fn login_with_claims(op: &Op, b: &mut Browser, edit: impl FnOnce(&mut Value)) {
    let (state, nonce) = start_login(b).await;
    let mut c = op.claims(&nonce);
    edit(&mut c);
    let t = sign_rs256(&c, KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    assert_eq!(callback(b, &state).await.status, StatusCode::FOUND);
}

async fn login_with(op: &Op, b: &mut Browser) -> TestResponse {
    let (state, nonce) = start_login(b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    callback(b, &state).await
}

async fn post_logout_token(b: &mut Browser, token: &str) -> TestResponse {
    b.send(
        "POST",
        "/auth/backchannel-logout",
        Some((
            "application/x-www-form-urlencoded",
            format!("logout_token={token}"),
        )),
    )
    .await
}

#[tokio::test]
async fn stateful_sessions_keep_only_an_id_in_the_cookie() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);
    assert_eq!(store.len(), 1);
    let cookie = b.jar["__session"].clone();
    assert!(
        cookie.len() < 300,
        "only an encrypted id: {} bytes",
        cookie.len()
    );
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    // Every login gets a new id; the previous record is removed.
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);
    assert_ne!(b.jar["__session"], cookie);
    assert_eq!(store.len(), 1);

    // Logout removes the record and the cookie.
    let r = b.get("/auth/logout").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(store.is_empty());
    assert!(!b.jar.contains_key("__session"));
}

#[tokio::test]
async fn a_session_deleted_meanwhile_is_not_resurrected_by_a_rolling_write() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    // Delete the record behind the cookie's back (as a logout on another instance would).
    use auth0_leptos::server::SessionStore;
    let token = auth0_leptos::server::LogoutToken {
        sid: Some("sid-1".into()),
        sub: None,
    };
    store.delete_by_logout_token(&token).unwrap().await.unwrap();
    let r = b.get("/").await;
    assert_eq!(r.body, "anonymous");
    assert!(r.set_cookie("__session").unwrap().contains("Max-Age=0"));
    assert!(store.is_empty(), "not written back");
}

#[tokio::test]
async fn backchannel_logout_verifies_the_token_then_ends_the_session() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    assert_eq!(store.len(), 1);

    let r = b
        .send(
            "POST",
            "/auth/backchannel-logout",
            Some(("application/x-www-form-urlencoded", String::new())),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, "Missing `logout_token` in the request body.");

    type Bad = Box<dyn Fn(&Op) -> String>;
    let bad: Vec<(&str, Bad)> = vec![
        (
            "no events",
            Box::new(|op| {
                let mut c = logout_claims(op, "j1");
                c.as_object_mut().unwrap().remove("events");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "a nonce",
            Box::new(|op| {
                let mut c = logout_claims(op, "j2");
                c["nonce"] = json!("n");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "neither sid nor sub",
            Box::new(|op| {
                let mut c = logout_claims(op, "j3");
                let o = c.as_object_mut().unwrap();
                o.remove("sid");
                o.remove("sub");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "another audience",
            Box::new(|op| {
                let mut c = logout_claims(op, "j4");
                c["aud"] = json!("other");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "another issuer",
            Box::new(|op| {
                let mut c = logout_claims(op, "j5");
                c["iss"] = json!("http://evil.test/");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "expired",
            Box::new(|op| {
                let mut c = logout_claims(op, "j6");
                c["exp"] = json!(now() - 600);
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
        (
            "a forged signature",
            Box::new(|op| sign_logout(&logout_claims(op, "j7"), KEY2, Some("k1"))),
        ),
        (
            "no jti",
            Box::new(|op| {
                let mut c = logout_claims(op, "j8");
                c.as_object_mut().unwrap().remove("jti");
                sign_logout(&c, KEY1, Some("k1"))
            }),
        ),
    ];
    for (name, make) in bad {
        let r = post_logout_token(&mut b, &make(&op)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert_eq!(store.len(), 1, "{name}: the session survives");
    }

    let good = sign_logout(&logout_claims(&op, "j-ok"), KEY1, Some("k1"));
    let r = post_logout_token(&mut b, &good).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(store.is_empty());
    assert_eq!(b.get("/").await.body, "anonymous");
    // The same token again is a replay.
    let r = post_logout_token(&mut b, &good).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("already used"));
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn a_redis_outage_is_a_clear_error_where_the_session_is_needed_and_invisible_elsewhere() {
    let mut redis = support::RedisServer::start();
    let store = auth0_leptos::server::RedisStore::connect(&redis.url)
        .await
        .unwrap();
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().session_store(store).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    redis.stop();
    let home = b.get("/").await;
    assert_eq!(
        home.status,
        StatusCode::OK,
        "pages that do not need the session keep working"
    );
    let profile = b.get("/auth/profile").await;
    assert_eq!(profile.status, StatusCode::SERVICE_UNAVAILABLE);
    let token = b.get("/auth/access-token").await;
    assert_eq!(token.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(token.json()["error"]["code"], "session_store_unavailable");
    assert!(
        b.jar.contains_key("__session"),
        "an outage does not log the user out"
    );
}

/// Finding: a token response without `expires_in` (only RECOMMENDED by
/// RFC 6749) stored an expiry of "now", so every request refreshed or
/// answered 401. The access token's own `exp` is used, else ten minutes.
#[tokio::test]
async fn a_token_response_without_expires_in_uses_the_jwt_exp_or_a_default() {
    for jwt in [true, false] {
        let op = Op::start().await;
        let auth0 = Auth0::new(op.config().build().unwrap());
        let mut b = Browser::new(app(&auth0));
        let (state, nonce) = start_login(&mut b).await;
        let id_token = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
        let exp = now() + 1200;
        let access_token = if jwt {
            sign_rs256(
                &json!({"iss": op.url(), "aud": "api", "sub": "auth0|hostile", "exp": exp, "iat": now()}),
                KEY1,
                Some("k1"),
            )
        } else {
            "opaque-access-token".to_owned()
        };
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        op.on_token(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            Json(json!({"access_token": access_token, "id_token": id_token, "refresh_token": "rt-1", "token_type": "Bearer"}))
                .into_response()
        });
        let r = callback(&mut b, &state).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        let r = b.get("/auth/access-token").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        if jwt {
            assert_eq!(j["expires_at"], exp, "the JWT's own exp");
        } else {
            let left = j["expires_in"].as_i64().unwrap();
            assert!(
                (590..=600).contains(&left),
                "ten minutes by default, got {left}"
            );
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "no refresh right after login"
        );
    }
}

/// Finding: an ID token returned by a refresh was not checked against the
/// session (OpenID Connect Core 12.2): another subject must not replace it.
#[tokio::test]
async fn a_refresh_for_another_subject_keeps_the_old_tokens() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let cookie = session_with_expired_token(&auth0);
    b.jar.insert("__session".into(), cookie.clone());
    let mut claims = op.claims("");
    claims.as_object_mut().unwrap().remove("nonce");
    claims["sub"] = json!("auth0|someone-else");
    let other = sign_rs256(&claims, KEY1, Some("k1"));
    op.on_token(move |_| {
        Json(json!({"access_token": "at-other", "id_token": other, "refresh_token": "rt-other", "expires_in": 60}))
            .into_response()
    });
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "failed_to_refresh_token");
    assert!(
        r.set_cookie("__session").is_none(),
        "the old tokens are kept"
    );
    assert_eq!(b.jar["__session"], cookie);

    // The same subject is accepted (another session: the failure above is
    // remembered for a few seconds for the session that made it).
    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));
    claims["sub"] = json!("auth0|hostile");
    let same = sign_rs256(&claims, KEY1, Some("k1"));
    op.on_token(move |_| {
        Json(json!({"access_token": "at-same", "id_token": same, "refresh_token": "rt-same", "expires_in": 60}))
            .into_response()
    });
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["token"], "at-same");
}

/// Finding: a logged-in client could make one token-endpoint call per
/// request by varying `scope`, and a failing refresh was retried on every
/// request. Failures are remembered briefly and distinct refreshes capped.
#[tokio::test]
async fn one_session_cannot_turn_requests_into_token_endpoint_calls() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    b.jar
        .insert("__session".into(), session_with_expired_token(&auth0));
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    op.on_token(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response()
    });
    for _ in 0..5 {
        let r = b.get("/auth/access-token").await;
        assert_eq!(r.json()["error"]["code"], "failed_to_refresh_token");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the failure is remembered");
    for i in 0..30 {
        let r = b.get(&format!("/auth/access-token?scope=s{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let n = calls.load(Ordering::SeqCst);
    assert!(
        n <= 9,
        "varying scope buys a bounded number of calls, got {n}"
    );
}

/// Beyond the Next.js SDK: an option to merge the UserInfo endpoint's
/// claims, for providers that put profile claims only there.
#[tokio::test]
async fn user_info_claims_are_merged_when_asked_and_must_name_the_same_subject() {
    for (fetch, userinfo_sub, ok) in [
        (false, "auth0|hostile", true),
        (true, "auth0|hostile", true),
        (true, "auth0|someone-else", false),
    ] {
        let op = Op::start().await;
        *op.0.userinfo.lock().unwrap() =
            json!({"sub": userinfo_sub, "nickname": "from-userinfo", "iss": "http://evil.test/"});
        let auth0 = Auth0::new(op.config().fetch_user_info(fetch).build().unwrap());
        let mut b = Browser::new(app(&auth0));
        let (state, nonce) = start_login(&mut b).await;
        let token = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
        op.on_token(move |_| tokens_with(token.clone()));
        let r = callback(&mut b, &state).await;
        assert_eq!(
            op.0.userinfo_calls.load(Ordering::SeqCst),
            usize::from(fetch)
        );
        if !ok {
            assert!(r.body.contains("invalid_userinfo"), "{}", r.body);
            assert_eq!(
                b.get("/auth/profile").await.status,
                StatusCode::UNAUTHORIZED
            );
            continue;
        }
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        let profile = b.get("/auth/profile").await.json();
        assert_eq!(profile["sub"], "auth0|hostile");
        if fetch {
            assert_eq!(profile["nickname"], "from-userinfo");
        } else {
            assert!(profile.get("nickname").is_none());
        }
    }
}

/// The `__txn_` Set-Cookie lines of a response that set a value.
fn txn_cookies_set(r: &TestResponse) -> Vec<String> {
    r.set_cookies()
        .into_iter()
        .filter(|c| c.starts_with("__txn_") && !c.contains("Max-Age=0"))
        .collect()
}

#[tokio::test]
async fn oversized_login_parameters_are_refused_without_a_transaction_cookie() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let long_path = format!("/{}", "a".repeat(5000));
    let huge_scope = "x".repeat(5000);
    let huge_audience = format!("https://{}", "b".repeat(1500));
    let cases = [
        format!("/auth/login?returnTo={long_path}"),
        format!("/auth/login?scope={huge_scope}"),
        format!("/auth/login?audience={huge_audience}"),
        // Each parameter fits on its own; together they do not.
        format!(
            "/auth/login?returnTo=/{}&scope={}&audience={}&login_hint={}",
            "r".repeat(2000),
            "s".repeat(1000),
            "u".repeat(1000),
            "h".repeat(1000)
        ),
    ];
    for path in cases {
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &path[..40]);
        assert!(
            r.body.contains("too long") || r.body.contains("too large"),
            "{}",
            r.body
        );
        assert!(txn_cookies_set(&r).is_empty(), "{:?}", r.set_cookies());
    }
    // A normal login still works.
    let r = b
        .get("/auth/login?returnTo=/somewhere&scope=openid%20profile")
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(txn_cookies_set(&r).len(), 1);
}

fn es256_key_and_jwk() -> (String, Value) {
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let mut jwk: Value = serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap();
    jwk["kid"] = json!("ec1");
    jwk["alg"] = json!("ES256");
    let pem = secret.to_pkcs8_pem(Default::default()).unwrap();
    (pem.to_string(), jwk)
}

fn sign_es256(claims: &Value, pem: &str) -> String {
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("ec1".into());
    jsonwebtoken::encode(
        &h,
        claims,
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_id_token_in_another_algorithm_than_configured_is_refused() {
    // The key set has an RS256 and an ES256 key; RS256 is configured (the default).
    let op = Op::start().await;
    let (pem, jwk) = es256_key_and_jwk();
    *op.0.jwks.lock().unwrap() = json!({"keys": [rsa_jwk(KEY1, "k1"), jwk]});
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_es256(&op.claims(&nonce), &pem);
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("invalid_id_token"), "{}", r.body);
    assert!(r.body.contains("algorithm"), "{}", r.body);
    assert!(r.set_cookie("__session").is_none());
    assert_eq!(b.get("/").await.body, "anonymous");
}

#[tokio::test]
async fn alg_none_is_refused_with_a_message_that_says_so() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let t = format!(
        "{}.{}.",
        b64url(&json!({"alg": "none", "kid": "k1"})),
        b64url(&op.claims(&nonce))
    );
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("alg none"), "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");
}

fn sign_hs256(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[tokio::test]
async fn hs256_id_tokens_verify_with_the_client_secret_only_when_configured() {
    let op = Op::start().await;
    let hs = || {
        Auth0::new(
            op.config()
                .id_token_signing_alg(IdTokenSigningAlg::HS256)
                .build()
                .unwrap(),
        )
    };

    // Configured, signed with the client secret: accepted.
    let mut b = Browser::new(app(&hs()));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_hs256(&op.claims(&nonce), b"hostile-secret");
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    // Configured, signed with another secret or with the provider's public key: refused.
    let public_key = serde_json::to_vec(&rsa_jwk(KEY1, "k1")).unwrap();
    for secret in [b"another-secret".as_slice(), &public_key] {
        let mut b = Browser::new(app(&hs()));
        let (state, nonce) = start_login(&mut b).await;
        let t = sign_hs256(&op.claims(&nonce), secret);
        op.on_token(move |_| tokens_with(t.clone()));
        let r = callback(&mut b, &state).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
        assert!(r.body.contains("signature"), "{}", r.body);
        assert_eq!(b.get("/").await.body, "anonymous");
    }

    // Configured HS256, an RS256 token from the key set: refused.
    let mut b = Browser::new(app(&hs()));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("algorithm"), "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");

    // Not configured (RS256): an HS256 token signed with the client secret is refused.
    let mut b = Browser::new(app(&Auth0::new(op.config().build().unwrap())));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_hs256(&op.claims(&nonce), b"hostile-secret");
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("algorithm"), "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");
}

/// Logs in with `config` through `login_path`, the provider answering with
/// an ID token whose claims get `extra`; returns the callback's response.
async fn login_at_with_claims(
    op: &Op,
    b: &mut Browser,
    login_path: &str,
    extra: Value,
) -> (TestResponse, BTreeMap<String, String>) {
    let r = b.get(login_path).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let q = query(r.location());
    let mut claims = op.claims(&q["nonce"]);
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let t = sign_rs256(&claims, KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    (callback(b, &q["state"]).await, q)
}

#[tokio::test]
async fn the_id_token_must_be_for_the_requested_organization() {
    let op = Op::start().await;
    let auth0 = Auth0::new(
        op.config()
            .authorization_param("organization", "org_abc")
            .build()
            .unwrap(),
    );

    // Another organization's token: refused, no session.
    let mut b = Browser::new(app(&auth0));
    let (r, q) =
        login_at_with_claims(&op, &mut b, "/auth/login", json!({"org_id": "org_other"})).await;
    assert_eq!(q["organization"], "org_abc");
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("invalid_id_token"), "{}", r.body);
    assert!(r.body.contains("org_id"), "{}", r.body);
    assert!(r.set_cookie("__session").is_none());
    assert_eq!(b.get("/").await.body, "anonymous");

    // No organization claim at all: refused.
    let mut b = Browser::new(app(&auth0));
    let (r, _) = login_at_with_claims(&op, &mut b, "/auth/login", json!({})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");

    // The requested organization: a session.
    let mut b = Browser::new(app(&auth0));
    let (r, _) =
        login_at_with_claims(&op, &mut b, "/auth/login", json!({"org_id": "org_abc"})).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    // A query cannot replace the configured organization.
    let mut b = Browser::new(app(&auth0));
    let (r, q) = login_at_with_claims(
        &op,
        &mut b,
        "/auth/login?organization=org_other",
        json!({"org_id": "org_other"}),
    )
    .await;
    assert_eq!(q["organization"], "org_abc");
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
}

#[tokio::test]
async fn an_organization_asked_for_by_name_matches_org_name_in_any_case() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let (r, q) = login_at_with_claims(
        &op,
        &mut b,
        "/auth/login?organization=Acme",
        json!({"org_name": "acme"}),
    )
    .await;
    assert_eq!(q["organization"], "Acme");
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);

    let mut b = Browser::new(app(&auth0));
    let (r, _) = login_at_with_claims(
        &op,
        &mut b,
        "/auth/login?organization=Acme",
        json!({"org_name": "globex", "org_id": "org_acme"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("org_name"), "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");
}

#[tokio::test]
async fn a_query_cannot_weaken_configured_max_age_or_prompt() {
    let op = Op::start().await;
    let auth0 = Auth0::new(
        op.config()
            .authorization_param("max_age", "60")
            .authorization_param("prompt", "login")
            .build()
            .unwrap(),
    );
    let mut b = Browser::new(app(&auth0));
    let r = b.get("/auth/login?max_age=99999&prompt=none").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let q = query(r.location());
    assert_eq!(q["max_age"], "60");
    assert_eq!(q["prompt"], "login");
    // The callback enforces the configured max_age too: an old auth_time is refused.
    let (r, _) = login_at_with_claims(
        &op,
        &mut b,
        "/auth/login?max_age=99999",
        json!({"auth_time": now() - 3600}),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("max_age"), "{}", r.body);

    // A lower max_age is stricter and allowed.
    let r = b.get("/auth/login?max_age=30").await;
    assert_eq!(query(r.location())["max_age"], "30");

    // Parameters a query may set still go through; others do not.
    let r = b
        .get("/auth/login?screen_hint=signup&login_hint=a%40b.test&connection=github&foo=bar")
        .await;
    let q = query(r.location());
    assert_eq!(q["screen_hint"], "signup");
    assert_eq!(q["login_hint"], "a@b.test");
    assert_eq!(q["connection"], "github");
    assert!(!q.contains_key("foo"), "{q:?}");
}

#[tokio::test]
async fn a_huge_max_age_and_auth_time_neither_overflow_nor_fail_the_request() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let huge = "/auth/login?max_age=18446744073709551615";
    // A huge max_age allows any age: an hour-old authentication logs in.
    let (r, q) = login_at_with_claims(&op, &mut b, huge, json!({"auth_time": now() - 3600})).await;
    assert_eq!(q["max_age"], "18446744073709551615");
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    // An auth_time at the end of time does not overflow either.
    let mut b = Browser::new(app(&auth0));
    let (r, _) = login_at_with_claims(&op, &mut b, huge, json!({"auth_time": i64::MAX})).await;
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    // A max_age of zero with an old auth_time is refused as before.
    let mut b = Browser::new(app(&auth0));
    let (r, _) = login_at_with_claims(
        &op,
        &mut b,
        "/auth/login?max_age=0",
        json!({"auth_time": now() - 3600}),
    )
    .await;
    assert!(r.body.contains("max_age"), "{}", r.body);
}

#[tokio::test]
async fn callback_errors_caused_by_the_request_are_400_and_provider_failures_500() {
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let r = b.get("/auth/callback?code=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = b.get("/auth/callback?code=x&state=unknown").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let (state, _) = start_login(&mut b).await;
    let r = b
        .get(&format!("/auth/callback?state={state}&error=access_denied"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("access_denied"), "{}", r.body);
    // The token endpoint failing stays a 500.
    let (state, _) = start_login(&mut b).await;
    op.on_token(|_| (StatusCode::BAD_GATEWAY, "down").into_response());
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
}

#[tokio::test]
async fn a_host_prefixed_session_cookie_is_secure_at_the_root_without_domain() {
    use auth0_leptos::server::SessionConfig;
    let op = Op::start().await;
    let mut session = SessionConfig::default();
    session.cookie.name = "__Host-session".into();
    let auth0 = Auth0::new(
        op.config()
            .app_base_url("https://127.0.0.1:3000")
            .session(session)
            .build()
            .unwrap(),
    );
    let mut b = Browser::new(app(&auth0));
    let (state, nonce) = start_login(&mut b).await;
    let t = sign_rs256(&op.claims(&nonce), KEY1, Some("k1"));
    op.on_token(move |_| tokens_with(t.clone()));
    let r = callback(&mut b, &state).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let c = r
        .set_cookie("__Host-session")
        .expect("a __Host-session cookie");
    assert!(c.contains("; Path=/"), "{c}");
    assert!(c.contains("; HttpOnly"), "{c}");
    assert!(c.contains("; Secure"), "{c}");
    assert!(!c.to_ascii_lowercase().contains("domain="), "{c}");
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");
}

/// The provider retries a back-channel logout that failed with a 503: the
/// retry of the very same token must end the session, and only then is the
/// token used up.
#[cfg(feature = "redis")]
#[tokio::test]
async fn a_backchannel_logout_refused_during_a_redis_outage_succeeds_when_retried() {
    let redis = support::RedisServer::start();
    let store = auth0_leptos::server::RedisStore::connect(&redis.url)
        .await
        .unwrap();
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().session_store(store).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);
    let token = sign_logout(&logout_claims(&op, "j-outage"), KEY1, Some("k1"));

    redis.pause();
    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    redis.resume();
    assert_eq!(
        b.get("/").await.body,
        "Welcome, Hostile User",
        "the outage kept the session"
    );

    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "the provider's retry of the same token: {}",
        r.body
    );
    assert_eq!(b.get("/").await.body, "anonymous", "the session is gone");

    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("already used"), "{}", r.body);
}

/// Instances sharing one Redis share the record of used logout tokens: a
/// token replayed to another instance is refused and ends nothing.
#[cfg(feature = "redis")]
#[tokio::test]
async fn a_logout_token_replayed_to_another_instance_is_refused() {
    let redis = support::RedisServer::start();
    let op = Op::start().await;
    let instance = |store| Auth0::new(op.config().session_store(store).build().unwrap());
    let one = instance(
        auth0_leptos::server::RedisStore::connect(&redis.url)
            .await
            .unwrap(),
    );
    let two = instance(
        auth0_leptos::server::RedisStore::connect(&redis.url)
            .await
            .unwrap(),
    );
    let mut on_one = Browser::new(app(&one));
    let mut on_two = Browser::new(app(&two));
    assert_eq!(login_with(&op, &mut on_one).await.status, StatusCode::FOUND);
    let token = sign_logout(&logout_claims(&op, "j-shared"), KEY1, Some("k1"));
    let r = post_logout_token(&mut on_one, &token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(on_one.get("/").await.body, "anonymous");

    // The user logs in again; the old token, replayed to the other instance,
    // must not end the new session.
    assert_eq!(login_with(&op, &mut on_one).await.status, StatusCode::FOUND);
    let r = post_logout_token(&mut on_two, &token).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("already used"), "{}", r.body);
    assert_eq!(on_one.get("/").await.body, "Welcome, Hostile User");
}

/// A store of the app's own that keeps the trait's defaults.
struct DelegatingStore {
    inner: auth0_leptos::server::MemoryStore,
    back_channel: bool,
    /// Deletes fail while set.
    failing_delete: std::sync::atomic::AtomicBool,
}

impl DelegatingStore {
    fn new(back_channel: bool) -> Self {
        Self {
            inner: auth0_leptos::server::MemoryStore::new(),
            back_channel,
            failing_delete: Default::default(),
        }
    }
}

impl auth0_leptos::server::SessionStore for DelegatingStore {
    fn get<'a>(
        &'a self,
        id: &'a str,
    ) -> auth0_leptos::server::StoreFuture<'a, Option<SessionData>> {
        self.inner.get(id)
    }
    fn set<'a>(
        &'a self,
        id: &'a str,
        data: &'a SessionData,
        ttl: Duration,
    ) -> auth0_leptos::server::StoreFuture<'a, ()> {
        self.inner.set(id, data, ttl)
    }
    fn update<'a>(
        &'a self,
        id: &'a str,
        data: &'a SessionData,
        ttl: Duration,
    ) -> auth0_leptos::server::StoreFuture<'a, bool> {
        self.inner.update(id, data, ttl)
    }
    fn delete<'a>(&'a self, id: &'a str) -> auth0_leptos::server::StoreFuture<'a, ()> {
        if self.failing_delete.load(Ordering::SeqCst) {
            return Box::pin(async {
                Err(auth0_leptos::server::StoreError::unavailable(
                    "delete failed",
                ))
            });
        }
        self.inner.delete(id)
    }
    fn supports_back_channel_logout(&self) -> bool {
        self.back_channel
    }
    fn delete_by_logout_token<'a>(
        &'a self,
        token: &'a auth0_leptos::server::LogoutToken,
    ) -> Option<auth0_leptos::server::StoreFuture<'a, ()>> {
        if self.back_channel {
            self.inner.delete_by_logout_token(token)
        } else {
            None
        }
    }
}

#[tokio::test]
async fn stores_keeping_the_defaults_refuse_back_channel_logout_or_remember_tokens_in_process() {
    let op = Op::start().await;
    let store = DelegatingStore::new(false);
    let auth0 = Auth0::new(op.config().session_store(store).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    let token = sign_logout(&logout_claims(&op, "j-default"), KEY1, Some("k1"));
    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.body,
        "Back-channel logout is not supported by the session data store."
    );
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    // Back-channel logout without a shared record of used tokens: this
    // process remembers them.
    let store = DelegatingStore::new(true);
    let auth0 = Auth0::new(op.config().session_store(store).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(b.get("/").await.body, "anonymous");
    login_with(&op, &mut b).await;
    let r = post_logout_token(&mut b, &token).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");
}

/// Logout while the store is down must not look successful: the record and
/// the refresh token would survive and a copied cookie would keep working.
#[cfg(feature = "redis")]
#[tokio::test]
async fn logout_during_a_redis_outage_fails_visibly_and_completes_when_retried() {
    let redis = support::RedisServer::start();
    let store = auth0_leptos::server::RedisStore::connect(&redis.url)
        .await
        .unwrap();
    let op = Op::start().await;
    let auth0 = Auth0::new(op.config().session_store(store).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);
    let copied = b.jar["__session"].clone();

    redis.pause();
    let r = b.get("/auth/logout").await;
    redis.resume();
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(
        r.body,
        "The session store is unavailable: you are not logged out yet. Please try again."
    );
    assert!(r.location().is_empty(), "no redirect to the provider");
    assert!(
        r.set_cookie("__session").is_none(),
        "the cookie is kept so a retry can finish the logout"
    );
    assert_eq!(b.jar["__session"], copied);
    assert!(op.0.revoked.lock().unwrap().is_empty());

    let r = b.get("/auth/logout").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert!(r.location().starts_with(&op.url()), "{}", r.location());
    assert!(r.set_cookie("__session").unwrap().contains("Max-Age=0"));
    assert_eq!(*op.0.revoked.lock().unwrap(), ["rt-1"]);

    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let left: Vec<String> = redis::cmd("KEYS")
        .arg("auth0:sess:*")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(left.is_empty(), "the record is gone: {left:?}");
    b.jar.insert("__session".into(), copied);
    assert_eq!(b.get("/").await.body, "anonymous", "the old cookie is dead");
}

#[tokio::test]
async fn logout_whose_delete_fails_keeps_the_cookie_and_says_so() {
    let op = Op::start().await;
    let store = Arc::new(DelegatingStore::new(true));
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    assert_eq!(login_with(&op, &mut b).await.status, StatusCode::FOUND);

    store.failing_delete.store(true, Ordering::SeqCst);
    let r = b.get("/auth/logout").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.set_cookie("__session").is_none());
    assert_eq!(store.inner.len(), 1);
    assert_eq!(b.get("/").await.body, "Welcome, Hostile User");

    store.failing_delete.store(false, Ordering::SeqCst);
    let r = b.get("/auth/logout").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert!(r.set_cookie("__session").unwrap().contains("Max-Age=0"));
    assert!(store.inner.is_empty());
}

#[tokio::test]
async fn the_logout_token_type_header_is_checked() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    for (n, typ) in ["JWT", "at+jwt", "jwt+logout", "", "application/jwt"]
        .into_iter()
        .enumerate()
    {
        let t = sign_typed(
            &logout_claims(&op, &format!("bad-typ-{n}")),
            KEY1,
            Some("k1"),
            Some(typ),
        );
        let r = post_logout_token(&mut b, &t).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "typ {typ:?}: {}", r.body);
        assert_eq!(r.body, "logout token type (typ) is not logout+jwt");
        assert_eq!(store.len(), 1, "typ {typ:?}: the session survives");
    }
    for (n, typ) in [
        None,
        Some("logout+jwt"),
        Some("application/logout+jwt"),
        Some("Logout+JWT"),
    ]
    .into_iter()
    .enumerate()
    {
        login_with(&op, &mut b).await;
        let t = sign_typed(
            &logout_claims(&op, &format!("good-typ-{n}")),
            KEY1,
            Some("k1"),
            typ,
        );
        let r = post_logout_token(&mut b, &t).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "typ {typ:?}: {}", r.body);
        assert!(store.is_empty(), "typ {typ:?}");
    }
}

#[tokio::test]
async fn logout_tokens_issued_long_ago_are_refused() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    login_with(&op, &mut b).await;
    // Still unexpired, but issued an hour ago (beyond 10 minutes + leeway).
    let mut c = logout_claims(&op, "j-old");
    c["iat"] = json!(now() - 3600);
    let r = post_logout_token(&mut b, &sign_logout(&c, KEY1, Some("k1"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body, "logout token was issued too long ago (iat)");
    assert_eq!(store.len(), 1);
    // Nine minutes is young enough.
    let mut c = logout_claims(&op, "j-recent");
    c["iat"] = json!(now() - 540);
    let r = post_logout_token(&mut b, &sign_logout(&c, KEY1, Some("k1"))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(store.is_empty());
}

/// A token with `sid` and `sub` ends that provider session, and the user's
/// sessions that have no `sid` recorded (only `sub` can name those); the
/// user's sessions in other provider sessions stay.
#[tokio::test]
async fn a_session_without_sid_is_ended_by_the_sub_of_a_token_with_both() {
    let op = Op::start().await;
    let store = Arc::new(auth0_leptos::server::MemoryStore::new());
    let auth0 = Auth0::new(op.config().session_store(store.clone()).build().unwrap());
    let mut no_sid = Browser::new(app(&auth0));
    let mut other_sid = Browser::new(app(&auth0));
    let mut this_sid = Browser::new(app(&auth0));
    login_with_claims(&op, &mut no_sid, |c| {
        c.as_object_mut().unwrap().remove("sid");
    })
    .await;
    login_with_claims(&op, &mut other_sid, |c| c["sid"] = json!("sid-2")).await;
    login_with(&op, &mut this_sid).await;
    assert_eq!(store.len(), 3);
    let t = sign_logout(&logout_claims(&op, "j-both"), KEY1, Some("k1"));
    let r = post_logout_token(&mut this_sid, &t).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(this_sid.get("/").await.body, "anonymous");
    assert_eq!(no_sid.get("/").await.body, "anonymous", "matched by sub");
    assert_eq!(other_sid.get("/").await.body, "Welcome, Hostile User");
    assert_eq!(store.len(), 1);
}

/// With the base URL inferred, `X-Forwarded-*` is a client's word unless a
/// proxy the app trusts set it: ignored by default, and with `trust_proxy`
/// only the value the nearest proxy appended (the last) counts.
#[tokio::test]
async fn forwarded_headers_count_only_from_a_trusted_proxy_and_only_their_last_value() {
    let op = Op::start().await;
    let inferred = || {
        Auth0Config::builder()
            .domain(op.url())
            .client_id(CLIENT)
            .client_secret("hostile-secret")
            .secret(SECRET)
            .allow_insecure_requests(true)
            .production(false)
    };
    let redirect_uri = |r: &TestResponse| {
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        query(r.location())["redirect_uri"].clone()
    };

    let auth0 = Auth0::new(inferred().build().unwrap());
    let mut b = Browser::new(app(&auth0));
    b.headers = vec![
        ("x-forwarded-host".into(), "evil.test".into()),
        ("x-forwarded-proto".into(), "https".into()),
    ];
    assert_eq!(
        redirect_uri(&b.get("/auth/login").await),
        "http://127.0.0.1:3000/auth/callback",
        "off: the Host header decides"
    );

    let auth0 = Auth0::new(inferred().trust_proxy(true).build().unwrap());
    let mut b = Browser::new(app(&auth0));
    b.headers = vec![
        ("x-forwarded-host".into(), "evil.test, app.test".into()),
        ("x-forwarded-proto".into(), "http, https".into()),
    ];
    let r = b.get("/auth/login").await;
    assert_eq!(redirect_uri(&r), "https://app.test/auth/callback");
    assert!(r.set_cookies()[0].contains("Secure"));
}

/// A provider without a pushed authorization request endpoint cannot
/// serve `pushed_authorization_requests`: the start-up check says so with
/// a stable code, and a login fails cleanly through the callback error path.
#[tokio::test]
async fn pushed_authorization_requests_need_the_provider_s_endpoint() {
    let op = Op::start().await;
    let plain = Auth0::new(op.config().build().unwrap());
    assert!(plain.check_provider().await.is_ok());

    let auth0 = Auth0::new(
        op.config()
            .pushed_authorization_requests(true)
            .on_callback(|err, _ctx, _session| async move {
                let code = err.map(|e| e.code()).unwrap_or("none");
                (StatusCode::BAD_GATEWAY, code).into_response()
            })
            .build()
            .unwrap(),
    );
    let e = auth0.check_provider().await.unwrap_err();
    assert_eq!(e.code(), "pushed_authorization_requests_unsupported");
    assert!(
        e.to_string()
            .contains("AUTH0_PUSHED_AUTHORIZATION_REQUESTS"),
        "{e}"
    );
    let mut b = Browser::new(app(&auth0));
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.body, "pushed_authorization_request_error");
}
