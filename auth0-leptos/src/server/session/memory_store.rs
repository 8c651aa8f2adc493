//! [`MemoryStore`]: stateful sessions in this process's memory, with
//! `sid` / `sub` indexes for back-channel logout.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::server::session::store::{LogoutToken, SessionStore, StoreFuture};
use crate::server::session::SessionData;

struct Record {
    data: SessionData,
    expires: Instant,
}

#[derive(Default)]
struct MemoryState {
    sessions: HashMap<String, Record>,
    by_sid: HashMap<String, HashSet<String>>,
    by_sub: HashMap<String, HashSet<String>>,
    /// Used back-channel logout tokens (`jti`) and when their record expires.
    used_jtis: HashMap<String, Instant>,
}

impl MemoryState {
    fn index(&mut self, id: &str, data: &SessionData) {
        if !data.internal.sid.is_empty() {
            self.by_sid
                .entry(data.internal.sid.clone())
                .or_default()
                .insert(id.to_owned());
        }
        if !data.user.sub.is_empty() {
            self.by_sub
                .entry(data.user.sub.clone())
                .or_default()
                .insert(id.to_owned());
        }
    }

    fn remove(&mut self, id: &str) {
        if let Some(r) = self.sessions.remove(id) {
            for (map, key) in [
                (&mut self.by_sid, &r.data.internal.sid),
                (&mut self.by_sub, &r.data.user.sub),
            ] {
                if let Some(set) = map.get_mut(key) {
                    set.remove(id);
                    if set.is_empty() {
                        map.remove(key);
                    }
                }
            }
        }
    }

    /// Replaces the record under `id`, indexes included.
    fn put(&mut self, id: &str, data: &SessionData, ttl: Duration) {
        self.remove(id);
        self.sessions.insert(
            id.to_owned(),
            Record {
                data: data.clone(),
                expires: Instant::now() + ttl,
            },
        );
        self.index(id, data);
    }

    fn sweep(&mut self) {
        let now = Instant::now();
        let expired: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, r)| r.expires <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for id in expired {
            self.remove(&id);
        }
        self.used_jtis.retain(|_, until| *until > now);
    }

    fn jti_seen(&self, jti: &str) -> bool {
        self.used_jtis
            .get(jti)
            .is_some_and(|until| *until > Instant::now())
    }
}

/// Sessions in this process's memory, indexed by `sid` and `sub` (for
/// development, tests and single-instance apps; they are lost on restart).
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<MemoryState>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many live sessions it holds.
    pub fn len(&self) -> usize {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.sweep();
        s.sessions.len()
    }

    /// Whether it holds no live session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SessionStore for MemoryStore {
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionData>> {
        Box::pin(async move {
            let s = self.lock();
            Ok(s.sessions
                .get(id)
                .filter(|r| r.expires > Instant::now())
                .map(|r| r.data.clone()))
        })
    }

    fn set<'a>(&'a self, id: &'a str, data: &'a SessionData, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut s = self.lock();
            if s.sessions.len() % 256 == 255 {
                s.sweep();
            }
            s.put(id, data, ttl);
            Ok(())
        })
    }

    fn update<'a>(
        &'a self,
        id: &'a str,
        data: &'a SessionData,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut s = self.lock();
            let live = s
                .sessions
                .get(id)
                .is_some_and(|r| r.expires > Instant::now());
            if live {
                s.put(id, data, ttl);
            } else {
                s.remove(id);
            }
            Ok(live)
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.lock().remove(id);
            Ok(())
        })
    }

    fn supports_back_channel_logout(&self) -> bool {
        true
    }

    fn logout_token_seen<'a>(&'a self, jti: &'a str) -> Option<StoreFuture<'a, bool>> {
        Some(Box::pin(async move { Ok(self.lock().jti_seen(jti)) }))
    }

    fn remember_logout_token<'a>(
        &'a self,
        jti: &'a str,
        ttl: Duration,
    ) -> Option<StoreFuture<'a, bool>> {
        Some(Box::pin(async move {
            let mut s = self.lock();
            if s.used_jtis.len() % 256 == 255 {
                s.sweep();
            }
            if s.jti_seen(jti) {
                return Ok(false);
            }
            s.used_jtis.insert(jti.to_owned(), Instant::now() + ttl);
            Ok(true)
        }))
    }

    fn delete_by_logout_token<'a>(&'a self, token: &'a LogoutToken) -> Option<StoreFuture<'a, ()>> {
        Some(Box::pin(async move {
            let mut s = self.lock();
            // Candidates from an index, then the rule on each record.
            let index = match (&token.sid, &token.sub) {
                (_, Some(sub)) => s.by_sub.get(sub),
                (Some(sid), None) => s.by_sid.get(sid),
                (None, None) => None,
            };
            let ids: Vec<String> = index
                .into_iter()
                .flatten()
                .filter(|id| {
                    s.sessions
                        .get(*id)
                        .is_some_and(|r| token.matches(&r.data.internal.sid, &r.data.user.sub))
                })
                .cloned()
                .collect();
            for id in ids {
                s.remove(&id);
            }
            Ok(())
        }))
    }
}
