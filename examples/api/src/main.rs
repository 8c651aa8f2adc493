//! An API served by axum alone, protected by the bearer guard: `GET
//! /health` is public, `GET /messages` needs a token for the API's audience
//! (`AUTH0_DOMAIN`, `AUTH0_AUDIENCE`) with the `read:messages` permission.
//!
//! ```sh
//! AUTH0_DOMAIN=example.us.auth0.com AUTH0_AUDIENCE=https://api.example.com/ \
//!   cargo run -p example-api
//! ```

use auth0_leptos::server::{require_permissions, ResourceServer, VerifiedToken};
use axum::routing::get;
use axum::{Json, Router};

#[tokio::main]
async fn main() {
    let api = ResourceServer::from_env().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let app = Router::new()
        .route(
            "/messages",
            get(|token: VerifiedToken| async move {
                Json(serde_json::json!({
                    "messages": ["Hello, machine."],
                    "for": token.subject(),
                }))
            }),
        )
        .route_layer(require_permissions(["read:messages"]))
        .route_layer(api.layer())
        .route("/health", get(|| async { "ok" }));
    let addr = std::env::var("EXAMPLE_API_ADDR").unwrap_or_else(|_| "127.0.0.1:3100".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(2);
        });
    println!("listening on http://{addr}");
    axum::serve(listener, app).await.expect("server error");
}
