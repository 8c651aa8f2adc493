//! Helpers for Leptos server functions and server-rendered components.

use leptos::prelude::*;

use crate::server::handle::Auth0Session;
use crate::server::session::SessionData;
use crate::{AuthError, User};

/// The current request's session handle, from inside a server function or a
/// server-rendered component. [`AuthError::NotConfigured`] without the
/// [`Auth0Layer`](crate::server::Auth0Layer).
pub async fn session() -> Result<Auth0Session, AuthError> {
    leptos_axum::extract::<Auth0Session>()
        .await
        .map_err(|_| AuthError::NotConfigured)
}

/// The session data of the current request (the seeds' `getSession`).
pub async fn get_session() -> Result<Option<SessionData>, AuthError> {
    Ok(session().await?.get())
}

/// The logged-in user, or [`AuthError::NotAuthenticated`]: the guard of
/// server functions. The browser receives the same typed error.
///
/// ```
/// use leptos::prelude::*;
/// use auth0_leptos::AuthError;
///
/// #[server]
/// pub async fn secret_message() -> Result<String, AuthError> {
///     let user = auth0_leptos::server::require_user().await?;
///     Ok(format!("Only {} may read this.", user.display_name()))
/// }
/// ```
pub async fn require_user() -> Result<User, AuthError> {
    let session = session().await?;
    if session.store_unavailable() {
        return Err(AuthError::SessionStoreUnavailable);
    }
    session.user().ok_or(AuthError::NotAuthenticated)
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
