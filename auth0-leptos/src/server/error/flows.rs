//! Errors of the token flows: DPoP (keys, proofs checked by a resource
//! server, the fetcher), connection tokens (Token Vault), custom token
//! exchange and Client-Initiated Backchannel Authentication. Each has the
//! seeds' stable code and a message without secrets.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::error::{AccessTokenError, OAuth2Error};
use crate::server::crypto::dpop_key::KeyFault;

/// A DPoP key or configuration problem (the seeds' `DPoPError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopError {
    /// `dpop_key_export_failed`: the key pair could not be written as PEM.
    KeyExportFailed,
    /// `dpop_configuration_error`: DPoP was asked for without a key pair
    /// (set `use_dpop` / `AUTH0_USE_DPOP` or a key pair), or a PEM key could
    /// not be read (the reason says which, never the key).
    Configuration(&'static str),
}

impl DpopError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyExportFailed => "dpop_key_export_failed",
            Self::Configuration(_) => "dpop_configuration_error",
        }
    }
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyExportFailed => f.write_str("The DPoP key pair could not be exported."),
            Self::Configuration(why) => write!(f, "DPoP is not configured correctly: {why}."),
        }
    }
}

impl std::error::Error for DpopError {}

impl From<KeyFault> for DpopError {
    fn from(f: KeyFault) -> Self {
        match f {
            KeyFault::PrivateKey => {
                Self::Configuration("the private key is not a P-256 key in PEM (PKCS#8 or SEC1)")
            }
            KeyFault::PublicKey => {
                Self::Configuration("the public key is not a P-256 key in PEM (SPKI)")
            }
            KeyFault::Mismatch => {
                Self::Configuration("the public key does not belong to the private key")
            }
            KeyFault::Export => Self::KeyExportFailed,
        }
    }
}

/// Why a resource server refused a DPoP proof
/// ([`DpopVerifier`](crate::server::DpopVerifier)). As a response it is a
/// 401 with `WWW-Authenticate: DPoP error="..."`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopProofError {
    /// `dpop_proof_missing`: no `DPoP` header.
    Missing,
    /// `dpop_proof_multiple`: more than one `DPoP` header.
    Multiple,
    /// `dpop_proof_malformed`: not a `dpop+jwt` compact JWS with the
    /// required claims.
    Malformed,
    /// `dpop_proof_unsupported_algorithm`: not ES256.
    UnsupportedAlgorithm,
    /// `dpop_proof_invalid_key`: the header's `jwk` is not a public P-256 key.
    InvalidKey,
    /// `dpop_proof_invalid_signature`: the signature does not verify.
    InvalidSignature,
    /// `dpop_proof_htm_mismatch`: `htm` is not the request's method.
    MethodMismatch,
    /// `dpop_proof_htu_mismatch`: `htu` is not the request's URL.
    UrlMismatch,
    /// `dpop_proof_issued_in_the_future`: `iat` is ahead of the clock
    /// beyond the leeway.
    IssuedInTheFuture,
    /// `dpop_proof_expired`: `iat` is older than the window.
    Expired,
    /// `dpop_proof_replayed`: this proof's `jti` was already used.
    Replayed,
    /// `dpop_proof_ath_mismatch`: `ath` is missing or is not the hash of
    /// the presented access token.
    AccessTokenHashMismatch,
    /// `dpop_token_not_bound`: the access token has no `cnf.jkt`.
    TokenNotBound,
    /// `dpop_key_mismatch`: the proof's key is not the one the token is
    /// bound to.
    KeyMismatch,
    /// `use_dpop_nonce`: the proof lacks the server's current nonce; the
    /// response carries it in `DPoP-Nonce`.
    UseNonce {
        /// The nonce to use.
        nonce: String,
    },
    /// `dpop_replay_cache_full`: too many live proofs to remember; refused
    /// rather than accepted unchecked.
    ReplayCacheFull,
}

