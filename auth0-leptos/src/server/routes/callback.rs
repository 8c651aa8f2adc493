//! `GET /auth/callback`: completes a login.

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::server::connect::CONNECT_CODE;
use crate::server::engine::Engine;
use crate::server::error::{CallbackError, OAuth2Error, ProviderError, RouteError};
use crate::server::handle::Auth0Session;
use crate::server::hooks::{CallbackContext, ResponseType};
use crate::server::oidc::id_token::Expectations;
use crate::server::oidc::same_issuer;
use crate::server::request::join_path;
use crate::server::response::redirect;
use crate::server::routes::{param, query_pairs};
use crate::server::session::{SessionData, TokenSet};
use crate::server::time::now;
use crate::server::transaction::Transactions;
use crate::User;

pub(super) async fn handler(session: Auth0Session, RawQuery(q): RawQuery) -> Response {
    let auth0 = session.engine().clone();
    let txns = Transactions::new(auth0.config(), auth0.keyring(), session.secure());
    let pairs = query_pairs(q.as_deref());
    let base = session.base_url().cloned();
    let mut ctx = CallbackContext {
        return_to: None,
        app_base_url: base.as_ref().map(|b| b.to_string()),
        ..Default::default()
    };

    let Some(state) = param(&pairs, "state").filter(|s| !s.is_empty()) else {
        return error(&auth0, CallbackError::MissingState, ctx).await;
    };
    let Some(txn) = txns.load(session.request_cookies(), state) else {
        return error(&auth0, CallbackError::InvalidState, ctx).await;
    };
    // From here on the transaction is spent, whatever happens.
    session.push_cookies([txns.delete(state)]);
    ctx.return_to = Some(txn.return_to.clone());
    let Some(base) = base else {
        return RouteError::OriginNotAllowed.into_response();
    };

    if txn.response_type == CONNECT_CODE {
        return connected(&session, &auth0, &txn, &pairs, &base, ctx).await;
    }
    if let Some(code) = param(&pairs, "error") {
        let cause = OAuth2Error {
            code: code.to_owned(),
            message: param(&pairs, "error_description").map(str::to_owned),
        };
        return error(&auth0, CallbackError::Authorization(cause), ctx).await;
    }
    // RFC 9207: when the provider names itself, it must be our issuer.
    if let Some(iss) = param(&pairs, "iss") {
        if !same_issuer(iss, auth0.oidc().issuer().as_str()) {
            let cause = OAuth2Error {
                code: "invalid_request".into(),
                message: Some("The issuer of the response does not match.".into()),
            };
            return error(&auth0, CallbackError::Authorization(cause), ctx).await;
        }
    }
    let Some(code) = param(&pairs, "code").filter(|c| !c.is_empty()) else {
        let cause = OAuth2Error {
            code: "invalid_request".into(),
            message: Some("The authorization code is missing.".into()),
        };
        return error(&auth0, CallbackError::Authorization(cause), ctx).await;
    };
    if let Err(e) = auth0.oidc().metadata().await {
        tracing::error!(target: "auth0_leptos", "callback: discovery failed: {e}");
        return error(&auth0, CallbackError::Discovery(e.to_string()), ctx).await;
    }

    let config = auth0.config();
    let redirect_uri = join_path(&base, &config.route_path(&config.routes.callback));
    let form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", txn.code_verifier.secret().to_owned()),
    ];
    let tokens = match auth0.oidc().token_request(form).await {
        Ok(t) => t,
        Err(ProviderError::Unreachable(m)) => {
            tracing::warn!(target: "auth0_leptos", "callback: token endpoint unreachable: {m}");
            return error(&auth0, CallbackError::GrantRequest(m.to_owned()), ctx).await;
        }
        Err(ProviderError::RateLimited { .. }) => {
            tracing::warn!(target: "auth0_leptos", "callback: the token endpoint is rate limiting");
            return error(
                &auth0,
                CallbackError::GrantRequest("rate limited".into()),
                ctx,
            )
            .await;
        }
        Err(ProviderError::OAuth(e)) => return error(&auth0, CallbackError::Grant(e), ctx).await,
        Err(ProviderError::MfaRequired(b)) => {
            return error(&auth0, CallbackError::Grant(b.error), ctx).await
        }
        Err(e @ (ProviderError::Invalid(_) | ProviderError::Unsupported(_))) => {
            tracing::warn!(target: "auth0_leptos", "callback: {e}");
            let cause = OAuth2Error {
                code: "invalid_response".into(),
                message: Some("The token endpoint returned an invalid response.".into()),
            };
            return error(&auth0, CallbackError::Grant(cause), ctx).await;
        }
    };
    let Some(id_token) = tokens.id_token.clone() else {
        let cause = OAuth2Error {
            code: "invalid_response".into(),
            message: Some("The token endpoint returned no ID token.".into()),
        };
        return error(&auth0, CallbackError::Grant(cause), ctx).await;
    };
    let claims = match auth0
        .oidc()
        .validate_id_token(
            id_token.secret(),
            &config.client_id,
            Expectations {
                nonce: Some(txn.nonce.secret()),
                max_age: txn.max_age,
                organization: txn.organization.as_deref(),
            },
        )
        .await
    {
        Ok(c) => c,
        Err(reason) => {
            tracing::warn!(target: "auth0_leptos", "callback: {reason}");
            let cause = OAuth2Error {
                code: "invalid_id_token".into(),
                message: Some(reason.to_string()),
            };
            return error(&auth0, CallbackError::Grant(cause), ctx).await;
        }
    };

    let claims = if config.fetch_user_info {
        match merge_user_info(
            &auth0,
            claims,
            tokens.access_token.secret(),
            tokens.token_type.as_deref(),
        )
        .await
        {
            Ok(c) => c,
            Err(cause) => return error(&auth0, CallbackError::Grant(cause), ctx).await,
        }
    } else {
        claims
    };

    let now = now();
    let sid = claims.get("sid").and_then(Value::as_str).map(str::to_owned);
    let user: User = match serde_json::from_value(Value::Object(claims)) {
        Ok(u) => u,
        Err(_) => {
            let cause = OAuth2Error {
                code: "invalid_id_token".into(),
                message: Some("The ID token's claims have unexpected types.".into()),
            };
            return error(&auth0, CallbackError::Grant(cause), ctx).await;
        }
    };
    let token_set = TokenSet {
        access_token: tokens.access_token.clone(),
        id_token: Some(id_token.clone()),
        refresh_token: tokens.refresh_token.clone(),
        scope: tokens.scope.clone(),
        requested_scope: txn.scope.clone(),
        expires_at: tokens.expires_at(now),
        audience: txn.audience.clone(),
        token_type: tokens.token_type.clone(),
    };
    let mut data = SessionData::new(user, token_set, sid, now);
    data = match &config.before_session_saved {
        Some(hook) => {
            let internal = data.internal.clone();
            let mut out = hook(data, Some(id_token.into_secret())).await;
            out.internal = internal;
            out
        }
        None => {
            data.user = data.user.filter_default_claims();
            data
        }
    };
    let response = match &config.on_callback {
        Some(hook) => hook(None, ctx, Some(data.clone())).await,
        None => redirect(&join_path(&base, &txn.return_to)),
    };
    // A login always yields a fresh session (no fixation): the old one, if
    // any, is replaced wholesale.
    session.start(data);
    response
}

