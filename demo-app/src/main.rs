//! The demo's server: the Leptos app, the auth0-leptos routes and session
//! layer, and a small API protected by access tokens.

use std::sync::Arc;

use auth0_leptos::server::{
    Auth0, Auth0Config, DpopRequest, DpopVerifier, MemoryStore, RedisStore,
};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use demo_app::app::{shell, App, API_AUDIENCE, REPORTS_AUDIENCE};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    // Leptos.toml holds the site options; LEPTOS_* variables override them.
    let conf = get_configuration(Some("Leptos.toml")).unwrap_or_else(|e| {
        eprintln!("cannot read Leptos.toml: {e}");
        std::process::exit(2);
    });
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;

    // SESSION_STORE: `cookie` (default: the session lives in the encrypted
    // cookie), `memory` (this process only), or a `redis://host:port/db` URL
    // (shared by every instance of the app).
    let mut config = Auth0Config::builder().from_env();
    match std::env::var("SESSION_STORE").unwrap_or_default().as_str() {
        "" | "cookie" => {}
        "memory" => config = config.session_store(MemoryStore::new()),
        url if url.starts_with("redis://") || url.starts_with("rediss://") => {
            match RedisStore::connect(url).await {
                Ok(store) => config = config.session_store(store),
                Err(e) => {
                    eprintln!("SESSION_STORE: cannot connect to Redis: {e}");
                    std::process::exit(2);
                }
            }
        }
        other => {
            eprintln!("SESSION_STORE must be cookie, memory or a redis:// URL, got {other:?}");
            std::process::exit(2);
        }
    }
    let auth0 = Auth0::new(config.build().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    }));
    // The provider must support what the configuration asks for (pushed
    // authorization requests, the client assertion algorithm).
    if let Err(e) = auth0.check_provider().await {
        eprintln!("{e} ({})", e.code());
        std::process::exit(2);
    }

    let routes = generate_route_list(App);
    let api = Router::new()
        .route("/api/messages", get(messages))
        .route("/api/reports", get(reports))
        .with_state(auth0.clone())
        .merge(
            Router::new()
                .route("/api/dpop/messages", get(dpop_messages))
                .with_state(DpopApi {
                    auth0: auth0.clone(),
                    verifier: Arc::new(auth0.dpop_verifier().require_nonce()),
                    base: std::env::var("APP_BASE_URL")
                        .unwrap_or_else(|_| format!("http://{addr}")),
                }),
        );
    let app = Router::new()
        .leptos_routes(&leptos_options, routes, {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .route("/healthz", get(|| async { "ok" }))
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        .merge(api)
        .merge(auth0.router())
        .layer(auth0.layer());

    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(2);
        });
    println!("listening on http://{addr}");
    axum::serve(listener, app.into_make_service())
        .await
        .expect("server error");
}

/// `GET /api/messages`: needs `Authorization: Bearer <access token for the API audience>`.
async fn messages(State(auth0): State<Auth0>, headers: HeaderMap) -> Response {
    protected(&auth0, &headers, API_AUDIENCE, |claims| {
        serde_json::json!({
            "messages": ["Hello from a protected API route.", "Your token was verified with the provider's keys."],
            "sub": claims.get("sub"),
            "scope": claims.get("scope"),
        })
    })
    .await
}

/// `GET /api/reports`: the second API; needs a token for its audience.
async fn reports(State(auth0): State<Auth0>, headers: HeaderMap) -> Response {
    protected(&auth0, &headers, REPORTS_AUDIENCE, |claims| {
        serde_json::json!({
            "reports": ["Monthly report", "Quarterly report"],
            "aud": claims.get("aud"),
            "scope": claims.get("scope"),
        })
    })
    .await
}

/// The DPoP-protected API's state: the proof checker (it remembers proof
/// ids and hands out nonces) and the URL clients address it by.
#[derive(Clone)]
struct DpopApi {
    auth0: Auth0,
    verifier: Arc<DpopVerifier>,
    base: String,
}

/// `GET /api/dpop/messages`: needs `Authorization: DPoP <token>` for the
/// API audience, bound to the key of the `DPoP` proof that comes with it
/// (method, URL, age, id, token hash, key thumbprint, this API's nonce).
async fn dpop_messages(
    State(api): State<DpopApi>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("DPoP "));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "DPoP algs=\"ES256\"")],
            Json(serde_json::json!({"error": "missing_dpop_token"})),
        )
            .into_response();
    };
    let claims = match api.auth0.verify_access_token(token, API_AUDIENCE).await {
        Ok(c) => c,
        Err(e) => {
            tracing::info!("DPoP API call refused: {e}");
            return (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": e.code()})),
            )
                .into_response();
        }
    };
    let jkt = claims
        .get("cnf")
        .and_then(|c| c.get("jkt"))
        .and_then(|j| j.as_str());
    let url = format!("{}{}", api.base.trim_end_matches('/'), uri.path());
    let request = DpopRequest {
        headers: &headers,
        method: &method,
        url: &url,
        access_token: token,
        jkt,
    };
    match api.verifier.verify(&request) {
        Ok(jkt) => Json(serde_json::json!({
            "messages": ["Hello from a DPoP-protected API route.", "The token is bound to the key that signed this request's proof."],
            "sub": claims.get("sub"),
            "jkt": jkt,
        }))
        .into_response(),
        Err(e) => {
            tracing::info!("DPoP proof refused: {e} ({})", e.code());
            e.into_response()
        }
    }
}

/// Answers with `body(claims)` when the request carries a valid access token for `audience`.
async fn protected(
    auth0: &Auth0,
    headers: &HeaderMap,
    audience: &str,
    body: impl FnOnce(&serde_json::Map<String, serde_json::Value>) -> serde_json::Value,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "missing_token"})),
        )
            .into_response();
    };
    match auth0.verify_access_token(token, audience).await {
        Ok(claims) => Json(body(&claims)).into_response(),
        Err(e) => {
            // Which check failed stays in the server's log.
            tracing::info!("API call refused: {e}");
            (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": e.code()})),
            )
                .into_response()
        }
    }
}
