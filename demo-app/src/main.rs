//! The demo's server.

use auth0_leptos::server::Auth0;
use axum::Router;
use demo_app::app::{shell, App};
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

    let auth0 = Auth0::from_env().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });

    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&leptos_options, routes, {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
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
