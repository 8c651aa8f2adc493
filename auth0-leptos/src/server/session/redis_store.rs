//! Sessions in Redis (feature `redis`).
//!
//! Keys (under a prefix, default `auth0:`): `sess:{id}` holds the session
//! JSON with a TTL equal to the session's remaining lifetime; `sid:{sid}` and
//! `sub:{sub}` are sets of session ids (indexes for back-channel logout, so
//! no key scan is ever needed), with the TTL of their longest session; a
//! deleted session's id leaves them. `jti:{jti}` records a
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

    /// Deletes the record `id` (whose JSON was `raw`) and removes `id` from
    /// its `sid:` / `sub:` index sets (and from `also`, the index it was
    /// found through), so the sets do not grow with every login; a set that
    /// still has members keeps its TTL.
    fn delete_cmds(
        &self,
        pipe: &mut redis::Pipeline,
        id: &str,
        raw: Option<&str>,
        also: Option<&str>,
    ) {
        pipe.del(self.key("sess", id)).ignore();
        if let Some(d) = raw.and_then(|j| serde_json::from_str::<SessionData>(j).ok()) {
            for (kind, v) in [("sid", &d.internal.sid), ("sub", &d.user.sub)] {
                if !v.is_empty() {
                    pipe.srem(self.key(kind, v), id).ignore();
                }
            }
        }
        if let Some(k) = also {
            pipe.srem(k, id).ignore();
        }
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
            let raw: Option<String> = conn.get(self.key("sess", id)).await.map_err(err)?;
            let mut pipe = redis::pipe();
            pipe.atomic();
            self.delete_cmds(&mut pipe, id, raw.as_deref(), None);
            pipe.query_async::<()>(&mut conn).await.map_err(err)
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
            // Candidates from an index (the user's, when `sub` is given: a
            // session without sid is only in that one), then the rule on
            // each record.
            let index = match (&token.sid, &token.sub) {
                (_, Some(sub)) => self.key("sub", sub),
                (Some(sid), None) => self.key("sid", sid),
                (None, None) => return Ok(()),
            };
            let mut conn = self.conn.clone();
            let ids: Vec<String> = conn.smembers(&index).await.map_err(err)?;
            if ids.is_empty() {
                return Ok(());
            }
            let keys: Vec<String> = ids.iter().map(|id| self.key("sess", id)).collect();
            let raws: Vec<Option<String>> = redis::cmd("MGET")
                .arg(&keys)
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            let mut pipe = redis::pipe();
            pipe.atomic();
            for (id, raw) in ids.iter().zip(&raws) {
                let parsed = raw
                    .as_deref()
                    .and_then(|j| serde_json::from_str::<SessionData>(j).ok());
                match parsed {
                    Some(d) if !token.matches(&d.internal.sid, &d.user.sub) => {}
                    // A match, an expired record (a stale index entry) or
                    // one that is not a session.
                    _ => self.delete_cmds(&mut pipe, id, raw.as_deref(), Some(&index)),
                }
            }
            pipe.query_async::<()>(&mut conn).await.map_err(err)
        }))
    }
}
