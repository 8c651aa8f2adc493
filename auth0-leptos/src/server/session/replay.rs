//! `jti`s of accepted back-channel logout tokens, kept until the token
//! would expire, so a replayed token is refused. This process's own record;
//! a store that implements `remember_logout_token` shares it between
//! instances.

use std::collections::HashMap;
use std::sync::Mutex;

/// Entries above which expired ones are swept on insert.
const SWEEP_ABOVE: usize = 1024;

#[derive(Default)]
pub(crate) struct SeenLogoutTokens(Mutex<HashMap<String, i64>>);

impl SeenLogoutTokens {
    /// Whether `jti` was recorded and has not expired.
    pub(crate) fn seen(&self, jti: &str, now: i64) -> bool {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(jti).is_some_and(|t| *t > now)
    }

    /// Records `jti` until `until`; false when it was seen before and has not expired.
    pub(crate) fn first_use(&self, jti: &str, until: i64, now: i64) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > SWEEP_ABOVE {
            m.retain(|_, t| *t > now);
        }
        match m.get(jti) {
            Some(t) if *t > now => false,
            _ => {
                m.insert(jti.to_owned(), until);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_is_accepted_once_until_it_expires() {
        let seen = SeenLogoutTokens::default();
        assert!(!seen.seen("a", 0));
        assert!(seen.first_use("a", 100, 0));
        assert!(seen.seen("a", 50));
        assert!(!seen.first_use("a", 100, 50));
        assert!(!seen.seen("a", 100));
        assert!(seen.first_use("a", 200, 100));
    }
}
