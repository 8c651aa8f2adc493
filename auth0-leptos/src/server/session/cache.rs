//! A small cache of recently opened session cookies.
//!
//! A browser sends the same session cookie on every request until the cookie
//! changes, so the layer would decode base64, decrypt and parse the same
//! bytes again and again. Sealed cookies are immutable (a new seal has a new
//! random IV and tag), so the opened session can be reused: the entry is
//! found by the cookie's authentication tag and used only when the whole
//! cookie value is identical, and only until the cookie's `exp`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::server::crypto::jwe::CLOCK_TOLERANCE;
use crate::server::session::SessionData;

/// Entries kept at most; the cache is emptied when full (cheap, and a miss
/// only costs one decryption).
const CAPACITY: usize = 2048;

struct Entry {
    cookie: String,
    data: Arc<SessionData>,
    exp: i64,
}

#[derive(Default)]
pub(crate) struct OpenedCookies {
    map: RwLock<HashMap<String, Arc<Entry>>>,
}

/// The last segment of a compact JWE (the GCM tag).
fn tag(cookie: &str) -> Option<&str> {
    cookie
        .rsplit('.')
        .next()
        .filter(|t| !t.is_empty() && t.len() <= 32)
}

impl OpenedCookies {
    /// The session of `cookie` if it was opened before and has not expired.
    pub(crate) fn get(&self, cookie: &str, now: i64) -> Option<(Arc<SessionData>, i64)> {
        let key = tag(cookie)?;
        let map = self.map.read().ok()?;
        let e = map.get(key)?;
        (e.cookie == cookie && e.exp + CLOCK_TOLERANCE > now).then(|| (e.data.clone(), e.exp))
    }

    /// Remembers what `cookie` opened to.
    pub(crate) fn put(&self, cookie: String, data: &Arc<SessionData>, exp: i64) {
        let Some(key) = tag(&cookie).map(str::to_owned) else {
            return;
        };
        let Ok(mut map) = self.map.write() else {
            return;
        };
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            key,
            Arc::new(Entry {
                cookie,
                data: data.clone(),
                exp,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::session::TokenSet;
    use crate::User;

    fn data(sub: &str) -> SessionData {
        SessionData::new(
            User {
                sub: sub.into(),
                ..Default::default()
            },
            TokenSet::default(),
            None,
            1,
        )
    }

    #[test]
    fn hits_only_for_the_identical_unexpired_cookie() {
        let c = OpenedCookies::default();
        c.put("h..iv.ct.TAG".into(), &Arc::new(data("a")), 1_000);
        assert_eq!(c.get("h..iv.ct.TAG", 900).unwrap().0.user.sub, "a");
        // Same tag, different ciphertext: not a hit.
        assert!(c.get("h..iv.forged.TAG", 900).is_none());
        assert!(c.get("h..iv.ct.TAG", 1_015).is_none(), "expired");
        assert!(c.get("garbage", 0).is_none());
    }
}
