//! Bounds on what one session can make the provider do: a failed refresh
//! is remembered briefly (the same request again gets the same answer
//! without a provider call), and a session may ask for only so many
//! distinct audience / scope refreshes per minute.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AccessTokenError;

use super::ledger::{Owner, RefreshKey};

/// How long a failed refresh is answered from memory.
const FAILURE_MEMORY: Duration = Duration::from_secs(5);
/// The window of the per-session refresh budget.
const WINDOW: Duration = Duration::from_secs(60);
/// Distinct audience / scope refreshes one session may make per window.
pub(crate) const DISTINCT_REFRESHES_PER_WINDOW: usize = 8;
/// Entries above which old ones are swept.
const SWEEP_ABOVE: usize = 4096;

#[derive(Default)]
pub(crate) struct RefreshBudget {
    failures: Mutex<HashMap<(Owner, RefreshKey), (Instant, AccessTokenError)>>,
    sessions: Mutex<HashMap<Owner, (Instant, HashSet<RefreshKey>)>>,
}

impl RefreshBudget {
    /// The remembered failure of `key` for `owner`, if it failed moments ago.
    pub(crate) fn recent_failure(
        &self,
        owner: &Owner,
        key: RefreshKey,
    ) -> Option<AccessTokenError> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(owner.clone(), key))
            .filter(|(at, _)| at.elapsed() < FAILURE_MEMORY)
            .map(|(_, e)| e.clone())
    }

    /// Remembers that `key` failed for `owner`.
    pub(crate) fn failed(&self, owner: &Owner, key: RefreshKey, error: &AccessTokenError) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (at, _)| at.elapsed() < FAILURE_MEMORY);
        }
        map.insert((owner.clone(), key), (Instant::now(), error.clone()));
    }

    /// Whether `owner` may refresh `key` now: the same key again always
    /// may; a new one only while the session is under its budget.
    pub(crate) fn admit(&self, owner: &Owner, key: RefreshKey) -> bool {
        let mut map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (start, _)| start.elapsed() < WINDOW);
        }
        let entry = map
            .entry(owner.clone())
            .or_insert_with(|| (Instant::now(), HashSet::new()));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), HashSet::new());
        }
        if entry.1.contains(&key) {
            return true;
        }
        if entry.1.len() >= DISTINCT_REFRESHES_PER_WINDOW {
            return false;
        }
        entry.1.insert(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            sub: "u".into(),
            sid: String::new(),
            created_at: 1,
        }
    }

    #[test]
    fn a_session_gets_a_bounded_number_of_distinct_refreshes() {
        let b = RefreshBudget::default();
        for i in 0..DISTINCT_REFRESHES_PER_WINDOW {
            assert!(b.admit(&owner(), RefreshKey::new("rt", None, Some(&i.to_string()))));
        }
        assert!(!b.admit(&owner(), RefreshKey::new("rt", None, Some("one more"))));
        assert!(
            b.admit(&owner(), RefreshKey::new("rt", None, Some("0"))),
            "seen before"
        );
        let other = Owner {
            sub: "v".into(),
            ..owner()
        };
        assert!(b.admit(&other, RefreshKey::new("rt", None, Some("x"))));
    }

    #[test]
    fn failures_are_remembered_briefly() {
        let b = RefreshBudget::default();
        let key = RefreshKey::new("rt", None, None);
        assert!(b.recent_failure(&owner(), key).is_none());
        b.failed(
            &owner(),
            key,
            &AccessTokenError::FailedToRefreshToken { cause: None },
        );
        assert!(b.recent_failure(&owner(), key).is_some());
    }
}
