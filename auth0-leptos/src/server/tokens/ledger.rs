//! What this process refreshed, and one refresh at a time per session.
//!
//! A session has one refresh token, and the provider may rotate it on every
//! use: redeeming it twice (two requests that each need a refresh, or two
//! audiences refreshed at once) looks like theft and revokes the grant. So
//! the refreshes of one session run one after the other (its *lane*), and
//! each result is remembered for the race window:
//!
//! - by `(refresh token redeemed, audience, scope)`: a request that waited
//!   in the lane for the same token takes the result instead of calling the
//!   provider again (single flight);
//! - by the refresh token it rotated away: a request that still carries the
//!   old cookie (it raced the refresh, or the response that carried the new
//!   cookie was already streamed) follows the rotation to the newest refresh
//!   token, whichever audience the rotating refresh was for.
//!
//! Results are only handed to requests of the session that made them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::server::oidc::TokenResponse;

/// Above this many remembered refreshes, the oldest are dropped early.
const SOFT_CAP: usize = 50_000;
/// Sweep expired entries once the maps hold more than this.
const SWEEP_ABOVE: usize = 64;

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
    /// The audience asked for; `None` for the login's token set.
    pub(crate) audience: Option<String>,
    /// The scope asked for, if any.
    pub(crate) scope: Option<String>,
    /// The access token is for another audience than asked for: only the
    /// refresh token of this result is kept.
    pub(crate) wrong_audience: bool,
}

/// A refresh token, hashed (the ledger never keeps one in the clear as a key).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct TokenHash([u8; 32]);

impl TokenHash {
    fn of(refresh_token: &str) -> Self {
        Self(Sha256::digest(refresh_token.as_bytes()).into())
    }
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

struct Kept {
    done: Arc<Refreshed>,
    at: Instant,
}

#[derive(Default)]
struct Results {
    by_key: HashMap<RefreshKey, Kept>,
    rotations: HashMap<TokenHash, Kept>,
}

/// A session's turn to refresh; the next one waits until this is dropped.
pub(crate) struct LaneGuard<'a> {
    ledger: &'a Ledger,
    owner: Owner,
    lane: Arc<tokio::sync::Mutex<()>>,
    turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for LaneGuard<'_> {
    fn drop(&mut self) {
        // End the turn first (the guard holds a reference to the lane too).
        self.turn.take();
        let mut lanes = self.ledger.lanes.lock().unwrap_or_else(|p| p.into_inner());
        // The map's reference and ours: nobody else waits, the lane can go.
        if Arc::strong_count(&self.lane) == 2 {
            lanes.remove(&self.owner);
        }
    }
}

/// Process-wide memory of refreshes, and the lanes that serialize them.
pub(crate) struct Ledger {
    lanes: Mutex<HashMap<Owner, Arc<tokio::sync::Mutex<()>>>>,
    results: Mutex<Results>,
    /// How long a completed refresh is remembered (the race window).
    retention: Duration,
}

impl Ledger {
    /// Completed refreshes are remembered for `retention`.
    pub(crate) fn new(retention: Duration) -> Self {
        Self {
            lanes: Mutex::new(HashMap::new()),
            results: Mutex::new(Results::default()),
            retention,
        }
    }

