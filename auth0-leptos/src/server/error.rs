//! Errors of the server side: the callback's, the provider's, token
//! validation's, and the `/auth/*` routes' rejections (each with a fixed
//! status, a stable code and a plain-text body).

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use http::{HeaderValue, StatusCode};

pub use crate::error::OAuth2Error;

mod flows;
pub use flows::{
    AccessTokenForConnectionError, BackchannelAuthenticationError, ConnectAccountError,
    CustomTokenExchangeError, DpopError, DpopProofError, FetchError, MyAccountApiError,
};

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
    /// `pushed_authorization_request_error`: at login, the pushed
    /// authorization request endpoint could not be reached, answered
    /// something unusable, or is not advertised.
    PushedAuthorizationRequest(String),
    /// `pushed_authorization_error`: at login, the provider refused the
    /// pushed authorization request.
    PushedAuthorization(OAuth2Error),
    /// A connected-account callback failed (`missing_session`,
    /// `failed_to_complete`, ...).
    ConnectAccount(ConnectAccountError),
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
            Self::PushedAuthorizationRequest(_) => "pushed_authorization_request_error",
            Self::PushedAuthorization(_) => "pushed_authorization_error",
            Self::ConnectAccount(e) => e.code(),
        }
    }

    /// The provider's error, when the provider sent one.
    pub fn cause(&self) -> Option<&OAuth2Error> {
        match self {
            Self::Authorization(e) | Self::Grant(e) | Self::PushedAuthorization(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingState => "The state parameter is missing.",
            Self::InvalidState => "The state parameter is invalid.",
            Self::Discovery(_) => "Discovery failed for the OpenID Connect configuration.",
            Self::Authorization(_) => "An error occurred during the authorization flow.",
            Self::GrantRequest(_) | Self::Grant(_) => {
                "An error occurred while trying to exchange the authorization code."
            }
            Self::PushedAuthorizationRequest(_) | Self::PushedAuthorization(_) => {
                "An error occurred while trying to initiate the login request."
            }
            Self::ConnectAccount(_) => "An error occurred while connecting the account.",
        })
    }
}

impl std::error::Error for CallbackError {}

/// Which kind of JWT failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// An ID token (login, refresh).
    IdToken,
    /// An access token presented to the app's API.
    AccessToken,
    /// A back-channel logout token.
    LogoutToken,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::IdToken => "ID token",
            Self::AccessToken => "access token",
            Self::LogoutToken => "logout token",
        }
    }
}

/// Why a JWT was refused, one variant per check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenFault {
    /// Not a JWT.
    Malformed,
    /// `alg` is `none`, which is never accepted.
    AlgorithmNone,
    /// `alg` is not the configured one (`id_token_signing_alg`) or, for
    /// access tokens, not an asymmetric algorithm.
    AlgorithmNotAllowed,
    /// No key of the provider's JWKS matches `kid` and `alg`.
    NoMatchingKey,
    /// The provider's keys or metadata could not be fetched.
    KeysUnavailable,
    /// The signature does not verify.
    BadSignature,
    /// `exp` is in the past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// `iss` is not the provider.
    WrongIssuer,
    /// `aud` does not name the expected audience.
    WrongAudience,
    /// A required claim is missing.
    MissingClaim(String),
    /// `azp` is present and not this client.
    WrongAuthorizedParty,
    /// Several audiences and no `azp`.
    MultipleAudiencesWithoutAzp,
    /// `iat` is in the future.
    IssuedInTheFuture,
    /// `nonce` differs from the one sent.
    NonceMismatch,
    /// `max_age` was asked for and `auth_time` is missing.
    MissingAuthTime,
    /// `auth_time` is older than `max_age` allows.
    MaxAgeExceeded,
    /// `sub` is missing or empty.
    NoSubject,
    /// The organization claim named (`org_id` or `org_name`) is missing or
    /// is not the organization the login asked for.
    OrganizationMismatch(String),
    /// A logout token without the back-channel logout event.
    NoLogoutEvent,
    /// A logout token with a `nonce`.
    LogoutTokenWithNonce,
    /// A logout token with neither `sid` nor `sub`.
    NoSidOrSub,
    /// A logout token whose `typ` header is present and is not
    /// `logout+jwt` (or `application/logout+jwt`).
    WrongType,
    /// A logout token issued (`iat`) longer ago than the SDK accepts
    /// (10 minutes, plus the clock leeway).
    IssuedTooLongAgo,
    /// Any other defect.
    Invalid,
}

