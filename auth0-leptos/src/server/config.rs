//! Configuration: the same options and `AUTH0_*` variables as the Next.js SDK,
//! validated once at start-up.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use url::Url;

use crate::secret::{ClientSecret, CookieSecret};
use crate::server::hooks::{BeforeSessionSaved, OnCallback};

/// Default scope requested at login.
pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";

/// `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// `SameSite=Lax` (default): sent on top-level navigations, which the
    /// callback from the provider is.
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None` (requires `Secure`).
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Some(Self::Lax),
            "strict" => Some(Self::Strict),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// Which logout endpoint to send the user to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogoutStrategy {
    /// OIDC RP-initiated logout when the provider advertises an
    /// `end_session_endpoint`, else Auth0's `/v2/logout`.
    #[default]
    Auto,
    /// Always OIDC RP-initiated logout (an error when not available).
    Oidc,
    /// Always Auth0's `/v2/logout` (supports wildcard logout URLs).
    V2,
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` in the form body (nextjs-auth0's default).
    #[default]
    ClientSecretPost,
    /// HTTP Basic authentication.
    ClientSecretBasic,
}

/// Where the application's base URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppBaseUrl {
    /// Inferred from `Host` / `X-Forwarded-Host` / `X-Forwarded-Proto`.
    Inferred,
    /// One fixed URL.
    Static(Url),
    /// Several allowed origins; the request's origin must match one.
    AllowList(Vec<Url>),
}

/// Parameters sent to `/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationParameters {
    /// Scope (default [`DEFAULT_SCOPE`]); `openid` is always added.
    pub scope: String,
    /// API audience for the access token.
    pub audience: Option<String>,
    /// Any other parameter (`connection`, `organization`, `max_age`, ...).
    pub extra: BTreeMap<String, String>,
}

impl Default for AuthorizationParameters {
    fn default() -> Self {
        Self {
            scope: DEFAULT_SCOPE.into(),
            audience: None,
            extra: BTreeMap::new(),
        }
    }
}

/// Attributes of the session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookieConfig {
    /// Cookie name (default `__session`).
    pub name: String,
    /// `Domain` attribute (`AUTH0_COOKIE_DOMAIN`).
    pub domain: Option<String>,
    /// `Path` attribute (default `/`, `AUTH0_COOKIE_PATH`).
    pub path: String,
    /// `Secure` attribute; `None` = from the base URL's scheme (`AUTH0_COOKIE_SECURE`).
    pub secure: Option<bool>,
    /// `SameSite` (default `Lax`, `AUTH0_COOKIE_SAME_SITE`).
    pub same_site: SameSite,
    /// No `Max-Age`: the cookie ends with the browser session (`AUTH0_COOKIE_TRANSIENT`).
    pub transient: bool,
}

impl Default for SessionCookieConfig {
    fn default() -> Self {
        Self {
            name: "__session".into(),
            domain: None,
            path: "/".into(),
            secure: None,
            same_site: SameSite::Lax,
            transient: false,
        }
    }
}

/// Session lifetime and cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Extend the session on use, up to the absolute duration (default `true`).
    pub rolling: bool,
    /// Maximum session lifetime (default 3 days).
    pub absolute_duration: Duration,
    /// Idle time after which the session ends (default 1 day).
    pub inactivity_duration: Duration,
    /// A rolling session's cookie is re-issued at most this often (default
    /// 60 s): a request within this time of the last write sends no
    /// `Set-Cookie`, which saves re-sending ~1-4 kB per response. The idle
    /// timeout is therefore honoured to within this interval.
    pub rolling_interval: Duration,
    /// Cookie attributes.
    pub cookie: SessionCookieConfig,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            rolling: true,
            absolute_duration: Duration::from_secs(3 * 24 * 3600),
            inactivity_duration: Duration::from_secs(24 * 3600),
            rolling_interval: Duration::from_secs(60),
            cookie: SessionCookieConfig::default(),
        }
    }
}

