//! The `SessionStore` contract, run against every store that ships: the
//! in-memory store always, and (feature `redis`) a real `redis-server`
//! started on a free loopback port and stopped afterwards.
#![allow(missing_docs)]

mod support;

use std::time::Duration;

use auth0_leptos::server::{LogoutToken, MemoryStore, SessionData, SessionStore, TokenSet};
use auth0_leptos::User;

fn session(sub: &str, sid: &str) -> SessionData {
    let user = User {
        sub: sub.into(),
        name: Some(format!("user {sub}")),
        ..Default::default()
    };
    let ts = TokenSet {
        access_token: "at".into(),
        refresh_token: Some("rt".into()),
        expires_at: 4_000_000_000,
        ..Default::default()
    };
    SessionData::new(user, ts, Some(sid.into()), 1_700_000_000)
}

const HOUR: Duration = Duration::from_secs(3600);

async fn contract(store: &dyn SessionStore) {
    // get / set / update / delete
    assert_eq!(json(store.get("missing").await.unwrap()), json(None));
    let a = session("u1", "s1");
    store.set("a", &a, HOUR).await.unwrap();
    assert_eq!(json(store.get("a").await.unwrap()), json(Some(a.clone())));
    let mut a2 = a.clone();
    a2.extra.insert("k".into(), "v".into());
    assert!(store.update("a", &a2, HOUR).await.unwrap());
    assert_eq!(json(store.get("a").await.unwrap()), json(Some(a2.clone())));
    store.delete("a").await.unwrap();
    assert_eq!(json(store.get("a").await.unwrap()), json(None));
    // A deleted session is not brought back by an update.
    assert!(!store.update("a", &a2, HOUR).await.unwrap());
    assert_eq!(json(store.get("a").await.unwrap()), json(None));

    // Used back-channel logout tokens: the first use counts, a second is
    // refused, and the record expires with its TTL.
    assert!(store.supports_back_channel_logout());
    assert!(!store
        .logout_token_seen("j1")
        .expect("supported")
        .await
        .unwrap());
    assert!(store
        .remember_logout_token("j1", HOUR)
        .expect("supported")
        .await
        .unwrap());
    assert!(store.logout_token_seen("j1").unwrap().await.unwrap());
    assert!(!store
        .remember_logout_token("j1", HOUR)
        .unwrap()
        .await
        .unwrap());
    assert!(!store.logout_token_seen("j2").unwrap().await.unwrap());
    assert!(store
        .remember_logout_token("j-short", Duration::from_secs(1))
        .unwrap()
        .await
        .unwrap());

    // Records expire on their own.
    store
        .set("short", &session("u9", "s9"), Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(json(store.get("short").await.unwrap()), json(None));
    assert!(!store.logout_token_seen("j-short").unwrap().await.unwrap());
    assert!(
        store
            .remember_logout_token("j-short", HOUR)
            .unwrap()
            .await
            .unwrap(),
        "an expired record no longer counts"
    );

    // Back-channel logout by sid, by sub, and by both.
    store.set("b1", &session("u1", "s1"), HOUR).await.unwrap();
    store.set("b2", &session("u1", "s2"), HOUR).await.unwrap();
    store.set("c1", &session("u2", "s3"), HOUR).await.unwrap();
    let by = |sid: Option<&str>, sub: Option<&str>| LogoutToken {
        sid: sid.map(Into::into),
        sub: sub.map(Into::into),
    };
    store
        .delete_by_logout_token(&by(Some("s1"), None))
        .expect("supported")
        .await
        .unwrap();
    assert_eq!(json(store.get("b1").await.unwrap()), json(None));
    assert!(store.get("b2").await.unwrap().is_some());
    store
        .delete_by_logout_token(&by(Some("s3"), Some("u1")))
        .unwrap()
        .await
        .unwrap();
    assert!(
        store.get("c1").await.unwrap().is_some(),
        "sid and sub must both match"
    );
    store
        .delete_by_logout_token(&by(None, Some("u1")))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(json(store.get("b2").await.unwrap()), json(None));
    assert!(store.get("c1").await.unwrap().is_some());
    store
        .delete_by_logout_token(&by(Some("nope"), None))
        .unwrap()
        .await
        .unwrap();
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    contract(&MemoryStore::new()).await;
}

#[cfg(feature = "redis")]
mod redis {
    use auth0_leptos::server::{RedisStore, SessionStore};

    use crate::support::RedisServer;

    #[tokio::test]
    async fn redis_store_keeps_the_contract() {
        let server = RedisServer::start();
        let store = RedisStore::connect(&server.url).await.unwrap();
        super::contract(&store).await;
    }

    /// Several instances on one Redis share the record of used logout
    /// tokens (`{prefix}jti:{jti}`); another prefix is another app.
    #[tokio::test]
    async fn used_logout_tokens_are_shared_by_every_client_of_one_redis() {
        let server = RedisServer::start();
        let one = RedisStore::connect(&server.url).await.unwrap();
        let two = RedisStore::connect(&server.url).await.unwrap();
        let other_app = RedisStore::connect(&server.url)
            .await
            .unwrap()
            .with_prefix("other:");
        let ttl = std::time::Duration::from_secs(120);
        assert!(one.remember_logout_token("j", ttl).unwrap().await.unwrap());
        assert!(two.logout_token_seen("j").unwrap().await.unwrap());
        assert!(!two.remember_logout_token("j", ttl).unwrap().await.unwrap());
        assert!(!other_app.logout_token_seen("j").unwrap().await.unwrap());
        assert!(other_app
            .remember_logout_token("j", ttl)
            .unwrap()
            .await
            .unwrap());

        let client = redis::Client::open(server.url.as_str()).unwrap();
        let mut raw = client.get_multiplexed_async_connection().await.unwrap();
        let left: i64 = redis::cmd("TTL")
            .arg("auth0:jti:j")
            .query_async(&mut raw)
            .await
            .unwrap();
        assert!((1..=120).contains(&left), "ttl {left}");
    }

    #[tokio::test]
    async fn redis_outage_is_an_error_not_a_hang() {
        let mut server = RedisServer::start();
        let store = RedisStore::connect(&server.url).await.unwrap();
        server.stop();
        let started = std::time::Instant::now();
        assert!(store.get("x").await.is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

/// Sessions compare by their JSON (secrets have no `==`).
fn json(s: Option<SessionData>) -> serde_json::Value {
    serde_json::to_value(s).unwrap()
}