/// The end of a connected-account flow: the provider's `connect_code` is
/// exchanged at My Account; `on_callback` sees the connected account.
async fn connected(
    session: &Auth0Session,
    auth0: &Engine,
    txn: &crate::server::transaction::TransactionState,
    pairs: &[(String, String)],
    base: &url::Url,
    mut ctx: CallbackContext,
) -> Response {
    ctx.response_type = ResponseType::ConnectCode;
    if let Some(code) = param(pairs, "error") {
        let cause = OAuth2Error {
            code: code.to_owned(),
            message: param(pairs, "error_description").map(str::to_owned),
        };
        return error(auth0, CallbackError::Authorization(cause), ctx).await;
    }
    let Some(code) = param(pairs, "connect_code").filter(|c| !c.is_empty() && c.len() <= 1024)
    else {
        let cause = OAuth2Error {
            code: "invalid_request".into(),
            message: Some("The connect_code is missing.".into()),
        };
        return error(auth0, CallbackError::Authorization(cause), ctx).await;
    };
    match session.complete_connect_account(txn, code).await {
        Ok(account) => {
            ctx.connected_account = Some(account);
            match &auth0.config().on_callback {
                Some(hook) => hook(None, ctx, session.get()).await,
                None => redirect(&join_path(base, &txn.return_to)),
            }
        }
        Err(e) => error(auth0, CallbackError::ConnectAccount(e), ctx).await,
    }
}

/// Claims that describe the ID token itself: UserInfo never replaces them.
const PROTOCOL_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "azp",
    "auth_time",
    "sid",
    "at_hash",
    "c_hash",
    "acr",
    "amr",
    "org_id",
    "org_name",
];

/// Fetches UserInfo and merges its profile claims into the ID token's; its
/// `sub` must be the ID token's (OpenID Connect Core 5.3.2).
async fn merge_user_info(
    auth0: &Engine,
    mut claims: serde_json::Map<String, Value>,
    access_token: &str,
    token_type: Option<&str>,
) -> Result<serde_json::Map<String, Value>, OAuth2Error> {
    let info = auth0
        .oidc()
        .userinfo(access_token, token_type)
        .await
        .map_err(|e| {
            tracing::warn!(target: "auth0_leptos", "callback: {e}");
            OAuth2Error {
                code: "invalid_userinfo".into(),
                message: Some("The UserInfo endpoint could not be read.".into()),
            }
        })?;
    if info.get("sub") != claims.get("sub") {
        return Err(OAuth2Error {
            code: "invalid_userinfo".into(),
            message: Some("The UserInfo subject does not match the ID token.".into()),
        });
    }
    for (k, v) in info {
        if !PROTOCOL_CLAIMS.contains(&k.as_str()) {
            claims.insert(k, v);
        }
    }
    Ok(claims)
}

async fn error(auth0: &Engine, err: CallbackError, ctx: CallbackContext) -> Response {
    if let Some(hook) = &auth0.config().on_callback {
        return hook(Some(err), ctx, None).await;
    }
    RouteError::Callback(err).into_response()
}
