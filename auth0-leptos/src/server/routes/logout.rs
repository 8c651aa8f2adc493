//! `GET /auth/logout`: ends the session here and at the provider.

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};

use crate::server::config::LogoutStrategy;
use crate::server::error::RouteError;
use crate::server::handle::Auth0Session;
use crate::server::request::safe_logout_return_to;
use crate::server::response::redirect;
use crate::server::routes::{param, query_pairs};
use crate::server::transaction::Transactions;

pub(super) async fn handler(session: Auth0Session, RawQuery(q): RawQuery) -> Response {
    let auth0 = session.engine().clone();
    let config = auth0.config();
    let pairs = query_pairs(q.as_deref());
    let data = session.get();
    // The session ends before anything else; with a store, its record is
    // deleted now. If that fails the user is told so (503) and keeps the
    // cookie to retry: a logout that only cleared the cookie would leave the
    // record, and its refresh token, usable by a copied cookie.
    if let Err(e) = session.clear_now().await {
        tracing::error!(target: "auth0_leptos", "logout: the session could not be deleted: {e}");
        return RouteError::LogoutFailedStoreUnavailable.into_response();
    }
    // Tokens this process rotated for the session are never handed out again.
    if let Some(d) = &data {
        auth0.tokens().forget_session(d);
    }
    // Revoke the refresh token so a copied cookie cannot mint new tokens.
    // Best effort: a failure never blocks the logout; it is logged (the
    // error names the endpoint and status, never the token).
    if let Some(rt) = data
        .as_ref()
        .and_then(|d| d.token_set.refresh_token.clone())
    {
        if let Err(e) = auth0.oidc().revoke_refresh_token(rt.secret()).await {
            tracing::warn!(target: "auth0_leptos", "logout: refresh token revocation failed: {e}");
        }
    }
    // Whatever happens next, this browser's pending logins end too.
    let txns = Transactions::new(config, auth0.keyring(), session.secure());
    session.push_cookies(txns.delete_all(session.request_cookies()));

    let Some(base) = session.base_url().cloned() else {
        return RouteError::OriginNotAllowed.into_response();
    };
    let return_to = match param(&pairs, "returnTo") {
        Some(rt) => safe_logout_return_to(rt, &base, &config.logout_return_to_allow_list)
            .unwrap_or_else(|| {
                tracing::warn!(
                    target: "auth0_leptos",
                    "logout: returnTo is not on the app's origin or allow-list; using the base URL"
                );
                base.to_string()
            }),
        None => base.to_string(),
    };
    let federated = pairs.iter().any(|(k, _)| k == "federated");
    let logout_state = param(&pairs, "state");

    let md = if config.logout_strategy == LogoutStrategy::V2 {
        None
    } else {
        match auth0.oidc().metadata().await {
            Ok(md) => Some(md),
            Err(e) => {
                tracing::error!(target: "auth0_leptos", "logout: discovery failed: {e}");
                return RouteError::LogoutFailed.into_response();
            }
        }
    };
    let end_session = md.as_ref().and_then(|m| m.end_session_endpoint.clone());
    let location = match (config.logout_strategy, end_session) {
        (LogoutStrategy::Oidc, None) => return RouteError::OidcLogoutUnsupported.into_response(),
        (LogoutStrategy::V2, _) | (LogoutStrategy::Auto, None) => {
            let Ok(mut url) = auth0.oidc().issuer().join("v2/logout") else {
                return RouteError::LogoutFailed.into_response();
            };
            url.query_pairs_mut()
                .append_pair("returnTo", &return_to)
                .append_pair("client_id", &config.client_id);
            if federated {
                url.query_pairs_mut().append_pair("federated", "");
            }
            url.to_string()
        }
        (_, Some(ep)) => {
            let Ok(mut url) = url::Url::parse(&ep) else {
                return RouteError::LogoutFailed.into_response();
            };
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("client_id", &config.client_id);
                q.append_pair("post_logout_redirect_uri", &return_to);
                if let Some(s) = logout_state {
                    q.append_pair("state", s);
                }
                if let Some(d) = &data {
                    if !d.internal.sid.is_empty() {
                        q.append_pair("logout_hint", &d.internal.sid);
                    }
                    if config.include_id_token_hint_in_oidc_logout_url {
                        if let Some(id) = &d.token_set.id_token {
                            q.append_pair("id_token_hint", id.secret());
                        }
                    }
                }
                if federated {
                    q.append_pair("federated", "");
                }
            }
            url.to_string()
        }
    };

    redirect(&location)
}
