//! [`Auth0ConfigBuilder`]: typed setters that record explicit values;
//! nothing is checked or defaulted until [`build`](Auth0ConfigBuilder::build).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use url::Url;

use super::env::{EnvValues, Parsed};
use super::error::{ConfigProblem, ConfigSetting};
use super::types::*;
use crate::secret::{ClientSecret, CookieSecret};
use crate::server::error::CallbackError;
use crate::server::hooks::{BeforeSessionSaved, BoxFuture, CallbackContext, OnCallback};
use crate::server::session::SessionData;
use crate::server::session::SessionStore;

/// Builds an [`Auth0Config`](super::Auth0Config). Each setter records an
/// explicit value, which wins over the environment variable of the same
/// setting; [`build`](Self::build) validates everything at once.
///
#[doc = include_str!("precedence.md")]
#[derive(Default, Clone)]
#[must_use]
pub struct Auth0ConfigBuilder {
    pub(super) domain: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<ClientSecret>,
    pub(super) client_auth_method: Option<ClientAuthMethod>,
    pub(super) client_assertion_signing_key: Option<SigningKeySource>,
    pub(super) client_assertion_signing_alg: Option<ClientAssertionSigningAlg>,
    pub(super) client_assertion_key_id: Option<String>,
    pub(super) pushed_authorization_requests: Option<bool>,
    pub(super) use_dpop: Option<bool>,
    pub(super) dpop_key_pair: Option<crate::server::crypto::dpop_key::DpopKeyPair>,
    pub(super) dpop_clock_skew: Option<i64>,
    pub(super) dpop_clock_tolerance: Option<Duration>,
    pub(super) retry_delay: Option<Duration>,
    pub(super) retry_jitter: Option<bool>,
    pub(super) mfa_token_ttl: Option<Duration>,
    pub(super) mfa_context_ttl: Option<Duration>,
    pub(super) enable_connect_account_endpoint: Option<bool>,
    pub(super) enable_my_account_proxy: Option<bool>,
    pub(super) enable_my_org_proxy: Option<bool>,
    /// Explicit when not empty.
    pub(super) secrets: Vec<CookieSecret>,
    pub(super) app_base_url: Option<Parsed<AppBaseUrl>>,
    pub(super) scope: Option<Scope>,
    pub(super) audience: Option<String>,
    pub(super) extra_params: BTreeMap<String, String>,
    pub(super) sign_in_return_to_path: Option<String>,
    /// Session settings without a variable; its `cookie` attributes that
    /// have one are in `cookie` instead.
    pub(super) session: SessionConfig,
    pub(super) cookie: CookieSettings,
    pub(super) transaction_cookie: TransactionCookieConfig,
    pub(super) enable_parallel_transactions: Option<bool>,
    pub(super) logout_strategy: Option<LogoutStrategy>,
    pub(super) id_token_signing_alg: Option<IdTokenSigningAlg>,
    pub(super) include_id_token_hint: Option<bool>,
    pub(super) logout_return_to_allow_list: Vec<Result<Url, ConfigProblem>>,
    pub(super) http_timeout: Option<Duration>,
    pub(super) enable_telemetry: Option<bool>,
    pub(super) enable_access_token_endpoint: Option<bool>,
    pub(super) token_refresh_buffer: Option<Duration>,
    pub(super) rotation_race_window: Option<Duration>,
    pub(super) no_content_profile: Option<bool>,
    pub(super) fetch_user_info: Option<bool>,
    pub(super) routes: Routes,
    pub(super) base_path: Option<String>,
    pub(super) allow_insecure_requests: Option<bool>,
    pub(super) production: Option<bool>,
    pub(super) trust_proxy: Option<bool>,
    pub(super) before_session_saved: Option<BeforeSessionSaved>,
    pub(super) on_callback: Option<OnCallback>,
    pub(super) session_store: Option<Arc<dyn SessionStore>>,
    /// What [`from_env`](Self::from_env) read (nothing until it is called).
    pub(super) env: EnvValues,
}

/// Explicit values of the session cookie attributes that have a variable.
/// `Some(None)` for `domain` / `secure` is an explicit "no `Domain`" /
/// "from the scheme".
#[derive(Debug, Clone, Default)]
pub(super) struct CookieSettings {
    pub(super) domain: Option<Option<String>>,
    pub(super) path: Option<String>,
    pub(super) secure: Option<Option<bool>>,
    pub(super) same_site: Option<SameSite>,
    pub(super) transient: Option<bool>,
}

