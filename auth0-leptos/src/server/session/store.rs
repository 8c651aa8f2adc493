//! Stateful sessions: a [`SessionStore`] keeps the session data; the cookie
//! carries only an encrypted session id.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::server::session::SessionData;

/// The future a store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What kind of failure a [`StoreError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store could not be reached or timed out.
    Unavailable,
    /// The store answered, but with data that is not a session.
    Corrupt,
}

/// A session store failed. Requests that need the session get a 503
/// (`session_store_unavailable`); pages that do not need one keep working.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StoreError {
    /// The store could not be reached (connection refused, timeout, ...).
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            kind: StoreErrorKind::Unavailable,
            source: source.into(),
        }
    }

    /// The store answered with something that is not a session.
    pub fn corrupt(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            kind: StoreErrorKind::Corrupt,
            source: source.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The stable code (`session_store_unavailable`).
    pub fn code(&self) -> &'static str {
        "session_store_unavailable"
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            StoreErrorKind::Unavailable => "unavailable",
            StoreErrorKind::Corrupt => "returned corrupt data",
        };
        write!(
            f,
            "session_store_unavailable: the session store {what}: {}",
            self.source
        )
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// The claims of a verified back-channel logout token that identify what to end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogoutToken {
    /// The provider's session id (`sid`), when present.
    pub sid: Option<String>,
    /// The user (`sub`), when present.
    pub sub: Option<String>,
}

impl LogoutToken {
    /// Whether this token ends a session of user `session_sub` in provider
    /// session `session_sid` (empty when none was recorded): with `sid`
    /// only, the sessions of that provider session; with `sub` only, every
    /// session of that user; with both, that user's sessions in that
    /// provider session and that user's sessions without a recorded `sid`
    /// (only `sub` can name those).
    pub fn matches(&self, session_sid: &str, session_sub: &str) -> bool {
        match (&self.sid, &self.sub) {
            (Some(sid), None) => !sid.is_empty() && session_sid == sid,
            (None, Some(sub)) => !sub.is_empty() && session_sub == sub,
            (Some(sid), Some(sub)) => {
                !sub.is_empty()
                    && session_sub == sub
                    && (session_sid.is_empty() || session_sid == sid)
            }
            (None, None) => false,
        }
    }
}

/// Where stateful sessions live. Implement it for any database; the
/// in-memory [`MemoryStore`](crate::server::MemoryStore) and (feature `redis`) `RedisStore` ship with
/// the crate.
///
/// Ids are 256-bit random strings made by the SDK; every login gets a new
/// one. Records must expire on their own after `ttl`.
pub trait SessionStore: Send + Sync + 'static {
    /// The session stored under `id`.
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionData>>;

    /// Stores (creates or replaces) the session under `id` for `ttl`.
    fn set<'a>(&'a self, id: &'a str, data: &'a SessionData, ttl: Duration) -> StoreFuture<'a, ()>;

    /// Replaces the session under `id` only if it still exists, so a rolling
    /// write never brings back a session deleted meanwhile (by logout or
    /// back-channel logout). Returns whether it existed.
    fn update<'a>(
        &'a self,
        id: &'a str,
        data: &'a SessionData,
        ttl: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Deletes the session under `id`.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;

    /// Whether [`Self::delete_by_logout_token`] is implemented, i.e. whether
    /// `POST /auth/backchannel-logout` can end sessions of this store.
    /// Default: `false` (the route answers 500 `backchannel_logout_unsupported`);
    /// a store that implements `delete_by_logout_token` returns `true`.
    fn supports_back_channel_logout(&self) -> bool {
        false
    }

    /// Deletes the sessions a verified logout token names (see
    /// [`LogoutToken::matches`]): with `sid`, the sessions of that provider
    /// session (of that user, when `sub` is also given, plus that user's
    /// sessions that have no `sid` recorded); with `sub` alone, every session
    /// of that user. Deleting what is already gone is not an error.
    /// `None` when the store does not support back-channel logout.
    fn delete_by_logout_token<'a>(&'a self, token: &'a LogoutToken) -> Option<StoreFuture<'a, ()>> {
        let _ = token;
        None
    }

    /// Whether the back-channel logout token `jti` was recorded by
    /// [`Self::remember_logout_token`] and has not expired.
    ///
    /// `None` (the default): the store keeps no such record and the SDK
    /// remembers used tokens in this process only, so an instance does not
    /// know the tokens another one accepted. A store shared by several
    /// instances implements this and [`Self::remember_logout_token`].
    fn logout_token_seen<'a>(&'a self, jti: &'a str) -> Option<StoreFuture<'a, bool>> {
        let _ = jti;
        None
    }

    /// Records that the back-channel logout token `jti` was used, for `ttl`
    /// (as long as the token could be accepted). Atomic: `true` for the
    /// first use, `false` when it was already recorded and has not expired.
    /// Called only after the token's sessions were deleted, so a token whose
    /// deletion failed can be retried by the provider.
    ///
    /// `None` (the default): see [`Self::logout_token_seen`].
    fn remember_logout_token<'a>(
        &'a self,
        jti: &'a str,
        ttl: Duration,
    ) -> Option<StoreFuture<'a, bool>> {
        let _ = (jti, ttl);
        None
    }
}
