//! Sealing and opening a session cookie (the work the session layer does per
//! request), against the raw cost of serializing the same session to JSON.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use auth0_leptos::server::testing::{generate_session_cookie, open_session_cookie};
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
    let cookie = generate_session_cookie(&s, SECRET);
    c.bench_function("baseline: serde_json round trip", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(black_box(&s)).unwrap();
            black_box(serde_json::from_slice::<SessionData>(&json).unwrap())
        })
    });
    c.bench_function("seal session cookie", |b| {
        b.iter(|| black_box(generate_session_cookie(black_box(&s), SECRET)))
    });
    c.bench_function("open session cookie", |b| {
        b.iter(|| black_box(open_session_cookie(black_box(&cookie), SECRET)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
