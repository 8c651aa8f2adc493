//! `POST /auth/backchannel-logout`: the provider ends sessions.
//!
//! A token's `jti` is recorded as used only after its sessions were
//! deleted: when the store fails (503), the provider's retry of the same
//! token is accepted. A replay of a token that succeeded is refused before
//! anything is deleted. The record lives in the session store when the
//! store keeps one (`SessionStore::remember_logout_token`, shared by every
//! instance), and in this process otherwise.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::server::error::RouteError;
use crate::server::handle::Auth0Session;
use crate::server::oidc::id_token::{LEEWAY, LOGOUT_TOKEN_MAX_AGE};
use crate::server::session::{LogoutToken, StoreError};
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

fn unavailable(e: StoreError) -> RouteError {
    tracing::error!(target: "auth0_leptos", "back-channel logout: {e}");
    RouteError::SessionStoreUnavailable
}

async fn end_sessions(session: &Auth0Session, body: &[u8]) -> Result<(), RouteError> {
    let engine = session.engine();
    let store = engine
        .config()
        .session_store
        .clone()
        .ok_or(RouteError::StoreNotConfigured)?;
    if !store.supports_back_channel_logout() {
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

    // A token that already ended its sessions (here, or on another instance
    // sharing the store) ends nothing more.
    let seen = engine.seen_logout_tokens();
    if seen.seen(jti, now) {
        return Err(RouteError::LogoutTokenReplayed);
    }
    if let Some(asked) = store.logout_token_seen(jti) {
        if asked.await.map_err(unavailable)? {
            return Err(RouteError::LogoutTokenReplayed);
        }
    }

    // Tokens this process rotated for those sessions are never handed out again.
    engine
        .tokens()
        .forget_logout(target.sid.as_deref(), target.sub.as_deref());
    let delete = store
        .delete_by_logout_token(&target)
        .ok_or(RouteError::BackchannelLogoutUnsupported)?;
    delete.await.map_err(unavailable)?;

    // Only now is the token used up. A concurrent duplicate may have
    // deleted the same sessions meanwhile (harmless); one of the two is
    // told the token was already used.
    let ttl = Duration::from_secs((until - now).max(1) as u64);
    let first_in_store = match store.remember_logout_token(jti, ttl) {
        Some(remember) => remember.await.map_err(unavailable)?,
        None => true,
    };
    let first_here = seen.first_use(jti, until, now);
    if first_in_store && first_here {
        Ok(())
    } else {
        Err(RouteError::LogoutTokenReplayed)
    }
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
    // The token is accepted until its `exp` and until LOGOUT_TOKEN_MAX_AGE
    // after its `iat` (each with the leeway): its record must last as long.
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(now);
    let leeway = LEEWAY as i64;
    let mut until = iat
        .saturating_add(LOGOUT_TOKEN_MAX_AGE)
        .saturating_add(leeway);
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64) {
        until = until.min(exp.saturating_add(leeway));
    }
    let until = until.max(now.saturating_add(60));
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
