//! Single-flight token refresh.
//!
//! Concurrent requests of one session that need a refresh share one call to
//! the provider. The result is kept for a while, keyed by the refresh token it
//! redeemed: a request that still carries the old cookie (it raced the
//! refresh, or the response that carried the new cookie was streamed before
//! the refresh finished) gets the rotated tokens instead of redeeming a
//! now-invalid refresh token again. A caller that finds a completed result
//! unusable (expired, or older than a forced refresh allows) starts a new
//! flight under the same key.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::AccessTokenError;
use crate::server::oidc::TokenResponse;

/// Above this many remembered refreshes, completed ones are dropped early.
const SOFT_CAP: usize = 50_000;

/// The session a refresh was made for: its result is only ever handed to
/// requests of the same session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Owner {
    pub(crate) sub: String,
    pub(crate) sid: String,
    pub(crate) created_at: i64,
}

/// The outcome of one refresh.
#[derive(Debug)]
pub(crate) struct Refreshed {
    pub(crate) response: TokenResponse,
    /// Seconds since the epoch when the provider answered.
    pub(crate) at: i64,
    /// The session that asked.
    pub(crate) owner: Owner,
}

type Outcome = Result<Arc<Refreshed>, AccessTokenError>;

struct Entry {
    cell: tokio::sync::OnceCell<Outcome>,
    created: Instant,
}

/// Identifies one refresh: which refresh token, for which audience and scope.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RefreshKey([u8; 32]);

impl RefreshKey {
    pub(crate) fn new(refresh_token: &str, audience: Option<&str>, scope: Option<&str>) -> Self {
        let mut h = Sha256::new();
        h.update(refresh_token.as_bytes());
        h.update([0]);
        h.update(audience.unwrap_or("").as_bytes());
        h.update([0]);
        h.update(scope.unwrap_or("").as_bytes());
        Self(h.finalize().into())
    }
}

/// Process-wide registry of refreshes in flight and recently completed.
pub(crate) struct SingleFlight {
    entries: Mutex<HashMap<RefreshKey, Arc<Entry>>>,
    /// How long a completed refresh is remembered (the race window).
    retention: Duration,
}

impl SingleFlight {
    /// Completed refreshes are remembered for `retention`.
    pub(crate) fn new(retention: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            retention,
        }
    }

    /// Forgets every completed refresh whose owner `matches` (logout,
    /// revocation, back-channel logout): its tokens are never handed out again.
    pub(crate) fn forget(&self, matches: impl Fn(&Owner) -> bool) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, e| !matches!(e.cell.get(), Some(Ok(r)) if matches(&r.owner)));
    }

    /// Whether nothing is in flight or remembered (the common case: no lookup needed).
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.lock().map(|m| m.is_empty()).unwrap_or(true)
    }

    /// A refresh of `key` that already completed successfully, if remembered.
    pub(crate) fn completed(&self, key: RefreshKey) -> Option<Arc<Refreshed>> {
        let map = self.entries.lock().ok()?;
        let e = map.get(&key)?;
        if e.created.elapsed() > self.retention {
            return None;
        }
        match e.cell.get() {
            Some(Ok(r)) => Some(r.clone()),
            _ => None,
        }
    }

    /// Runs `refresh` unless a refresh of `key` is in flight (its outcome
    /// is shared) or completed with a result `accept` takes (returned as
    /// is). Failures are not remembered.
    pub(crate) async fn run<A, F, Fut>(&self, key: RefreshKey, accept: A, refresh: F) -> Outcome
    where
        A: Fn(&Refreshed) -> bool,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Refreshed, AccessTokenError>>,
    {
        let entry = {
            let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 64 {
                map.retain(|_, e| e.created.elapsed() <= self.retention);
            }
            if map.len() > SOFT_CAP {
                map.retain(|_, e| e.cell.get().is_none());
            }
            let reuse = map
                .get(&key)
                .filter(|e| {
                    e.created.elapsed() <= self.retention
                        && match e.cell.get() {
                            None => true,
                            Some(Ok(r)) => accept(r),
                            Some(Err(_)) => false,
                        }
                })
                .cloned();
            match reuse {
                // In flight (join it), or done and acceptable.
                Some(e) => e,
                // Absent, or completed and judged unusable by the caller: a new flight.
                None => {
                    let e = Arc::new(Entry {
                        cell: tokio::sync::OnceCell::new(),
                        created: Instant::now(),
                    });
                    map.insert(key, e.clone());
                    e
                }
            }
        };
        let outcome = entry
            .cell
            .get_or_init(|| async { refresh().await.map(Arc::new) })
            .await
            .clone();
        if outcome.is_err() {
            let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if map.get(&key).is_some_and(|e| Arc::ptr_eq(e, &entry)) {
                map.remove(&key);
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn refreshed(tag: &str) -> Refreshed {
        Refreshed {
            response: TokenResponse {
                access_token: tag.into(),
                id_token: None,
                refresh_token: None,
                expires_in: None,
                scope: None,
                token_type: None,
            },
            at: 0,
            owner: Owner {
                sub: "u".into(),
                sid: String::new(),
                created_at: 1,
            },
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let c = Arc::new(SingleFlight::new(Duration::from_secs(60)));
        let calls = Arc::new(AtomicUsize::new(0));
        let key = RefreshKey::new("rt", None, None);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let c = c.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                c.run(
                    key,
                    |_| true,
                    || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(refreshed("new"))
                    },
                )
                .await
            }));
        }
        for t in tasks {
            assert_eq!(
                t.await.unwrap().unwrap().response.access_token.secret(),
                "new"
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(c.completed(key).is_some());
    }

    #[tokio::test]
    async fn failures_are_not_remembered() {
        let c = SingleFlight::new(Duration::from_secs(60));
        let key = RefreshKey::new("rt", None, None);
        let err = c
            .run(
                key,
                |_| true,
                || async { Err(AccessTokenError::MissingSession) },
            )
            .await;
        assert!(err.is_err());
        assert!(c.completed(key).is_none());
        let ok = c.run(key, |_| true, || async { Ok(refreshed("x")) }).await;
        assert!(ok.is_ok());
    }

    #[tokio::test]
    async fn completed_refreshes_are_kept_for_the_window_and_forgotten_on_request() {
        let key = RefreshKey::new("rt", None, None);
        let c = SingleFlight::new(Duration::from_secs(60));
        c.run(key, |_| true, || async { Ok(refreshed("x")) })
            .await
            .unwrap();
        assert!(c.completed(key).is_some());
        c.forget(|o| o.sub == "someone-else");
        assert!(c.completed(key).is_some());
        c.forget(|o| o.sub == "u");
        assert!(c.completed(key).is_none(), "forgotten at logout");

        let short = SingleFlight::new(Duration::from_millis(10));
        short
            .run(key, |_| true, || async { Ok(refreshed("x")) })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(short.completed(key).is_none(), "past the race window");
    }
}
