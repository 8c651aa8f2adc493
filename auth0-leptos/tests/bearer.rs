//! The JWT-bearer guard for an app's own API, and machine-to-machine
//! tokens: through a real router, against a small issuer of the test's own
//! (its keys, its token endpoint's answers, counted fetches) for forged
//! tokens and provider failures, and against the local provider for real
//! tokens.
#![allow(missing_docs)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth0_leptos::server::{
    require_permissions, Auth0, BearerClaims, ClientCredentialsError, DpopKeyPair, DpopVerifier,
    ResourceServer, Scopes, VerifiedToken,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use support::*;

const KEY1: &str = include_str!("fixtures/test-rsa-key-1.pem");
const KEY2: &str = include_str!("fixtures/test-rsa-key-2.pem");
const AUDIENCE: &str = "https://api.example.test/";

/// What the issuer's token endpoint answers: status, Retry-After, body.
type Answer = (u16, Option<&'static str>, Value);

#[derive(Clone)]
struct Issuer {
    url: String,
    key_fetches: Arc<AtomicUsize>,
    token_calls: Arc<AtomicUsize>,
    keys_down: Arc<Mutex<bool>>,
    answer: Arc<Mutex<Answer>>,
}

fn jwk(pem: &str, kid: &str) -> Value {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem).unwrap();
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
           "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be())})
}

