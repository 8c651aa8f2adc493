//! The per-request session handle.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderValue, CACHE_CONTROL, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, StatusCode};

use crate::server::client::Auth0;
use crate::server::cookies::{self, CookieAttrs, RequestCookies, SetCookie};
use crate::server::error::AccessTokenError;
use crate::server::session::SessionData;
use crate::server::time::now;
use crate::server::tokens::{AccessToken, AccessTokenOptions};
use crate::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    None,
    Write,
    Delete,
}

struct CellState {
    session: Option<SessionData>,
    /// `exp` of the session cookie the request carried.
    cookie_exp: Option<i64>,
    change: Change,
    /// Cookies other than the session's (transaction cookies).
    extra: Vec<SetCookie>,
    /// With a session store: the id of the record this request loaded.
    store_id: Option<String>,
    /// A login replaced the session (a store gives it a new id).
    fresh: bool,
    /// The session store failed while loading this request's session.
    store_error: bool,
}

/// Shared state of one request's session.
pub(crate) struct SessionCell {
    state: Mutex<CellState>,
    pub(crate) cookies: RequestCookies,
    /// Whether cookies written for this request get `Secure`.
    pub(crate) secure: bool,
    /// The app's base URL for this request (`None`: the request's origin is
    /// not allowed or cannot be inferred).
    pub(crate) base_url: Option<url::Url>,
}

impl SessionCell {
    fn lock(&self) -> MutexGuard<'_, CellState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The session of the current request.
///
/// The [`Auth0Layer`](crate::server::Auth0Layer) decrypts the session cookie
/// once and puts this handle into the request's extensions; `/auth/*`
/// handlers, Leptos pages and server functions all read and change the same
/// handle, and the layer writes the resulting `Set-Cookie` once, on the way
/// out. It is an axum extractor:
///
/// ```
/// use auth0_leptos::server::Auth0Session;
///
/// async fn hello(session: Auth0Session) -> String {
///     match session.user() {
///         Some(user) => format!("Hello, {}", user.display_name()),
///         None => "Hello, stranger".into(),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Auth0Session {
    pub(crate) cell: Arc<SessionCell>,
    pub(crate) auth0: Auth0,
}

impl std::fmt::Debug for Auth0Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.cell.lock();
        f.debug_struct("Auth0Session")
            .field("authenticated", &s.session.is_some())
            .field("change", &s.change)
            .finish_non_exhaustive()
    }
}

impl Auth0Session {
    pub(crate) fn new(
        auth0: Auth0,
        cookies: RequestCookies,
        secure: bool,
        base_url: Option<url::Url>,
        session: Option<(SessionData, i64)>,
    ) -> Self {
        let (session, cookie_exp) = match session {
            Some((s, exp)) => (Some(s), Some(exp)),
            None => (None, None),
        };
        Self {
            cell: Arc::new(SessionCell {
                state: Mutex::new(CellState {
                    session,
                    cookie_exp,
                    change: Change::None,
                    extra: Vec::new(),
                    store_id: None,
                    fresh: false,
                    store_error: false,
                }),
                cookies,
                secure,
                base_url,
            }),
            auth0,
        }
    }

    /// The session data, when someone is logged in.
    pub fn get(&self) -> Option<SessionData> {
        self.cell.lock().session.clone()
    }

    /// The logged-in user.
    pub fn user(&self) -> Option<User> {
        self.cell.lock().session.as_ref().map(|s| s.user.clone())
    }

    /// Whether someone is logged in.
    pub fn is_authenticated(&self) -> bool {
        self.cell.lock().session.is_some()
    }

    /// Replaces the session data of the logged-in user (the seeds'
    /// `updateSession`). The new cookie is written on the way out. Fails when
    /// nobody is logged in.
    pub fn update(&self, data: SessionData) -> Result<(), NotAuthenticated> {
        let mut s = self.cell.lock();
        let Some(current) = s.session.as_ref() else {
            return Err(NotAuthenticated);
        };
        let mut data = data;
        // The session's age cannot be reset by an update.
        data.internal.created_at = current.internal.created_at;
        s.session = Some(data);
        s.change = Change::Write;
        Ok(())
    }