/// A JWT (ID, access or logout token) failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenValidationError {
    /// Which token.
    pub token: TokenKind,
    /// Which check failed.
    pub fault: TokenFault,
}

impl TokenValidationError {
    pub(crate) fn new(token: TokenKind, fault: TokenFault) -> Self {
        Self { token, fault }
    }

    /// The stable code (`invalid_token`).
    pub fn code(&self) -> &'static str {
        "invalid_token"
    }
}

impl fmt::Display for TokenValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.token.as_str();
        match &self.fault {
            TokenFault::Malformed => write!(f, "malformed {what}"),
            TokenFault::AlgorithmNone => {
                write!(f, "{what} uses alg none, which is never accepted")
            }
            TokenFault::AlgorithmNotAllowed => write!(f, "{what} algorithm is not allowed"),
            TokenFault::NoMatchingKey => f.write_str("no matching signing key"),
            TokenFault::KeysUnavailable => {
                f.write_str("the provider's signing keys are unavailable")
            }
            TokenFault::BadSignature => write!(f, "{what} signature is invalid"),
            TokenFault::Expired => write!(f, "{what} has expired"),
            TokenFault::NotYetValid => write!(f, "{what} is not valid yet (nbf)"),
            TokenFault::WrongIssuer => write!(f, "{what} issuer (iss) is invalid"),
            TokenFault::WrongAudience => write!(f, "{what} audience (aud) is invalid"),
            TokenFault::MissingClaim(c) => write!(f, "{what} is missing the {c} claim"),
            TokenFault::WrongAuthorizedParty => {
                write!(f, "{what} authorized party (azp) is invalid")
            }
            TokenFault::MultipleAudiencesWithoutAzp => {
                write!(f, "{what} has several audiences but no azp")
            }
            TokenFault::IssuedInTheFuture => write!(f, "{what} was issued in the future (iat)"),
            TokenFault::NonceMismatch => write!(f, "{what} nonce mismatch"),
            TokenFault::MissingAuthTime => {
                write!(
                    f,
                    "{what} is missing auth_time although max_age was requested"
                )
            }
            TokenFault::MaxAgeExceeded => f.write_str(
                "too much time has elapsed since the last end-user authentication (max_age)",
            ),
            TokenFault::NoSubject => write!(f, "{what} has no subject"),
            TokenFault::OrganizationMismatch(c) => {
                write!(f, "{what} {c} does not match the requested organization")
            }
            TokenFault::NoLogoutEvent => write!(f, "{what} has no back-channel logout event"),
            TokenFault::LogoutTokenWithNonce => write!(f, "{what} must not have a nonce"),
            TokenFault::NoSidOrSub => write!(f, "{what} has neither sid nor sub"),
            TokenFault::WrongType => write!(f, "{what} type (typ) is not logout+jwt"),
            TokenFault::IssuedTooLongAgo => write!(f, "{what} was issued too long ago (iat)"),
            TokenFault::Invalid => write!(f, "{what} is invalid"),
        }
    }
}

impl std::error::Error for TokenValidationError {}

/// A provider's `mfa_required` answer (its `mfa_token` stays a secret).
#[derive(Debug, Clone)]
pub(crate) struct MfaRequiredBody {
    pub(crate) error: OAuth2Error,
    pub(crate) mfa_token: Option<crate::secret::RawMfaToken>,
    pub(crate) requirements: Option<crate::mfa::MfaRequirements>,
}

/// A failure talking to the provider outside of the callback.
#[derive(Debug, Clone)]
pub(crate) enum ProviderError {
    /// Could not reach it (timeout, refused, DNS).
    Unreachable(&'static str),
    /// It answered with an OAuth error.
    OAuth(OAuth2Error),
    /// It answered `mfa_required` (a step-up), with its `mfa_token`.
    MfaRequired(Box<MfaRequiredBody>),
    /// It answered 429, maybe saying when to try again.
    RateLimited {
        retry_after: Option<std::time::Duration>,
    },
    /// It answered something we cannot use.
    Invalid(String),
    /// It lacks what the configuration needs.
    Unsupported(ProviderCheckError),
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(m) => write!(f, "provider unreachable: {m}"),
            Self::OAuth(e) => write!(f, "provider error: {e}"),
            Self::MfaRequired(b) => write!(f, "provider error: {}", b.error),
            Self::RateLimited { .. } => f.write_str("provider rate limit reached (429)"),
            Self::Invalid(m) => write!(f, "invalid provider response: {m}"),
            Self::Unsupported(e) => write!(f, "{e}"),
        }
    }
}

