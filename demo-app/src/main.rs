//! The demo's server: the Leptos app, the auth0-leptos routes and session
//! layer, and a small API protected by access tokens.

use auth0_leptos::server::{
    require_scope, Auth0, Auth0Config, MemoryStore, RedisStore, VerifiedToken,
};
use axum::http::{header, StatusCode};
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
    // The demo's own API: bearer guards built from the same configuration.
    // DPoP-bound tokens (the demo's with AUTH0_USE_DPOP=true) are accepted
    // with a proof for this origin; unbound ones as Bearer.
    let base = std::env::var("APP_BASE_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let guard = |audience: &str| {
        auth0
            .resource_server(audience)
            .dpop(auth0.dpop_verifier(), base.clone())
            .build()
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2);
            })
    };
    let dpop_guard = auth0
        .resource_server(API_AUDIENCE)
        .dpop(auth0.dpop_verifier().require_nonce(), base.clone())
        .build()
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
    let api = Router::new()
        .route("/api/messages", get(messages))
        .route_layer(guard(API_AUDIENCE).layer())
        .merge(
            Router::new()
                .route("/api/reports", get(reports))
                .route_layer(require_scope(["read:reports"]))
                .route_layer(guard(REPORTS_AUDIENCE).layer()),
        )
        .merge(
            Router::new()
                .route("/api/dpop/messages", get(dpop_messages))
                .route_layer(dpop_guard.layer()),
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

/// `GET /api/messages`: behind the bearer guard for the API audience.
async fn messages(token: VerifiedToken) -> Response {
    Json(serde_json::json!({
        "messages": ["Hello from a protected API route.", "Your token was verified with the provider's keys."],
        "sub": token.subject(),
        "scope": token.claims().get("scope"),
        "permissions": token.permissions(),
    }))
    .into_response()
}

/// `GET /api/reports`: the second API (its own guard, and `read:reports`).
async fn reports(token: VerifiedToken) -> Response {
    Json(serde_json::json!({
        "reports": ["Monthly report", "Quarterly report"],
        "aud": token.claims().get("aud"),
        "scope": token.claims().get("scope"),
    }))
    .into_response()
}

/// `GET /api/dpop/messages`: behind a guard that takes only DPoP-bound
/// tokens for the API audience, with proofs for this URL carrying this
/// API's nonce.
async fn dpop_messages(token: VerifiedToken) -> Response {
    let jkt = token
        .claims()
        .get("cnf")
        .and_then(|c| c.get("jkt"))
        .cloned();
    if !token.is_dpop() {
        // The guard accepts unbound tokens as Bearer; this route wants a binding.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "DPoP algs=\"ES256\"")],
            Json(serde_json::json!({"error": "invalid_token", "error_description": "a DPoP-bound token is required"})),
        )
            .into_response();
    }
    Json(serde_json::json!({
        "messages": ["Hello from a DPoP-protected API route.", "The token is bound to the key that signed this request's proof."],
        "sub": token.subject(),
        "jkt": jkt,
    }))
    .into_response()
}