impl DpopProofError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "dpop_proof_missing",
            Self::Multiple => "dpop_proof_multiple",
            Self::Malformed => "dpop_proof_malformed",
            Self::UnsupportedAlgorithm => "dpop_proof_unsupported_algorithm",
            Self::InvalidKey => "dpop_proof_invalid_key",
            Self::InvalidSignature => "dpop_proof_invalid_signature",
            Self::MethodMismatch => "dpop_proof_htm_mismatch",
            Self::UrlMismatch => "dpop_proof_htu_mismatch",
            Self::IssuedInTheFuture => "dpop_proof_issued_in_the_future",
            Self::Expired => "dpop_proof_expired",
            Self::Replayed => "dpop_proof_replayed",
            Self::AccessTokenHashMismatch => "dpop_proof_ath_mismatch",
            Self::TokenNotBound => "dpop_token_not_bound",
            Self::KeyMismatch => "dpop_key_mismatch",
            Self::UseNonce { .. } => "use_dpop_nonce",
            Self::ReplayCacheFull => "dpop_replay_cache_full",
        }
    }

    /// The RFC 9449 / RFC 6750 error for `WWW-Authenticate`.
    pub fn oauth_error(&self) -> &'static str {
        match self {
            Self::UseNonce { .. } => "use_dpop_nonce",
            Self::TokenNotBound | Self::KeyMismatch => "invalid_token",
            _ => "invalid_dpop_proof",
        }
    }
}

impl fmt::Display for DpopProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "The DPoP proof is missing.",
            Self::Multiple => "More than one DPoP proof was sent.",
            Self::Malformed => "The DPoP proof is malformed.",
            Self::UnsupportedAlgorithm => "The DPoP proof's algorithm is not supported.",
            Self::InvalidKey => "The DPoP proof's key is not a public P-256 key.",
            Self::InvalidSignature => "The DPoP proof's signature is invalid.",
            Self::MethodMismatch => "The DPoP proof is for another method.",
            Self::UrlMismatch => "The DPoP proof is for another URL.",
            Self::IssuedInTheFuture => "The DPoP proof is issued in the future.",
            Self::Expired => "The DPoP proof is too old.",
            Self::Replayed => "The DPoP proof was already used.",
            Self::AccessTokenHashMismatch => "The DPoP proof is for another access token.",
            Self::TokenNotBound => "The access token is not bound to a DPoP key.",
            Self::KeyMismatch => "The access token is bound to another key.",
            Self::UseNonce { .. } => "Use the server's DPoP nonce.",
            Self::ReplayCacheFull => "The DPoP proof could not be checked for replay.",
        })
    }
}

impl std::error::Error for DpopProofError {}

/// Why [`Fetcher::fetch_with_auth`](crate::server::Fetcher::fetch_with_auth)
/// sent nothing, or got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// No access token (the code is the token error's: `missing_session`,
    /// `failed_to_refresh_token`, ...).
    AccessToken(AccessTokenError),
    /// DPoP was asked for and cannot be used (`dpop_configuration_error`).
    Dpop(DpopError),
    /// `invalid_url`: a relative URL without a base URL, a URL that does
    /// not parse, or a scheme other than http(s).
    InvalidUrl,
    /// `invalid_request`: a header name or value, or the method, is not valid HTTP.
    InvalidRequest,
    /// `fetch_failed`: the request could not be sent or its response not
    /// received (the reason, for logs).
    Request(&'static str),
}

impl FetchError {
    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::AccessToken(e) => e.code(),
            Self::Dpop(e) => e.code(),
            Self::InvalidUrl => "invalid_url",
            Self::InvalidRequest => "invalid_request",
            Self::Request(_) => "fetch_failed",
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccessToken(e) => write!(f, "{e}"),
            Self::Dpop(e) => write!(f, "{e}"),
            Self::InvalidUrl => {
                f.write_str("The URL is not absolute http(s), and no base URL resolves it.")
            }
            Self::InvalidRequest => f.write_str("The request's method or headers are not valid."),
            Self::Request(why) => write!(f, "The request failed: {why}."),
        }
    }
}

impl std::error::Error for FetchError {}

impl From<AccessTokenError> for FetchError {
    fn from(e: AccessTokenError) -> Self {
        Self::AccessToken(e)
    }
}

impl From<DpopError> for FetchError {
    fn from(e: DpopError) -> Self {
        Self::Dpop(e)
    }
}

/// Why no access token for a connection could be had (the seeds'
/// `AccessTokenForConnectionError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessTokenForConnectionError {
    /// `missing_session`: nobody is logged in.
    MissingSession,
    /// `missing_refresh_token`: the session has no refresh token to
    /// exchange (log in with `offline_access`).
    MissingRefreshToken,
    /// `failed_to_exchange_refresh_token`: the provider refused the
    /// exchange or could not be reached.
    FailedToExchange {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `invalid_request`: no connection name was given, or one longer than
    /// 256 characters.
    InvalidConnection,
    /// `session_store_unavailable`: the session store failed.
    SessionStoreUnavailable,
}

