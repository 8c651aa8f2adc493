//! Errors with the Next.js SDK's stable string codes.

use std::fmt;

/// An OAuth 2.0 error returned by the provider (`error`, `error_description`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2Error {
    /// The provider's `error` code (`access_denied`, `invalid_grant`, ...).
    pub code: String,
    /// The provider's `error_description`, if any. Untrusted text: escape it
    /// before putting it in HTML.
    pub message: Option<String>,
}

impl fmt::Display for OAuth2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{}: {}", self.code, m),
            None => f.write_str(&self.code),
        }
    }
}

/// Why the callback could not complete a login.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// `missing_state`: the callback had no `state` parameter.
    MissingState,
    /// `invalid_state`: no transaction cookie matches `state` (expired,
    /// already used, or started in another browser).
    InvalidState,
    /// `discovery_error`: the provider's metadata could not be fetched.
    Discovery(String),
    /// `authorization_error`: the provider redirected back with `error=`.
    Authorization(OAuth2Error),
    /// `authorization_code_grant_request_error`: the token endpoint could not
    /// be reached (timeout, connection refused).
    GrantRequest(String),
    /// `authorization_code_grant_error`: the token endpoint refused the code,
    /// answered garbage, or the ID token failed validation.
    Grant(OAuth2Error),
}

impl CallbackError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingState => "missing_state",
            Self::InvalidState => "invalid_state",
            Self::Discovery(_) => "discovery_error",
            Self::Authorization(_) => "authorization_error",
            Self::GrantRequest(_) => "authorization_code_grant_request_error",
            Self::Grant(_) => "authorization_code_grant_error",
        }
    }

    /// The provider's error, when the provider sent one.
    pub fn cause(&self) -> Option<&OAuth2Error> {
        match self {
            Self::Authorization(e) | Self::Grant(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingState => f.write_str("The state parameter is missing."),
            Self::InvalidState => f.write_str("The state parameter is invalid."),
            Self::Discovery(_) => {
                f.write_str("Discovery failed for the OpenID Connect configuration.")
            }
            Self::Authorization(_) => {
                f.write_str("An error occurred during the authorization flow.")
            }
            Self::GrantRequest(_) => {
                f.write_str("An error occurred while trying to exchange the authorization code.")
            }
            Self::Grant(_) => {
                f.write_str("An error occurred while trying to exchange the authorization code.")
            }
        }
    }
}

impl std::error::Error for CallbackError {}

/// Codes of [`AccessTokenError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessTokenErrorCode {
    /// `missing_session`: nobody is logged in.
    MissingSession,
    /// `missing_refresh_token`: the token expired (or none matches the
    /// audience) and there is no refresh token.
    MissingRefreshToken,
    /// `failed_to_refresh_token`: the provider refused the refresh or could not be reached.
    FailedToRefreshToken,
    /// `mfa_required`: the provider requires multi-factor authentication first.
    MfaRequired,
}

impl AccessTokenErrorCode {
    /// The stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingSession => "missing_session",
            Self::MissingRefreshToken => "missing_refresh_token",
            Self::FailedToRefreshToken => "failed_to_refresh_token",
            Self::MfaRequired => "mfa_required",
        }
    }
}

/// Why an access token could not be returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenError {
    /// The stable code.
    pub code: AccessTokenErrorCode,
    /// A human-readable message (no secrets, no provider internals).
    pub message: String,
    /// The provider's error, when it sent one.
    pub cause: Option<OAuth2Error>,
}

impl AccessTokenError {
    pub(crate) fn new(code: AccessTokenErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
        }
    }

    pub(crate) fn missing_session() -> Self {
        Self::new(
            AccessTokenErrorCode::MissingSession,
            "The user does not have an active session.",
        )
    }
}

impl fmt::Display for AccessTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for AccessTokenError {}

/// A failure talking to the provider outside of the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProviderError {
    /// Could not reach it (timeout, refused, DNS).
    Unreachable(String),
    /// It answered with an OAuth error.
    OAuth(OAuth2Error),
    /// It answered something we cannot use.
    Invalid(String),
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(m) => write!(f, "provider unreachable: {m}"),
            Self::OAuth(e) => write!(f, "provider error: {e}"),
            Self::Invalid(m) => write!(f, "invalid provider response: {m}"),
        }
    }
}