/// Transaction cookies (`__txn_{state}`), which carry PKCE verifier, nonce and
/// returnTo from `/auth/login` to `/auth/callback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionCookieConfig {
    /// Name prefix (default `__txn_`).
    pub prefix: String,
    /// Lifetime (default 1 hour).
    pub max_age: Duration,
    /// `SameSite` (default `Lax`; the callback is a cross-site top-level GET).
    pub same_site: SameSite,
    /// `Secure`; `None` = from the base URL's scheme.
    pub secure: Option<bool>,
    /// `Path` (default `/`).
    pub path: String,
    /// At most this many pending login transactions per browser (default 5):
    /// the oldest are deleted when a new login starts, so abandoned logins
    /// cannot grow the `Cookie` header until the server answers 431.
    pub max_pending: usize,
}

impl Default for TransactionCookieConfig {
    fn default() -> Self {
        Self {
            prefix: "__txn_".into(),
            max_age: Duration::from_secs(3600),
            same_site: SameSite::Lax,
            secure: None,
            path: "/".into(),
            max_pending: 5,
        }
    }
}

/// Paths of the authentication routes (before the base path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    /// Default `/auth/login`.
    pub login: String,
    /// Default `/auth/logout`.
    pub logout: String,
    /// Default `/auth/callback`.
    pub callback: String,
    /// Default `/auth/profile`.
    pub profile: String,
    /// Default `/auth/access-token`.
    pub access_token: String,
    /// Default `/auth/backchannel-logout`.
    pub backchannel_logout: String,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            login: "/auth/login".into(),
            logout: "/auth/logout".into(),
            callback: "/auth/callback".into(),
            profile: "/auth/profile".into(),
            access_token: "/auth/access-token".into(),
            backchannel_logout: "/auth/backchannel-logout".into(),
        }
    }
}

/// The validated configuration. Build it with [`Auth0Config::builder`] or
/// [`Auth0Config::from_env`]; `Debug` never prints secrets.
#[derive(Clone)]
pub struct Auth0Config {
    pub(crate) domain: String,
    pub(crate) issuer: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: ClientSecret,
    pub(crate) client_auth_method: ClientAuthMethod,
    pub(crate) secrets: Vec<CookieSecret>,
    pub(crate) app_base_url: AppBaseUrl,
    pub(crate) authorization_parameters: AuthorizationParameters,
    pub(crate) sign_in_return_to_path: String,
    pub(crate) session: SessionConfig,
    pub(crate) transaction_cookie: TransactionCookieConfig,
    pub(crate) enable_parallel_transactions: bool,
    pub(crate) logout_strategy: LogoutStrategy,
    pub(crate) include_id_token_hint_in_oidc_logout_url: bool,
    pub(crate) logout_return_to_allow_list: Vec<Url>,
    pub(crate) http_timeout: Duration,
    pub(crate) enable_telemetry: bool,
    pub(crate) enable_access_token_endpoint: bool,
    pub(crate) token_refresh_buffer: Duration,
    pub(crate) no_content_profile_response_when_unauthenticated: bool,
    pub(crate) routes: Routes,
    pub(crate) base_path: String,
    pub(crate) allow_insecure_requests: bool,
    pub(crate) production: bool,
    pub(crate) before_session_saved: Option<BeforeSessionSaved>,
    pub(crate) on_callback: Option<OnCallback>,
    pub(crate) session_store: Option<std::sync::Arc<dyn crate::server::session::SessionStore>>,
}

impl fmt::Debug for Auth0Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth0Config")
            .field("domain", &self.domain)
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("client_auth_method", &self.client_auth_method)
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
            .field("token_refresh_buffer", &self.token_refresh_buffer)
            .field("routes", &self.routes)
            .field("base_path", &self.base_path)
            .field("allow_insecure_requests", &self.allow_insecure_requests)
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

