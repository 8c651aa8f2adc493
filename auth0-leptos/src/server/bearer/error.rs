//! Why a request to a protected API was refused (RFC 6750 3.1), answered
//! with `WWW-Authenticate` and a JSON body with a stable code; what went
//! wrong inside (a key fetch) goes to tracing, never to the client.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

use crate::server::error::{DpopProofError, TokenFault};

/// A refused request to an API protected by a
/// [`ResourceServer`](crate::server::ResourceServer).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerError {
    /// No `Authorization` header: 401 with a bare `WWW-Authenticate:
    /// Bearer` challenge (code `missing_token`).
    MissingToken,
    /// `invalid_request` (401): the header is not `Bearer <token>` (or
    /// `DPoP <token>`), appears twice, or is too large.
    InvalidRequest(&'static str),
    /// `invalid_token` (401): the token failed a check.
    InvalidToken(TokenFault),
    /// `invalid_token` (401): the `aud` claim does not name this API's
    /// audience exactly (which is told, as a trailing slash is the usual
    /// cause).
    WrongAudience {
        /// The audience this API expects.
        expected: String,
    },
    /// `invalid_token` (401): a DPoP-bound token presented as `Bearer`, a
    /// `DPoP` token without a binding, or DPoP not set up for this API.
    Binding(&'static str),
    /// The DPoP proof of a bound token was refused (401 with a `DPoP`
    /// challenge, and a nonce when the API demands one).
    Dpop(DpopProofError),
    /// `insufficient_scope` (403): the token lacks these scopes or
    /// permissions.
    InsufficientScope {
        /// What is missing, space-separated.
        missing: String,
    },
    /// `temporarily_unavailable` (503): the provider's keys could not be
    /// fetched.
    Unavailable,
    /// `not_configured` (500): a guard or extractor is used on a route
    /// without the [`ResourceServer`](crate::server::ResourceServer) layer.
    NotConfigured,
}

impl BearerError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidToken(_) | Self::WrongAudience { .. } | Self::Binding(_) => {
                "invalid_token"
            }
            Self::Dpop(e) => e.oauth_error(),
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::Unavailable => "temporarily_unavailable",
            Self::NotConfigured => "not_configured",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingToken => f.write_str("An access token is required."),
            Self::InvalidRequest(why) => f.write_str(why),
            Self::InvalidToken(fault) => {
                let e = crate::server::error::TokenValidationError {
                    token: crate::server::error::TokenKind::AccessToken,
                    fault: fault.clone(),
                };
                write!(f, "{e}")
            }
            Self::WrongAudience { expected } => {
                write!(f, "The token's audience is not {expected:?}.")
            }
            Self::Binding(why) => f.write_str(why),
            Self::Dpop(e) => write!(f, "{e}"),
            Self::InsufficientScope { missing } => {
                write!(f, "The token lacks: {missing}.")
            }
            Self::Unavailable => f.write_str("The token cannot be checked now; try again."),
            Self::NotConfigured => f.write_str("The API is not set up to check tokens."),
        }
    }
}

impl std::error::Error for BearerError {}

/// A quoted-string value for a challenge parameter (no quotes or
/// backslashes inside).
fn quoted(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect()
}

impl IntoResponse for BearerError {
    /// The status, `WWW-Authenticate: Bearer realm="api"` with the error
    /// (none when no token was sent, RFC 6750 3.1), and `{error,
    /// error_description}`; never cached.
    fn into_response(self) -> Response {
        if let Self::Dpop(e) = self {
            return e.into_response();
        }
        let mut challenge = String::from("Bearer realm=\"api\"");
        match &self {
            Self::MissingToken | Self::NotConfigured | Self::Unavailable => {}
            Self::InsufficientScope { missing } => challenge.push_str(&format!(
                ", error=\"insufficient_scope\", scope=\"{}\"",
                quoted(missing)
            )),
            other => challenge.push_str(&format!(
                ", error=\"{}\", error_description=\"{}\"",
                other.code(),
                quoted(&other.to_string())
            )),
        }
        let body = serde_json::json!({"error": self.code(), "error_description": self.to_string()});
        let mut res = (self.status(), axum::Json(body)).into_response();
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            h.insert(WWW_AUTHENTICATE, v);
        }
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}
