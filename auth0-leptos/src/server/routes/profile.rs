//! `GET /auth/profile`: the user as JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::server::handle::Auth0Session;
use crate::server::response::NO_CACHE;

pub(super) async fn handler(session: Auth0Session) -> Response {
    if session.store_unavailable() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            NO_CACHE,
            "The session store is unavailable.",
        )
            .into_response();
    }
    match session.user() {
        Some(user) => (NO_CACHE, Json(user)).into_response(),
        None if session
            .engine()
            .config()
            .no_content_profile_response_when_unauthenticated =>
        {
            (StatusCode::NO_CONTENT, NO_CACHE).into_response()
        }
        None => (StatusCode::UNAUTHORIZED, NO_CACHE).into_response(),
    }
}
