//! How sessions are loaded and persisted: one [`Backend`] per mode
//! (the whole session in the cookie, or an id in the cookie and the data in
//! a [`SessionStore`](crate::server::SessionStore)). The layer decides
//! *what* happened to the session; the backend decides how that is stored.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::server::engine::Engine;
use crate::server::session::state::{Change, Loaded, SessionState};
use crate::server::session::SessionData;

/// A boxed, owned future.
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The outcome of loading: at once (cookie sessions), or after asking a store.
pub(crate) enum Loading {
    Ready(SessionState),
    Pending(BoxFuture<SessionState>),
}

/// What the layer decided at the end of a request.
pub(crate) struct Plan {
    /// What to do (never `Unchanged` when the rolling interval passed).
    pub(crate) change: Change,
    /// The data to write (for `Modified` / `Replaced`).
    pub(crate) data: Option<Arc<SessionData>>,
    /// When the written session expires.
    pub(crate) exp: i64,
    /// Where the session came from (the store id to update or delete).
    pub(crate) loaded: Loaded,
    /// Whether the request carried a session cookie (or chunks of one).
    pub(crate) had_cookie: bool,
    /// The time `exp` was computed at.
    pub(crate) now: i64,
}

/// What to do with the session cookie.
pub(crate) enum CookieWrite {
    /// Leave it as it is.
    Keep,
    /// Write `value`, valid until `exp`.
    Write { value: String, exp: i64 },
    /// Delete it and its chunks.
    Delete,
}

impl CookieWrite {
    /// Delete the cookie, if the request had one.
    pub(crate) fn delete_if(had_cookie: bool) -> Self {
        if had_cookie {
            Self::Delete
        } else {
            Self::Keep
        }
    }
}

/// One way of keeping sessions.
pub(crate) trait Backend: Send + Sync + 'static {
    /// Loads the session named by `cookie` (the session cookie's value,
    /// chunks joined).
    fn load(&self, engine: &Engine, cookie: Option<&str>, now: i64) -> Loading;

    /// Persists what the request did.
    fn persist(&self, engine: &Engine, plan: Plan) -> BoxFuture<CookieWrite>;
}
