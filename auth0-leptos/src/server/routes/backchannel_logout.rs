//! `POST /auth/backchannel-logout`: the provider ends sessions.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::server::error::RouteError;
use crate::server::handle::Auth0Session;
use crate::server::session::LogoutToken;
use crate::server::time::now;

pub(super) async fn handler(session: Auth0Session, body: Bytes) -> Response {
    match end_sessions(&session, &body).await {
        Ok(()) => (
            StatusCode::NO_CONTENT,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn end_sessions(session: &Auth0Session, body: &[u8]) -> Result<(), RouteError> {
    let engine = session.engine();
    let store = engine
        .config()
        .session_store
        .clone()
        .ok_or(RouteError::StoreNotConfigured)?;
    let probe = LogoutToken::default();
    if store.delete_by_logout_token(&probe).is_none() {
        return Err(RouteError::BackchannelLogoutUnsupported);
    }
    let token = logout_token_param(body).ok_or(RouteError::MissingLogoutToken)?;
    let claims = engine
        .oidc()
        .validate_logout_token(&token, &engine.config().client_id)
        .await
        .map_err(RouteError::InvalidLogoutToken)?;
    let now = now();
    let (jti, until, target) = logout_request(&claims, now)?;
    if !engine.seen_logout_tokens().first_use(jti, until, now) {
        return Err(RouteError::LogoutTokenReplayed);
    }
    // Tokens this process rotated for those sessions are never handed out again.
    engine
        .tokens()
        .forget_logout(target.sid.as_deref(), target.sub.as_deref());
    let fut = store
        .delete_by_logout_token(&target)
        .ok_or(RouteError::BackchannelLogoutUnsupported)?;
    fut.await.map_err(|e| {
        tracing::error!(target: "auth0_leptos", "back-channel logout: {e}");
        RouteError::SessionStoreUnavailable
    })
}

/// The `logout_token` parameter of the form body, when present and not empty.
pub(crate) fn logout_token_param(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// What a validated logout token asks for: its `jti`, until when to
/// remember it (replay protection), and the sessions to end.
pub(crate) fn logout_request(
    claims: &Map<String, Value>,
    now: i64,
) -> Result<(&str, i64, LogoutToken), RouteError> {
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    let until = claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or(iat + 600)
        .max(now + 60);
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .ok_or(RouteError::LogoutTokenWithoutJti)?;
    let target = LogoutToken {
        sid: claims.get("sid").and_then(Value::as_str).map(str::to_owned),
        sub: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
    };
    Ok((jti, until, target))
}
