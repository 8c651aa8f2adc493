//! Configuration: the same options and `AUTH0_*` variables as the Next.js SDK,
//! validated once at start-up.
//!
//! The precedence rule below is written once, in `precedence.md`, and is also
//! shown on [`Auth0ConfigBuilder`] (this module is private).
//!
#![doc = include_str!("precedence.md")]

mod builder;
mod env;
mod error;
mod types;
mod validate;
pub(crate) use validate::parse_issuer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::secret::{ClientSecret, CookieSecret};
use crate::server::hooks::{BeforeSessionSaved, OnCallback};
use crate::server::session::SessionStore;

pub use builder::{Auth0ConfigBuilder, IntoSessionStore};
pub use error::{ConfigError, ConfigProblem, ConfigSetting, HostCookieConflict};
pub use types::{
    AppBaseUrl, AuthorizationParameters, ClientAssertionSigningAlg, ClientAuthMethod,
    IdTokenSigningAlg, LogoutStrategy, Routes, SameSite, Scope, SessionConfig, SessionCookieConfig,
    TransactionCookieConfig, DEFAULT_SCOPE,
};
pub(crate) use types::{ClientAssertion, DpopSettings};
pub(crate) use validate::ensure_openid;

/// The validated configuration. Build it with [`Auth0Config::builder`] or
/// [`Auth0Config::from_env`]; `Debug` never prints secrets.
#[derive(Clone)]
pub struct Auth0Config {
    pub(crate) domain: String,
    pub(crate) issuer: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: ClientSecret,
    pub(crate) client_auth_method: ClientAuthMethod,
    /// private_key_jwt: set instead of a client secret.
    pub(crate) client_assertion: Option<ClientAssertion>,
    /// Pushed Authorization Requests at login.
    pub(crate) pushed_authorization_requests: bool,
    /// DPoP for every token request.
    pub(crate) use_dpop: bool,
    /// The DPoP key and timing (with DPoP on, or a key configured).
    pub(crate) dpop: Option<DpopSettings>,
    pub(crate) secrets: Vec<CookieSecret>,
    pub(crate) app_base_url: AppBaseUrl,
    pub(crate) authorization_parameters: AuthorizationParameters,
    pub(crate) sign_in_return_to_path: String,
    pub(crate) session: SessionConfig,
    pub(crate) transaction_cookie: TransactionCookieConfig,
    pub(crate) enable_parallel_transactions: bool,
    pub(crate) logout_strategy: LogoutStrategy,
    pub(crate) id_token_signing_alg: IdTokenSigningAlg,
    pub(crate) include_id_token_hint_in_oidc_logout_url: bool,
    pub(crate) logout_return_to_allow_list: Vec<Url>,
    pub(crate) http_timeout: Duration,
    /// The client for every request to the provider, built (and checked)
    /// by `build` from `http_timeout` and `enable_telemetry`.
    pub(crate) http_client: reqwest::Client,
    pub(crate) enable_telemetry: bool,
    pub(crate) enable_access_token_endpoint: bool,
    /// How long an encrypted `mfa_token` stays usable.
    pub(crate) mfa_token_ttl: Duration,
    /// How long the session keeps an MFA step-up's context.
    pub(crate) mfa_context_ttl: Duration,
    pub(crate) enable_connect_account_endpoint: bool,
    pub(crate) enable_my_account_proxy: bool,
    pub(crate) enable_my_org_proxy: bool,
    pub(crate) token_refresh_buffer: Duration,
    pub(crate) rotation_race_window: Duration,
    pub(crate) no_content_profile_response_when_unauthenticated: bool,
    pub(crate) fetch_user_info: bool,
    pub(crate) routes: Routes,
    pub(crate) base_path: String,
    pub(crate) allow_insecure_requests: bool,
    pub(crate) production: bool,
    /// Whether `X-Forwarded-Host` / `-Proto` (their last value) count.
    pub(crate) trust_proxy: bool,
    pub(crate) before_session_saved: Option<BeforeSessionSaved>,
    pub(crate) on_callback: Option<OnCallback>,
    pub(crate) session_store: Option<Arc<dyn SessionStore>>,
}

