//! `GET /auth/access-token`: an access token for the browser.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::handle::Auth0Session;
use crate::server::response::NO_CACHE;
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
        }) => {
            // The seeds' body for a step-up (`MfaRequiredError.toJSON()`).
            let mut body = json!({
                "error": "mfa_required",
                "error_description": cause
                    .and_then(|c| c.message)
                    .unwrap_or_else(|| "Multi-factor authentication is required.".into()),
                "mfa_token": mfa_token,
            });
            if let Some(r) = mfa_requirements {
                body["mfa_requirements"] = json!(r);
            }
            (StatusCode::FORBIDDEN, NO_CACHE, Json(body)).into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let body = json!({"error": {"code": e.code(), "message": e.message()}});
            (status, NO_CACHE, Json(body)).into_response()
        }
    }
}
