#![allow(missing_docs)] // criterion_group! generates an undocumented fn
//! The session layer on a handler that renders nothing: anonymous requests
//! (the baseline) against logged-in ones with a real 3 kB session cookie,
//! through the real router and layer, in one process.

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use http::Request;
use tower::ServiceExt;

use auth0_leptos::server::{Auth0, Auth0Config, SessionData, TokenSet};
use auth0_leptos::User;

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

fn session() -> SessionData {
    let user = User {
        sub: "auth0|0123456789abcdef".into(),
        name: Some("Test User".into()),
        email: Some("test@example.test".into()),
        ..Default::default()
    };
    let token_set = TokenSet {
        access_token: "a".repeat(800).into(),
        id_token: Some("i".repeat(900).into()),
        refresh_token: Some("r".repeat(60).into()),
        expires_at: 4_000_000_000,
        ..Default::default()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    SessionData::new(user, token_set, Some("sid".into()), now)
}

fn bench(c: &mut Criterion) {
    let config = Auth0Config::builder()
        .domain("example.us.auth0.com")
        .client_id("cid")
        .client_secret("csecret")
        .secret(SECRET)
        .app_base_url("http://127.0.0.1:3000")
        .build()
        .unwrap();
    let auth0 = Auth0::new(config);
    let cookie = format!("__session={}", auth0.seal_session(&session()));
    let app: Router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .layer(auth0.layer());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let run = |cookie: Option<&str>| {
        let mut req = Request::get("/healthz").header("host", "127.0.0.1:3000");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let req = req.body(Body::empty()).unwrap();
        rt.block_on(app.clone().oneshot(req)).unwrap()
    };
    assert!(run(Some(&cookie)).headers().get("set-cookie").is_none());
    c.bench_function("baseline: /healthz anonymous", |b| {
        b.iter(|| black_box(run(None)))
    });
    c.bench_function("/healthz logged in (3 kB session cookie)", |b| {
        b.iter(|| black_box(run(Some(&cookie))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
