#![allow(missing_docs)] // criterion_group! generates an undocumented fn
//! What DPoP costs: making and checking a proof, and a whole API call over
//! loopback with `Authorization: DPoP` and a fresh proof against the same
//! call with `Authorization: Bearer` (the baseline), in one process.

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use auth0_leptos::server::{DpopKeyPair, DpopRequest, DpopVerifier};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHwxMjMiLCJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLnRlc3QvIn0.c2lnbmF0dXJl";

fn bench(c: &mut Criterion) {
    let key = DpopKeyPair::generate();
    let url = "http://127.0.0.1:1/items";
    c.bench_function("dpop/make_proof", |b| {
        b.iter(|| black_box(key.proof("GET", url, Some(TOKEN), None)))
    });
    c.bench_function("dpop/verify_proof", |b| {
        let verifier = DpopVerifier::new();
        let headers_with = |p: String| {
            let mut h = http::HeaderMap::new();
            h.insert("dpop", p.parse().unwrap());
            h
        };
        b.iter_batched(
            || headers_with(key.proof("GET", url, Some(TOKEN), None).unwrap()),
            |headers| {
                let req = DpopRequest {
                    headers: &headers,
                    method: &http::Method::GET,
                    url,
                    access_token: TOKEN,
                    jkt: Some(key.thumbprint()),
                };
                black_box(verifier.verify(&req).unwrap())
            },
            criterion::BatchSize::SmallInput,
        )
    });

    // A whole call over loopback, to a handler that answers at once.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route("/items", axum::routing::get(|| async { "ok" }));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    });
    let url = Arc::new(format!("http://{addr}/items"));
    let client = reqwest::Client::new();
    c.bench_function("call/bearer", |b| {
        b.to_async(&rt).iter(|| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let r = client
                    .get(url.as_str())
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .unwrap();
                black_box(r.bytes().await.unwrap())
            }
        })
    });
    c.bench_function("call/dpop", |b| {
        b.to_async(&rt).iter(|| {
            let (client, url) = (client.clone(), url.clone());
            let proof = key.proof("GET", &url, Some(TOKEN), None).unwrap();
            async move {
                let r = client
                    .get(url.as_str())
                    .header("authorization", format!("DPoP {TOKEN}"))
                    .header("dpop", proof)
                    .send()
                    .await
                    .unwrap();
                black_box(r.bytes().await.unwrap())
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