mod sealed {
    use std::sync::Arc;

    use crate::server::session::SessionStore;

    pub trait Sealed {
        fn into_shared(self) -> Arc<dyn SessionStore>;
    }

    impl<S: SessionStore> Sealed for S {
        fn into_shared(self) -> Arc<dyn SessionStore> {
            Arc::new(self)
        }
    }

    impl<S: SessionStore> Sealed for Arc<S> {
        fn into_shared(self) -> Arc<dyn SessionStore> {
            self
        }
    }

    impl Sealed for Arc<dyn SessionStore> {
        fn into_shared(self) -> Arc<dyn SessionStore> {
            self
        }
    }
}

/// What [`Auth0ConfigBuilder::session_store`] accepts: a [`SessionStore`]
/// value, or an `Arc` of one (to keep a handle to the store).
pub trait IntoSessionStore: sealed::Sealed {}

impl<T: sealed::Sealed> IntoSessionStore for T {}

impl Auth0ConfigBuilder {
    /// Tenant domain (`example.us.auth0.com`) or full issuer URL
    /// (`https://login.example.com`, `http://127.0.0.1:4400`);
    /// `AUTH0_DOMAIN`. Required.
    pub fn domain(mut self, v: impl Into<String>) -> Self {
        self.domain = Some(v.into());
        self
    }
    /// Client id; `AUTH0_CLIENT_ID`. Required.
    pub fn client_id(mut self, v: impl Into<String>) -> Self {
        self.client_id = Some(v.into());
        self
    }
    /// Client secret; `AUTH0_CLIENT_SECRET`. Required.
    pub fn client_secret(mut self, v: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(v.into());
        self
    }
    /// Client authentication at the token endpoint (default
    /// `client_secret_post`); `AUTH0_CLIENT_AUTH_METHOD`.
    pub fn client_auth_method(mut self, v: ClientAuthMethod) -> Self {
        self.client_auth_method = Some(v);
        self
    }
    /// The private key of a `private_key_jwt` application (instead of a
    /// client secret): PEM text, or the path of a PEM file;
    /// `AUTH0_CLIENT_ASSERTION_SIGNING_KEY`. Every call to the token,
    /// pushed-authorization and revocation endpoints then carries a fresh
    /// signed client assertion (RFC 7523). Setting both this and a client
    /// secret is a configuration error.
    pub fn client_assertion_signing_key(mut self, pem_or_path: impl Into<String>) -> Self {
        self.client_assertion_signing_key = Some(SigningKeySource::new(pem_or_path.into()));
        self
    }
    /// The algorithm of the client assertions (default `RS256`);
    /// `AUTH0_CLIENT_ASSERTION_SIGNING_ALG`.
    pub fn client_assertion_signing_alg(mut self, v: ClientAssertionSigningAlg) -> Self {
        self.client_assertion_signing_alg = Some(v);
        self
    }
    /// The `kid` put in the client assertions' header (default none: Auth0
    /// tries the application's registered keys); `AUTH0_CLIENT_ASSERTION_KEY_ID`.
    pub fn client_assertion_key_id(mut self, v: impl Into<String>) -> Self {
        self.client_assertion_key_id = Some(v.into());
        self
    }
    /// Use Pushed Authorization Requests (RFC 9126) at login (default
    /// off); `AUTH0_PUSHED_AUTHORIZATION_REQUESTS`. The authorization
    /// parameters are posted to the provider's
    /// `pushed_authorization_request_endpoint` with client authentication,
    /// and the browser is sent to the authorization endpoint with only
    /// `client_id` and `request_uri`.
    pub fn pushed_authorization_requests(mut self, v: bool) -> Self {
        self.pushed_authorization_requests = Some(v);
        self
    }
    /// DPoP (RFC 9449, default off); `AUTH0_USE_DPOP`. Every token request
    /// then carries a proof of the DPoP key, access tokens come back bound
    /// to it (`token_type: DPoP`), refreshes keep the binding, and
    /// [`Fetcher`](crate::server::Fetcher)s present them with proofs.
    pub fn use_dpop(mut self, v: bool) -> Self {
        self.use_dpop = Some(v);
        self
    }
    /// The DPoP key pair (the seeds' `dpopKeyPair`); else
    /// `AUTH0_DPOP_PRIVATE_KEY` (and `AUTH0_DPOP_PUBLIC_KEY`, which must match
    /// it), else, with DPoP on, a key generated at start-up (tokens bound to
    /// it do not survive a restart nor work on another instance: a warning
    /// says so).
    pub fn dpop_key_pair(mut self, v: crate::server::crypto::dpop_key::DpopKeyPair) -> Self {
        self.dpop_key_pair = Some(v);
        self
    }
    /// Seconds added to this machine's clock in DPoP proofs' `iat` (default
    /// 0), for a clock known to be off; `AUTH0_DPOP_CLOCK_SKEW`.
    pub fn dpop_clock_skew(mut self, seconds: i64) -> Self {
        self.dpop_clock_skew = Some(seconds);
        self
    }
    /// Clock difference tolerated when checking DPoP proofs' times (default
    /// 30 s); `AUTH0_DPOP_CLOCK_TOLERANCE`.
    pub fn dpop_clock_tolerance(mut self, v: Duration) -> Self {
        self.dpop_clock_tolerance = Some(v);
        self
    }
    /// Pause before the one retry after a DPoP nonce challenge (default
    /// 100 ms); `AUTH0_RETRY_DELAY` (milliseconds).
    pub fn retry_delay(mut self, v: Duration) -> Self {
        self.retry_delay = Some(v);
        self
    }
    /// Randomise that pause between half and one and a half of it (default
    /// on); `AUTH0_RETRY_JITTER`.
    pub fn retry_jitter(mut self, v: bool) -> Self {
        self.retry_jitter = Some(v);
        self
    }
    /// How long the encrypted `mfa_token` of an
    /// [`MfaRequired`](crate::AccessTokenError::MfaRequired) error stays
    /// usable (default 300 s, as long as Auth0's own); `AUTH0_MFA_TOKEN_TTL`
    /// (seconds).
    pub fn mfa_token_ttl(mut self, v: Duration) -> Self {
        self.mfa_token_ttl = Some(v);
        self
    }
    /// How long the session keeps the context of an MFA step-up (which
    /// audience and scope asked for it); older contexts are dropped when the
    /// session is written (default: the `mfa_token_ttl`);
    /// `AUTH0_MFA_CONTEXT_TTL` (seconds).
    pub fn mfa_context_ttl(mut self, v: Duration) -> Self {
        self.mfa_context_ttl = Some(v);
        self
    }
    /// Mount the connected-accounts route (`/auth/connect`, default off);
    /// `AUTH0_ENABLE_CONNECT_ACCOUNT_ENDPOINT`.
    pub fn enable_connect_account_endpoint(mut self, v: bool) -> Self {
        self.enable_connect_account_endpoint = Some(v);
        self
    }
    /// Serve the My Account API proxy (`/me/*` to `https://{domain}/me/v1/*`,
    /// default off); `AUTH0_ENABLE_MY_ACCOUNT_PROXY`. A request names the
    /// scope it needs in its `scope` header; only scopes configured for the
    /// `https://{domain}/me/` audience are granted.
    pub fn enable_my_account_proxy(mut self, v: bool) -> Self {
        self.enable_my_account_proxy = Some(v);
        self
    }
    /// Serve the My Organization API proxy (`/my-org/*` to
    /// `https://{domain}/my-org/*`, default off); `AUTH0_ENABLE_MY_ORG_PROXY`.
    /// Scopes as for [`enable_my_account_proxy`](Self::enable_my_account_proxy),
    /// for the `https://{domain}/my-org/` audience.
    pub fn enable_my_org_proxy(mut self, v: bool) -> Self {
        self.enable_my_org_proxy = Some(v);
        self
    }
    /// The cookie secret (at least 32 characters); `AUTH0_SECRET`. Required.
    /// Calling it again adds an older secret that still decrypts (rotation):
    /// the first one encrypts. Any call means `AUTH0_SECRET` is not used.
    pub fn secret(mut self, v: impl Into<CookieSecret>) -> Self {
        self.secrets.push(v.into());
        self
    }
    /// The application's base URL, or a comma-separated allow-list of
    /// origins (default: inferred from each request); `APP_BASE_URL`.
    pub fn app_base_url(mut self, v: impl Into<String>) -> Self {
        self.app_base_url = Some(AppBaseUrl::parse(&v.into()));
        self
    }
    /// Scope requested at login (default `openid profile email
    /// offline_access`; `openid` is always added); `AUTH0_SCOPE`. Also set by
    /// `authorization_param("scope", ..)`, which this setter wins over.
    ///
    /// A map from audience to scope ([`Scope::PerAudience`], e.g.
    /// `.scope([("https://api.example.com/", "openid profile offline_access read:data")])`)
    /// gives each API audience its own scope: the configured audience's
    /// entry is used at login ([`DEFAULT_SCOPE`](super::DEFAULT_SCOPE) when
    /// it has none), and an access token for another audience asks for
    /// that audience's entry merged with the scope the call asks for. A map
    /// needs [`audience`](Self::audience).
    pub fn scope(mut self, v: impl Into<Scope>) -> Self {
        self.scope = Some(v.into());
        self
    }
    /// API audience requested at login (default none); `AUTH0_AUDIENCE`.
    /// Also set by `authorization_param("audience", ..)`, which this setter
    /// wins over.
    pub fn audience(mut self, v: impl Into<String>) -> Self {
        self.audience = Some(v.into());
        self
    }
    /// Any other `/authorize` parameter (`connection`, `organization`,
    /// `max_age`, ...).
    pub fn authorization_param(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.extra_params.insert(k.into(), v.into());
        self
    }
    /// Where to land after login when no `returnTo` is given (default `/`,
    /// or the base path when one is set).
    pub fn sign_in_return_to_path(mut self, v: impl Into<String>) -> Self {
        self.sign_in_return_to_path = Some(v.into());
        self
    }
    /// Session lifetime and cookie settings, all of them explicitly: this is
    /// the same as setting each field, so the `AUTH0_COOKIE_*` variables no
    /// longer apply (the struct's cookie attributes win, even where they are
    /// the defaults). Per-field setters called afterwards
    /// ([`cookie_domain`](Self::cookie_domain), ...) change single fields.
    pub fn session(mut self, v: SessionConfig) -> Self {
        let c = &v.cookie;
        self.cookie = CookieSettings {
            domain: Some(c.domain.clone()),
            path: Some(c.path.clone()),
            secure: Some(c.secure),
            same_site: Some(c.same_site),
            transient: Some(c.transient),
        };
        self.session = v;
        self
    }
    /// `Domain` attribute of the session cookie (default none);
    /// `AUTH0_COOKIE_DOMAIN`.
    pub fn cookie_domain(mut self, v: impl Into<String>) -> Self {
        self.cookie.domain = Some(Some(v.into()));
        self
    }
    /// `Path` attribute of the session cookie (default `/`);
    /// `AUTH0_COOKIE_PATH`.
    pub fn cookie_path(mut self, v: impl Into<String>) -> Self {
        self.cookie.path = Some(v.into());
        self
    }
    /// `Secure` attribute of the session cookie (default: from the base
    /// URL's scheme); `AUTH0_COOKIE_SECURE`.
    pub fn cookie_secure(mut self, v: bool) -> Self {
        self.cookie.secure = Some(Some(v));
        self
    }
    /// `SameSite` attribute of the session cookie (default `Lax`);
    /// `AUTH0_COOKIE_SAME_SITE`.
    pub fn cookie_same_site(mut self, v: SameSite) -> Self {
        self.cookie.same_site = Some(v);
        self
    }
    /// A transient session cookie has no `Max-Age` and ends with the browser
    /// session (default `false`); `AUTH0_COOKIE_TRANSIENT`.
    pub fn cookie_transient(mut self, v: bool) -> Self {
        self.cookie.transient = Some(v);
        self
    }
    /// Transaction cookie settings (default
    /// [`TransactionCookieConfig::default`]). No variable applies to them.
    pub fn transaction_cookie(mut self, v: TransactionCookieConfig) -> Self {
        self.transaction_cookie = v;
        self
    }
    /// One transaction cookie per login attempt (default `true`) or a single shared one.
    pub fn enable_parallel_transactions(mut self, v: bool) -> Self {
        self.enable_parallel_transactions = Some(v);
        self
    }
    /// Logout strategy (default auto); `AUTH0_LOGOUT_STRATEGY`.
    pub fn logout_strategy(mut self, v: LogoutStrategy) -> Self {
        self.logout_strategy = Some(v);
        self
    }
    /// The algorithm ID and logout tokens must be signed with (default
    /// `RS256`, as Auth0 issues); `AUTH0_ID_TOKEN_SIGNING_ALG`. Tokens in
    /// another algorithm are refused. `HS256` verifies with the client
    /// secret, and only when set here or in the environment.
    pub fn id_token_signing_alg(mut self, v: IdTokenSigningAlg) -> Self {
        self.id_token_signing_alg = Some(v);
        self
    }
    /// Send `id_token_hint` in OIDC logout URLs (default `true`).
    pub fn include_id_token_hint_in_oidc_logout_url(mut self, v: bool) -> Self {
        self.include_id_token_hint = Some(v);
        self
    }
    /// Extra absolute URLs (or origins) accepted as logout `returnTo`,
    /// besides the application's own origin. Each call adds one.
    pub fn logout_return_to_allow(mut self, v: impl Into<String>) -> Self {
        let raw = v.into();
        self.logout_return_to_allow_list
            .push(match Url::parse(&raw) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
                _ => Err(ConfigProblem::invalid(
                    ConfigSetting::LogoutReturnToAllow,
                    Some(&raw),
                    "an absolute http(s) URL",
                )),
            });
        self
    }
    /// Timeout of each request to the provider (default 5 s);
    /// `AUTH0_HTTP_TIMEOUT` (milliseconds).
    pub fn http_timeout(mut self, v: Duration) -> Self {
        self.http_timeout = Some(v);
        self
    }
    /// Send the `Auth0-Client` telemetry header (default `true`);
    /// `AUTH0_ENABLE_TELEMETRY`.
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
    /// How long a refreshed (rotated) token set is offered to requests of
    /// the same session that still carry the cookie it replaced (default
    /// 10 s). Such a request raced the refresh, or its response could not
    /// carry the new cookie; within this window it takes the new tokens over
    /// instead of redeeming the old refresh token again. Past it, an old
    /// cookie gets nothing: its refresh token goes to the provider, whose
    /// reuse detection sees it. Keep it to seconds.
    pub fn rotation_race_window(mut self, v: Duration) -> Self {
        self.rotation_race_window = Some(v);
        self
    }
    /// After the code exchange, also fetch the provider's UserInfo endpoint
    /// and merge its claims into the user (default `false`: Auth0 puts the
    /// profile claims into the ID token). For providers that return profile
    /// claims only from UserInfo. Its `sub` must equal the ID token's, or
    /// the login fails.
    pub fn fetch_user_info(mut self, v: bool) -> Self {
        self.fetch_user_info = Some(v);
        self
    }
    /// `/auth/profile` answers 204 instead of 401 when logged out.
    pub fn no_content_profile_response_when_unauthenticated(mut self, v: bool) -> Self {
        self.no_content_profile = Some(v);
        self
    }
    /// Route paths (default [`Routes::default`]). No variable applies to them.
    pub fn routes(mut self, v: Routes) -> Self {
        self.routes = v;
        self
    }
    /// A base path the app is mounted under (`/dashboard`; default none);
    /// `AUTH0_BASE_PATH`.
    pub fn base_path(mut self, v: impl Into<String>) -> Self {
        self.base_path = Some(v.into());
        self
    }
    /// Permit a plain-`http` provider (a local test provider; default
    /// `false`); `AUTH0_ALLOW_INSECURE_REQUESTS`. Never in production.
    pub fn allow_insecure_requests(mut self, v: bool) -> Self {
        self.allow_insecure_requests = Some(v);
        self
    }
    /// Production mode enforces `Secure` cookies when the base URL is
    /// inferred (default: `true` in release builds); `AUTH0_PRODUCTION`.
    pub fn production(mut self, v: bool) -> Self {
        self.production = Some(v);
        self
    }
    /// Trust `X-Forwarded-Host` / `X-Forwarded-Proto` when the base URL is
    /// inferred or matched against an allow-list (default `false`);
    /// `AUTH0_TRUST_PROXY`. Off, they are ignored and the `Host` header
    /// decides (a client can forge them). On, the app must sit behind a
    /// proxy that sets them, and only their last value (the one the nearest
    /// proxy appended) counts.
    pub fn trust_proxy(mut self, v: bool) -> Self {
        self.trust_proxy = Some(v);
        self
    }
    /// Hook run before a new session is saved (default: keep only the
    /// default ID-token claims). It receives the session (its `user` has
    /// every ID-token claim) and the raw ID token, and returns what to store.
    ///
    /// ```
    /// use auth0_leptos::server::{Auth0Config, SessionData};
    ///
    /// let builder = Auth0Config::builder().before_session_saved(
    ///     |mut s: SessionData, _id_token: Option<String>| async move {
    ///         let role = s.user.claims.remove("https://example.com/role");
    ///         s.user = s.user.filter_default_claims();
    ///         if let Some(r) = role {
    ///             s.user.claims.insert("https://example.com/role".into(), r);
    ///         }
    ///         s
    ///     },
    /// );
    /// # let _ = builder;
    /// ```
    pub fn before_session_saved<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(SessionData, Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SessionData> + Send + 'static,
    {
        let hook: BeforeSessionSaved =
            Arc::new(move |session, id_token| -> BoxFuture<SessionData> {
                Box::pin(hook(session, id_token))
            });
        self.before_session_saved = Some(hook);
        self
    }
    /// Keep sessions in `store` (stateful sessions): the cookie then carries
    /// only an encrypted session id, and back-channel logout can end
    /// sessions. Takes the store itself, or an `Arc` of it to keep a handle.
    ///
    /// ```
    /// use auth0_leptos::server::{Auth0Config, MemoryStore};
    ///
    /// let builder = Auth0Config::builder().session_store(MemoryStore::new());
    /// # let _ = builder;
    /// ```
    pub fn session_store(mut self, store: impl IntoSessionStore) -> Self {
        self.session_store = Some(sealed::Sealed::into_shared(store));
        self
    }
    /// Hook that decides the callback's response, on success and on error.
    /// It is called with the error (and no session), or with no error and
    /// the session about to be saved; whatever response it returns is sent,
    /// with the session cookie added on success.
    ///
    /// ```
    /// use auth0_leptos::server::Auth0Config;
    /// use axum::response::{IntoResponse, Redirect};
    ///
    /// let builder = Auth0Config::builder().on_callback(|err, ctx, _session| async move {
    ///     match err {
    ///         Some(e) => Redirect::to(&format!("/error?code={}", e.code())).into_response(),
    ///         None => Redirect::to(ctx.return_to.as_deref().unwrap_or("/")).into_response(),
    ///     }
    /// });
    /// # let _ = builder;
    /// ```
    pub fn on_callback<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Option<CallbackError>, CallbackContext, Option<SessionData>) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        let hook: OnCallback = Arc::new(move |err, ctx, session| -> BoxFuture<Response> {
            Box::pin(hook(err, ctx, session))
        });
        self.on_callback = Some(hook);
        self
    }
}

