//! Test helpers.

use crate::server::cookies::jwe::Keyring;
use crate::server::secret::Secret;
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
    let keyring = Keyring::new([&Secret::new(secret)]);
    keyring.seal(session, now() + 3600).unwrap_or_default()
}

/// Opens a session cookie value sealed with `secret` (by this crate or by
/// nextjs-auth0). `None` when it does not open or has expired.
pub fn open_session_cookie(value: &str, secret: &str) -> Option<SessionData> {
    let keyring = Keyring::new([&Secret::new(secret)]);
    keyring.open::<SessionData>(value, now()).map(|(mut s, _)| {
        s.extra.remove("exp");
        s
    })
}