impl AccessTokenForConnectionError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSession => "missing_session",
            Self::MissingRefreshToken => "missing_refresh_token",
            Self::FailedToExchange { .. } => "failed_to_exchange_refresh_token",
            Self::InvalidConnection => "invalid_request",
            Self::SessionStoreUnavailable => "session_store_unavailable",
        }
    }
}

impl fmt::Display for AccessTokenForConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSession => f.write_str("The user does not have an active session."),
            Self::MissingRefreshToken => f.write_str(
                "A refresh token was not present, Connected Accounts requires a refresh token to be present.",
            ),
            Self::FailedToExchange { cause: Some(c) } => write!(
                f,
                "There was an error trying to exchange the refresh token for a connection access token: {c}"
            ),
            Self::FailedToExchange { cause: None } => f.write_str(
                "There was an error trying to exchange the refresh token for a connection access token.",
            ),
            Self::InvalidConnection => f.write_str("A connection name (1 to 256 characters) is required."),
            Self::SessionStoreUnavailable => f.write_str("The session store is unavailable."),
        }
    }
}

impl std::error::Error for AccessTokenForConnectionError {}

/// Why a custom token exchange failed (the seeds' `CustomTokenExchangeError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CustomTokenExchangeError {
    /// `missing_subject_token`: the subject token is empty.
    MissingSubjectToken,
    /// `invalid_subject_token_type`: the subject token type is not a URI
    /// (`urn:`, `https://`, `http://`) of 10 to 100 characters.
    InvalidSubjectTokenType,
    /// `missing_actor_token_type`: an actor token without its type.
    MissingActorTokenType,
    /// `invalid_actor_token_type`: the actor token type breaks the subject
    /// token type's rules.
    InvalidActorTokenType,
    /// `exchange_failed`: the provider refused the exchange, could not be
    /// reached, or answered with an ID token that does not validate.
    ExchangeFailed {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
}

impl CustomTokenExchangeError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSubjectToken => "missing_subject_token",
            Self::InvalidSubjectTokenType => "invalid_subject_token_type",
            Self::MissingActorTokenType => "missing_actor_token_type",
            Self::InvalidActorTokenType => "invalid_actor_token_type",
            Self::ExchangeFailed { .. } => "exchange_failed",
        }
    }
}

impl fmt::Display for CustomTokenExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSubjectToken => f.write_str("subject_token is required."),
            Self::InvalidSubjectTokenType => f.write_str(
                "subject_token_type must be a URI (urn:, https:// or http://) of 10 to 100 characters.",
            ),
            Self::MissingActorTokenType => {
                f.write_str("actor_token_type is required when actor_token is given.")
            }
            Self::InvalidActorTokenType => f.write_str(
                "actor_token_type must be a URI (urn:, https:// or http://) of 10 to 100 characters.",
            ),
            Self::ExchangeFailed { cause: Some(c) } => {
                write!(f, "The token exchange failed: {c}")
            }
            Self::ExchangeFailed { cause: None } => f.write_str("The token exchange failed."),
        }
    }
}

impl std::error::Error for CustomTokenExchangeError {}

/// Why Client-Initiated Backchannel Authentication gave no tokens (the
/// seeds' `BackchannelAuthenticationError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackchannelAuthenticationError {
    /// `backchannel_authentication_not_supported_error`: the provider
    /// advertises no `backchannel_authentication_endpoint`.
    NotSupported,
    /// `invalid_request`: no `login_hint.sub` or no binding message, or one
    /// too long.
    InvalidRequest(&'static str),
    /// `backchannel_authentication_error`: the provider refused the request
    /// or the user denied it (`access_denied`), the request expired
    /// (`expired_token`), the provider could not be reached, or it answered
    /// with tokens that do not validate.
    Failed {
        /// The provider's error, when it sent one (`access_denied`,
        /// `expired_token`, ...).
        cause: Option<OAuth2Error>,
    },
}

impl BackchannelAuthenticationError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSupported => "backchannel_authentication_not_supported_error",
            Self::InvalidRequest(_) => "invalid_request",
            Self::Failed { .. } => "backchannel_authentication_error",
        }
    }

    /// The provider's error, when it sent one.
    pub fn cause(&self) -> Option<&OAuth2Error> {
        match self {
            Self::Failed { cause } => cause.as_ref(),
            _ => None,
        }
    }
}

