//! Errors a user of the crate can meet on both sides (server and browser),
//! with the Next.js SDK's stable string codes.

use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::mfa::{MfaRequirements, MfaToken};
pub use crate::oauth_error::OAuth2Error;

/// Why no access token could be returned: the same error on the server
/// ([`Auth0Session::access_token`](crate::server::Auth0Session::access_token))
/// and in the browser ([`get_access_token`](crate::get_access_token)).
///
/// [`code`](Self::code) is the seeds' stable string code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccessTokenError {
    /// `missing_session`: nobody is logged in.
    MissingSession,
    /// `missing_refresh_token`: the access token expired (or none matches
    /// the audience or scope) and there is no refresh token to get another.
    MissingRefreshToken {
        /// `true` when a token existed but expired; `false` when there was none.
        expired: bool,
    },
    /// `failed_to_refresh_token`: the provider refused the refresh or could
    /// not be reached.
    FailedToRefreshToken {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_required`: the provider requires multi-factor authentication
    /// first (step-up). Hand [`mfa_token`](crate::mfa::MfaToken) to the MFA
    /// API (`mfa_authenticators`, `mfa_enroll`, `mfa_challenge`,
    /// `mfa_verify`); after a successful verification ask for the token
    /// again.
    MfaRequired {
        /// The provider's error.
        cause: Option<OAuth2Error>,
        /// The provider's `mfa_token`, encrypted and bound to this session
        /// (empty when the provider sent none: log in again).
        #[serde(default)]
        mfa_token: MfaToken,
        /// What the provider requires (challenge or enrollment).
        #[serde(default)]
        mfa_requirements: Option<MfaRequirements>,
    },
    /// `session_store_unavailable`: the session store could not be reached.
    SessionStoreUnavailable,
    /// `not_configured`: the session layer is not installed on this route,
    /// or neither the `ssr` nor the `hydrate` feature is enabled.
    NotConfigured,
    /// `network_error`: the browser could not reach the access-token route.
    NetworkError,
    /// `invalid_response`: the access-token route answered something else
    /// than a token or an error.
    InvalidResponse,
    /// Any other code the server sent (forward compatibility).
    #[serde(untagged)]
    Other {
        /// The code.
        code: String,
        /// The message.
        message: String,
    },
}

impl AccessTokenError {
    /// The stable string code.
    pub fn code(&self) -> &str {
        match self {
            Self::MissingSession => "missing_session",
            Self::MissingRefreshToken { .. } => "missing_refresh_token",
            Self::FailedToRefreshToken { .. } => "failed_to_refresh_token",
            Self::MfaRequired { .. } => "mfa_required",
            Self::SessionStoreUnavailable => "session_store_unavailable",
            Self::NotConfigured => "not_configured",
            Self::NetworkError => "network_error",
            Self::InvalidResponse => "invalid_response",
            Self::Other { code, .. } => code,
        }
    }

    /// A human-readable message (no secrets, no provider internals).
    pub fn message(&self) -> &str {
        match self {
            Self::MissingSession => "The user does not have an active session.",
            Self::MissingRefreshToken { expired: false } => "No access token found and a refresh token was not provided. The user needs to re-authenticate.",
            Self::MissingRefreshToken { expired: true } => "The access token has expired and a refresh token was not provided. The user needs to re-authenticate.",
            Self::FailedToRefreshToken { .. } => {
                "The access token has expired and there was an error while trying to refresh it."
            }
            Self::MfaRequired { .. } => "Multi-factor authentication is required.",
            Self::SessionStoreUnavailable => "The session store is unavailable.",
            Self::NotConfigured => "auth0-leptos is not set up for this request.",
            Self::NetworkError => "The access token request could not be sent.",
            Self::InvalidResponse => "The access token route answered something unexpected.",
            Self::Other { message, .. } => message,
        }
    }

    /// The HTTP status the access-token route answers with: 403 for
    /// `mfa_required`, 503 when the store is down, 500 when not set up, else 401.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MfaRequired { .. } => 403,
            Self::SessionStoreUnavailable => 503,
            Self::NotConfigured => 500,
            _ => 401,
        }
    }

    /// The provider's error, when it sent one.
    pub fn cause(&self) -> Option<&OAuth2Error> {
        match self {
            Self::FailedToRefreshToken { cause } | Self::MfaRequired { cause, .. } => {
                cause.as_ref()
            }
            _ => None,
        }
    }

    /// The provider demands multi-factor authentication first.
    pub fn is_mfa_required(&self) -> bool {
        matches!(self, Self::MfaRequired { .. })
    }

    /// The encrypted `mfa_token` of an `mfa_required` error.
    pub fn mfa_token(&self) -> Option<&MfaToken> {
        match self {
            Self::MfaRequired { mfa_token, .. } => Some(mfa_token),
            _ => None,
        }
    }

    /// What the provider requires, for an `mfa_required` error.
    pub fn mfa_requirements(&self) -> Option<&MfaRequirements> {
        match self {
            Self::MfaRequired {
                mfa_requirements, ..
            } => mfa_requirements.as_ref(),
            _ => None,
        }
    }

    /// Nobody is logged in.
    pub fn is_missing_session(&self) -> bool {
        matches!(self, Self::MissingSession)
    }

    /// The error for a code and message received over the wire (the
    /// `/auth/access-token` route's `{"error": {"code", "message"}}`).
    pub fn from_code(code: &str, message: &str) -> Self {
        match code {
            "missing_session" => Self::MissingSession,
            "missing_refresh_token" => Self::MissingRefreshToken {
                expired: message.contains("expired"),
            },
            "failed_to_refresh_token" => Self::FailedToRefreshToken { cause: None },
            "mfa_required" => Self::MfaRequired {
                cause: None,
                mfa_token: MfaToken::default(),
                mfa_requirements: None,
            },
            "session_store_unavailable" => Self::SessionStoreUnavailable,
            "not_configured" => Self::NotConfigured,
            other => Self::Other {
                code: other.to_owned(),
                message: message.to_owned(),
            },
        }
    }
}

impl fmt::Display for AccessTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AccessTokenError {}

/// The error of the crate's server functions and guards, typed on both
/// sides: a server function returns `Result<T, AuthError>` and the browser
/// matches `Err(AuthError::NotAuthenticated)`.
///
/// ```
/// use auth0_leptos::AuthError;
/// let e = AuthError::NotAuthenticated;
/// assert_eq!(e.code(), "not_authenticated");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthError {
    /// `not_authenticated`: nobody is logged in.
    NotAuthenticated,
    /// An access token could not be returned.
    AccessToken(AccessTokenError),
    /// `session_store_unavailable`: the session store could not be reached.
    SessionStoreUnavailable,
    /// `not_configured`: the session layer is not installed around this
    /// route (add `.layer(auth0.layer())`), or `<Auth0Provider>` is missing.
    NotConfigured,
    /// `server_fn_error`: the server function itself failed (network,
    /// serialization); the text is the transport's.
    ServerFn(String),
}