/// Why the provider cannot serve this configuration
/// ([`Auth0::check_provider`](crate::server::Auth0::check_provider), run at
/// start-up; the same checks fail a login cleanly).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderCheckError {
    /// `discovery_error`: the provider's metadata could not be fetched or
    /// is unusable (the reason carries no secrets).
    Discovery(String),
    /// `pushed_authorization_requests_unsupported`: pushed authorization
    /// requests are on, and the provider advertises no
    /// `pushed_authorization_request_endpoint`.
    PushedAuthorizationRequestsUnsupported,
    /// `client_assertion_signing_alg_unsupported`: the provider lists the
    /// client assertion algorithms it accepts, and the configured one is
    /// not among them.
    ClientAssertionSigningAlgUnsupported {
        /// The configured algorithm.
        alg: &'static str,
        /// What the provider accepts.
        supported: Vec<String>,
    },
}

impl ProviderCheckError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Discovery(_) => "discovery_error",
            Self::PushedAuthorizationRequestsUnsupported => {
                "pushed_authorization_requests_unsupported"
            }
            Self::ClientAssertionSigningAlgUnsupported { .. } => {
                "client_assertion_signing_alg_unsupported"
            }
        }
    }
}

impl fmt::Display for ProviderCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Discovery(why) => write!(f, "the provider's discovery failed: {why}"),
            Self::PushedAuthorizationRequestsUnsupported => f.write_str(
                "AUTH0_PUSHED_AUTHORIZATION_REQUESTS is on, but the provider advertises no pushed_authorization_request_endpoint",
            ),
            Self::ClientAssertionSigningAlgUnsupported { alg, supported } => write!(
                f,
                "AUTH0_CLIENT_ASSERTION_SIGNING_ALG is {alg}, but the provider accepts only {}",
                supported.join(", ")
            ),
        }
    }
}

impl std::error::Error for ProviderCheckError {}

/// Why an `/auth/*` route refused a request. Each variant has a fixed
/// status and code and answers with an escaped `text/plain` body that
/// carries no internals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// 400 `origin_not_allowed`: the request's origin is not an allowed
    /// application base URL (`APP_BASE_URL`).
    OriginNotAllowed,
    /// 400 `invalid_max_age`: `max_age` is not a non-negative integer.
    InvalidMaxAge(String),
    /// 400 `login_request_too_large`: a `/auth/login` parameter (`returnTo`
    /// at most 2048 bytes, any other at most 1024, all together at most
    /// 4096) or the transaction cookie it would need (at most 3500 bytes)
    /// is too large. The text says which limit was hit.
    LoginRequestTooLarge(String),
    /// 500 `login_error`: the login request could not be started.
    LoginFailed,
    /// 500 `logout_error`: the logout request could not be started.
    LogoutFailed,
    /// 500 `oidc_logout_unsupported`: the `oidc` logout strategy was asked
    /// for and the provider has no end-session endpoint.
    OidcLogoutUnsupported,
    /// 500 `invalid_redirect`: a redirect target is not a valid header value.
    InvalidRedirect,
    /// 500 `store_not_configured`: back-channel logout needs a session store.
    StoreNotConfigured,
    /// 500 `backchannel_logout_unsupported`: the store cannot find sessions
    /// by `sid` / `sub`.
    BackchannelLogoutUnsupported,
    /// 400 `missing_logout_token`: no `logout_token` in the body.
    MissingLogoutToken,
    /// 400 `invalid_logout_token`: the logout token failed validation.
    InvalidLogoutToken(TokenValidationError),
    /// 400 `logout_token_without_jti`.
    LogoutTokenWithoutJti,
    /// 400 `logout_token_replayed`: this `jti` was used before.
    LogoutTokenReplayed,
    /// 503 `session_store_unavailable`.
    SessionStoreUnavailable,
    /// 503 `logout_failed_store_unavailable`: `/auth/logout` could not
    /// delete the session from the store (or could not load it). The cookie
    /// is kept so that a retry can finish the logout; nothing is redirected.
    LogoutFailedStoreUnavailable,
    /// The callback failed (unless `on_callback` answers instead): 400 when
    /// the request caused it (`missing_state`, `invalid_state`,
    /// `authorization_error`), else 500.
    Callback(CallbackError),
}

