//! `POST /auth/backchannel-logout`: the provider ends sessions.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::server::routes::plain_error;
use crate::server::session::store::LogoutToken;
use crate::server::session::Auth0Session;
use crate::server::time::now;

/// `jti`s of accepted logout tokens, kept until the token would expire, so a
/// replayed token is refused.
#[derive(Default)]
pub(crate) struct SeenLogoutTokens(Mutex<HashMap<String, i64>>);

impl SeenLogoutTokens {
    /// Records `jti` until `until`; false when it was seen before.
    fn first_use(&self, jti: &str, until: i64) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = now();
        if m.len() > 1024 {
            m.retain(|_, t| *t > now);
        }
        match m.get(jti) {
            Some(t) if *t > now => false,
            _ => {
                m.insert(jti.to_owned(), until);
                true
            }
        }
    }
}

pub(super) async fn handler(session: Auth0Session, body: Bytes) -> Response {
    let auth0 = session.auth0().clone();
    let Some(store) = auth0.config().session_store.clone() else {
        return plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "A session data store is not configured.",
        );
    };
    let probe = LogoutToken::default();
    if store.delete_by_logout_token(&probe).is_none() {
        return plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Back-channel logout is not supported by the session data store.",
        );
    }
    let token = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    let Some(token) = token else {
        return plain_error(
            StatusCode::BAD_REQUEST,
            "Missing `logout_token` in the request body.",
        );
    };
    let claims = match auth0
        .oidc()
        .validate_logout_token(&token, &auth0.config().client_id)
        .await
    {
        Ok(c) => c,
        Err(reason) => return plain_error(StatusCode::BAD_REQUEST, &reason),
    };
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    let until = claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or(iat + 600)
        .max(now() + 60);
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) if !auth0.seen_logout_tokens().first_use(jti, until) => {
            return plain_error(
                StatusCode::BAD_REQUEST,
                "The logout token was already used.",
            );
        }
        Some(_) => {}
        None => return plain_error(StatusCode::BAD_REQUEST, "logout token has no jti"),
    }
    let target = LogoutToken {
        sid: claims.get("sid").and_then(Value::as_str).map(str::to_owned),
        sub: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
    };
    let Some(fut) = store.delete_by_logout_token(&target) else {
        return plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Back-channel logout is not supported by the session data store.",
        );
    };
    match fut.await {
        Ok(()) => (
            StatusCode::NO_CONTENT,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
        )
            .into_response(),
        Err(e) => {
            crate::server::log_error(&format!("back-channel logout: {e}"));
            plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The session store is unavailable.",
            )
        }
    }
}
