//! DPoP (RFC 9449) through the real router against the local provider,
//! which demands server nonces here (`IDP_DPOP_NONCE=1`), and a resource
//! server of the test's own that checks proofs with `DpopVerifier` (and
//! demands its own nonces).
#![allow(missing_docs)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use auth0_leptos::server::{
    Auth0, Auth0ConfigBuilder, Auth0Session, DpopRequest, DpopVerifier, FetchRequest,
    FetcherOptions,
};
use auth0_leptos::AccessTokenError;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use support::*;

const API: &str = "https://api.example.test/";

/// The local provider demanding DPoP nonces at its token endpoint.
fn nonce_idp() -> &'static Idp {
    idp_with_env(&[("IDP_DPOP_NONCE", "1")])
}

fn dpop_config() -> Auth0ConfigBuilder {
    nonce_idp();
    idp_config().audience(API).use_dpop(true)
}

/// A resource server on a free port: `/items` checks the DPoP proof (and
/// demands its nonce); `/echo` tells what it was sent. Counts requests.
struct ResourceServer {
    url: String,
    hits: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct RsState {
    auth0: Auth0,
    verifier: Arc<DpopVerifier>,
    url: String,
    hits: Arc<AtomicUsize>,
}

async fn items(
    State(s): State<RsState>,
    method: Method,
    headers: HeaderMap,
) -> axum::response::Response {
    s.hits.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(token) = auth.strip_prefix("DPoP ") else {
        return (StatusCode::UNAUTHORIZED, "not a DPoP token").into_response();
    };
    let claims = match s.auth0.verify_access_token(token, API).await {
        Ok(c) => c,
        Err(e) => return (StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
    };
    let jkt = claims
        .get("cnf")
        .and_then(|c| c.get("jkt"))
        .and_then(|j| j.as_str());
    let url = format!("{}/items", s.url);
    let req = DpopRequest {
        headers: &headers,
        method: &method,
        url: &url,
        access_token: token,
        jkt,
    };
    match s.verifier.verify(&req) {
        Ok(jkt) => format!("ok {jkt}").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn echo(headers: HeaderMap) -> String {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!(
        "{} dpop={}",
        auth.split(' ').next().unwrap_or(""),
        headers.contains_key("dpop")
    )
}

async fn resource_server(auth0: &Auth0) -> ResourceServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let state = RsState {
        auth0: auth0.clone(),
        verifier: Arc::new(DpopVerifier::new().require_nonce()),
        url: url.clone(),
        hits: hits.clone(),
    };
    let app = Router::new()
        .route("/items", get(items))
        .route("/echo", get(echo))
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    ResourceServer { url, hits }
}

/// The test app plus `/call?path=..&dpop=..&factory=..`: a fetcher of the
/// resource server at `rs`.
fn app_calling(auth0: &Auth0, rs: String) -> Router {
    #[derive(serde::Deserialize)]
    struct Q {
        path: String,
        dpop: Option<bool>,
        #[serde(default)]
        factory: bool,
        #[serde(default)]
        base: bool,
    }
    let call = get(move |s: Auth0Session, Query(q): Query<Q>| {
        let rs = rs.clone();
        async move {
            let mut options = FetcherOptions::new();
            if !q.base {
                options = options.base_url(rs.clone());
            }
            if let Some(d) = q.dpop {
                options = options.use_dpop(d);
            }
            if q.factory {
                options = options.token_factory(|_req| async {
                    Ok::<_, AccessTokenError>(auth0_leptos::secret::AccessToken::new(
                        "from-the-factory",
                    ))
                });
            }
            let fetcher = match s.create_fetcher(options) {
                Ok(f) => f,
                Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.code().to_owned()),
            };
            match fetcher.fetch_with_auth(&q.path, FetchRequest::get()).await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    (
                        StatusCode::OK,
                        format!("{status} {}", r.text().await.unwrap_or_default()),
                    )
                }
                Err(e) => (StatusCode::BAD_GATEWAY, e.code().to_owned()),
            }
        }
    });
    Router::new()
        .route("/call", call)
        .layer(auth0.layer())
        .merge(app(auth0))
}

#[tokio::test]
async fn login_and_refresh_keep_the_binding_through_server_nonces() {
    let auth0 = Auth0::new(dpop_config().build().unwrap());
    let jkt = auth0.dpop_key_pair().unwrap().thumbprint().to_owned();
    let mut b = Browser::new(app(&auth0));
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Test User");

    let first = b.get("/auth/access-token").await.json();
    assert_eq!(first["token_type"], "DPoP", "{first}");
    assert_eq!(
        claims(first["token"].as_str().unwrap())["cnf"]["jkt"],
        jkt.as_str()
    );

    // A refresh carries a proof too, and the new token keeps the binding.
    let second = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = second.json();
    assert_ne!(second["token"], first["token"]);
    assert_eq!(second["token_type"], "DPoP");
    assert_eq!(
        claims(second["token"].as_str().unwrap())["cnf"]["jkt"],
        jkt.as_str()
    );
}

