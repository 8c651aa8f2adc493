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

/// The seeds' answer to a step-up (`MfaRequiredError.toJSON()`): 403 with
/// `{error: "mfa_required", error_description, mfa_token,
/// mfa_requirements}`, never cached.
pub(crate) fn mfa_required(
    cause: Option<crate::OAuth2Error>,
    mfa_token: &crate::mfa::MfaToken,
    mfa_requirements: Option<&crate::mfa::MfaRequirements>,
) -> Response {
    let mut body = serde_json::json!({
        "error": "mfa_required",
        "error_description": cause
            .and_then(|c| c.message)
            .unwrap_or_else(|| "Multi-factor authentication is required.".into()),
    });
    crate::mfa::add_step_up(&mut body, mfa_token, mfa_requirements);
    (StatusCode::FORBIDDEN, NO_CACHE, axum::Json(body)).into_response()
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
        Err(_) => RouteError::InvalidRedirect.into_response(),
    }
}
