#![allow(missing_docs)] // criterion_group! generates an undocumented fn
//! Sealing and opening a session cookie (the work the session layer does per
//! request), against the raw cost of serializing the same session to JSON.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use auth0_leptos::server::testing::SessionCookieCodec;
use auth0_leptos::server::{SessionData, TokenSet};
use auth0_leptos::User;

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

fn session() -> SessionData {
    let user = User {
        sub: "auth0|0123456789abcdef".into(),
        name: Some("Test User".into()),
        nickname: Some("test".into()),
        picture: Some("https://example.test/avatar.png".into()),
        email: Some("test@example.test".into()),
        email_verified: Some(true),
        ..Default::default()
    };
    let token_set = TokenSet {
        access_token: "a".repeat(800).into(),
        id_token: Some("i".repeat(900).into()),
        refresh_token: Some("r".repeat(60).into()),
        scope: Some("openid profile email offline_access".into()),
        expires_at: 4_000_000_000,
        token_type: Some("Bearer".into()),
        ..Default::default()
    };
    SessionData::new(
        user,
        token_set,
        Some("sid-0123456789".into()),
        1_900_000_000,
    )
}

fn bench(c: &mut Criterion) {
    let s = session();
    let codec = SessionCookieCodec::new(&[SECRET]);
    let cookie = codec.seal(&s, 4_000_000_000);
    c.bench_function("baseline: serde_json round trip", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(black_box(&s)).unwrap();
            black_box(serde_json::from_slice::<SessionData>(&json).unwrap())
        })
    });
    let body = cookie.split('.').nth(3).unwrap().to_owned();
    c.bench_function("part: base64url decode of the ciphertext", |b| {
        use base64::Engine;
        b.iter(|| {
            black_box(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(black_box(&body))
                    .unwrap(),
            )
        })
    });
    c.bench_function("seal session cookie", |b| {
        b.iter(|| black_box(codec.seal(black_box(&s), 4_000_000_000)))
    });
    c.bench_function("open session cookie", |b| {
        b.iter(|| black_box(codec.open(black_box(&cookie))))
    });
    c.bench_function("open + seal (a rolling write)", |b| {
        b.iter(|| {
            let opened = codec.open(black_box(&cookie)).unwrap();
            black_box(codec.seal(&opened, 4_000_000_000))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
