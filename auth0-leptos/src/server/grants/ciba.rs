//! Client-Initiated Backchannel Authentication (OpenID Connect CIBA Core,
//! poll mode): ask the provider to authenticate a user on their own device,
//! then poll the token endpoint until they approve, deny, or the request
//! expires. Dropping the future stops the polling.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::{id_token_claims, token_set};
use crate::error::OAuth2Error;
use crate::server::config::{ensure_openid, Auth0Config};
use crate::server::error::{BackchannelAuthenticationError, ProviderError};
use crate::server::oidc::Oidc;
use crate::server::session::TokenSet;
use crate::server::time::now;

/// The CIBA grant type.
const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
/// Poll interval when the provider names none (CIBA Core 7.3).
const DEFAULT_INTERVAL: u64 = 5;
/// What `slow_down` adds to the interval (CIBA Core 11).
const SLOW_DOWN_STEP: u64 = 5;
/// Longest binding message (Auth0's limit).
const MAX_BINDING_MESSAGE: usize = 64;
/// Parameters the SDK sets itself.
const RESERVED: [&str; 8] = [
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "login_hint",
    "binding_message",
    "requested_expiry",
    "auth_req_id",
];

/// The user to authenticate (the seeds' `loginHint`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginHint {
    /// The user's `sub`.
    pub sub: String,
}

/// A backchannel authentication request (the seeds'
/// `BackchannelAuthenticationOptions`).
///
/// ```
/// use auth0_leptos::server::BackchannelAuthenticationOptions;
///
/// let options = BackchannelAuthenticationOptions::new("auth0|123", "Approve transfer 42")
///     .requested_expiry(120)
///     .authorization_param("audience", "https://api.example.com/");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackchannelAuthenticationOptions {
    /// Shown on both devices, so the user can tell the request is theirs
    /// (at most 64 characters).
    pub binding_message: String,
    /// Who is asked.
    pub login_hint: LoginHint,
    /// How long the request may wait for the user, in seconds (the
    /// provider's default, 300 s at Auth0, when `None`).
    pub requested_expiry: Option<u64>,
    /// Other parameters (`scope`, `audience`, `authorization_details`, ...);
    /// the configured scope and audience when not given.
    pub authorization_params: BTreeMap<String, String>,
}

impl BackchannelAuthenticationOptions {
    /// Asks the user `sub` with `binding_message`.
    pub fn new(sub: impl Into<String>, binding_message: impl Into<String>) -> Self {
        Self {
            binding_message: binding_message.into(),
            login_hint: LoginHint { sub: sub.into() },
            ..Self::default()
        }
    }
    /// Waits at most `seconds` for the user.
    pub fn requested_expiry(mut self, seconds: u64) -> Self {
        self.requested_expiry = Some(seconds);
        self
    }
    /// Adds an authorization parameter.
    pub fn authorization_param(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.authorization_params.insert(k.into(), v.into());
        self
    }
}

/// The tokens of an approved request. `Debug` never prints tokens.
#[derive(Debug, Clone)]
pub struct BackchannelAuthenticationResponse {
    /// The tokens.
    pub token_set: TokenSet,
    /// The claims of the ID token, validated.
    pub id_token_claims: Map<String, Value>,
}

fn failed(cause: Option<OAuth2Error>) -> BackchannelAuthenticationError {
    BackchannelAuthenticationError::Failed { cause }
}

/// Runs one backchannel authentication to its end.
pub(crate) async fn authenticate(
    oidc: &Oidc,
    config: &Auth0Config,
    options: BackchannelAuthenticationOptions,
) -> Result<BackchannelAuthenticationResponse, BackchannelAuthenticationError> {
    let sub = options.login_hint.sub.trim();
    if sub.is_empty() || sub.len() > 1024 {
        return Err(BackchannelAuthenticationError::InvalidRequest(
            "login_hint.sub is required",
        ));
    }
    let message = options.binding_message.trim();
    if message.is_empty() || message.chars().count() > MAX_BINDING_MESSAGE {
        return Err(BackchannelAuthenticationError::InvalidRequest(
            "a binding message of 1 to 64 characters is required",
        ));
    }
    let md = oidc.metadata().await.map_err(|e| {
        tracing::warn!(target: "auth0_leptos", "backchannel authentication: discovery failed: {e}");
        failed(None)
    })?;
    if md.backchannel_authentication_endpoint.is_none() {
        return Err(BackchannelAuthenticationError::NotSupported);
    }
    let ap = &config.authorization_parameters;
    let mut params = options.authorization_params;
    params.retain(|k, _| !RESERVED.contains(&k.as_str()));
    let audience = params
        .remove("audience")
        .filter(|a| !a.is_empty())
        .or_else(|| ap.audience.clone());
    let scope = params
        .remove("scope")
        .or_else(|| {
            ap.scope
                .for_audience(audience.as_deref())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| crate::server::config::DEFAULT_SCOPE.to_owned());
    let scope = ensure_openid(&scope);
    // Auth0's login_hint: the user by issuer and subject.
    let login_hint = serde_json::json!({"format": "iss_sub", "iss": md.issuer, "sub": sub});
    let mut form = vec![
        ("scope", scope.clone()),
        ("login_hint", login_hint.to_string()),
        ("binding_message", message.to_owned()),
    ];
    if let Some(a) = &audience {
        form.push(("audience", a.clone()));
    }
    if let Some(e) = options.requested_expiry {
        form.push(("requested_expiry", e.to_string()));
    }
    let extra: Vec<(String, String)> = params.into_iter().collect();
    let started = oidc
        .backchannel_authorize(form, &extra)
        .await
        .map_err(|e| match e {
            ProviderError::OAuth(e) => failed(Some(e)),
            e => {
                tracing::warn!(target: "auth0_leptos", "backchannel authentication request failed: {e}");
                failed(None)
            }
        })?;

    let deadline = now() + started.expires_in.min(86_400) as i64;
    let mut interval = started.interval.unwrap_or(DEFAULT_INTERVAL).clamp(1, 60);
    let resp = loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        if now() > deadline {
            return Err(failed(Some(OAuth2Error {
                code: "expired_token".into(),
                message: Some("The backchannel authentication request expired.".into()),
            })));
        }
        let form = vec![
            ("grant_type", CIBA_GRANT.to_owned()),
            ("auth_req_id", started.auth_req_id.clone()),
        ];
        match oidc.token_request(form).await {
            Ok(r) => break r,
            Err(ProviderError::OAuth(e)) if e.code == "authorization_pending" => {}
            Err(ProviderError::OAuth(e)) if e.code == "slow_down" => {
                interval = (interval + SLOW_DOWN_STEP).min(60);
            }
            Err(ProviderError::OAuth(e)) => return Err(failed(Some(e))),
            Err(e) => {
                tracing::warn!(target: "auth0_leptos", "backchannel authentication polling failed: {e}");
                return Err(failed(None));
            }
        }
    };
    let claims = match id_token_claims(oidc, config, &resp).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            tracing::warn!(target: "auth0_leptos", "backchannel authentication: no ID token");
            return Err(failed(None));
        }
        Err(why) => {
            tracing::warn!(target: "auth0_leptos", "backchannel authentication: ID token rejected: {why}");
            return Err(failed(None));
        }
    };
    if claims.get("sub").and_then(Value::as_str) != Some(sub) {
        tracing::warn!(target: "auth0_leptos", "backchannel authentication: the ID token is for another user");
        return Err(failed(None));
    }
    Ok(BackchannelAuthenticationResponse {
        token_set: token_set(resp, audience, Some(scope)),
        id_token_claims: claims,
    })
}
