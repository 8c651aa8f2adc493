//! [`Auth0ConfigBuilder`]: plain setters; nothing is checked until
//! [`build`](Auth0ConfigBuilder::build).

use std::collections::BTreeMap;
use std::time::Duration;

use super::types::*;
use crate::server::hooks::{BeforeSessionSaved, OnCallback};
use crate::server::secret::Secret;

/// Builds an [`Auth0Config`](super::Auth0Config). Setters take plain values; [`build`](Self::build)
/// validates all of them at once.
#[derive(Default, Clone)]
#[must_use]
pub struct Auth0ConfigBuilder {
    pub(super) domain: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<Secret>,
    pub(super) client_auth_method: Option<String>,
    pub(super) secrets: Vec<Secret>,
    pub(super) app_base_url: Option<String>,
    pub(super) scope: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) extra_params: BTreeMap<String, String>,
    pub(super) sign_in_return_to_path: Option<String>,
    pub(super) session: SessionConfig,
    pub(super) cookie_secure_raw: Option<String>,
    pub(super) cookie_same_site_raw: Option<String>,
    pub(super) cookie_transient_raw: Option<String>,
    pub(super) transaction_cookie: TransactionCookieConfig,
    pub(super) enable_parallel_transactions: Option<bool>,
    pub(super) logout_strategy: Option<String>,
    pub(super) include_id_token_hint: Option<bool>,
    pub(super) logout_return_to_allow_list: Vec<String>,
    pub(super) http_timeout: Option<Duration>,
    pub(super) enable_telemetry: Option<bool>,
    pub(super) enable_access_token_endpoint: Option<bool>,
    pub(super) token_refresh_buffer: Option<Duration>,
    pub(super) no_content_profile: Option<bool>,
    pub(super) routes: Routes,
    pub(super) base_path: Option<String>,
    pub(super) allow_insecure_requests: Option<bool>,
    pub(super) production: Option<bool>,
    pub(super) before_session_saved: Option<BeforeSessionSaved>,
    pub(super) on_callback: Option<OnCallback>,
    pub(super) session_store:
        Option<std::sync::Arc<dyn crate::server::session::store::SessionStore>>,
    pub(super) env_problems: Vec<String>,
}

