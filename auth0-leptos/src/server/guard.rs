//! A guard for API routes: `RequireUser` answers 401 when nobody is logged in.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::server::error::NotAuthenticated;
use crate::server::handle::Auth0Session;
use crate::User;

/// Extractor for axum handlers that need a logged-in user (the seeds'
/// `withApiAuthRequired`): 401 `{"error":"not_authenticated", ...}` otherwise.
///
/// ```
/// use auth0_leptos::server::RequireUser;
///
/// async fn me(RequireUser(user): RequireUser) -> String {
///     format!("{} ({})", user.display_name(), user.sub)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct RequireUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for RequireUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Auth0Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        session
            .user()
            .map(RequireUser)
            .ok_or_else(|| NotAuthenticated.into_response())
    }
}