impl fmt::Display for BackchannelAuthenticationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSupported => f.write_str(
                "The authorization server does not support backchannel authentication. Learn how to enable it here: https://auth0.com/docs/get-started/applications/configure-client-initiated-backchannel-authentication",
            ),
            Self::InvalidRequest(why) => write!(f, "Invalid backchannel authentication request: {why}."),
            Self::Failed { cause: Some(c) } => write!(
                f,
                "There was an error when trying to use Client-Initiated Backchannel Authentication: {c}"
            ),
            Self::Failed { cause: None } => f.write_str(
                "There was an error when trying to use Client-Initiated Backchannel Authentication.",
            ),
        }
    }
}

impl std::error::Error for BackchannelAuthenticationError {}

/// An error of Auth0's My Account API (RFC 7807 problem details).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct MyAccountApiError {
    /// The problem type (a URI).
    #[serde(default, rename = "type")]
    pub problem_type: String,
    /// A short summary.
    #[serde(default)]
    pub title: String,
    /// What went wrong (untrusted text: escape it before putting it in HTML).
    #[serde(default)]
    pub detail: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
}

/// Why an account could not be connected (the seeds' `ConnectAccountError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectAccountError {
    /// `missing_session`: nobody is logged in.
    MissingSession,
    /// `session_store_unavailable`: the session store could not be reached.
    SessionStoreUnavailable,
    /// `invalid_request`: no `connection`, or a parameter that is too long.
    InvalidRequest(&'static str),
    /// No token for the My Account API (the code is the token error's:
    /// `mfa_required`, `failed_to_refresh_token`, ...).
    AccessToken(AccessTokenError),
    /// `failed_to_initiate`: My Account refused to start the connection,
    /// or could not be reached (`None`).
    FailedToInitiate(Option<MyAccountApiError>),
    /// `failed_to_complete`: My Account refused to complete it, or could
    /// not be reached (`None`).
    FailedToComplete(Option<MyAccountApiError>),
}

impl ConnectAccountError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSession => "missing_session",
            Self::SessionStoreUnavailable => "session_store_unavailable",
            Self::InvalidRequest(_) => "invalid_request",
            Self::AccessToken(e) => match e {
                AccessTokenError::MissingSession => "missing_session",
                AccessTokenError::MissingRefreshToken { .. } => "missing_refresh_token",
                AccessTokenError::MfaRequired { .. } => "mfa_required",
                AccessTokenError::SessionStoreUnavailable => "session_store_unavailable",
                _ => "failed_to_refresh_token",
            },
            Self::FailedToInitiate(_) => "failed_to_initiate",
            Self::FailedToComplete(_) => "failed_to_complete",
        }
    }

    /// The HTTP status a route answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MissingSession => 401,
            Self::SessionStoreUnavailable => 503,
            Self::InvalidRequest(_) => 400,
            Self::AccessToken(e) => e.http_status(),
            Self::FailedToInitiate(p) | Self::FailedToComplete(p) => match p {
                Some(p) if (400..500).contains(&p.status) => 400,
                _ => 502,
            },
        }
    }

    /// My Account's problem details, when it sent some.
    pub fn cause(&self) -> Option<&MyAccountApiError> {
        match self {
            Self::FailedToInitiate(p) | Self::FailedToComplete(p) => p.as_ref(),
            _ => None,
        }
    }
}

impl fmt::Display for ConnectAccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSession => f.write_str("The user does not have an active session."),
            Self::SessionStoreUnavailable => f.write_str("The session store is unavailable."),
            Self::InvalidRequest(m) => f.write_str(m),
            Self::AccessToken(e) => write!(f, "No token for the My Account API: {e}"),
            Self::FailedToInitiate(_) => {
                f.write_str("The connected account flow could not be started.")
            }
            Self::FailedToComplete(_) => {
                f.write_str("The connected account flow could not be completed.")
            }
        }
    }
}

impl std::error::Error for ConnectAccountError {}

impl IntoResponse for ConnectAccountError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut body =
            serde_json::json!({"error": self.code(), "error_description": self.to_string()});
        // A step-up: the client needs the (encrypted) token to complete it.
        if let Self::AccessToken(AccessTokenError::MfaRequired {
            mfa_token,
            mfa_requirements,
            ..
        }) = &self
        {
            crate::mfa::add_step_up(&mut body, mfa_token, mfa_requirements.as_ref());
        }
        if let Some(p) = self.cause() {
            body["cause"] =
                serde_json::json!({"title": p.title, "detail": p.detail, "status": p.status});
        }
        (
            status,
            [(http::header::CACHE_CONTROL, "no-store")],
            axum::Json(body),
        )
            .into_response()
    }
}