impl Auth0ConfigBuilder {
    /// Reads the environment. Every setting that is not set on the builder
    /// (before or after this call) then takes its variable's value; see
    /// [where each setting comes from](Self#where-each-setting-comes-from)
    /// for the rule and the table of variables, which are `AUTH0_DOMAIN`,
    /// `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`, `AUTH0_SECRET` (several
    /// secrets may be given comma-separated, newest first), `APP_BASE_URL`
    /// (one URL or a comma-separated allow-list), `AUTH0_SCOPE`,
    /// `AUTH0_AUDIENCE`, `AUTH0_CLIENT_AUTH_METHOD` (`client_secret_post` |
    /// `client_secret_basic`), `AUTH0_LOGOUT_STRATEGY` (`auto` | `oidc` |
    /// `v2`), `AUTH0_ID_TOKEN_SIGNING_ALG` (`RS256` | `RS384` | `RS512` |
    /// `PS256` | `PS384` | `PS512` | `ES256` | `ES384` | `HS256`), `AUTH0_BASE_PATH`, `AUTH0_COOKIE_DOMAIN`, `AUTH0_COOKIE_PATH`,
    /// `AUTH0_COOKIE_SECURE`, `AUTH0_COOKIE_SAME_SITE`,
    /// `AUTH0_COOKIE_TRANSIENT`, `AUTH0_HTTP_TIMEOUT` (ms),
    /// `AUTH0_ENABLE_TELEMETRY`, `AUTH0_ALLOW_INSECURE_REQUESTS`,
    /// `AUTH0_PRODUCTION` and `AUTH0_TRUST_PROXY`.
    ///
    /// Values that do not parse are reported by [`build`](Self::build),
    /// together with every other problem.
    pub fn from_env(self) -> Self {
        self.from_env_with(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `lookup`
    /// instead of in the process environment.
    // Named after `from_env`, which it generalises.
    #[allow(clippy::wrong_self_convention)]
    pub(crate) fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        self.env = EnvValues::read(lookup);
        self
    }
}
