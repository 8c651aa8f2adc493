//! The authentication routes, one module per route.

mod access_token;
mod backchannel_logout;
mod callback;
mod login;
mod logout;
mod profile;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::server::client::Auth0;

pub(crate) use backchannel_logout::SeenLogoutTokens;
pub use login::LoginOptions;

impl Auth0 {
    /// The authentication routes (`/auth/login`, `/auth/callback`,
    /// `/auth/logout`, `/auth/profile`, `/auth/access-token`,
    /// `/auth/backchannel-logout`, under the base path), with the session
    /// layer already applied to them.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let r = self.config().routes();
        let mut router = Router::new()
            .route(&r.login, get(login::handler))
            .route(&r.callback, get(callback::handler))
            .route(&r.logout, get(logout::handler))
            .route(&r.profile, get(profile::handler))
            .route(&r.backchannel_logout, post(backchannel_logout::handler));
        if self.config().enable_access_token_endpoint {
            router = router.route(&r.access_token, get(access_token::handler));
        }
        router.layer(self.layer()).with_state(self.clone())
    }
}

/// The headers that keep a response out of every cache (sent with session
/// cookies and with session data).
pub(crate) const NO_CACHE: [(axum::http::HeaderName, &str); 3] = [
    (
        CACHE_CONTROL,
        "private, no-cache, no-store, must-revalidate, max-age=0",
    ),
    (axum::http::header::PRAGMA, "no-cache"),
    (axum::http::header::EXPIRES, "0"),
];

/// Query parameters in order (first value wins on lookups).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A 302 redirect that is never cached.
pub(crate) fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (
            StatusCode::FOUND,
            [
                (LOCATION, v),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Invalid redirect location.",
        ),
    }
}

/// A plain-text error whose text is HTML-escaped (it may contain
/// provider-supplied words) and never sniffed as HTML.
pub(crate) fn plain_error(status: StatusCode, text: &str) -> Response {
    (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                http::header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        escape_html(text),
    )
        .into_response()
}

/// Escapes `& < > " '`.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Random URL-safe string of `n` random bytes.
pub(crate) fn random_token(n: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
