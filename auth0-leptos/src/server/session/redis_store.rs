//! Sessions in Redis (feature `redis`).
//!
//! Keys (under a prefix, default `auth0:`): `sess:{id}` holds the session
//! JSON with a TTL equal to the session's remaining lifetime; `sid:{sid}` and
//! `sub:{sub}` are sets of session ids (indexes for back-channel logout, so
//! no key scan is ever needed), with the same TTL. `jti:{jti}` records a
//! used back-channel logout token until it would expire, so every instance
//! sharing the Redis refuses a replay.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use crate::server::session::store::{LogoutToken, SessionStore, StoreError, StoreFuture};
use crate::server::session::SessionData;

/// A [`SessionStore`] in Redis. Cheap to clone; reconnects on its own after
/// an outage (requests during the outage get a clear 503 from the routes
/// that need a session; other pages keep working).
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn err(e: redis::RedisError) -> StoreError {
    StoreError::unavailable(e)
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::corrupt(e)
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`), with 2 s connection and
    /// response timeouts.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(err)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(err)?;
        Ok(Self {
            conn,
            prefix: "auth0:".into(),
        })
    }

    /// Uses `prefix` for every key (default `auth0:`), e.g. to share one
    /// Redis between apps.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, kind: &str, v: &str) -> String {
        format!("{}{}:{}", self.prefix, kind, v)
    }

    fn index_cmds(&self, pipe: &mut redis::Pipeline, id: &str, data: &SessionData, ttl: u64) {
        for (kind, v) in [("sid", &data.internal.sid), ("sub", &data.user.sub)] {
            if !v.is_empty() {
                let k = self.key(kind, v);
                pipe.sadd(&k, id).ignore();
                // An index lives as long as its longest session.
                pipe.cmd("EXPIRE").arg(&k).arg(ttl).arg("GT").ignore();
                pipe.cmd("EXPIRE").arg(&k).arg(ttl).arg("NX").ignore();
            }
        }
    }
}

impl SessionStore for RedisStore {
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionData>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let raw: Option<String> = conn.get(self.key("sess", id)).await.map_err(err)?;
            match raw {
                Some(json) => serde_json::from_str(&json).map(Some).map_err(corrupt),
                None => Ok(None),
            }
        })
    }

    fn set<'a>(&'a self, id: &'a str, data: &'a SessionData, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let json = serde_json::to_string(data).map_err(corrupt)?;
            let ttl = ttl.as_secs().max(1);
            let mut pipe = redis::pipe();
            pipe.atomic()
                .cmd("SET")
                .arg(self.key("sess", id))
                .arg(json)
                .arg("EX")
                .arg(ttl)
                .ignore();
            self.index_cmds(&mut pipe, id, data, ttl);
            let mut conn = self.conn.clone();
            pipe.query_async::<()>(&mut conn).await.map_err(err)
        })
    }

    fn update<'a>(
        &'a self,
        id: &'a str,
        data: &'a SessionData,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let json = serde_json::to_string(data).map_err(corrupt)?;
            let ttl = ttl.as_secs().max(1);
            let mut conn = self.conn.clone();
            // XX: only when the key still exists, so a deleted session stays deleted.
            let done: Option<String> = redis::cmd("SET")
                .arg(self.key("sess", id))
                .arg(json)
                .arg("EX")
                .arg(ttl)
                .arg("XX")
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            if done.is_none() {
                return Ok(false);
            }
            let mut pipe = redis::pipe();
            self.index_cmds(&mut pipe, id, data, ttl);
            pipe.query_async::<()>(&mut conn).await.map_err(err)?;
            Ok(true)
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            conn.del::<_, ()>(self.key("sess", id)).await.map_err(err)
        })
    }

    fn supports_back_channel_logout(&self) -> bool {
        true
    }

    fn logout_token_seen<'a>(&'a self, jti: &'a str) -> Option<StoreFuture<'a, bool>> {
        Some(Box::pin(async move {
            let mut conn = self.conn.clone();
            conn.exists(self.key("jti", jti)).await.map_err(err)
        }))
    }

    fn remember_logout_token<'a>(
        &'a self,
        jti: &'a str,
        ttl: Duration,
    ) -> Option<StoreFuture<'a, bool>> {
        Some(Box::pin(async move {
            let mut conn = self.conn.clone();
            // NX: only the first instance to record it sees "OK".
            let done: Option<String> = redis::cmd("SET")
                .arg(self.key("jti", jti))
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(ttl.as_secs().max(1))
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            Ok(done.is_some())
        }))
    }

    fn delete_by_logout_token<'a>(&'a self, token: &'a LogoutToken) -> Option<StoreFuture<'a, ()>> {
        Some(Box::pin(async move {
            let mut conn = self.conn.clone();
            let sid_key = token.sid.as_deref().map(|s| self.key("sid", s));
            let sub_key = token.sub.as_deref().map(|s| self.key("sub", s));
            let ids: Vec<String> = match (&sid_key, &sub_key) {
                (Some(a), Some(b)) => conn.sinter(&[a, b]).await.map_err(err)?,
                (Some(k), None) | (None, Some(k)) => conn.smembers(k).await.map_err(err)?,
                (None, None) => Vec::new(),
            };
            let mut pipe = redis::pipe();
            for id in &ids {
                pipe.del(self.key("sess", id)).ignore();
                for k in [&sid_key, &sub_key].into_iter().flatten() {
                    pipe.srem(k, id).ignore();
                }
            }
            if !ids.is_empty() {
                pipe.query_async::<()>(&mut conn).await.map_err(err)?;
            }
            Ok(())
        }))
    }
}
