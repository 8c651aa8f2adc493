//! Connected accounts (Auth0 My Account API): starting the flow
//! ([`Auth0Session::connect_account`], `GET /auth/connect`) and completing
//! it when the callback sees a transaction whose `response_type` is
//! `connect_code`.

use std::collections::BTreeMap;

use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::secret::{Nonce, PkceVerifier};
use crate::server::crypto::random_token;
use crate::server::error::{ConnectAccountError, FetchError, MyAccountApiError};
use crate::server::fetcher::{FetchRequest, FetcherOptions};
use crate::server::handle::Auth0Session;
use crate::server::hooks::ConnectedAccount;
use crate::server::request::{join_path, safe_return_to};
use crate::server::transaction::{TransactionState, Transactions};

/// The transaction's `response_type` of a connected-account flow.
pub(crate) const CONNECT_CODE: &str = "connect_code";
/// The scope My Account needs to connect an account.
const CONNECT_SCOPE: &str = "create:me:connected_accounts";
/// Longest connection name, scope or parameter accepted.
const MAX_PARAM: usize = 1024;
/// Most scopes or authorization parameters accepted.
const MAX_ITEMS: usize = 32;
/// Largest My Account answer read.
const MAX_ANSWER: usize = 64 * 1024;

/// What to connect (the seeds' `ConnectAccountOptions`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectAccountOptions {
    /// The connection (`google-oauth2`, ...). Required.
    pub connection: String,
    /// Scopes to ask the connection's provider for.
    pub scopes: Vec<String>,
    /// Parameters for the connection's authorization request (`prompt`,
    /// `login_hint`, ...).
    pub authorization_params: BTreeMap<String, String>,
    /// Where to return afterwards (a path or URL on the app's origin;
    /// default `sign_in_return_to_path`).
    pub return_to: Option<String>,
}

impl ConnectAccountOptions {
    /// Options to connect `connection`.
    pub fn new(connection: impl Into<String>) -> Self {
        Self {
            connection: connection.into(),
            ..Self::default()
        }
    }

    /// Adds a scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Adds an authorization parameter.
    pub fn authorization_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.authorization_params.insert(key.into(), value.into());
        self
    }

    /// Where to return afterwards.
    pub fn return_to(mut self, path: impl Into<String>) -> Self {
        self.return_to = Some(path.into());
        self
    }
}

#[derive(Deserialize)]
struct ConnectParams {
    ticket: String,
}

#[derive(Deserialize)]
struct Initiated {
    auth_session: String,
    connect_uri: String,
    connect_params: ConnectParams,
}

fn too_long(s: &str) -> bool {
    s.is_empty() || s.len() > MAX_PARAM || s.chars().any(char::is_control)
}

impl Auth0Session {
    /// The `{issuer}me/` audience and `{issuer}me/v1/connected-accounts/{what}`.
    fn my_account(&self, what: &str) -> (String, String) {
        let issuer = self
            .engine()
            .oidc()
            .issuer()
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        (
            format!("{issuer}/me/"),
            format!("{issuer}/me/v1/connected-accounts/{what}"),
        )
    }

