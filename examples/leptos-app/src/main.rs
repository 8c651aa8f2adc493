//! The server: the Leptos routes, the `/auth/*` routes and the session layer.

use auth0_leptos::server::Auth0;
use example_leptos::{shell, App};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

#[tokio::main]
async fn main() {
    let auth0 = Auth0::from_env().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let options = get_configuration(None)
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        })
        .leptos_options;
    let addr = options.site_addr;
    let app = axum::Router::new()
        .leptos_routes(&options, generate_route_list(App), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(auth0.router())
        .layer(auth0.layer());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(2);
        });
    println!("listening on http://{addr}");
    axum::serve(listener, app).await.expect("server error");
}
