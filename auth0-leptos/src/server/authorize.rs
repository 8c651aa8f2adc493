//! Starting a login: the authorization request (PKCE S256, `state`,
//! `nonce`) and the transaction cookie the callback will need.

use std::collections::BTreeMap;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use url::Url;

use crate::secret::{Nonce, PkceVerifier};
use crate::server::config::{ensure_openid, Auth0Config};
use crate::server::cookies::{RequestCookies, SetCookie};
use crate::server::crypto::random_token;
use crate::server::engine::Engine;
use crate::server::error::{CallbackError, ProviderError, RouteError};
use crate::server::request::{join_path, safe_return_to};
use crate::server::transaction::{TransactionState, Transactions};

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

/// The `/authorize` parameters a `/auth/login` query may set (see
/// [`query_may_set`]); any other query parameter but `returnTo` is ignored.
pub(crate) const QUERY_PARAMS: &[&str] = &[
    "screen_hint",
    "login_hint",
    "ui_locales",
    "connection",
    "audience",
    "scope",
    "invitation",
    "organization",
    "max_age",
    "prompt",
];

/// Whether a `/auth/login` query may set `key` to `value`: only the
/// [`QUERY_PARAMS`], and never so as to weaken or replace what the
/// application configured: `organization` and `prompt` only when none is
/// configured, `max_age` only when none is configured or to a lower value.
pub(crate) fn query_may_set(config: &Auth0Config, key: &str, value: &str) -> bool {
    let configured = config.authorization_parameters.extra.get(key);
    match key {
        "organization" | "prompt" => configured.is_none(),
        "max_age" => match configured.and_then(|c| c.parse::<u64>().ok()) {
            None => true,
            Some(c) => value.parse::<u64>().is_ok_and(|v| v < c),
        },
        k => QUERY_PARAMS.contains(&k),
    }
}

/// Longest `returnTo` accepted, in bytes.
pub(crate) const MAX_RETURN_TO: usize = 2048;
/// Longest name or value of any other login parameter, in bytes.
pub(crate) const MAX_PARAM: usize = 1024;
/// Most bytes of all the caller's login parameters (names and values) together.
pub(crate) const MAX_PARAMS_TOTAL: usize = 4096;

/// Refuses login options larger than the limits above (400
/// `login_request_too_large`), before anything is stored.
fn check_sizes(options: &LoginOptions) -> Result<(), RouteError> {
    let too_large = |what: String| Err(RouteError::LoginRequestTooLarge(what));
    let mut total = 0;
    if let Some(rt) = &options.return_to {
        if rt.len() > MAX_RETURN_TO {
            return too_large(format!("returnTo is longer than {MAX_RETURN_TO} bytes"));
        }
        total += "returnTo".len() + rt.len();
    }
    for (k, v) in &options.authorization_params {
        if k.len() > MAX_PARAM {
            return too_large(format!("a parameter name is longer than {MAX_PARAM} bytes"));
        }
        if v.len() > MAX_PARAM {
            return too_large(format!("{k} is longer than {MAX_PARAM} bytes"));
        }
        total += k.len() + v.len();
    }
    if total > MAX_PARAMS_TOTAL {
        return too_large(format!(
            "the parameters together are longer than {MAX_PARAMS_TOTAL} bytes"
        ));
    }
    Ok(())
}

/// Options of [`Auth0Session::start_interactive_login`](crate::server::Auth0Session::start_interactive_login).
#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// Extra `/authorize` parameters (`screen_hint`, `audience`, `scope`,
    /// `connection`, `prompt`, `organization`, `invitation`, `max_age`, ...).
    /// Protocol parameters (`client_id`, `redirect_uri`, `state`, `nonce`,
    /// PKCE) are ignored. Each name and value is at most 1024 bytes, and
    /// all of them with `return_to` at most 4096; larger ones, or a login
    /// whose transaction cookie would exceed 3500 bytes, are refused with
    /// 400 `login_request_too_large`.
    pub authorization_params: BTreeMap<String, String>,
    /// Where to return after login; kept only when on the app's origin.
    /// At most 2048 bytes.
    pub return_to: Option<String>,
}

/// Where to send the browser, and the cookies to set on the way.
pub(crate) struct LoginRedirect {
    pub(crate) location: String,
    pub(crate) cookies: Vec<SetCookie>,
}

