//! The state of one request's session: where it came from ([`Loaded`]) and
//! what the request did to it ([`Change`]). Impossible combinations (a
//! store id on a cookie session, a login that is also a logout) cannot be
//! written down.

use std::sync::Arc;

use crate::server::session::SessionData;

/// Where the request's session came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// No session cookie, or one that does not open or has expired.
    Nothing,
    /// A session cookie that opened; `exp` is the cookie's `exp`.
    Cookie { exp: i64 },
    /// A store record named by the cookie's id.
    Store { id: String, exp: i64 },
    /// The cookie names a store record that no longer exists (logout
    /// elsewhere, back-channel logout, expiry): the cookie must go.
    StoreGone { id: String },
    /// The store could not be asked; the cookie is kept for later.
    StoreUnavailable,
}

impl Loaded {
    /// The `exp` of the cookie the session was loaded from.
    pub(crate) fn cookie_exp(&self) -> Option<i64> {
        match self {
            Self::Cookie { exp } | Self::Store { exp, .. } => Some(*exp),
            _ => None,
        }
    }

    /// The store record this request's cookie names.
    pub(crate) fn store_id(&self) -> Option<&str> {
        match self {
            Self::Store { id, .. } | Self::StoreGone { id } => Some(id),
            _ => None,
        }
    }
}

/// What the request did to its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing (a rolling session may still be re-issued).
    Unchanged,
    /// The data changed (update, token refresh): write it back.
    Modified,
    /// A login replaced the session wholesale (a store gives it a new id).
    Replaced,
    /// The session ended: delete it.
    Cleared,
}

/// One request's session.
#[derive(Debug)]
pub(crate) struct SessionState {
    loaded: Loaded,
    data: Option<Arc<SessionData>>,
    change: Change,
}

impl SessionState {
    /// The state right after loading.
    pub(crate) fn new(loaded: Loaded, data: Option<Arc<SessionData>>) -> Self {
        let change = if matches!(loaded, Loaded::StoreGone { .. }) {
            Change::Cleared
        } else {
            Change::Unchanged
        };
        Self {
            loaded,
            data,
            change,
        }
    }

    pub(crate) fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    pub(crate) fn data(&self) -> Option<&Arc<SessionData>> {
        self.data.as_ref()
    }

    pub(crate) fn change(&self) -> Change {
        self.change
    }

    /// Applies `f` to the data (copying it only if it is shared) and marks
    /// it modified. False when nobody is logged in.
    pub(crate) fn modify(&mut self, f: impl FnOnce(&mut SessionData)) -> bool {
        let Some(data) = self.data.as_mut() else {
            return false;
        };
        f(Arc::make_mut(data));
        if self.change == Change::Unchanged {
            self.change = Change::Modified;
        }
        true
    }

    /// Tokens this process already rotated for the session were taken over:
    /// `data` replaces the loaded data and is written back (not a login).
    pub(crate) fn adopt(&mut self, data: SessionData) {
        if self.data.is_none() {
            return;
        }
        self.data = Some(Arc::new(data));
        if self.change == Change::Unchanged {
            self.change = Change::Modified;
        }
    }

    /// A login: the new session replaces whatever was there.
    pub(crate) fn replace(&mut self, data: SessionData) {
        self.data = Some(Arc::new(data));
        self.change = Change::Replaced;
    }

    /// A logout: the session ends.
    pub(crate) fn clear(&mut self) {
        self.data = None;
        self.change = Change::Cleared;
    }

    /// A logout whose store record was already deleted: the session ends
    /// and nothing is left to delete on the way out (only the cookie).
    pub(crate) fn cleared_in_store(&mut self) {
        if let Loaded::Store { id, .. } = &self.loaded {
            self.loaded = Loaded::StoreGone { id: id.clone() };
        }
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::session::TokenSet;
    use crate::User;

    fn data() -> SessionData {
        SessionData::new(User::default(), TokenSet::default(), None, 1)
    }

    #[test]
    fn transitions() {
        let mut s = SessionState::new(Loaded::Nothing, None);
        assert!(!s.modify(|_| {}));
        assert_eq!(s.change(), Change::Unchanged);
        s.replace(data());
        assert!(s.modify(|d| d.internal.sid = "x".into()));
        assert_eq!(
            s.change(),
            Change::Replaced,
            "a modified login is still a login"
        );
        s.clear();
        assert!(s.data().is_none());
        assert_eq!(s.change(), Change::Cleared);
        let mut adopted = SessionState::new(Loaded::Cookie { exp: 10 }, Some(Arc::new(data())));
        adopted.adopt(data());
        assert_eq!(
            adopted.change(),
            Change::Modified,
            "adopted tokens are written back"
        );
        let gone = SessionState::new(Loaded::StoreGone { id: "i".into() }, None);
        assert_eq!(gone.change(), Change::Cleared);
        let mut deleted = SessionState::new(
            Loaded::Store {
                id: "i".into(),
                exp: 1,
            },
            Some(Arc::new(data())),
        );
        deleted.cleared_in_store();
        assert_eq!(deleted.loaded(), &Loaded::StoreGone { id: "i".into() });
        assert!(deleted.data().is_none());
        assert_eq!(deleted.change(), Change::Cleared);
    }

    #[test]
    fn modifying_shared_data_copies_it() {
        let shared = Arc::new(data());
        let mut s = SessionState::new(Loaded::Cookie { exp: 10 }, Some(shared.clone()));
        s.modify(|d| d.internal.sid = "new".into());
        assert_eq!(shared.internal.sid, "");
        assert_eq!(s.data().unwrap().internal.sid, "new");
        assert_eq!(s.change(), Change::Modified);
    }
}
