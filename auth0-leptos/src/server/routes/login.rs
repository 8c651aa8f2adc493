//! `GET /auth/login`: starts a login (authorization code + PKCE).

use std::collections::BTreeMap;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::server::config::ensure_openid;
use crate::server::request::{join_path, safe_return_to};
use crate::server::routes::{plain_error, query_pairs, random_token, redirect};
use crate::server::session::Auth0Session;
use crate::server::transaction::TransactionState;

/// Parameters a caller may never set: the SDK owns them.
const INTERNAL_PARAMS: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "state",
    "nonce",
    "response_mode",
    "request",
    "request_uri",
];

/// Options of [`Auth0Session::start_interactive_login`].
#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// Extra `/authorize` parameters (`screen_hint`, `audience`, `scope`,
    /// `connection`, `prompt`, `organization`, `invitation`, `max_age`, ...).
    /// Protocol parameters (`client_id`, `redirect_uri`, `state`, `nonce`,
    /// PKCE) are ignored.
    pub authorization_params: BTreeMap<String, String>,
    /// Where to return after login; kept only when on the app's origin.
    pub return_to: Option<String>,
}

pub(super) async fn handler(session: Auth0Session, RawQuery(q): RawQuery) -> Response {
    let mut options = LoginOptions::default();
    for (k, v) in query_pairs(q.as_deref()) {
        if k == "returnTo" {
            options.return_to.get_or_insert(v);
        } else {
            options.authorization_params.entry(k).or_insert(v);
        }
    }
    if let Some(ma) = options.authorization_params.get("max_age") {
        if ma.parse::<u64>().is_err() {
            return plain_error(
                StatusCode::BAD_REQUEST,
                &format!("Invalid max_age query param: {ma:?}. Must be a non-negative integer."),
            );
        }
    }
    session.start_interactive_login(options).await
}

impl Auth0Session {
    /// Redirects to the provider's login page (the seeds'
    /// `startInteractiveLogin`): PKCE S256, `state`, `nonce`, and a
    /// transaction cookie for the callback.
    pub async fn start_interactive_login(&self, options: LoginOptions) -> Response {
        let auth0 = self.auth0().clone();
        let config = auth0.config();
        let Some(base) = self.base_url().cloned() else {
            return plain_error(
                StatusCode::BAD_REQUEST,
                "The request's origin is not an allowed application base URL.",
            );
        };
        let md = match auth0.oidc().metadata().await {
            Ok(md) => md,
            Err(e) => {
                crate::server::log_error(&format!("login: discovery failed: {e}"));
                return plain_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An error occurred while trying to initiate the login request.",
                );
            }
        };
        let return_to = options
            .return_to
            .as_deref()
            .and_then(|rt| safe_return_to(rt, &base))
            .unwrap_or_else(|| config.sign_in_return_to_path.clone());

        // Configured parameters, then the caller's (which override them).
        let ap = &config.authorization_parameters;
        let mut params: BTreeMap<String, String> = ap.extra.clone();
        params.insert("scope".into(), ap.scope.clone());
        if let Some(a) = &ap.audience {
            params.insert("audience".into(), a.clone());
        }
        for (k, v) in options.authorization_params {
            if !INTERNAL_PARAMS.contains(&k.as_str()) {
                params.insert(k, v);
            }
        }
        let scope = ensure_openid(params.get("scope").map(String::as_str).unwrap_or_default());
        params.insert("scope".into(), scope.clone());
        let max_age = match params.get("max_age").map(|v| v.parse::<u64>()) {
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                return plain_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid max_age parameter. Must be a non-negative integer.",
                )
            }
            None => None,
        };

        let code_verifier = random_token(32);
        let code_challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(code_verifier.as_bytes()));
        let state = random_token(32);
        let nonce = random_token(32);
        let redirect_uri = join_path(&base, &config.route_path(&config.routes.callback));

        let Ok(mut url) = url::Url::parse(&md.authorization_endpoint) else {
            return plain_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An error occurred while trying to initiate the login request.",
            );
        };
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in &params {
                q.append_pair(k, v);
            }
            q.append_pair("client_id", &config.client_id);
            q.append_pair("redirect_uri", &redirect_uri);
            q.append_pair("response_type", "code");
            q.append_pair("code_challenge", &code_challenge);
            q.append_pair("code_challenge_method", "S256");
            q.append_pair("state", &state);
            q.append_pair("nonce", &nonce);
        }
        let txn = TransactionState {
            nonce,
            max_age,
            code_verifier,
            response_type: "code".into(),
            state,
            return_to,
            scope: Some(scope),
            audience: params.get("audience").cloned(),
            exp: None,
        };
        auth0.save_transaction(self, &txn);
        redirect(url.as_str())
    }
}
