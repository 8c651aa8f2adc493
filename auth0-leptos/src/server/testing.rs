//! Test helpers (feature `testing`): session cookies for integration tests
//! and benchmarks.

use crate::secret::CookieSecret;
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
