//! `GET /auth/access-token`: an access token for the browser.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::error::AccessTokenErrorCode;
use crate::server::routes::NO_CACHE;
use crate::server::session::Auth0Session;
use crate::server::time::now;
use crate::server::tokens::AccessTokenOptions;

pub(super) async fn handler(
    session: Auth0Session,
    Query(options): Query<AccessTokenOptions>,
) -> Response {
    if session.store_unavailable() {
        let body = json!({"error": {"code": "session_store_unavailable", "message": "The session store is unavailable."}});
        return (StatusCode::SERVICE_UNAVAILABLE, NO_CACHE, Json(body)).into_response();
    }
    match session.access_token(options).await {
        Ok(t) => {
            let mut body = json!({
                "token": t.token.expose(),
                "expires_at": t.expires_at,
                "expires_in": (t.expires_at - now()).max(0),
            });
            if let Some(s) = &t.scope {
                body["scope"] = json!(s);
            }
            if let Some(tt) = &t.token_type {
                body["token_type"] = json!(tt);
            }
            (NO_CACHE, Json(body)).into_response()
        }
        Err(e) => {
            let status = if e.code == AccessTokenErrorCode::MfaRequired {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNAUTHORIZED
            };
            let body = json!({"error": {"code": e.code.as_str(), "message": e.message}});
            (status, NO_CACHE, Json(body)).into_response()
        }
    }
}
