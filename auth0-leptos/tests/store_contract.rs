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

    // A session without a recorded sid can only be named by sub: a token
    // with sid and sub ends it, and the user's sessions in that provider
    // session, but not those in another one.
    let mut no_sid = session("u3", "");
    no_sid.internal.sid.clear();
    store.set("n1", &no_sid, HOUR).await.unwrap();
    store.set("n2", &session("u3", "s5"), HOUR).await.unwrap();
    store.set("n3", &session("u3", "s6"), HOUR).await.unwrap();
    store.set("n4", &session("u4", "s5"), HOUR).await.unwrap();
    store
        .delete_by_logout_token(&by(Some("s5"), Some("u3")))
        .unwrap()
        .await
        .unwrap();
    assert!(store.get("n1").await.unwrap().is_none(), "matched by sub");
    assert!(store.get("n2").await.unwrap().is_none(), "sid and sub");
    assert!(store.get("n3").await.unwrap().is_some(), "another sid");
    assert!(store.get("n4").await.unwrap().is_some(), "another sub");
    // A token with sid only never reaches a session without sid.
    store.set("n1", &no_sid, HOUR).await.unwrap();
    store
        .delete_by_logout_token(&by(Some("s6"), None))
        .unwrap()
        .await
        .unwrap();
    assert!(store.get("n3").await.unwrap().is_none());
    assert!(store.get("n1").await.unwrap().is_some());
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

    /// The `sid:` / `sub:` index sets lose a session's id when it is
    /// deleted (by logout or back-channel logout), so repeated logins and
    /// logouts leave nothing behind; they keep their TTL meanwhile.
    #[tokio::test]
    async fn redis_index_sets_do_not_grow_with_logins_and_logouts() {
        let server = RedisServer::start();
        let store = RedisStore::connect(&server.url).await.unwrap();
        let client = redis::Client::open(server.url.as_str()).unwrap();
        let mut raw = client.get_multiplexed_async_connection().await.unwrap();
        let hour = std::time::Duration::from_secs(3600);
        let conn = raw.clone();
        let card = |key: &'static str| {
            let mut raw = conn.clone();
            async move {
                redis::cmd("SCARD")
                    .arg(key)
                    .query_async::<i64>(&mut raw)
                    .await
                    .unwrap()
            }
        };
        for n in 0..20 {
            let id = format!("id{n}");
            store
                .set(&id, &super::session("u1", "s1"), hour)
                .await
                .unwrap();
            store.delete(&id).await.unwrap();
        }
        assert_eq!(card("auth0:sub:u1").await, 0);
        assert_eq!(card("auth0:sid:s1").await, 0);

        // Back-channel logout by sid removes the id from the sub index too.
        store
            .set("a", &super::session("u1", "s1"), hour)
            .await
            .unwrap();
        store
            .set("b", &super::session("u1", "s2"), hour)
            .await
            .unwrap();
        let ttl: i64 = redis::cmd("TTL")
            .arg("auth0:sub:u1")
            .query_async(&mut raw)
            .await
            .unwrap();
        assert!(
            (3500..=3600).contains(&ttl),
            "the index keeps its TTL: {ttl}"
        );
        store
            .delete_by_logout_token(&auth0_leptos::server::LogoutToken {
                sid: Some("s1".into()),
                sub: None,
            })
            .unwrap()
            .await
            .unwrap();
        assert_eq!(card("auth0:sid:s1").await, 0);
        assert_eq!(card("auth0:sub:u1").await, 1);
        let ttl: i64 = redis::cmd("TTL")
            .arg("auth0:sub:u1")
            .query_async(&mut raw)
            .await
            .unwrap();
        assert!(
            (3500..=3600).contains(&ttl),
            "the index keeps its TTL: {ttl}"
        );
        store.delete("b").await.unwrap();
        assert_eq!(card("auth0:sub:u1").await, 0);
        assert_eq!(card("auth0:sid:s2").await, 0);
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
