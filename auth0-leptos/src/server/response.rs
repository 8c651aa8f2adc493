//! Responses the crate makes in more than one place: no-cache headers and
//! redirects.

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, EXPIRES, LOCATION, PRAGMA};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::server::error::RouteError;

/// The headers that keep a response out of every cache (sent with session
/// cookies and with session data).
pub(crate) const NO_CACHE: [(HeaderName, &str); 3] = [
    (
        CACHE_CONTROL,
        "private, no-cache, no-store, must-revalidate, max-age=0",
    ),
    (PRAGMA, "no-cache"),
    (EXPIRES, "0"),
];

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
        Err(_) => RouteError::InvalidRedirect.into_response(),
    }
}