    /// POSTs `body` to My Account's connected-accounts `what` with a token
    /// that has `create:me:connected_accounts` (refreshed and saved like any
    /// other; DPoP when on). `Err(None)` when My Account could not be reached.
    async fn my_account_post<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        body: &serde_json::Value,
    ) -> Result<T, MyAccountFailure> {
        let (audience, url) = self.my_account(what);
        let fetcher = self
            .create_fetcher(FetcherOptions::new())
            .map_err(|_| MyAccountFailure::Api(None))?;
        let request = FetchRequest::post()
            .json(body)
            .header("accept", "application/json")
            .audience(audience)
            .scope(CONNECT_SCOPE);
        let mut resp = fetcher
            .fetch_with_auth(&url, request)
            .await
            .map_err(|e| match e {
                // No token: told apart from My Account's own failures.
                FetchError::AccessToken(e) => MyAccountFailure::Token(e),
                e => {
                    tracing::warn!(target: "auth0_leptos", "My Account {what}: {e}");
                    MyAccountFailure::Api(None)
                }
            })?;
        let status = resp.status();
        let mut bytes = Vec::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(MyAccountFailure::Api(None));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let mut problem: MyAccountApiError = serde_json::from_slice(&bytes).unwrap_or_default();
            problem.status = status.as_u16();
            tracing::warn!(target: "auth0_leptos", "My Account {what} answered {status}: {}", problem.title);
            return Err(MyAccountFailure::Api(Some(problem)));
        }
        serde_json::from_slice(&bytes).map_err(|_| {
            tracing::warn!(target: "auth0_leptos", "My Account {what} answered something unusable");
            MyAccountFailure::Api(None)
        })
    }

    /// Starts the Connect Account flow (the seeds' `connectAccount`): asks
    /// My Account to start a connection with a token for
    /// `https://{domain}/me/` (scope `create:me:connected_accounts`), saves
    /// the transaction (PKCE verifier, `auth_session`, `returnTo`) and
    /// redirects the browser to the connection's consent. The callback
    /// completes it and calls `on_callback` with the connected account.
    pub async fn connect_account(
        &self,
        options: ConnectAccountOptions,
    ) -> Result<Response, ConnectAccountError> {
        if self.store_unavailable() {
            return Err(ConnectAccountError::SessionStoreUnavailable);
        }
        if !self.is_authenticated() {
            return Err(ConnectAccountError::MissingSession);
        }
        if too_long(&options.connection) {
            return Err(ConnectAccountError::InvalidRequest(
                "A connection is required.",
            ));
        }
        if options.scopes.len() > MAX_ITEMS
            || options.authorization_params.len() > MAX_ITEMS
            || options.scopes.iter().any(|s| too_long(s))
            || options
                .authorization_params
                .iter()
                .any(|(k, v)| too_long(k) || v.len() > MAX_PARAM)
        {
            return Err(ConnectAccountError::InvalidRequest(
                "Too many or too long scopes or parameters.",
            ));
        }
        let Some(base) = self.base_url().cloned() else {
            return Err(ConnectAccountError::InvalidRequest(
                "The request's origin is not an allowed application base URL.",
            ));
        };
        let config = self.engine().config();
        let return_to = options
            .return_to
            .as_deref()
            .and_then(|rt| safe_return_to(rt, &base))
            .unwrap_or_else(|| config.sign_in_return_to_path.clone());
        let redirect_uri = join_path(&base, &config.route_path(&config.routes.callback));
        let code_verifier = PkceVerifier::new(random_token(32));
        let code_challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(code_verifier.secret().as_bytes()));
        let state = random_token(32);
        let mut body = serde_json::json!({
            "connection": options.connection,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        });
        if !options.scopes.is_empty() {
            body["scopes"] = serde_json::json!(options.scopes);
        }
        if !options.authorization_params.is_empty() {
            body["authorization_params"] = serde_json::json!(options.authorization_params);
        }
        let started: Initiated = self
            .my_account_post("connect", &body)
            .await
            .map_err(|f| f.into_error(ConnectAccountError::FailedToInitiate))?;
        let mut location = Url::parse(&started.connect_uri)
            .ok()
            .filter(|u| {
                u.scheme() == "https" || (u.scheme() == "http" && config.allow_insecure_requests)
            })
            .ok_or(ConnectAccountError::FailedToInitiate(None))?;
        if too_long(&started.auth_session) || too_long(&started.connect_params.ticket) {
            return Err(ConnectAccountError::FailedToInitiate(None));
        }
        location
            .query_pairs_mut()
            .append_pair("ticket", &started.connect_params.ticket);
        let txn = TransactionState {
            nonce: Nonce::new(random_token(16)),
            max_age: None,
            code_verifier,
            response_type: CONNECT_CODE.into(),
            state,
            return_to,
            scope: None,
            audience: None,
            organization: None,
            auth_session: Some(started.auth_session),
            exp: None,
        };
        let cookies = Transactions::new(config, self.engine().keyring(), self.secure())
            .save(self.request_cookies(), &txn)
            .map_err(|_| ConnectAccountError::InvalidRequest("The transaction is too large."))?;
        self.push_cookies(cookies);
        Ok(crate::server::response::redirect(location.as_str()))
    }

    /// Completes a connected-account flow with the `connect_code` the
    /// callback received.
    pub(crate) async fn complete_connect_account(
        &self,
        txn: &TransactionState,
        connect_code: &str,
    ) -> Result<ConnectedAccount, ConnectAccountError> {
        if self.store_unavailable() {
            return Err(ConnectAccountError::SessionStoreUnavailable);
        }
        if !self.is_authenticated() {
            return Err(ConnectAccountError::MissingSession);
        }
        let Some(base) = self.base_url().cloned() else {
            return Err(ConnectAccountError::FailedToComplete(None));
        };
        let config = self.engine().config();
        let body = serde_json::json!({
            "auth_session": txn.auth_session,
            "connect_code": connect_code,
            "redirect_uri": join_path(&base, &config.route_path(&config.routes.callback)),
            "code_verifier": txn.code_verifier.secret(),
        });
        self.my_account_post("complete", &body)
            .await
            .map_err(|f| f.into_error(ConnectAccountError::FailedToComplete))
    }
}

/// Why a My Account call failed.
enum MyAccountFailure {
    /// No token for it.
    Token(crate::AccessTokenError),
    /// It refused (its problem details) or could not be reached.
    Api(Option<MyAccountApiError>),
}

impl MyAccountFailure {
    fn into_error(
        self,
        api: fn(Option<MyAccountApiError>) -> ConnectAccountError,
    ) -> ConnectAccountError {
        match self {
            Self::Token(crate::AccessTokenError::MissingSession) => {
                ConnectAccountError::MissingSession
            }
            Self::Token(e) => ConnectAccountError::AccessToken(e),
            Self::Api(p) => api(p),
        }
    }
}