/// Every problem found in the configuration, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// One line per missing or invalid setting.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid_configuration: auth0-leptos cannot start:")?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        "invalid_configuration"
    }
}

impl Auth0Config {
    /// A builder with every option at its default.
    pub fn builder() -> Auth0ConfigBuilder {
        Auth0ConfigBuilder::default()
    }

    /// Reads `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`,
    /// `AUTH0_SECRET`, `APP_BASE_URL` and the optional variables listed on
    /// [`Auth0ConfigBuilder::from_env`], then validates.
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
        }
    }

    /// The configured base path (empty or starting with `/`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }
}

/// Builds an [`Auth0Config`]. Setters take plain values; [`build`](Self::build)
/// validates all of them at once.
#[derive(Default, Clone)]
#[must_use]
pub struct Auth0ConfigBuilder {
    domain: Option<String>,
    client_id: Option<String>,
    client_secret: Option<ClientSecret>,
    client_auth_method: Option<String>,
    secrets: Vec<CookieSecret>,
    app_base_url: Option<String>,
    scope: Option<String>,
    audience: Option<String>,
    extra_params: BTreeMap<String, String>,
    sign_in_return_to_path: Option<String>,
    session: SessionConfig,
    cookie_secure_raw: Option<String>,
    cookie_same_site_raw: Option<String>,
    cookie_transient_raw: Option<String>,
    transaction_cookie: TransactionCookieConfig,
    enable_parallel_transactions: Option<bool>,
    logout_strategy: Option<String>,
    include_id_token_hint: Option<bool>,
    logout_return_to_allow_list: Vec<String>,
    http_timeout: Option<Duration>,
    enable_telemetry: Option<bool>,
    enable_access_token_endpoint: Option<bool>,
    token_refresh_buffer: Option<Duration>,
    no_content_profile: Option<bool>,
    routes: Routes,
    base_path: Option<String>,
    allow_insecure_requests: Option<bool>,
    production: Option<bool>,
    before_session_saved: Option<BeforeSessionSaved>,
    on_callback: Option<OnCallback>,
    session_store: Option<std::sync::Arc<dyn crate::server::session::SessionStore>>,
    env_problems: Vec<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Auth0ConfigBuilder {
    /// Fills every option not set yet from the environment:
    /// `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`, `AUTH0_SECRET`
    /// (several secrets may be given comma-separated, newest first),
    /// `APP_BASE_URL` (one URL or a comma-separated allow-list),
    /// `AUTH0_SCOPE`, `AUTH0_AUDIENCE`, `AUTH0_COOKIE_DOMAIN`, `AUTH0_COOKIE_PATH`,
    /// `AUTH0_COOKIE_TRANSIENT`, `AUTH0_COOKIE_SECURE`, `AUTH0_COOKIE_SAME_SITE`,
    /// `AUTH0_CLIENT_AUTH_METHOD` (`client_secret_post` | `client_secret_basic`),
    /// `AUTH0_LOGOUT_STRATEGY`, `AUTH0_BASE_PATH`, `AUTH0_HTTP_TIMEOUT` (ms),
    /// `AUTH0_ENABLE_TELEMETRY`, `AUTH0_ALLOW_INSECURE_REQUESTS`,
    /// `AUTH0_PRODUCTION` (default: release builds are production).
    pub fn from_env(mut self) -> Self {
        macro_rules! fill {
            ($field:expr, $var:literal) => {
                if $field.is_none() {
                    $field = env($var).map(Into::into);
                }
            };
        }
        fill!(self.domain, "AUTH0_DOMAIN");
        fill!(self.client_id, "AUTH0_CLIENT_ID");
        fill!(self.client_secret, "AUTH0_CLIENT_SECRET");
        fill!(self.app_base_url, "APP_BASE_URL");
        fill!(self.scope, "AUTH0_SCOPE");
        fill!(self.audience, "AUTH0_AUDIENCE");
        fill!(self.client_auth_method, "AUTH0_CLIENT_AUTH_METHOD");
        fill!(self.logout_strategy, "AUTH0_LOGOUT_STRATEGY");
        fill!(self.base_path, "AUTH0_BASE_PATH");
        fill!(self.cookie_secure_raw, "AUTH0_COOKIE_SECURE");
        fill!(self.cookie_same_site_raw, "AUTH0_COOKIE_SAME_SITE");
        fill!(self.cookie_transient_raw, "AUTH0_COOKIE_TRANSIENT");
        if self.secrets.is_empty() {
            if let Some(s) = env("AUTH0_SECRET") {
                self.secrets = s
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(CookieSecret::from)
                    .collect();
            }
        }
        if self.session.cookie.domain.is_none() {
            self.session.cookie.domain = env("AUTH0_COOKIE_DOMAIN");
        }
        if let Some(p) = env("AUTH0_COOKIE_PATH") {
            if self.session.cookie.path == "/" {
                self.session.cookie.path = p;
            }
        }
        let bools: [(&str, &mut Option<bool>); 3] = [
            ("AUTH0_ENABLE_TELEMETRY", &mut self.enable_telemetry),
            (
                "AUTH0_ALLOW_INSECURE_REQUESTS",
                &mut self.allow_insecure_requests,
            ),
            ("AUTH0_PRODUCTION", &mut self.production),
        ];
        for (var, slot) in bools {
            if slot.is_none() {
                if let Some(v) = env(var) {
                    match parse_bool(&v) {
                        Some(b) => *slot = Some(b),
                        None => self
                            .env_problems
                            .push(format!("{var} must be true or false, got {v:?}")),
                    }
                }
            }
        }
        if self.http_timeout.is_none() {
            if let Some(v) = env("AUTH0_HTTP_TIMEOUT") {
                match v.parse::<u64>() {
                    Ok(ms) if ms > 0 => self.http_timeout = Some(Duration::from_millis(ms)),
                    _ => self.env_problems.push(format!(
                        "AUTH0_HTTP_TIMEOUT must be a positive number of milliseconds, got {v:?}"
                    )),
                }
            }
        }
        self
    }

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
    pub fn client_secret(mut self, v: impl Into<ClientSecret>) -> Self {
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
    pub fn secret(mut self, v: impl Into<CookieSecret>) -> Self {
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
        store: std::sync::Arc<dyn crate::server::session::SessionStore>,
    ) -> Self {
        self.session_store = Some(store);
        self
    }
    /// Hook that decides the callback's response, on success and on error.
    pub fn on_callback(mut self, hook: OnCallback) -> Self {
        self.on_callback = Some(hook);
        self
    }

    /// Validates every setting and reports all problems together.
    pub fn build(self) -> Result<Auth0Config, ConfigError> {
        let mut problems = self.env_problems.clone();
        let production = self.production.unwrap_or(cfg!(not(debug_assertions)));
        let allow_insecure = self.allow_insecure_requests.unwrap_or(false);

        let issuer = match self.domain.as_deref() {
            None => {
                problems.push("AUTH0_DOMAIN (domain) is required".into());
                None
            }
            Some(d) => match parse_issuer(d) {
                Ok(u) => {
                    if u.scheme() == "http" && !allow_insecure {
                        problems.push(format!(
                            "AUTH0_DOMAIN {d:?} uses plain http; set AUTH0_ALLOW_INSECURE_REQUESTS=true only for a local test provider"
                        ));
                    }
                    Some(u)
                }
                Err(e) => {
                    problems.push(format!(
                        "AUTH0_DOMAIN {d:?} is not a valid domain or URL: {e}"
                    ));
                    None
                }
            },
        };
        let client_id = self.client_id.clone().unwrap_or_default();
        if client_id.is_empty() {
            problems.push("AUTH0_CLIENT_ID (client_id) is required".into());
        }
        let client_secret = self.client_secret.clone().unwrap_or_default();
        if client_secret.secret().is_empty() {
            problems.push("AUTH0_CLIENT_SECRET (client_secret) is required".into());
        }
        if self.secrets.is_empty() {
            problems.push(
                "AUTH0_SECRET (secret) is required: generate one with `openssl rand -hex 32`"
                    .into(),
            );
        }
        for (i, s) in self.secrets.iter().enumerate() {
            if s.secret().len() < 32 {
                problems.push(format!(
                    "AUTH0_SECRET{} must be at least 32 characters (generate one with `openssl rand -hex 32`)",
                    if i == 0 { String::new() } else { format!(" #{}", i + 1) }
                ));
            }
        }
        let client_auth_method = match self.client_auth_method.as_deref() {
            None | Some("client_secret_post") => ClientAuthMethod::ClientSecretPost,
            Some("client_secret_basic") => ClientAuthMethod::ClientSecretBasic,
            Some(other) => {
                problems.push(format!("AUTH0_CLIENT_AUTH_METHOD must be client_secret_post or client_secret_basic, got {other:?}"));
                ClientAuthMethod::default()
            }
        };

        let app_base_url = match self.app_base_url.as_deref() {
            None => AppBaseUrl::Inferred,
            Some(raw) => {
                let mut urls = Vec::new();
                for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match Url::parse(part) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                            urls.push(u)
                        }
                        _ => problems.push(format!(
                            "APP_BASE_URL entry {part:?} must be an absolute http(s) URL"
                        )),
                    }
                }
                match urls.len() {
                    0 => AppBaseUrl::Inferred,
                    1 => AppBaseUrl::Static(urls.remove(0)),
                    _ => AppBaseUrl::AllowList(urls),
                }
            }
        };

