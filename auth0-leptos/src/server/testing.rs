//! Test helpers (feature `testing`): session cookies for integration tests
//! and benchmarks, so an app's tests can be logged in without a provider.
//! See "Testing your app" in the crate documentation.

use crate::secret::CookieSecret;
use crate::server::cookies::MAX_CHUNK_SIZE;
use crate::server::crypto::jwe::Keyring;
use crate::server::session::SessionData;
use crate::server::time::now;

/// A session cookie value for `session`, sealed with `secret`, valid for one
/// hour (the seeds' `generateSessionCookie`). Send it as
/// `Cookie: __session=<value>`.
///
/// ```
/// use auth0_leptos::server::testing::generate_session_cookie;
/// use auth0_leptos::server::{SessionData, TokenSet};
/// use auth0_leptos::User;
///
/// let user = User { sub: "user_123".into(), name: Some("Ada".into()), ..Default::default() };
/// let session = SessionData::new(user, TokenSet::default(), None, 1_700_000_000);
/// let cookie = generate_session_cookie(&session, "0123456789abcdef0123456789abcdef");
/// assert_eq!(cookie.split('.').count(), 5);
/// ```
pub fn generate_session_cookie(session: &SessionData, secret: &str) -> String {
    let keyring = Keyring::new([&CookieSecret::new(secret)]);
    keyring.seal(session, now() + 3600).unwrap_or_default()
}

/// A session for `user`, created now, with no tokens: what a test needs to
/// be logged in as that user (add tokens to `token_set` for code that asks
/// for access tokens).
///
/// ```
/// use auth0_leptos::server::testing::test_session;
/// use auth0_leptos::User;
///
/// let mut user = User { sub: "auth0|alice".into(), name: Some("Alice".into()), ..Default::default() };
/// user.claims.insert("https://example.com/roles".into(), serde_json::json!(["admin"]));
/// let session = test_session(user);
/// assert_eq!(session.user.sub, "auth0|alice");
/// ```
pub fn test_session(user: crate::User) -> SessionData {
    SessionData::new(user, Default::default(), None, now())
}

/// [`generate_session_cookie`] with the cookie's own expiry (`expires_at`,
/// seconds since the epoch). The session also ends when its absolute or
/// inactivity duration, counted from `session.internal.created_at`, is over.
pub fn generate_session_cookie_until(
    session: &SessionData,
    secret: &str,
    expires_at: i64,
) -> String {
    let keyring = Keyring::new([&CookieSecret::new(secret)]);
    keyring.seal(session, expires_at).unwrap_or_default()
}

/// The `Cookie` header value that carries `session` (named `__session`, the
/// default; in chunks `__session__0`, `__session__1`, ... above 3500 bytes,
/// as the session layer writes it), for `reqwest` or `tower`'s `oneshot` in
/// an app's tests.
///
/// ```
/// use auth0_leptos::server::testing::{session_cookie_header, test_session};
/// use auth0_leptos::User;
///
/// let user = User { sub: "auth0|alice".into(), ..Default::default() };
/// let header = session_cookie_header(&test_session(user), "0123456789abcdef0123456789abcdef");
/// assert!(header.starts_with("__session="));
/// ```
pub fn session_cookie_header(session: &SessionData, secret: &str) -> String {
    let value = generate_session_cookie(session, secret);
    if value.len() <= MAX_CHUNK_SIZE {
        return format!("__session={value}");
    }
    value
        .as_bytes()
        .chunks(MAX_CHUNK_SIZE)
        .enumerate()
        .map(|(i, c)| format!("__session__{i}={}", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Opens a session cookie value sealed with `secret` (by this crate or by
/// nextjs-auth0). `None` when it does not open or has expired.
pub fn open_session_cookie(value: &str, secret: &str) -> Option<SessionData> {
    let keyring = Keyring::new([&CookieSecret::new(secret)]);
    keyring.open::<SessionData>(value, now()).map(|(s, _)| s)
}

/// Seals and opens session cookies with keys derived once, as the session
/// layer does on every request (for benchmarks and tests).
#[derive(Debug, Clone)]
pub struct SessionCookieCodec {
    keyring: Keyring,
}

impl SessionCookieCodec {
    /// Derives the keys of `secrets` (the first one seals).
    pub fn new(secrets: &[&str]) -> Self {
        let secrets: Vec<CookieSecret> = secrets.iter().map(|s| CookieSecret::new(*s)).collect();
        Self {
            keyring: Keyring::new(&secrets),
        }
    }

    /// Seals `session`, expiring at `exp` (seconds since the epoch).
    pub fn seal(&self, session: &SessionData, exp: i64) -> String {
        self.keyring.seal(session, exp).unwrap_or_default()
    }

    /// Opens a cookie value; `None` when it does not open or has expired.
    pub fn open(&self, value: &str) -> Option<SessionData> {
        self.keyring
            .open::<SessionData>(value, now())
            .map(|(s, _)| s)
    }
}
