//! Hooks: `before_session_saved` and `on_callback`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::Response;

use crate::server::error::CallbackError;
use crate::server::session::SessionData;

/// A boxed future, as hooks return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs before a new session is saved; receives the session (its `user` has
/// every ID-token claim) and the raw ID token, returns what to store. Set it
/// with [`Auth0ConfigBuilder::before_session_saved`](crate::server::Auth0ConfigBuilder::before_session_saved),
/// which takes a plain async closure:
///
/// ```
/// use auth0_leptos::server::{Auth0Config, SessionData};
/// let builder = Auth0Config::builder().before_session_saved(
///     |mut s: SessionData, _id_token: Option<String>| async move {
///         let role = s.user.claims.remove("https://example.com/role");
///         s.user = s.user.filter_default_claims();
///         if let Some(r) = role { s.user.claims.insert("https://example.com/role".into(), r); }
///         s
///     },
/// );
/// # let _ = builder;
/// ```
pub type BeforeSessionSaved =
    Arc<dyn Fn(SessionData, Option<String>) -> BoxFuture<SessionData> + Send + Sync>;

/// Decides the callback's response. Called with the error (and no session),
/// or with no error and the session about to be saved. Whatever response it
/// returns is sent; the session cookie is added to it on success. Set it
/// with [`Auth0ConfigBuilder::on_callback`](crate::server::Auth0ConfigBuilder::on_callback),
/// which takes a plain async closure.
pub type OnCallback = Arc<
    dyn Fn(Option<CallbackError>, CallbackContext, Option<SessionData>) -> BoxFuture<Response>
        + Send
        + Sync,
>;

/// What the callback knows about the login transaction.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallbackContext {
    /// Where the login asked to return (path + query + hash, same origin).
    pub return_to: Option<String>,
    /// The application's base URL for this request.
    pub app_base_url: Option<String>,
    /// `code` for a login, `connect_code` for a connected-account flow.
    pub response_type: ResponseType,
    /// The account a connected-account flow connected.
    pub connected_account: Option<ConnectedAccount>,
}

/// Which flow a callback completes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseType {
    /// A login (`code`).
    #[default]
    Code,
    /// A connected-account flow (`connect_code`).
    ConnectCode,
}

impl ResponseType {
    /// `code` or `connect_code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::ConnectCode => "connect_code",
        }
    }
}

/// An account connected through My Account (the seeds'
/// `CompleteConnectAccountResponse`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConnectedAccount {
    /// Its id (`cac_...`).
    pub id: String,
    /// The connection (`google-oauth2`, ...).
    pub connection: String,
    /// `offline`.
    #[serde(default)]
    pub access_type: String,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When it was connected (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it expires, if it does (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}
