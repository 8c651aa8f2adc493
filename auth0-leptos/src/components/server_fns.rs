//! The library's server functions: how the browser asks the server for the
//! user and for access tokens. Registered by linking the crate (explicit
//! endpoints under the app's server-function prefix, `/api` by default);
//! usable with `Resource`, `ServerAction` and `ActionForm`. The
//! `/auth/profile` and `/auth/access-token` routes stay, with the seeds'
//! JSON, for other clients.

use leptos::prelude::*;

use crate::{AccessTokenRequest, AccessTokenResponse, AuthError, User};

/// The logged-in user, `None` when logged out.
#[server(endpoint = "auth0/user")]
pub async fn auth0_user() -> Result<Option<User>, AuthError> {
    let session = crate::server::session().await?;
    if session.store_unavailable() {
        return Err(AuthError::SessionStoreUnavailable);
    }
    Ok(session.user())
}

/// An access token for the logged-in user, refreshed when needed (the
/// session layer saves refreshed tokens into the session cookie). The
/// generated `Auth0AccessToken` struct carries the `request`.
#[allow(missing_docs)] // the generated argument struct
#[server(endpoint = "auth0/access-token")]
pub async fn auth0_access_token(
    request: AccessTokenRequest,
) -> Result<AccessTokenResponse, AuthError> {
    let session = crate::server::session().await?;
    session.access_token(request).await.map_err(AuthError::from)
}