/// Builds the authorization request for `options`.
pub(crate) async fn start_login(
    engine: &Engine,
    base: &Url,
    cookies: &RequestCookies,
    secure: bool,
    options: LoginOptions,
) -> Result<LoginRedirect, RouteError> {
    check_sizes(&options)?;
    let config = engine.config();
    let md = engine.oidc().metadata().await.map_err(|e| {
        tracing::error!(target: "auth0_leptos", "login: discovery failed: {e}");
        RouteError::LoginFailed
    })?;
    let return_to = options
        .return_to
        .as_deref()
        .and_then(|rt| safe_return_to(rt, base))
        .unwrap_or_else(|| config.sign_in_return_to_path.clone());

    // Configured parameters, then the caller's (which override them).
    let ap = &config.authorization_parameters;
    let mut params: BTreeMap<String, String> = ap.extra.clone();
    params.insert("scope".into(), ap.login_scope().to_owned());
    if let Some(a) = &ap.audience {
        params.insert("audience".into(), a.clone());
    }
    // A login for another audience asks for that audience's configured
    // scope, unless the caller names a scope.
    if let Some(a) = options.authorization_params.get("audience") {
        if !options.authorization_params.contains_key("scope") {
            if let Some(s) = ap.scope.for_audience(Some(a)) {
                params.insert("scope".into(), s.to_owned());
            }
        }
    }
    for (k, v) in options.authorization_params {
        if !INTERNAL_PARAMS.contains(&k.as_str()) {
            params.insert(k, v);
        }
    }
    let scope = ensure_openid(params.get("scope").map(String::as_str).unwrap_or_default());
    params.insert("scope".into(), scope.clone());
    let max_age = match params.get("max_age") {
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| RouteError::InvalidMaxAge(v.clone()))?,
        ),
        None => None,
    };

    let code_verifier = PkceVerifier::new(random_token(32));
    let code_challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(code_verifier.secret().as_bytes()));
    let state = random_token(32);
    let nonce = Nonce::new(random_token(32));
    let redirect_uri = join_path(base, &config.route_path(&config.routes.callback));

    let mut url = Url::parse(&md.authorization_endpoint).map_err(|_| RouteError::LoginFailed)?;
    let protocol = [
        ("redirect_uri", redirect_uri),
        ("response_type", "code".to_owned()),
        ("code_challenge", code_challenge),
        ("code_challenge_method", "S256".to_owned()),
        ("state", state.clone()),
        ("nonce", nonce.secret().to_owned()),
    ];
    // RFC 9449 10: bind the authorization code to the DPoP key.
    let dpop_jkt = engine
        .oidc()
        .dpop()
        .map(|d| ("dpop_jkt", d.key().thumbprint().to_owned()));
    let protocol = protocol.into_iter().chain(dpop_jkt).collect::<Vec<_>>();
    if config.pushed_authorization_requests {
        // RFC 9126: every parameter goes to the provider over the back
        // channel, with client authentication; the browser carries only
        // `client_id` and the `request_uri` that stands for them.
        let mut form: Vec<(&'static str, String)> = Vec::new();
        let mut extra: Vec<(String, String)> = Vec::new();
        for (k, v) in &params {
            extra.push((k.clone(), v.clone()));
        }
        form.extend(protocol);
        let request_uri = engine
            .oidc()
            .push_authorization_request(form, extra)
            .await
            .map_err(|e| {
                tracing::warn!(target: "auth0_leptos", "login: pushed authorization request failed: {e}");
                RouteError::Callback(match e {
                    ProviderError::OAuth(e) => CallbackError::PushedAuthorization(e),
                    e => CallbackError::PushedAuthorizationRequest(e.to_string()),
                })
            })?
            .request_uri;
        url.query_pairs_mut()
            .append_pair("client_id", &config.client_id)
            .append_pair("request_uri", &request_uri);
    } else {
        let mut q = url.query_pairs_mut();
        for (k, v) in &params {
            q.append_pair(k, v);
        }
        q.append_pair("client_id", &config.client_id);
        for (k, v) in &protocol {
            q.append_pair(k, v);
        }
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
        organization: params
            .get("organization")
            .filter(|o| !o.is_empty())
            .cloned(),
        auth_session: None,
        exp: None,
    };
    let cookies = Transactions::new(config, engine.keyring(), secure).save(cookies, &txn)?;
    Ok(LoginRedirect {
        location: url.into(),
        cookies,
    })
}
