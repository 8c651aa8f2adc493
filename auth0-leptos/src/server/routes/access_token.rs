//! `GET /auth/access-token`: an access token for the browser.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::handle::Auth0Session;
use crate::server::response::{mfa_required, NO_CACHE};
use crate::{AccessTokenError, AccessTokenRequest};

pub(super) async fn handler(
    session: Auth0Session,
    Query(request): Query<AccessTokenRequest>,
) -> Response {
    match session.access_token(request).await {
        Ok(t) => (NO_CACHE, Json(t)).into_response(),
        Err(AccessTokenError::MfaRequired {
            cause,
            mfa_token,
            mfa_requirements,
        }) => mfa_required(cause, &mfa_token, mfa_requirements.as_ref()),
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let body = json!({"error": {"code": e.code(), "message": e.message()}});
            (status, NO_CACHE, Json(body)).into_response()
        }
    }
}
