//! [`Auth0`]: the facade. Everything an app does with the crate at start-up
//! and in its own handlers is here, in one place.

use serde_json::{Map, Value};

use crate::server::config::{Auth0Config, ConfigError};
use crate::server::crypto::dpop_key::DpopKeyPair;
use crate::server::dpop::verify::DpopVerifier;
use crate::server::engine::Engine;
use crate::server::error::{
    BackchannelAuthenticationError, CustomTokenExchangeError, ProviderCheckError,
    TokenValidationError,
};
use crate::server::grants::ciba::{
    BackchannelAuthenticationOptions, BackchannelAuthenticationResponse,
};
use crate::server::grants::exchange::{CustomTokenExchangeOptions, CustomTokenExchangeResponse};
use crate::server::layer::Auth0Layer;
use crate::server::session::SessionData;
use crate::server::time::now;

/// The Auth0 client: configuration, derived keys, the provider client and its
/// caches. Cheap to clone (an `Arc` inside); make one at start-up.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use auth0_leptos::server::Auth0;
///
/// let auth0 = Auth0::from_env()?; // AUTH0_DOMAIN, AUTH0_CLIENT_ID, ...
/// let app = axum::Router::new()
///     .merge(auth0.router())      // /auth/login, /auth/callback, ...
///     .layer(auth0.layer());      // the session of every request
/// # let _: axum::Router = app;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth0 {
    engine: Engine,
}

impl std::fmt::Debug for Auth0 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0")
            .field("config", self.engine.config())
            .finish()
    }
}

impl Auth0 {
    /// A client for a validated configuration.
    pub fn new(config: Auth0Config) -> Self {
        Self {
            engine: Engine::new(config),
        }
    }

    /// A client configured from the environment (see [`Auth0Config::from_env`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(Auth0Config::from_env()?))
    }

    /// The configuration.
    pub fn config(&self) -> &Auth0Config {
        self.engine.config()
    }

    /// The session layer. Add it outermost-but-one: around the Leptos
    /// routes, server functions and your own handlers.
    pub fn layer(&self) -> Auth0Layer {
        Auth0Layer::new(self.engine.clone())
    }

    /// The authentication routes (`/auth/login`, `/auth/callback`,
    /// `/auth/logout`, `/auth/profile`, `/auth/access-token`,
    /// `/auth/backchannel-logout`, under the base path), with the session
    /// layer already applied to them.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        crate::server::routes::router(&self.engine, self.layer())
    }

    /// Checks, once at start-up, that the provider can serve this
    /// configuration: its discovery document is reachable and usable, it
    /// advertises a `pushed_authorization_request_endpoint` when pushed
    /// authorization requests are on, and it accepts the client assertion
    /// algorithm when it lists the ones it takes. Without this call the
    /// same problems fail the first login cleanly instead.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let auth0 = auth0_leptos::server::Auth0::from_env().unwrap_or_else(|e| panic!("{e}"));
    /// if let Err(e) = auth0.check_provider().await {
    ///     eprintln!("{e} ({})", e.code());
    ///     std::process::exit(2);
    /// }
    /// # }
    /// ```
    pub async fn check_provider(&self) -> Result<(), ProviderCheckError> {
        let config = self.engine.config();
        self.engine
            .oidc()
            .check_capabilities(config.pushed_authorization_requests)
            .await
    }

    /// Exchanges an external token for the provider's tokens (the seeds'
    /// `customTokenExchange`, RFC 8693): server only, the session is never
    /// read nor written, each call is a new exchange; DPoP-bound when DPoP
    /// is on. The token types are checked before anything is sent.
    pub async fn custom_token_exchange(
        &self,
        options: CustomTokenExchangeOptions,
    ) -> Result<CustomTokenExchangeResponse, CustomTokenExchangeError> {
        crate::server::grants::exchange::exchange(self.engine.oidc(), self.engine.config(), options)
            .await
    }

    /// Authenticates a user on their own device with Client-Initiated
    /// Backchannel Authentication (the seeds' `getTokenByBackchannelAuth`):
    /// posts to the provider's `backchannel_authentication_endpoint`, then
    /// polls the token endpoint at the interval it asks for (longer after a
    /// `slow_down`) until the user approves, denies (`access_denied`), or
    /// the request expires. Dropping the future stops the polling.
    pub async fn get_token_by_backchannel_auth(
        &self,
        options: BackchannelAuthenticationOptions,
    ) -> Result<BackchannelAuthenticationResponse, BackchannelAuthenticationError> {
        crate::server::grants::ciba::authenticate(self.engine.oidc(), self.engine.config(), options)
            .await
    }

    /// Client-credentials tokens for the app's own calls to APIs (seed 004
    /// pattern 3), with this application's credentials (a secret or
    /// private_key_jwt), cached per audience. Keep the result: each call
    /// makes a new cache.
    pub fn client_credentials(&self) -> crate::server::m2m::ClientCredentials {
        crate::server::m2m::ClientCredentials::new(self.engine.oidc_arc())
    }

    /// A [`ResourceServer`](crate::server::ResourceServer) builder for
    /// `audience` with this configuration's issuer, timeout and
    /// insecure-requests setting, for an API the app serves itself (add
    /// `.dpop(..)`, `.require_at_jwt(..)`, then `.build()`).
    pub fn resource_server(&self, audience: &str) -> crate::server::bearer::ResourceServerBuilder {
        let config = self.engine.config();
        crate::server::bearer::ResourceServer::builder()
            .domain(config.issuer.as_str())
            .audience(audience)
            .allow_insecure_requests(config.allow_insecure_requests)
            .http_timeout(config.http_timeout)
    }

    /// The DPoP key pair in use (with DPoP on, or a key pair configured).
    pub fn dpop_key_pair(&self) -> Option<&DpopKeyPair> {
        self.engine.config().dpop.as_ref().map(|d| &d.key)
    }

    /// A [`DpopVerifier`] for an API of the app's own, with the configured
    /// clock tolerance (`AUTH0_DPOP_CLOCK_TOLERANCE`, 30 s by default) as
    /// its leeway. Keep one per process: it remembers proof ids.
    pub fn dpop_verifier(&self) -> DpopVerifier {
        match &self.engine.config().dpop {
            Some(d) => DpopVerifier::new().leeway(d.clock_tolerance),
            None => DpopVerifier::new(),
        }
    }

    /// Verifies a JWT access token that the provider issued for `audience`:
    /// signature from the provider's JWKS with an asymmetric algorithm
    /// (RS256/384/512, PS256/384/512, ES256/384, whatever
    /// `id_token_signing_alg` says: that setting pins ID and logout tokens
    /// only; `none` and HMAC are always refused here), `iss`, `aud`, `exp`,
    /// `nbf`. Returns the token's claims, or which check failed. To protect
    /// API routes prefer [`ResourceServer`](crate::server::ResourceServer)
    /// (from [`Self::resource_server`]): it pins one algorithm, parses the
    /// `Authorization` header, answers per RFC 6750, and checks DPoP
    /// bindings, scopes and permissions.
    pub async fn verify_access_token(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<Map<String, Value>, TokenValidationError> {
        self.engine
            .oidc()
            .validate_access_token(token, audience)
            .await
    }

    /// Seals a session into a cookie value, as the session layer writes it
    /// (for tests; see also
    /// [`generate_session_cookie`](crate::server::testing::generate_session_cookie)).
    pub fn seal_session(&self, data: &SessionData) -> String {
        let exp = self.engine.session_expiry(data.internal.created_at, now());
        self.engine.keyring().seal(data, exp).unwrap_or_default()
    }
}
