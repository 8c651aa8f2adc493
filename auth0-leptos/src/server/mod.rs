//! The server side (feature `ssr`): configuration, the [`Auth0`] client, the
//! `/auth/*` routes, the session layer, tokens, and helpers for Leptos server
//! functions and axum handlers.

mod client;
mod config;
pub(crate) mod cookies;
mod error;
mod guard;
mod hooks;
mod layer;
mod leptos;
pub(crate) mod oidc;
mod request;
mod routes;
mod secret;
mod session;
pub mod testing;
pub(crate) mod time;
mod tokens;
mod transaction;

pub use client::Auth0;
pub use config::{
    AppBaseUrl, Auth0Config, Auth0ConfigBuilder, AuthorizationParameters, ClientAuthMethod,
    ConfigError, ConfigProblem, ConfigSetting, IntoSessionStore, LogoutStrategy, Routes, SameSite,
    SessionConfig, SessionCookieConfig, TransactionCookieConfig, DEFAULT_SCOPE,
};
pub use error::{AccessTokenError, AccessTokenErrorCode, CallbackError, OAuth2Error};
pub use guard::RequireUser;
pub use hooks::{BeforeSessionSaved, BoxFuture, CallbackContext, OnCallback};
pub use layer::{Auth0Layer, Auth0Service};
pub use leptos::{get_access_token, get_session, require_user, session, user};
pub use routes::LoginOptions;
pub use secret::Secret;
pub use session::handle_types::{MissingLayer, NotAuthenticated};
#[cfg(feature = "redis")]
pub use session::redis_store::RedisStore;
pub use session::store::{LogoutToken, MemoryStore, SessionStore, StoreError, StoreFuture};
pub use session::{AccessTokenEntry, Auth0Session, Internal, SessionData, TokenSet};
pub use tokens::{AccessToken, AccessTokenOptions};

pub(crate) fn log_error(msg: &str) {
    tracing::error!(target: "auth0_leptos", "{msg}");
}

pub(crate) fn log_warn(msg: &str) {
    tracing::warn!(target: "auth0_leptos", "{msg}");
}