    fn results(&self) -> std::sync::MutexGuard<'_, Results> {
        self.results.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for `owner`'s turn to refresh.
    pub(crate) async fn lane(&self, owner: &Owner) -> LaneGuard<'_> {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
            lanes.entry(owner.clone()).or_default().clone()
        };
        let turn = lane.clone().lock_owned().await;
        LaneGuard {
            ledger: self,
            owner: owner.clone(),
            lane,
            turn: Some(turn),
        }
    }

    /// Whether nothing is remembered (the common case: no lookup needed).
    pub(crate) fn is_empty(&self) -> bool {
        let r = self.results();
        r.by_key.is_empty() && r.rotations.is_empty()
    }

    /// Remembers a refresh that redeemed `redeemed` under `key`.
    pub(crate) fn record(&self, redeemed: &str, key: RefreshKey, done: Arc<Refreshed>) {
        let now = Instant::now();
        let mut r = self.results();
        let retention = self.retention;
        if r.by_key.len() > SWEEP_ABOVE || r.rotations.len() > SWEEP_ABOVE {
            r.by_key.retain(|_, k| k.at.elapsed() <= retention);
            r.rotations.retain(|_, k| k.at.elapsed() <= retention);
        }
        if r.by_key.len() > SOFT_CAP {
            r.by_key.clear();
        }
        if r.rotations.len() > SOFT_CAP {
            r.rotations.clear();
        }
        let rotated = done
            .response
            .refresh_token
            .as_ref()
            .is_some_and(|next| next.secret() != redeemed);
        if rotated {
            r.rotations.insert(
                TokenHash::of(redeemed),
                Kept {
                    done: done.clone(),
                    at: now,
                },
            );
        }
        r.by_key.insert(key, Kept { done, at: now });
    }

    /// A refresh of `key` that completed within the race window.
    pub(crate) fn completed(&self, key: RefreshKey) -> Option<Arc<Refreshed>> {
        let r = self.results();
        let k = r.by_key.get(&key)?;
        (k.at.elapsed() <= self.retention).then(|| k.done.clone())
    }

    /// The refresh that rotated `refresh_token` away, within the race window.
    pub(crate) fn rotated(&self, refresh_token: &str) -> Option<Arc<Refreshed>> {
        let r = self.results();
        let k = r.rotations.get(&TokenHash::of(refresh_token))?;
        (k.at.elapsed() <= self.retention).then(|| k.done.clone())
    }

    /// Forgets every refresh whose owner `matches` (logout, revocation,
    /// back-channel logout): its tokens are never handed out again.
    pub(crate) fn forget(&self, matches: impl Fn(&Owner) -> bool) {
        let mut r = self.results();
        r.by_key.retain(|_, k| !matches(&k.done.owner));
        r.rotations.retain(|_, k| !matches(&k.done.owner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn owner(sub: &str) -> Owner {
        Owner {
            sub: sub.into(),
            sid: String::new(),
            created_at: 1,
        }
    }

    fn refreshed(access: &str, next_rt: Option<&str>) -> Arc<Refreshed> {
        Arc::new(Refreshed {
            response: TokenResponse {
                access_token: access.into(),
                id_token: None,
                refresh_token: next_rt.map(Into::into),
                expires_in: None,
                scope: None,
                token_type: None,
                issued_token_type: None,
                recovery_code: None,
            },
            at: 0,
            owner: owner("u"),
            audience: None,
            scope: None,
            wrong_audience: false,
        })
    }

    #[tokio::test]
    async fn one_refresh_at_a_time_per_session() {
        let ledger = Arc::new(Ledger::new(Duration::from_secs(60)));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (ledger, inside, most) = (ledger.clone(), inside.clone(), most.clone());
            let who = if i % 2 == 0 { "u" } else { "v" };
            tasks.push(tokio::spawn(async move {
                let _turn = ledger.lane(&owner(who)).await;
                let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            2,
            "two sessions, one turn each"
        );
        assert!(
            ledger.lanes.lock().unwrap().is_empty(),
            "idle lanes are dropped"
        );
    }

    #[test]
    fn results_are_found_by_key_and_by_rotation_within_the_window() {
        let ledger = Ledger::new(Duration::from_secs(60));
        assert!(ledger.is_empty());
        let key = RefreshKey::new("rt1", Some("https://a/"), None);
        ledger.record("rt1", key, refreshed("at", Some("rt2")));
        assert!(ledger.completed(key).is_some());
        assert!(ledger
            .completed(RefreshKey::new("rt1", Some("https://b/"), None))
            .is_none());
        let step = ledger.rotated("rt1").expect("rt1 was rotated away");
        assert_eq!(
            step.response.refresh_token.as_ref().unwrap().secret(),
            "rt2"
        );
        assert!(ledger.rotated("rt2").is_none());

        // No rotation, no rotation entry.
        let key = RefreshKey::new("rt9", None, None);
        ledger.record("rt9", key, refreshed("at", Some("rt9")));
        assert!(ledger.rotated("rt9").is_none());

        ledger.forget(|o| o.sub == "someone-else");
        assert!(ledger.rotated("rt1").is_some());
        ledger.forget(|o| o.sub == "u");
        assert!(ledger.rotated("rt1").is_none(), "forgotten at logout");
        assert!(ledger.is_empty());

        let short = Ledger::new(Duration::from_millis(10));
        short.record("rt1", key, refreshed("at", Some("rt2")));
        std::thread::sleep(Duration::from_millis(30));
        assert!(short.completed(key).is_none(), "past the race window");
        assert!(short.rotated("rt1").is_none());
    }
}