impl Auth0ConfigBuilder {
    /// Tenant domain (`example.us.auth0.com`) or full issuer URL
    /// (`https://login.example.com`, `http://127.0.0.1:4400`).
    pub fn domain(mut self, v: impl Into<String>) -> Self {
        self.domain = Some(v.into());
        self
    }
    /// Client id.
    pub fn client_id(mut self, v: impl Into<String>) -> Self {
        self.client_id = Some(v.into());
        self
    }
    /// Client secret.
    pub fn client_secret(mut self, v: impl Into<Secret>) -> Self {
        self.client_secret = Some(v.into());
        self
    }
    /// Client authentication at the token endpoint (default `client_secret_post`).
    pub fn client_auth_method(mut self, v: ClientAuthMethod) -> Self {
        self.client_auth_method = Some(match v {
            ClientAuthMethod::ClientSecretPost => "client_secret_post".into(),
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic".into(),
        });
        self
    }
    /// The cookie secret (at least 32 characters). Calling it again adds an
    /// older secret that still decrypts (rotation): the first one encrypts.
    pub fn secret(mut self, v: impl Into<Secret>) -> Self {
        self.secrets.push(v.into());
        self
    }
    /// The application's base URL, or a comma-separated allow-list of origins.
    pub fn app_base_url(mut self, v: impl Into<String>) -> Self {
        self.app_base_url = Some(v.into());
        self
    }
    /// Scope requested at login (default `openid profile email offline_access`).
    pub fn scope(mut self, v: impl Into<String>) -> Self {
        self.scope = Some(v.into());
        self
    }
    /// API audience requested at login.
    pub fn audience(mut self, v: impl Into<String>) -> Self {
        self.audience = Some(v.into());
        self
    }
    /// Any other `/authorize` parameter.
    pub fn authorization_param(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.extra_params.insert(k.into(), v.into());
        self
    }
    /// Where to land after login when no `returnTo` is given (default `/`).
    pub fn sign_in_return_to_path(mut self, v: impl Into<String>) -> Self {
        self.sign_in_return_to_path = Some(v.into());
        self
    }
    /// Session lifetime and cookie settings.
    pub fn session(mut self, v: SessionConfig) -> Self {
        self.session = v;
        self
    }
    /// Transaction cookie settings.
    pub fn transaction_cookie(mut self, v: TransactionCookieConfig) -> Self {
        self.transaction_cookie = v;
        self
    }
    /// One transaction cookie per login attempt (default `true`) or a single shared one.
    pub fn enable_parallel_transactions(mut self, v: bool) -> Self {
        self.enable_parallel_transactions = Some(v);
        self
    }
    /// Logout strategy (default auto).
    pub fn logout_strategy(mut self, v: LogoutStrategy) -> Self {
        self.logout_strategy = Some(
            match v {
                LogoutStrategy::Auto => "auto",
                LogoutStrategy::Oidc => "oidc",
                LogoutStrategy::V2 => "v2",
            }
            .into(),
        );
        self
    }
    /// Send `id_token_hint` in OIDC logout URLs (default `true`).
    pub fn include_id_token_hint_in_oidc_logout_url(mut self, v: bool) -> Self {
        self.include_id_token_hint = Some(v);
        self
    }
    /// Extra absolute URLs (or origins) accepted as logout `returnTo`,
    /// besides the application's own origin.
    pub fn logout_return_to_allow(mut self, v: impl Into<String>) -> Self {
        self.logout_return_to_allow_list.push(v.into());
        self
    }
    /// Timeout of each request to the provider (default 5 s).
    pub fn http_timeout(mut self, v: Duration) -> Self {
        self.http_timeout = Some(v);
        self
    }
    /// Send the `Auth0-Client` telemetry header (default `true`).
    pub fn enable_telemetry(mut self, v: bool) -> Self {
        self.enable_telemetry = Some(v);
        self
    }
    /// Mount `/auth/access-token` (default `true`).
    pub fn enable_access_token_endpoint(mut self, v: bool) -> Self {
        self.enable_access_token_endpoint = Some(v);
        self
    }
    /// Refresh access tokens this long before they expire (default 0).
    pub fn token_refresh_buffer(mut self, v: Duration) -> Self {
        self.token_refresh_buffer = Some(v);
        self
    }
    /// `/auth/profile` answers 204 instead of 401 when logged out.
    pub fn no_content_profile_response_when_unauthenticated(mut self, v: bool) -> Self {
        self.no_content_profile = Some(v);
        self
    }
    /// Route paths.
    pub fn routes(mut self, v: Routes) -> Self {
        self.routes = v;
        self
    }
    /// A base path the app is mounted under (`/dashboard`).
    pub fn base_path(mut self, v: impl Into<String>) -> Self {
        self.base_path = Some(v.into());
        self
    }
    /// Permit a plain-`http` provider (a local test provider). Never in production.
    pub fn allow_insecure_requests(mut self, v: bool) -> Self {
        self.allow_insecure_requests = Some(v);
        self
    }
    /// Production mode enforces `Secure` cookies when the base URL is inferred.
    /// Default: `true` in release builds.
    pub fn production(mut self, v: bool) -> Self {
        self.production = Some(v);
        self
    }
    /// Hook run before a new session is saved (default: keep only the
    /// default ID-token claims).
    pub fn before_session_saved(mut self, hook: BeforeSessionSaved) -> Self {
        self.before_session_saved = Some(hook);
        self
    }
    /// Keep sessions in `store` (stateful sessions): the cookie then carries
    /// only an encrypted session id, and back-channel logout can end sessions.
    pub fn session_store(
        mut self,
        store: std::sync::Arc<dyn crate::server::session::store::SessionStore>,
    ) -> Self {
        self.session_store = Some(store);
        self
    }
    /// Hook that decides the callback's response, on success and on error.
    pub fn on_callback(mut self, hook: OnCallback) -> Self {
        self.on_callback = Some(hook);
        self
    }
}
