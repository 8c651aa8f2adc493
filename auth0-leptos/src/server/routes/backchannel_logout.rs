//! `POST /auth/backchannel-logout`: the provider ends a session.

use axum::http::StatusCode;
use axum::response::Response;

use crate::server::routes::plain_error;
use crate::server::session::Auth0Session;

pub(super) async fn handler(_session: Auth0Session) -> Response {
    // Stateless (cookie) sessions cannot be revoked server-side: the seeds
    // answer 500 with this message when no session store is configured.
    plain_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "A session data store is not configured.",
    )
}