impl RouteError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::OriginNotAllowed
            | Self::InvalidMaxAge(_)
            | Self::LoginRequestTooLarge(_)
            | Self::MissingLogoutToken
            | Self::InvalidLogoutToken(_)
            | Self::LogoutTokenWithoutJti
            | Self::LogoutTokenReplayed => StatusCode::BAD_REQUEST,
            Self::SessionStoreUnavailable | Self::LogoutFailedStoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            // Caused by the request (no or unknown state, the provider's
            // `error=` sent back through the browser): 400. Discovery and
            // code exchange failures stay 500.
            Self::Callback(
                CallbackError::MissingState
                | CallbackError::InvalidState
                | CallbackError::Authorization(_),
            ) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::InvalidMaxAge(_) => "invalid_max_age",
            Self::LoginRequestTooLarge(_) => "login_request_too_large",
            Self::LoginFailed => "login_error",
            Self::LogoutFailed => "logout_error",
            Self::OidcLogoutUnsupported => "oidc_logout_unsupported",
            Self::InvalidRedirect => "invalid_redirect",
            Self::StoreNotConfigured => "store_not_configured",
            Self::BackchannelLogoutUnsupported => "backchannel_logout_unsupported",
            Self::MissingLogoutToken => "missing_logout_token",
            Self::InvalidLogoutToken(_) => "invalid_logout_token",
            Self::LogoutTokenWithoutJti => "logout_token_without_jti",
            Self::LogoutTokenReplayed => "logout_token_replayed",
            Self::SessionStoreUnavailable => "session_store_unavailable",
            Self::LogoutFailedStoreUnavailable => "logout_failed_store_unavailable",
            Self::Callback(e) => e.code(),
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OriginNotAllowed => {
                f.write_str("The request's origin is not an allowed application base URL.")
            }
            Self::InvalidMaxAge(v) => write!(
                f,
                "Invalid max_age query param: {v:?}. Must be a non-negative integer."
            ),
            Self::LoginRequestTooLarge(what) => {
                write!(f, "The login request is too large: {what}.")
            }
            Self::LoginFailed => {
                f.write_str("An error occurred while trying to initiate the login request.")
            }
            Self::LogoutFailed => {
                f.write_str("An error occurred while trying to initiate the logout request.")
            }
            Self::OidcLogoutUnsupported => f.write_str(
                "OIDC RP-Initiated Logout is not supported by the authorization server. Enable it or use a different logout strategy.",
            ),
            Self::InvalidRedirect => f.write_str("Invalid redirect location."),
            Self::StoreNotConfigured => f.write_str("A session data store is not configured."),
            Self::BackchannelLogoutUnsupported => {
                f.write_str("Back-channel logout is not supported by the session data store.")
            }
            Self::MissingLogoutToken => f.write_str("Missing `logout_token` in the request body."),
            Self::InvalidLogoutToken(e) => e.fmt(f),
            Self::LogoutTokenWithoutJti => f.write_str("logout token has no jti"),
            Self::LogoutTokenReplayed => f.write_str("The logout token was already used."),
            Self::SessionStoreUnavailable => f.write_str("The session store is unavailable."),
            Self::LogoutFailedStoreUnavailable => f.write_str(
                "The session store is unavailable: you are not logged out yet. Please try again.",
            ),
            Self::Callback(e) => {
                e.fmt(f)?;
                if let Some(cause) = e.cause() {
                    write!(f, "\n{cause}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RouteError {}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        plain_text(self.status(), &self.to_string())
    }
}

/// A plain-text response whose text is HTML-escaped (it may contain
/// provider-supplied words), never sniffed as HTML and never cached.
pub(crate) fn plain_text(status: StatusCode, text: &str) -> Response {
    (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        escape_html(text),
    )
        .into_response()
}

/// Escapes `& < > " '` and drops control characters but newlines.
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

/// Nobody is logged in (from [`Auth0Session::update`](crate::server::Auth0Session::update)
/// and the guards): 401 `{"error":"not_authenticated", ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAuthenticated;

impl fmt::Display for NotAuthenticated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not_authenticated: the user does not have an active session")
    }
}

impl std::error::Error for NotAuthenticated {}

impl IntoResponse for NotAuthenticated {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({
                "error": "not_authenticated",
                "description": "The user does not have an active session or is not authenticated"
            })),
        )
            .into_response()
    }
}

/// The [`Auth0Layer`](crate::server::Auth0Layer) is not installed around
/// this route: 500 `not_configured`, and an error log that says how to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingLayer;

impl fmt::Display for MissingLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not_configured: auth0-leptos is not set up for this route (missing layer)")
    }
}

impl std::error::Error for MissingLayer {}

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        tracing::error!(
            target: "auth0_leptos",
            "Auth0Session was extracted on a route without auth0.layer(); add `.layer(auth0.layer())` to the router"
        );
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "auth0-leptos is not set up for this route (missing layer)",
        )
            .into_response()
    }
}