impl fmt::Debug for Auth0Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth0Config")
            .field("domain", &self.domain)
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("client_auth_method", &self.client_auth_method)
            .field("client_assertion", &self.client_assertion)
            .field(
                "pushed_authorization_requests",
                &self.pushed_authorization_requests,
            )
            .field("use_dpop", &self.use_dpop)
            .field("dpop", &self.dpop)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("app_base_url", &self.app_base_url)
            .field("authorization_parameters", &self.authorization_parameters)
            .field("sign_in_return_to_path", &self.sign_in_return_to_path)
            .field("session", &self.session)
            .field("transaction_cookie", &self.transaction_cookie)
            .field(
                "enable_parallel_transactions",
                &self.enable_parallel_transactions,
            )
            .field("logout_strategy", &self.logout_strategy)
            .field("id_token_signing_alg", &self.id_token_signing_alg)
            .field(
                "include_id_token_hint_in_oidc_logout_url",
                &self.include_id_token_hint_in_oidc_logout_url,
            )
            .field("http_timeout", &self.http_timeout)
            .field("enable_telemetry", &self.enable_telemetry)
            .field(
                "enable_access_token_endpoint",
                &self.enable_access_token_endpoint,
            )
            .field("mfa_token_ttl", &self.mfa_token_ttl)
            .field("mfa_context_ttl", &self.mfa_context_ttl)
            .field(
                "enable_connect_account_endpoint",
                &self.enable_connect_account_endpoint,
            )
            .field("enable_my_account_proxy", &self.enable_my_account_proxy)
            .field("enable_my_org_proxy", &self.enable_my_org_proxy)
            .field("token_refresh_buffer", &self.token_refresh_buffer)
            .field("rotation_race_window", &self.rotation_race_window)
            .field("routes", &self.routes)
            .field("base_path", &self.base_path)
            .field("allow_insecure_requests", &self.allow_insecure_requests)
            .field("trust_proxy", &self.trust_proxy)
            .field(
                "before_session_saved",
                &self.before_session_saved.as_ref().map(|_| "<hook>"),
            )
            .field("on_callback", &self.on_callback.as_ref().map(|_| "<hook>"))
            .field(
                "session_store",
                &self.session_store.as_ref().map(|_| "<store>"),
            )
            .finish_non_exhaustive()
    }
}

impl Auth0Config {
    /// A builder with every option at its default.
    pub fn builder() -> Auth0ConfigBuilder {
        Auth0ConfigBuilder::default()
    }

    /// Reads `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`,
    /// `AUTH0_SECRET`, `APP_BASE_URL` and the optional variables listed on
    /// [`Auth0ConfigBuilder::from_env`], then validates: the same as
    /// `Auth0Config::builder().from_env().build()`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Auth0ConfigBuilder::default().from_env().build()
    }

    /// The provider's issuer URL (always ends with `/` for a bare domain).
    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The full path of a route: base path + route.
    pub(crate) fn route_path(&self, route: &str) -> String {
        format!("{}{}", self.base_path, route)
    }

    /// Authentication route paths, with the base path.
    pub fn routes(&self) -> Routes {
        let r = &self.routes;
        Routes {
            login: self.route_path(&r.login),
            logout: self.route_path(&r.logout),
            callback: self.route_path(&r.callback),
            profile: self.route_path(&r.profile),
            access_token: self.route_path(&r.access_token),
            backchannel_logout: self.route_path(&r.backchannel_logout),
            connect_account: self.route_path(&r.connect_account),
            mfa: self.route_path(&r.mfa),
            my_account: self.route_path(&r.my_account),
            my_org: self.route_path(&r.my_org),
        }
    }

    /// The configured base path (empty or starting with `/`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }
}