async fn issuer() -> Issuer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let iss = Issuer {
        url: url.clone(),
        key_fetches: Arc::default(),
        token_calls: Arc::default(),
        keys_down: Arc::default(),
        answer: Arc::new(Mutex::new((200, None, json!({})))),
    };
    let router = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(|State(i): State<Issuer>| async move {
                Json(
                    json!({"issuer": i.url, "authorization_endpoint": format!("{}authorize", i.url),
                    "token_endpoint": format!("{}oauth/token", i.url),
                    "jwks_uri": format!("{}.well-known/jwks.json", i.url)}),
                )
            }),
        )
        .route(
            "/.well-known/jwks.json",
            get(|State(i): State<Issuer>| async move {
                i.key_fetches.fetch_add(1, Ordering::SeqCst);
                if *i.keys_down.lock().unwrap() {
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
                Json(json!({"keys": [jwk(KEY1, "k1")]})).into_response()
            }),
        )
        .route(
            "/oauth/token",
            post(|State(i): State<Issuer>| async move {
                i.token_calls.fetch_add(1, Ordering::SeqCst);
                // Slow enough that concurrent callers overlap.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let (status, retry, body) = i.answer.lock().unwrap().clone();
                let mut r = (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
                if let Some(s) = retry {
                    r.headers_mut().insert("retry-after", s.parse().unwrap());
                }
                r
            }),
        )
        .with_state(iss.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    iss
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(claims: &Value, pem: &str, kid: &str, typ: Option<&str>) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.into());
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims(iss: &Issuer) -> Value {
    json!({"iss": iss.url, "aud": AUDIENCE, "sub": "client-1@clients", "iat": now(),
           "exp": now() + 600, "scope": "read:messages", "permissions": ["read:messages"]})
}

fn server(iss: &Issuer) -> ResourceServer {
    ResourceServer::builder()
        .domain(&iss.url)
        .audience(AUDIENCE)
        .allow_insecure_requests(true)
        .build()
        .unwrap()
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
}

fn routes(rs: &ResourceServer) -> Router {
    Router::new()
        .route("/admin", get(|| async { "admin" }))
        .route_layer(require_permissions(["delete:users"]))
        .route(
            "/me",
            get(
                |BearerClaims(c): BearerClaims<Claims>, Scopes(s): Scopes, t: VerifiedToken| async move {
                    Json(json!({"sub": c.sub, "scopes": s, "dpop": t.is_dpop()}))
                },
            ),
        )
        .route_layer(rs.layer())
        .route("/open", get(|| async { "open" }))
}

async fn call(
    router: &Router,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_claims_and_permissions_are_checked() {
    let iss = issuer().await;
    let api = routes(&server(&iss));
    let token = sign(&claims(&iss), KEY1, "k1", Some("at+jwt"));
    let auth = format!("Bearer {token}");
    let (status, _, body) = call(&api, "/me", &[("authorization", &auth)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"sub": "client-1@clients", "scopes": ["read:messages"], "dpop": false})
    );
    let (status, headers, body) = call(&api, "/admin", &[("authorization", &auth)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(
        headers["www-authenticate"],
        r#"Bearer realm="api", error="insufficient_scope", scope="delete:users""#
    );
    let mut c = claims(&iss);
    c["permissions"] = json!(["read:messages", "delete:users"]);
    let admin = format!("Bearer {}", sign(&c, KEY1, "k1", None));
    assert_eq!(
        call(&api, "/admin", &[("authorization", &admin)]).await.0,
        StatusCode::OK
    );
    assert_eq!(call(&api, "/open", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn forged_and_wrong_tokens_are_401_invalid_token() {
    let iss = issuer().await;
    let api = routes(&server(&iss));
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let good = claims(&iss);
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let public_pem = {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::EncodePublicKey;
        rsa::RsaPrivateKey::from_pkcs1_pem(KEY1)
            .unwrap()
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
    };
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &good,
        &jsonwebtoken::EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .unwrap();
    let no_exp = {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove("exp");
        c
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&good)),
        ),
        ("HMAC with the public key", hs256),
        ("another key", sign(&good, KEY2, "k1", None)),
        (
            "wrong issuer",
            sign(
                &with("iss", json!("https://evil.example/")),
                KEY1,
                "k1",
                None,
            ),
        ),
        (
            "audience without the trailing slash",
            sign(
                &with("aud", json!("https://api.example.test")),
                KEY1,
                "k1",
                None,
            ),
        ),
        (
            "another API",
            sign(
                &with("aud", json!(["https://other.example/"])),
                KEY1,
                "k1",
                None,
            ),
        ),
        (
            "expired",
            sign(&with("exp", json!(now() - 3600)), KEY1, "k1", None),
        ),
        (
            "not yet valid",
            sign(&with("nbf", json!(now() + 3600)), KEY1, "k1", None),
        ),
        ("no exp", sign(&no_exp, KEY1, "k1", None)),
        (
            "a logout token",
            sign(&good, KEY1, "k1", Some("logout+jwt")),
        ),
        ("not a JWT", "abc.def".into()),
    ];
    for (what, token) in cases {
        let auth = format!("Bearer {token}");
        let (status, headers, body) = call(&api, "/me", &[("authorization", &auth)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["error"], "invalid_token", "{what}");
        let challenge = headers["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with(r#"Bearer realm="api", error="invalid_token""#),
            "{what}: {challenge}"
        );
        if what.contains("trailing slash") {
            assert!(
                body["error_description"]
                    .as_str()
                    .unwrap()
                    .contains(AUDIENCE),
                "{body}"
            );
        }
        assert!(
            !body.to_string().contains("jwks"),
            "{what}: internals leaked: {body}"
        );
    }
    // Audiences as an array are matched exactly too.
    let ok = sign(
        &with("aud", json!(["https://other.example/", AUDIENCE])),
        KEY1,
        "k1",
        None,
    );
    assert_eq!(
        call(&api, "/me", &[("authorization", &format!("Bearer {ok}"))])
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn malformed_headers_are_invalid_request_and_no_token_is_a_bare_challenge() {
    let iss = issuer().await;
    let api = routes(&server(&iss));
    let (status, headers, body) = call(&api, "/me", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], r#"Bearer realm="api""#);
    assert_eq!(body["error"], "missing_token");
    let huge = format!("Bearer {}", "a".repeat(9000));
    for value in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer a b",
        "Bearer tok\"en",
        huge.as_str(),
    ] {
        let (status, headers, body) = call(&api, "/me", &[("authorization", value)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{value:.40}");
        assert_eq!(body["error"], "invalid_request", "{value:.40}");
        assert!(headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains(r#"error="invalid_request""#));
    }
    let token = sign(&claims(&iss), KEY1, "k1", None);
    let auth = format!("Bearer {token}");
    let (status, _, body) = call(
        &api,
        "/me",
        &[("authorization", &auth), ("authorization", &auth)],
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_request"))
    );
    // A guard without the layer is a set-up mistake, not the client's.
    let bare = Router::new().route("/x", get(|Scopes(s): Scopes| async move { s.join(" ") }));
    assert_eq!(
        call(&bare, "/x", &[("authorization", &auth)]).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn unknown_kids_refetch_the_keys_once_and_a_key_outage_is_503_without_details() {
    let iss = issuer().await;
    let api = routes(&server(&iss));
    let good = format!("Bearer {}", sign(&claims(&iss), KEY1, "k1", None));
    assert_eq!(
        call(&api, "/me", &[("authorization", &good)]).await.0,
        StatusCode::OK
    );
    assert_eq!(iss.key_fetches.load(Ordering::SeqCst), 1);
    let calls = (0..20).map(|i| {
        let api = api.clone();
        let token = format!(
            "Bearer {}",
            sign(&claims(&iss), KEY1, &format!("made-up-{i}"), None)
        );
        async move { call(&api, "/me", &[("authorization", &token)]).await.0 }
    });
    for status in in_turn(calls).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        iss.key_fetches.load(Ordering::SeqCst),
        2,
        "one refetch for many unknown kids"
    );

    let iss = issuer().await;
    *iss.keys_down.lock().unwrap() = true;
    let api = routes(&server(&iss));
    let token = format!("Bearer {}", sign(&claims(&iss), KEY1, "k1", None));
    let (status, _, body) = call(&api, "/me", &[("authorization", &token)]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(!body.to_string().contains("127.0.0.1"), "{body}");
}

/// Runs the futures one after the other.
async fn in_turn<F: std::future::Future<Output = T>, T>(fs: impl Iterator<Item = F>) -> Vec<T> {
    let mut out = Vec::new();
    for f in fs {
        out.push(f.await);
    }
    out
}

#[tokio::test]
async fn rfc_9068_tokens_can_be_required() {
    let iss = issuer().await;
    let rs = ResourceServer::builder()
        .domain(&iss.url)
        .audience(AUDIENCE)
        .allow_insecure_requests(true)
        .require_at_jwt(true)
        .build()
        .unwrap();
    let api = routes(&rs);
    let plain = format!("Bearer {}", sign(&claims(&iss), KEY1, "k1", Some("JWT")));
    assert_eq!(
        call(&api, "/me", &[("authorization", &plain)]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let typed = format!("Bearer {}", sign(&claims(&iss), KEY1, "k1", Some("at+jwt")));
    assert_eq!(
        call(&api, "/me", &[("authorization", &typed)]).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn dpop_bound_tokens_need_the_dpop_scheme_and_a_proof() {
    let iss = issuer().await;
    let rs = ResourceServer::builder()
        .domain(&iss.url)
        .audience(AUDIENCE)
        .allow_insecure_requests(true)
        .dpop(DpopVerifier::new(), "https://api.example.test")
        .build()
        .unwrap();
    let api = routes(&rs);
    let key = DpopKeyPair::generate();
    let mut c = claims(&iss);
    c["cnf"] = json!({"jkt": key.thumbprint()});
    let token = sign(&c, KEY1, "k1", None);
    let url = "https://api.example.test/me";
    let proof = key.proof("GET", url, Some(&token), None).unwrap();
    let dpop = format!("DPoP {token}");
    let (status, _, body) = call(&api, "/me", &[("authorization", &dpop), ("dpop", &proof)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dpop"], true);
    // Replayed proof, no proof, a proof for another URL, the bound token as Bearer.
    assert_eq!(
        call(&api, "/me", &[("authorization", &dpop), ("dpop", &proof)])
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&api, "/me", &[("authorization", &dpop)]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let other = key
        .proof("GET", "https://api.example.test/admin", Some(&token), None)
        .unwrap();
    assert_eq!(
        call(&api, "/me", &[("authorization", &dpop), ("dpop", &other)])
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, body) = call(
        &api,
        "/me",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_token"))
    );
    // An unbound token with the DPoP scheme.
    let plain = sign(&claims(&iss), KEY1, "k1", None);
    let proof = key.proof("GET", url, Some(&plain), None).unwrap();
    let (status, _, _) = call(
        &api,
        "/me",
        &[
            ("authorization", &format!("DPoP {plain}")),
            ("dpop", &proof),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn m2m_auth0(iss: &Issuer) -> Auth0 {
    Auth0::new(
        auth0_leptos::server::Auth0Config::builder()
            .domain(&iss.url)
            .client_id("m2m-client")
            .client_secret("m2m-secret")
            .secret(SECRET)
            .allow_insecure_requests(true)
            .http_timeout(Duration::from_secs(2))
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn machine_tokens_are_fetched_once_for_concurrent_callers_and_cached() {
    let iss = issuer().await;
    *iss.answer.lock().unwrap() = (
        200,
        None,
        json!({"access_token": "m2m-1", "token_type": "Bearer", "expires_in": 86400}),
    );
    let m2m = m2m_auth0(&iss).client_credentials();
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let m2m = m2m.clone();
            tokio::spawn(async move { m2m.token(AUDIENCE).await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap().token.secret(), "m2m-1");
    }
    assert_eq!(
        iss.token_calls.load(Ordering::SeqCst),
        1,
        "one request for 16 callers"
    );
    m2m.token(AUDIENCE).await.unwrap();
    assert_eq!(iss.token_calls.load(Ordering::SeqCst), 1, "cached");
    // Another audience is another token.
    m2m.token("https://reports.example.test/").await.unwrap();
    assert_eq!(iss.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_near_expiry_is_replaced_in_the_background_without_a_failed_call() {
    let iss = issuer().await;
    // 100 s left: inside the refresh-ahead window, outside the 30 s margin.
    *iss.answer.lock().unwrap() = (200, None, json!({"access_token": "old", "expires_in": 100}));
    let m2m = m2m_auth0(&iss).client_credentials();
    assert_eq!(m2m.token(AUDIENCE).await.unwrap().token.secret(), "old");
    *iss.answer.lock().unwrap() = (
        200,
        None,
        json!({"access_token": "new", "expires_in": 86400}),
    );
    // Callers keep getting the old token while the new one is fetched.
    assert_eq!(m2m.token(AUDIENCE).await.unwrap().token.secret(), "old");
    for _ in 0..100 {
        if m2m.token(AUDIENCE).await.unwrap().token.secret() == "new" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(m2m.token(AUDIENCE).await.unwrap().token.secret(), "new");
    assert_eq!(iss.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_429_is_honoured_and_refusals_keep_the_providers_code() {
    let iss = issuer().await;
    *iss.answer.lock().unwrap() = (429, Some("2"), json!({"error": "too_many_requests"}));
    let m2m = m2m_auth0(&iss).client_credentials();
    match m2m.token(AUDIENCE).await {
        Err(ClientCredentialsError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Duration::from_secs(2))
        }
        other => panic!("{other:?}"),
    }
    // Within Retry-After: no request at all.
    *iss.answer.lock().unwrap() = (
        200,
        None,
        json!({"access_token": "later", "expires_in": 86400}),
    );
    assert!(matches!(
        m2m.token(AUDIENCE).await,
        Err(ClientCredentialsError::RateLimited { .. })
    ));
    assert_eq!(iss.token_calls.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(m2m.token(AUDIENCE).await.unwrap().token.secret(), "later");

    *iss.answer.lock().unwrap() = (
        401,
        None,
        json!({"error": "access_denied", "error_description": "Client is not authorized"}),
    );
    let err = m2m.token("https://other.example/").await.unwrap_err();
    assert_eq!(err.code(), "client_credentials_error");
    assert!(matches!(err, ClientCredentialsError::Refused(ref e) if e.code == "access_denied"));
}

#[tokio::test]
async fn the_local_providers_client_credentials_tokens_pass_the_guard() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let m2m = auth0.client_credentials();
    let token = m2m.token(AUDIENCE).await.unwrap();
    let api = routes(&auth0.resource_server(AUDIENCE).build().unwrap());
    let auth = format!("Bearer {}", token.token.secret());
    let (status, _, body) = call(&api, "/me", &[("authorization", &auth)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sub"], "test-client-post");
    // The other API's token is refused by this one.
    let reports = m2m.token("https://reports.example.test/").await.unwrap();
    let (status, _, body) = call(
        &api,
        "/me",
        &[(
            "authorization",
            &format!("Bearer {}", reports.token.secret()),
        )],
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_token"))
    );
}