        let mut session = self.session.clone();
        if let Some(v) = &self.cookie_secure_raw {
            match parse_bool(v) {
                Some(b) => session.cookie.secure = session.cookie.secure.or(Some(b)),
                None => problems.push(format!(
                    "AUTH0_COOKIE_SECURE must be true or false, got {v:?}"
                )),
            }
        }
        if let Some(v) = &self.cookie_transient_raw {
            match parse_bool(v) {
                Some(b) => session.cookie.transient = session.cookie.transient || b,
                None => problems.push(format!(
                    "AUTH0_COOKIE_TRANSIENT must be true or false, got {v:?}"
                )),
            }
        }
        if let Some(v) = &self.cookie_same_site_raw {
            match SameSite::parse(v) {
                Some(s) => session.cookie.same_site = s,
                None => problems.push(format!(
                    "AUTH0_COOKIE_SAME_SITE must be lax, strict or none, got {v:?}"
                )),
            }
        }
        if session.absolute_duration.is_zero() || session.inactivity_duration.is_zero() {
            problems.push("session durations must be greater than zero".into());
        }
        if session.cookie.name.is_empty() || !is_cookie_name(&session.cookie.name) {
            problems.push(format!(
                "session cookie name {:?} is not a valid cookie name",
                session.cookie.name
            ));
        }
        if !is_cookie_name(&self.transaction_cookie.prefix) {
            problems.push(format!(
                "transaction cookie prefix {:?} is not a valid cookie name",
                self.transaction_cookie.prefix
            ));
        }
        if self.transaction_cookie.max_pending == 0 {
            problems.push("transaction_cookie.max_pending must be at least 1".into());
        }
        let inferred = matches!(app_base_url, AppBaseUrl::Inferred);
        if inferred
            && production
            && (session.cookie.secure == Some(false)
                || self.transaction_cookie.secure == Some(false))
        {
            problems.push(
                "insecure cookies (AUTH0_COOKIE_SECURE=false) are not allowed in production when APP_BASE_URL is inferred from the request".into(),
            );
        }
        if session.cookie.same_site == SameSite::None && session.cookie.secure == Some(false) {
            problems.push("AUTH0_COOKIE_SAME_SITE=none requires secure cookies".into());
        }