    /// Ends the session: its cookie (and chunks) are deleted on the way out.
    pub fn clear(&self) {
        let mut s = self.cell.lock();
        s.session = None;
        s.change = Change::Delete;
    }

    /// An access token for the logged-in user, refreshed when expired (or
    /// within the refresh buffer, or when `options.refresh` is set). A
    /// refreshed token set is saved into the session.
    pub async fn access_token(
        &self,
        options: AccessTokenOptions,
    ) -> Result<AccessToken, AccessTokenError> {
        self.auth0.clone().access_token_for(self, options).await
    }

    /// The client this session belongs to.
    pub fn auth0(&self) -> &Auth0 {
        &self.auth0
    }

    /// Starts a new session (after login): replaces whatever was there.
    pub(crate) fn start(&self, data: SessionData) {
        let mut s = self.cell.lock();
        s.session = Some(data);
        s.change = Change::Write;
        s.fresh = true;
    }

    /// Records the store id the session was loaded from (or that loading failed).
    pub(crate) fn set_store_state(&self, id: Option<String>, error: bool) {
        let mut s = self.cell.lock();
        s.store_id = id;
        s.store_error = error;
    }

    /// Whether the session store failed while loading this request's session.
    pub fn store_unavailable(&self) -> bool {
        self.cell.lock().store_error
    }

    /// Applies `f` to the session data and marks it for writing.
    pub(crate) fn modify(&self, f: impl FnOnce(&mut SessionData)) -> bool {
        let mut s = self.cell.lock();
        let Some(data) = s.session.as_mut() else {
            return false;
        };
        f(data);
        s.change = Change::Write;
        true
    }

    /// Queues a cookie that is not the session's (a transaction cookie).
    pub(crate) fn push_cookie(&self, c: SetCookie) {
        self.cell.lock().extra.push(c);
    }

    /// The request's cookies.
    pub(crate) fn request_cookies(&self) -> &RequestCookies {
        &self.cell.cookies
    }

    /// The app's base URL for this request.
    pub(crate) fn base_url(&self) -> Option<&url::Url> {
        self.cell.base_url.as_ref()
    }

    /// Whether this request's cookies get `Secure`.
    pub(crate) fn secure(&self) -> bool {
        self.cell.secure
    }