#[tokio::test]
async fn userinfo_is_read_with_a_proof_for_a_bound_token() {
    nonce_idp();
    // No audience: the token is the provider's own (opaque), for UserInfo;
    // a bound token sent as Bearer would be refused and the login fail.
    let auth0 = Auth0::new(
        idp_config()
            .use_dpop(true)
            .fetch_user_info(true)
            .build()
            .unwrap(),
    );
    let mut b = Browser::new(app(&auth0));
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
    assert_eq!(
        b.get("/auth/access-token").await.json()["token_type"],
        "DPoP"
    );
}

#[tokio::test]
async fn a_fetcher_presents_dpop_tokens_and_answers_a_resource_server_nonce_challenge() {
    let auth0 = Auth0::new(dpop_config().build().unwrap());
    let rs = resource_server(&auth0).await;
    let mut b = Browser::new(app_calling(&auth0, rs.url.clone()));
    b.login("/auth/login").await;

    let r = b.get("/call?path=/items").await;
    let jkt = auth0.dpop_key_pair().unwrap().thumbprint();
    assert_eq!(r.body, format!("200 ok {jkt}"));
    assert_eq!(
        rs.hits.load(Ordering::SeqCst),
        2,
        "a nonce challenge, then the retry"
    );

    // The nonce is remembered: the next call needs one request.
    let r = b.get("/call?path=/items").await;
    assert_eq!(r.body, format!("200 ok {jkt}"));
    assert_eq!(rs.hits.load(Ordering::SeqCst), 3);

    // An absolute URL works without the base; the fetcher still proves.
    let r = b
        .get(&format!("/call?base=true&path={}/echo", rs.url))
        .await;
    assert_eq!(r.body, "200 DPoP dpop=true");
}

#[tokio::test]
async fn dpop_off_for_a_fetcher_sends_bearer_and_a_factory_supplies_the_token() {
    let auth0 = Auth0::new(dpop_config().build().unwrap());
    let rs = resource_server(&auth0).await;
    let mut b = Browser::new(app_calling(&auth0, rs.url.clone()));
    b.login("/auth/login").await;
    assert_eq!(
        b.get("/call?path=echo&dpop=false").await.body,
        "200 Bearer dpop=false"
    );
    // A bound token without its proof is refused by the resource server.
    assert!(b
        .get("/call?path=items&dpop=false")
        .await
        .body
        .starts_with("401"));
    // A factory's token goes out as is (here: not a JWT, so refused at /items).
    assert_eq!(
        b.get("/call?path=echo&factory=true").await.body,
        "200 DPoP dpop=true"
    );
    assert!(b
        .get("/call?path=items&factory=true")
        .await
        .body
        .starts_with("401"));
}

#[tokio::test]
async fn fetcher_errors_have_stable_codes() {
    nonce_idp();
    // DPoP asked for, with no key pair configured.
    let plain = Auth0::new(idp_config().audience(API).build().unwrap());
    let mut b = Browser::new(app_calling(&plain, "http://127.0.0.1:9".into()));
    b.login("/auth/login").await;
    let r = b.get("/call?path=/x&dpop=true").await;
    assert_eq!(r.body, "dpop_configuration_error");
    // A relative URL and no base URL.
    assert_eq!(b.get("/call?path=/x&base=true").await.body, "invalid_url");
    // Nobody listening.
    assert_eq!(b.get("/call?path=/x").await.body, "fetch_failed");
    // Nobody logged in.
    let mut anon = Browser::new(app_calling(&plain, "http://127.0.0.1:9".into()));
    assert_eq!(anon.get("/call?path=/x").await.body, "missing_session");
}

#[tokio::test]
async fn a_configured_key_pair_is_used_and_survives_a_restart() {
    let key = auth0_leptos::server::DpopKeyPair::generate();
    let private = key.private_key_pem().unwrap();
    let public = key.public_key_pem().unwrap();
    let build = || {
        let k = auth0_leptos::server::DpopKeyPair::from_pem(&private, Some(&public)).unwrap();
        Auth0::new(dpop_config().dpop_key_pair(k).build().unwrap())
    };
    let first = build();
    let mut b = Browser::new(app(&first));
    b.login("/auth/login").await;
    let t = b.get("/auth/access-token").await.json();
    assert_eq!(
        claims(t["token"].as_str().unwrap())["cnf"]["jkt"],
        key.thumbprint()
    );
    // "Restarted": the same cookie refreshes with the same key.
    let second = build();
    b.router = app(&second);
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        claims(r.json()["token"].as_str().unwrap())["cnf"]["jkt"],
        key.thumbprint()
    );
}
