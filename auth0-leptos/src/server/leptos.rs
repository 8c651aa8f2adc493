//! Helpers for Leptos server functions and server-rendered components.

use leptos::prelude::*;

use crate::server::error::AccessTokenError;
use crate::server::session::Auth0Session;
use crate::server::tokens::{AccessToken, AccessTokenOptions};
use crate::server::SessionData;
use crate::User;

/// The current request's session handle, from inside a server function or a
/// server-rendered component. Needs the [`Auth0Layer`](crate::server::Auth0Layer).
pub async fn session() -> Result<Auth0Session, ServerFnError> {
    leptos_axum::extract::<Auth0Session>().await.map_err(|_| {
        ServerFnError::new("auth0-leptos: no session on this request (is auth0.layer() installed?)")
    })
}

/// The session data of the current request (the seeds' `getSession`).
pub async fn get_session() -> Result<Option<SessionData>, ServerFnError> {
    Ok(session().await?.get())
}

/// The logged-in user, or the error `not_authenticated` (a server-function
/// guard: the client sees a `ServerFnError` whose message starts with
/// `not_authenticated`).
pub async fn require_user() -> Result<User, ServerFnError> {
    session()
        .await?
        .user()
        .ok_or_else(|| ServerFnError::new(crate::NOT_AUTHENTICATED))
}

/// An access token for the current user (the seeds' `getAccessToken`),
/// refreshed when needed; the refreshed tokens are saved by the layer.
pub async fn get_access_token(options: AccessTokenOptions) -> Result<AccessToken, ServerFnError> {
    session()
        .await?
        .access_token(options)
        .await
        .map_err(|e: AccessTokenError| ServerFnError::new(e.to_string()))
}

/// The user of the request being rendered, synchronously: reads the session
/// handle from the request parts Leptos provides during SSR. `None` outside a
/// request or when logged out.
pub fn user() -> Option<User> {
    // `with_context` borrows the request parts; `use_context` would clone
    // every header (the session cookie included) on each call.
    with_context::<http::request::Parts, _>(|p| {
        p.extensions
            .get::<Auth0Session>()
            .and_then(Auth0Session::user)
    })
    .flatten()
}
