//! The server side (feature `ssr`): configuration, the [`Auth0`] client, the
//! `/auth/*` routes, the session layer, tokens, and helpers for Leptos server
//! functions and axum handlers.
//!
//! Modules import only downward. From the bottom: `time`, `crypto`,
//! `session` (data, state, stores; no configuration), `config`, `cookies`,
//! `request`, `error`, `response`, `dpop` (proofs and their checks), `oidc`
//! (the provider), `tokens` (refresh, rotation, connection tokens),
//! `grants` (token exchange, CIBA), `transaction`, `engine` (what every
//! request shares), `authorize`, `handle` ([`Auth0Session`]), `fetcher`,
//! `layer` (the only writer of cookies), `guard` and `leptos` (for handlers
//! and server functions), `routes` (one file per `/auth` route), and
//! `client` ([`Auth0`], the facade) on top.

mod authorize;
mod bearer;
mod client;
mod config;
mod connect;
mod cookies;
mod crypto;
mod dpop;
mod engine;
mod error;
mod fetcher;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod grants;
mod guard;
mod handle;
mod hooks;
mod layer;
mod leptos;
mod m2m;
mod mfa;
mod oidc;
mod request;
mod response;
mod routes;
mod session;
#[cfg(any(test, feature = "testing"))]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub(crate) mod time;
mod tokens;
mod transaction;

pub use authorize::LoginOptions;
pub use bearer::{
    require_permissions, require_scope, BearerClaims, BearerError, BearerLayer, BearerService,
    Permissions, RequireLayer, RequireService, ResourceServer, ResourceServerBuilder, Scopes,
    VerifiedToken,
};
pub use client::Auth0;
pub use config::{
    AppBaseUrl, Auth0Config, Auth0ConfigBuilder, AuthorizationParameters,
    ClientAssertionSigningAlg, ClientAuthMethod, ConfigError, ConfigProblem, ConfigSetting,
    HostCookieConflict, IdTokenSigningAlg, IntoSessionStore, LogoutStrategy, Routes, SameSite,
    Scope, SessionConfig, SessionCookieConfig, TransactionCookieConfig, DEFAULT_SCOPE,
};
pub use connect::ConnectAccountOptions;
pub use crypto::dpop_key::DpopKeyPair;
pub use dpop::verify::{DpopRequest, DpopVerifier};
pub use error::{
    AccessTokenForConnectionError, BackchannelAuthenticationError, CallbackError,
    ConnectAccountError, CustomTokenExchangeError, DpopError, DpopProofError, FetchError,
    MissingLayer, MyAccountApiError, NotAuthenticated, OAuth2Error, ProviderCheckError, RouteError,
    TokenFault, TokenKind, TokenValidationError,
};
pub use fetcher::{AccessTokenFactory, FetchRequest, Fetcher, FetcherOptions};
pub use grants::ciba::{
    BackchannelAuthenticationOptions, BackchannelAuthenticationResponse, LoginHint,
};
pub use grants::exchange::{CustomTokenExchangeOptions, CustomTokenExchangeResponse};
pub use guard::RequireUser;
pub use handle::{Auth0Session, ServerMfa};
pub use hooks::{
    BeforeSessionSaved, BoxFuture, CallbackContext, ConnectedAccount, OnCallback, ResponseType,
};
pub use layer::{Auth0Layer, Auth0Service};
pub use leptos::{get_session, require_user, session, user};
pub use m2m::{ClientCredentials, ClientCredentialsError, MachineToken, SendError};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use session::RedisStore;
pub use session::{
    AccessTokenEntry, ConnectionTokenSet, Internal, LogoutToken, MemoryStore, MfaContext,
    SessionData, SessionStore, StoreError, StoreErrorKind, StoreFuture, TokenSet,
};
pub use tokens::connection::{AccessTokenForConnectionOptions, ConnectionAccessToken};
