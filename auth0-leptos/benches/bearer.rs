#![allow(missing_docs)] // criterion_group! generates an undocumented fn
//! The bearer guard: a route behind `ResourceServer::layer` with a valid
//! RS256 token (keys cached after the first request) against the same route
//! without the guard (the baseline), through the real router, in one
//! process. The keys come from a JWKS endpoint served on loopback.

use axum::body::Body;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use http::Request;
use tower::ServiceExt;

use auth0_leptos::server::ResourceServer;

const AUDIENCE: &str = "https://api.example.test/";

fn bench(c: &mut Criterion) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let pem = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let jwks = serde_json::json!({"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
        "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be())}]});
    let issuer = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let keys = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                let jwks = jwks.clone();
                async move { Json(jwks) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, keys).await.unwrap() });
        url
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(
        &header,
        &serde_json::json!({"iss": issuer, "aud": AUDIENCE, "sub": "bench@clients",
            "exp": now + 3600, "scope": "read:messages"}),
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let guard = ResourceServer::builder()
        .domain(&issuer)
        .audience(AUDIENCE)
        .allow_insecure_requests(true)
        .build()
        .unwrap();
    let handler = || async { "ok" };
    let open: Router = Router::new().route("/messages", get(handler));
    let guarded: Router = Router::new()
        .route("/messages", get(handler))
        .route_layer(guard.layer());
    let auth = format!("Bearer {token}");
    let run = |app: &Router| {
        let req = Request::get("/messages")
            .header("authorization", auth.as_str())
            .body(Body::empty())
            .unwrap();
        rt.block_on(app.clone().oneshot(req)).unwrap()
    };
    assert_eq!(run(&guarded).status(), 200, "the guard accepts the token");
    c.bench_function("baseline: unguarded route", |b| {
        b.iter(|| black_box(run(&open)))
    });
    c.bench_function("guarded route, valid RS256 token", |b| {
        b.iter(|| black_box(run(&guarded)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