    /// Writes the session's `Set-Cookie`s into the response headers (called
    /// once, by the layer).
    pub(crate) async fn finish(&self, headers: &mut HeaderMap) {
        let config = self.auth0.config();
        let store = config.session_store.clone();
        let cookie_cfg = &config.session.cookie;
        let name = &cookie_cfg.name;
        let mut attrs = CookieAttrs {
            path: cookie_cfg.path.clone(),
            domain: cookie_cfg.domain.clone(),
            secure: self.cell.secure,
            same_site: cookie_cfg.same_site,
            max_age: None,
        };
        let now = now();

        // Decide under the lock; talk to the store after releasing it.
        let (mut out, change, session, exp, store_id, fresh) = {
            let mut s = self.cell.lock();
            let out = std::mem::take(&mut s.extra);
            let mut change = s.change;
            let mut exp = None;
            if let Some(session) = &s.session {
                let e = self.auth0.session_expiry(session.internal.created_at, now);
                if e <= now {
                    change = Change::Delete;
                } else if change == Change::None && config.session.rolling {
                    let interval = config.session.rolling_interval.as_secs() as i64;
                    if s.cookie_exp.is_some_and(|old| e - old >= interval.max(1)) {
                        change = Change::Write;
                    }
                }
                exp = Some(e);
            }
            let session = if change == Change::Write {
                s.session.clone()
            } else {
                None
            };
            (out, change, session, exp, s.store_id.clone(), s.fresh)
        };
        let had_cookie = self.cell.cookies.get(name).is_some()
            || !self.cell.cookies.chunk_names(name).is_empty();

        let mut write_value = None;
        let mut delete_cookie = false;
        match (change, &store) {
            (Change::None, _) => {}
            (Change::Delete, None) => delete_cookie = had_cookie,
            (Change::Delete, Some(store)) => {
                if let Some(id) = &store_id {
                    if let Err(e) = store.delete(id).await {
                        crate::server::log_error(&format!("session store: delete failed: {e}"));
                    }
                }
                delete_cookie = had_cookie;
            }
            (Change::Write, None) => {
                if let (Some(session), Some(exp)) = (&session, exp) {
                    match self.auth0.keyring().seal(session, exp) {
                        Ok(v) => write_value = Some((v, exp)),
                        Err(_) => crate::server::log_error(
                            "could not serialize the session; it was not saved",
                        ),
                    }
                }
            }
            (Change::Write, Some(store)) => {
                if let (Some(session), Some(exp)) = (&session, exp) {
                    let ttl = std::time::Duration::from_secs((exp - now).max(1) as u64);
                    let (id, result) = match (&store_id, fresh) {
                        // An existing session: never bring back one deleted meanwhile.
                        (Some(id), false) => (id.clone(), store.update(id, session, ttl).await),
                        // A login: always a new id (no fixation); the old record goes.
                        (old, _) => {
                            if let Some(old) = old {
                                let _ = store.delete(old).await;
                            }
                            let id = crate::server::routes::random_token(32);
                            let r = store.set(&id, session, ttl).await.map(|_| true);
                            (id, r)
                        }
                    };
                    match result {
                        Ok(true) => match self
                            .auth0
                            .keyring()
                            .seal(&StoreCookie { id, exp: None }, exp)
                        {
                            Ok(v) => write_value = Some((v, exp)),
                            Err(_) => crate::server::log_error("could not seal the session id"),
                        },
                        Ok(false) => delete_cookie = had_cookie,
                        Err(e) => {
                            crate::server::log_error(&format!("session store: write failed: {e}"))
                        }
                    }
                }
            }
        }
        let mut session_cookie_written = false;
        if let Some((value, exp)) = write_value {
            if !cookie_cfg.transient {
                attrs.max_age = Some(exp - now);
            }
            out.extend(cookies::write_chunked(
                name,
                &value,
                &attrs,
                &self.cell.cookies,
            ));
            session_cookie_written = true;
        } else if delete_cookie {
            out.extend(cookies::delete_chunked(name, &attrs, &self.cell.cookies));
            session_cookie_written = true;
        }
        if session_cookie_written {
            for (name, value) in crate::server::routes::NO_CACHE {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        for c in out {
            if let Ok(v) = HeaderValue::from_str(&c.to_header_value()) {
                headers.append(SET_COOKIE, v);
            }
        }
    }
}

/// What the session cookie holds with a session store: the record's id.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoreCookie {
    pub(crate) id: String,
    #[serde(default, skip_serializing)]
    pub(crate) exp: Option<f64>,
}

impl crate::server::cookies::jwe::WithExp for StoreCookie {
    fn take_exp(&mut self) -> Option<f64> {
        self.exp.take()
    }
}

/// Nobody is logged in (from [`Auth0Session::update`] and the guards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAuthenticated;

impl std::fmt::Display for NotAuthenticated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not_authenticated: the user does not have an active session")
    }
}

impl std::error::Error for NotAuthenticated {}

impl IntoResponse for NotAuthenticated {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({
                "error": "not_authenticated",
                "description": "The user does not have an active session or is not authenticated"
            })),
        )
            .into_response()
    }
}

/// The [`Auth0Layer`](crate::server::Auth0Layer) is not installed around this route.
#[derive(Debug, Clone, Copy)]
pub struct MissingLayer;

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        crate::server::log_error("Auth0Session was extracted on a route without auth0.layer(); add `.layer(auth0.layer())` to the router");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "auth0-leptos is not set up for this route (missing layer)",
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth0Session {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth0Session>()
            .cloned()
            .ok_or(MissingLayer)
    }
}

impl std::fmt::Debug for CellState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CellState")
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}