        let logout_strategy = match self.logout_strategy.as_deref() {
            None | Some("auto") => LogoutStrategy::Auto,
            Some("oidc") => LogoutStrategy::Oidc,
            Some("v2") => LogoutStrategy::V2,
            Some(other) => {
                problems.push(format!(
                    "AUTH0_LOGOUT_STRATEGY must be auto, oidc or v2, got {other:?}"
                ));
                LogoutStrategy::Auto
            }
        };

        let mut logout_allow = Vec::new();
        for raw in &self.logout_return_to_allow_list {
            match Url::parse(raw) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => logout_allow.push(u),
                _ => problems.push(format!(
                    "logout returnTo allow-list entry {raw:?} must be an absolute http(s) URL"
                )),
            }
        }

        let base_path = self.base_path.clone().unwrap_or_default();
        let base_path = base_path.trim_end_matches('/').to_owned();
        if !base_path.is_empty() && !base_path.starts_with('/') {
            problems.push(format!("AUTH0_BASE_PATH {base_path:?} must start with /"));
        }
        for (name, path) in [
            ("login", &self.routes.login),
            ("logout", &self.routes.logout),
            ("callback", &self.routes.callback),
            ("profile", &self.routes.profile),
            ("access_token", &self.routes.access_token),
            ("backchannel_logout", &self.routes.backchannel_logout),
        ] {
            if !path.starts_with('/') || path.len() < 2 {
                problems.push(format!(
                    "route {name} {path:?} must start with / and name a path"
                ));
            }
        }
        let sign_in_return_to_path = self
            .sign_in_return_to_path
            .clone()
            .unwrap_or_else(|| "/".into());
        if !sign_in_return_to_path.starts_with('/') || sign_in_return_to_path.starts_with("//") {
            problems.push(format!(
                "sign_in_return_to_path {sign_in_return_to_path:?} must be a path starting with /"
            ));
        }
        let mut extra = self.extra_params.clone();
        let scope = self
            .scope
            .clone()
            .or_else(|| extra.remove("scope"))
            .unwrap_or_else(|| DEFAULT_SCOPE.into());
        let audience = self.audience.clone().or_else(|| extra.remove("audience"));
        if let Some(ma) = extra.get("max_age") {
            if ma.parse::<u64>().is_err() {
                problems.push(format!(
                    "authorization parameter max_age must be a non-negative integer, got {ma:?}"
                ));
            }
        }

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Auth0Config {
            domain: self.domain.clone().unwrap_or_default(),
            issuer: issuer.expect("checked above"),
            client_id,
            client_secret,
            client_auth_method,
            secrets: self.secrets,
            app_base_url,
            authorization_parameters: AuthorizationParameters {
                scope: ensure_openid(&scope),
                audience,
                extra,
            },
            sign_in_return_to_path,
            session,
            transaction_cookie: self.transaction_cookie,
            enable_parallel_transactions: self.enable_parallel_transactions.unwrap_or(true),
            logout_strategy,
            include_id_token_hint_in_oidc_logout_url: self.include_id_token_hint.unwrap_or(true),
            logout_return_to_allow_list: logout_allow,
            http_timeout: self.http_timeout.unwrap_or(Duration::from_secs(5)),
            enable_telemetry: self.enable_telemetry.unwrap_or(true),
            enable_access_token_endpoint: self.enable_access_token_endpoint.unwrap_or(true),
            token_refresh_buffer: self.token_refresh_buffer.unwrap_or_default(),
            no_content_profile_response_when_unauthenticated: self
                .no_content_profile
                .unwrap_or(false),
            routes: self.routes,
            base_path,
            allow_insecure_requests: allow_insecure,
            production,
            before_session_saved: self.before_session_saved,
            on_callback: self.on_callback,
            session_store: self.session_store,
        })
    }
}

fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Adds `openid` to a scope string when missing.
pub(crate) fn ensure_openid(scope: &str) -> String {
    if scope.split_whitespace().any(|s| s == "openid") {
        scope.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        std::iter::once("openid")
            .chain(scope.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `example.auth0.com` → `https://example.auth0.com/`; full URLs keep scheme,
/// host, port and path (with a trailing `/`).
pub(crate) fn parse_issuer(domain: &str) -> Result<Url, String> {
    let with_scheme = if domain.contains("://") {
        domain.to_owned()
    } else {
        format!("https://{domain}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be https (or http for a local test provider)".into());
    }
    if url.host().is_none() {
        return Err("it has no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("it must not have a query, fragment or credentials".into());
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain("example.us.auth0.com")
            .client_id("cid")
            .client_secret("csecret")
            .secret("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn issuer_forms() {
        assert_eq!(
            parse_issuer("example.auth0.com").unwrap().as_str(),
            "https://example.auth0.com/"
        );
        assert_eq!(
            parse_issuer("http://127.0.0.1:4400").unwrap().as_str(),
            "http://127.0.0.1:4400/"
        );
        assert_eq!(
            parse_issuer("https://login.example.com/").unwrap().as_str(),
            "https://login.example.com/"
        );
        assert!(parse_issuer("ftp://x").is_err());
        assert!(parse_issuer("https://x?y=1").is_err());
    }

    #[test]
    fn defaults_match_the_next_js_sdk() {
        let c = base().build().unwrap();
        assert_eq!(c.authorization_parameters.scope, DEFAULT_SCOPE);
        assert_eq!(c.session.absolute_duration, Duration::from_secs(259_200));
        assert_eq!(c.session.inactivity_duration, Duration::from_secs(86_400));
        assert!(c.session.rolling);
        assert_eq!(c.session.cookie.name, "__session");
        assert_eq!(c.transaction_cookie.prefix, "__txn_");
        assert_eq!(c.transaction_cookie.max_age, Duration::from_secs(3600));
        assert_eq!(c.http_timeout, Duration::from_secs(5));
        assert!(
            c.enable_telemetry && c.enable_access_token_endpoint && c.enable_parallel_transactions
        );
        assert_eq!(c.logout_strategy, LogoutStrategy::Auto);
        assert_eq!(c.routes().login, "/auth/login");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = Auth0Config::builder()
            .secret("short")
            .domain("http://127.0.0.1:4400")
            .build()
            .unwrap_err();
        let text = err.to_string();
        for needle in [
            "AUTH0_CLIENT_ID",
            "AUTH0_CLIENT_SECRET",
            "at least 32",
            "plain http",
        ] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
        assert!(!text.contains("short"));
    }

    #[test]
    fn openid_is_enforced() {
        assert_eq!(ensure_openid("profile email"), "openid profile email");
        assert_eq!(
            base()
                .scope("email")
                .build()
                .unwrap()
                .authorization_parameters
                .scope,
            "openid email"
        );
    }

    #[test]
    fn insecure_cookie_with_inferred_base_url_in_production_is_rejected() {
        let mut s = SessionConfig::default();
        s.cookie.secure = Some(false);
        let err = base()
            .session(s.clone())
            .production(true)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("insecure cookies"));
        assert!(base()
            .session(s)
            .production(true)
            .app_base_url("http://localhost:3000")
            .build()
            .is_ok());
    }

    #[test]
    fn debug_hides_secrets() {
        let c = base().build().unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("csecret") && !d.contains("0123456789abcdef"));
    }

    #[test]
    fn allow_list_base_url() {
        let c = base()
            .app_base_url("https://a.example.com, https://b.example.com")
            .build()
            .unwrap();
        assert!(matches!(c.app_base_url, AppBaseUrl::AllowList(ref v) if v.len() == 2));
    }
}