impl AuthError {
    /// The stable string code.
    pub fn code(&self) -> &str {
        match self {
            Self::NotAuthenticated => "not_authenticated",
            Self::AccessToken(e) => e.code(),
            Self::SessionStoreUnavailable => "session_store_unavailable",
            Self::NotConfigured => "not_configured",
            Self::ServerFn(_) => "server_fn_error",
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAuthenticated => {
                f.write_str("not_authenticated: the user does not have an active session")
            }
            Self::AccessToken(e) => e.fmt(f),
            Self::SessionStoreUnavailable => {
                f.write_str("session_store_unavailable: the session store is unavailable")
            }
            Self::NotConfigured => f.write_str(
                "not_configured: auth0-leptos is not set up for this request (missing layer or provider)",
            ),
            Self::ServerFn(m) => write!(f, "server_fn_error: {m}"),
        }
    }
}

impl std::error::Error for AuthError {}

impl From<AccessTokenError> for AuthError {
    fn from(e: AccessTokenError) -> Self {
        match e {
            AccessTokenError::MissingSession => Self::NotAuthenticated,
            AccessTokenError::SessionStoreUnavailable => Self::SessionStoreUnavailable,
            AccessTokenError::NotConfigured => Self::NotConfigured,
            other => Self::AccessToken(other),
        }
    }
}

impl FromServerFnError for AuthError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_json() {
        for e in [
            AccessTokenError::MissingSession,
            AccessTokenError::MissingRefreshToken { expired: true },
            AccessTokenError::FailedToRefreshToken {
                cause: Some(OAuth2Error {
                    code: "invalid_grant".into(),
                    message: None,
                }),
            },
            AccessTokenError::MfaRequired {
                cause: None,
                mfa_token: MfaToken::new("enc"),
                mfa_requirements: None,
            },
            AccessTokenError::Other {
                code: "new_code".into(),
                message: "m".into(),
            },
        ] {
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["code"], e.code());
            let back: AccessTokenError = serde_json::from_value(json).unwrap();
            assert_eq!(back, e);
            assert_eq!(
                AccessTokenError::from_code(e.code(), e.message()).code(),
                e.code()
            );
        }
        let a = AuthError::AccessToken(AccessTokenError::MfaRequired {
            cause: None,
            mfa_token: MfaToken::new("enc"),
            mfa_requirements: None,
        });
        let back: AuthError = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        assert_eq!(
            AuthError::from(AccessTokenError::MissingSession),
            AuthError::NotAuthenticated
        );
    }
}
