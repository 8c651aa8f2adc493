//! Talking to the OpenID provider: discovery, JWKS, the token endpoint,
//! ID-token validation and revocation. One [`Oidc`] per process; metadata and
//! keys are cached and concurrent fetches are coalesced.

pub(crate) mod client_auth;
pub(crate) mod id_token;
pub(crate) mod keys;
mod mfa;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use url::Url;

use crate::secret::{AccessToken, ClientSecret, IdToken, RefreshToken};
use crate::server::config::Auth0Config;
use crate::server::dpop::Dpop;
use crate::server::error::{
    MfaRequiredBody, OAuth2Error, ProviderCheckError, ProviderError, TokenFault,
};
use client_auth::ClientAuth;

/// Largest provider response we read.
const MAX_BODY: usize = 1024 * 1024;

/// The provider metadata we use (OpenID Connect Discovery 1.0).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Metadata {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) jwks_uri: String,
    #[serde(default)]
    pub(crate) end_session_endpoint: Option<String>,
    #[serde(default)]
    pub(crate) revocation_endpoint: Option<String>,
    #[serde(default)]
    pub(crate) userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub(crate) pushed_authorization_request_endpoint: Option<String>,
    #[serde(default)]
    pub(crate) token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) backchannel_authentication_endpoint: Option<String>,
}

/// A backchannel authentication request's answer (CIBA Core 7.3).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BackchannelResponse {
    pub(crate) auth_req_id: String,
    pub(crate) expires_in: u64,
    #[serde(default)]
    pub(crate) interval: Option<u64>,
}

/// A pushed authorization request's answer (RFC 9126 2.2).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ParResponse {
    pub(crate) request_uri: String,
}

/// A token endpoint response. `Debug` never prints the tokens.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: AccessToken,
    #[serde(default)]
    pub(crate) id_token: Option<IdToken>,
    #[serde(default)]
    pub(crate) refresh_token: Option<RefreshToken>,
    #[serde(default)]
    pub(crate) expires_in: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    /// RFC 8693's `issued_token_type` (token exchanges).
    #[serde(default)]
    pub(crate) issued_token_type: Option<String>,
    /// The new recovery code of an `mfa-recovery-code` grant.
    #[serde(default)]
    pub(crate) recovery_code: Option<crate::secret::RecoveryCode>,
}

/// How long an access token is taken to live when the token response has
/// no `expires_in` (it is only RECOMMENDED by RFC 6749) and the token is
/// not a JWT with an `exp`: ten minutes.
pub(crate) const DEFAULT_ACCESS_TOKEN_LIFETIME: i64 = 600;

impl TokenResponse {
    /// When the access token expires, for a response received at `at`:
    /// from `expires_in` (a number or a numeric string), else from the
    /// access token's own `exp` when it is a JWT, else
    /// [`DEFAULT_ACCESS_TOKEN_LIFETIME`] from now.
    pub(crate) fn expires_at(&self, at: i64) -> i64 {
        let expires_in = match &self.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        match expires_in {
            Some(secs) => at.saturating_add(secs.max(0)),
            None => jwt_exp(self.access_token.secret())
                .filter(|exp| *exp > at)
                .unwrap_or(at.saturating_add(DEFAULT_ACCESS_TOKEN_LIFETIME)),
        }
    }
}

/// The `exp` claim of a JWT, read without verifying it (only to know when
/// our own token expires; it is never trusted for anything else).
fn jwt_exp(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > 16 * 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(Deserialize)]
    struct Exp {
        exp: Option<i64>,
    }
    serde_json::from_slice::<Exp>(&bytes).ok()?.exp
}

/// The audiences of a JWT access token (read without verifying it: only
/// to notice a provider that answered for another audience). `None` when
/// the token is not a JWT with an `aud`.
pub(crate) fn jwt_audiences(token: &str) -> Option<Vec<String>> {
    let payload = token.split('.').nth(1)?;
    if payload.len() > 16 * 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    #[derive(serde::Deserialize)]
    struct Claims {
        aud: Option<Aud>,
    }
    match serde_json::from_slice::<Claims>(&bytes).ok()?.aud? {
        Aud::One(a) => Some(vec![a]),
        Aud::Many(a) => Some(a),
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    /// With `mfa_required`.
    #[serde(default)]
    mfa_token: Option<crate::secret::RawMfaToken>,
    /// With `mfa_required`.
    #[serde(default)]
    mfa_requirements: Option<crate::mfa::MfaRequirements>,
}

/// The provider client.
pub(crate) struct Oidc {
    http: reqwest::Client,
    issuer: Url,
    client_id: String,
    /// The key of HS256 ID tokens (empty with private_key_jwt).
    client_secret: ClientSecret,
    auth: ClientAuth,
    /// The DPoP proof maker of the configured (or generated) key, shared by
    /// the token requests and every fetcher (one nonce memory).
    dpop: Option<Arc<Dpop>>,
    /// Whether token requests carry proofs (DPoP on).
    bind_tokens: bool,
    /// The one algorithm ID and logout tokens may use.
    id_token_alg: crate::server::config::IdTokenSigningAlg,
    allow_insecure: bool,
    metadata: tokio::sync::OnceCell<Arc<Metadata>>,
    keys: keys::KeyCache,
}

impl Oidc {
    pub(crate) fn new(config: &Auth0Config) -> Self {
        // Built and checked with the configuration (timeout, no redirects,
        // telemetry header, user agent).
        let http = config.http_client.clone();
        Self {
            http,
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            auth: ClientAuth::new(config),
            dpop: config.dpop.as_ref().map(|d| Arc::new(Dpop::new(d))),
            bind_tokens: config.use_dpop,
            id_token_alg: config.id_token_signing_alg,
            allow_insecure: config.allow_insecure_requests,
            metadata: tokio::sync::OnceCell::new(),
            keys: keys::KeyCache::default(),
        }
    }

    pub(crate) fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// The DPoP proof maker, when DPoP is on (token requests carry proofs).
    pub(crate) fn dpop(&self) -> Option<&Arc<Dpop>> {
        self.dpop.as_ref().filter(|_| self.bind_tokens)
    }

    /// The DPoP proof maker, whenever a key pair is configured (DPoP on, or
    /// a key for fetchers that turn it on themselves).
    pub(crate) fn dpop_key(&self) -> Option<&Arc<Dpop>> {
        self.dpop.as_ref()
    }

    /// The discovered metadata, fetched once per process (concurrent callers
    /// share one fetch; a failure is not cached).
    pub(crate) async fn metadata(&self) -> Result<Arc<Metadata>, ProviderError> {
        self.metadata
            .get_or_try_init(|| async {
                let url = self
                    .issuer
                    .join(".well-known/openid-configuration")
                    .map_err(|e| ProviderError::Invalid(e.to_string()))?;
                let body = self.get(url.as_str()).await?;
                let md: Metadata = serde_json::from_slice(&body)
                    .map_err(|e| ProviderError::Invalid(format!("discovery document: {e}")))?;
                if !same_issuer(&md.issuer, self.issuer.as_str()) {
                    return Err(ProviderError::Invalid(format!(
                        "discovery issuer {:?} does not match the configured issuer {:?}",
                        md.issuer,
                        self.issuer.as_str()
                    )));
                }
                for ep in [
                    Some(&md.authorization_endpoint),
                    Some(&md.token_endpoint),
                    Some(&md.jwks_uri),
                    md.end_session_endpoint.as_ref(),
                    md.revocation_endpoint.as_ref(),
                    md.userinfo_endpoint.as_ref(),
                    md.pushed_authorization_request_endpoint.as_ref(),
                    md.backchannel_authentication_endpoint.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    self.check_endpoint(ep)?;
                }
                Ok(Arc::new(md))
            })
            .await
            .cloned()
    }

    fn check_endpoint(&self, ep: &str) -> Result<(), ProviderError> {
        let u = Url::parse(ep)
            .map_err(|_| ProviderError::Invalid(format!("endpoint {ep:?} is not a URL")))?;
        match u.scheme() {
            "https" => Ok(()),
            "http" if self.allow_insecure => Ok(()),
            _ => Err(ProviderError::Invalid(format!(
                "endpoint {ep:?} is not https"
            ))),
        }
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, ProviderError> {
        let resp = self.http.get(url).send().await.map_err(unreachable)?;
        let status = resp.status();
        let body = read_limited(resp).await?;
        if !status.is_success() {
            return Err(ProviderError::Invalid(format!(
                "GET {url} answered {status}"
            )));
        }
        Ok(body)
    }

    /// The JWK for `kid` (refetching the key set once when the kid is unknown,
    /// so a key rotation at the provider is picked up).
    pub(crate) async fn signing_key(
        &self,
        kid: Option<&str>,
        alg: jsonwebtoken::Algorithm,
    ) -> Result<Jwk, TokenFault> {
        self.keys
            .key(kid, alg, || async {
                let md = self.metadata().await.ok()?;
                let body = self.get(&md.jwks_uri).await.ok()?;
                serde_json::from_slice::<JwkSet>(&body).ok()
            })
            .await
    }

    /// POSTs a grant to the token endpoint with client authentication
    /// (and a DPoP proof when DPoP is on; a `use_dpop_nonce` answer is
    /// retried once with the server's nonce, and a fresh client assertion).
    pub(crate) async fn token_request(
        &self,
        form: Vec<(&'static str, String)>,
    ) -> Result<TokenResponse, ProviderError> {
        let md = self.metadata().await?;
        let endpoint = Url::parse(&md.token_endpoint)
            .map_err(|_| ProviderError::Invalid("token endpoint is not a URL".into()))?;
        let mut retried = false;
        loop {
            let mut form = form.clone();
            let mut req = self.authenticated(&md, &md.token_endpoint, &mut form)?;
            if let Some(dpop) = self.dpop() {
                req = req.header("DPoP", dpop.proof("POST", &endpoint, None));
            }
            let resp = req
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await
                .map_err(unreachable)?;
            let status = resp.status();
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                return Err(ProviderError::RateLimited {
                    retry_after: retry_after(resp.headers()),
                });
            }
            let fresh_nonce = self
                .dpop()
                .is_some_and(|d| d.remember_nonce(&endpoint, resp.headers()));
            let body = read_limited(resp).await?;
            if status.is_success() {
                let tr: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                    ProviderError::Invalid(
                        "token endpoint answered something that is not a token response".into(),
                    )
                })?;
                if tr.access_token.is_empty() {
                    return Err(ProviderError::Invalid(
                        "token endpoint answered without an access_token".into(),
                    ));
                }
                return Ok(tr);
            }
            let error = refusal(&body, status, "token endpoint");
            // RFC 9449 8: one retry with the nonce the server just handed out.
            let nonce_challenge =
                matches!(&error, ProviderError::OAuth(e) if e.code == "use_dpop_nonce");
            if nonce_challenge && fresh_nonce && !retried {
                retried = true;
                if let Some(d) = self.dpop() {
                    d.pause_before_retry().await;
                }
                continue;
            }
            return Err(error);
        }
    }

    /// Starts Client-Initiated Backchannel Authentication (CIBA Core 7.1)
    /// with client authentication; `None` endpoint means unsupported.
    pub(crate) async fn backchannel_authorize(
        &self,
        form: Vec<(&'static str, String)>,
        extra: &[(String, String)],
    ) -> Result<BackchannelResponse, ProviderError> {
        let md = self.metadata().await?;
        let Some(ep) = md.backchannel_authentication_endpoint.clone() else {
            return Err(ProviderError::Invalid(
                "the provider has no backchannel_authentication_endpoint".into(),
            ));
        };
        let (status, body) = self.post_authenticated(&md, &ep, form, extra).await?;
        if status.is_success() {
            let r: BackchannelResponse = serde_json::from_slice(&body).map_err(|_| {
                ProviderError::Invalid(
                    "the backchannel authentication endpoint answered something unusable".into(),
                )
            })?;
            if r.auth_req_id.is_empty() || r.auth_req_id.len() > 2048 {
                return Err(ProviderError::Invalid(
                    "the backchannel authentication endpoint answered an unusable auth_req_id"
                        .into(),
                ));
            }
            return Ok(r);
        }
        Err(refusal(
            &body,
            status,
            "the backchannel authentication endpoint",
        ))
    }

    /// The claims of the UserInfo endpoint for `access_token` (a JSON
    /// object; signed or encrypted UserInfo responses are not supported).
    pub(crate) async fn userinfo(
        &self,
        access_token: &str,
        token_type: Option<&str>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ProviderError> {
        let md = self.metadata().await?;
        let ep = md.userinfo_endpoint.clone().ok_or_else(|| {
            ProviderError::Invalid("the provider has no userinfo_endpoint".into())
        })?;
        let url = Url::parse(&ep)
            .map_err(|_| ProviderError::Invalid("userinfo_endpoint is not a URL".into()))?;
        // A DPoP-bound token is presented with a proof (RFC 9449 7), and a
        // nonce challenge is answered once.
        let dpop = self
            .dpop
            .as_deref()
            .filter(|_| token_type.is_some_and(|t| t.eq_ignore_ascii_case("dpop")));
        let resp = crate::server::dpop::send_presenting(dpop, &url, || {
            let req = self
                .http
                .get(url.as_str())
                .header(reqwest::header::ACCEPT, "application/json");
            let req = match dpop {
                Some(d) => req
                    .header(
                        reqwest::header::AUTHORIZATION,
                        format!("DPoP {access_token}"),
                    )
                    .header("DPoP", d.proof("GET", &url, Some(access_token))),
                None => req.bearer_auth(access_token),
            };
            async move { req.send().await.map_err(unreachable) }
        })
        .await?;
        let status = resp.status();
        let body = read_limited(resp).await?;
        if !status.is_success() {
            return Err(ProviderError::Invalid(format!(
                "userinfo answered {status}"
            )));
        }
        serde_json::from_slice(&body).map_err(|_| {
            ProviderError::Invalid("userinfo answered something that is not a JSON object".into())
        })
    }

    /// Revokes a refresh token (RFC 7009), best effort.
    pub(crate) async fn revoke_refresh_token(&self, token: &str) -> Result<(), ProviderError> {
        let md = self.metadata().await?;
        let Some(ep) = md.revocation_endpoint.clone() else {
            // Auth0 advertises no revocation_endpoint but serves /oauth/revoke.
            let ep = self
                .issuer
                .join("oauth/revoke")
                .map_err(|e| ProviderError::Invalid(e.to_string()))?;
            return self.revoke_at(ep.as_str(), token).await;
        };
        self.revoke_at(&ep, token).await
    }

    async fn revoke_at(&self, ep: &str, token: &str) -> Result<(), ProviderError> {
        let md = self.metadata().await?;
        let mut form = vec![
            ("token", token.to_owned()),
            ("token_type_hint", "refresh_token".to_owned()),
        ];
        let req = self.authenticated(&md, ep, &mut form)?;
        let resp = req.form(&form).send().await.map_err(unreachable)?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(ProviderError::Invalid(format!(
                "revocation answered {}",
                resp.status()
            )))
        }
    }

    /// A POST to `endpoint` carrying the client's authentication (a fresh
    /// client assertion for private_key_jwt, its audience the issuer).
    fn authenticated(
        &self,
        md: &Metadata,
        endpoint: &str,
        form: &mut Vec<(&'static str, String)>,
    ) -> Result<reqwest::RequestBuilder, ProviderError> {
        self.auth
            .apply(self.http.post(endpoint), form, &self.client_id, &md.issuer)
    }

    /// POSTs `form` (with the client's authentication) and `extra`
    /// parameters to `endpoint`; returns the status and the body.
    async fn post_authenticated(
        &self,
        md: &Metadata,
        endpoint: &str,
        mut form: Vec<(&'static str, String)>,
        extra: &[(String, String)],
    ) -> Result<(reqwest::StatusCode, Vec<u8>), ProviderError> {
        let req = self.authenticated(md, endpoint, &mut form)?;
        let body: Vec<(&str, &str)> = form
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .collect();
        let resp = req
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status();
        Ok((status, read_limited(resp).await?))
    }

    /// Checks that the provider supports what the configuration needs:
    /// the pushed authorization request endpoint when PAR is on, and the
    /// client assertion's algorithm when the provider lists the ones it takes.
    pub(crate) async fn check_capabilities(&self, pushed: bool) -> Result<(), ProviderCheckError> {
        let md = self
            .metadata()
            .await
            .map_err(|e| ProviderCheckError::Discovery(e.to_string()))?;
        if pushed && md.pushed_authorization_request_endpoint.is_none() {
            return Err(ProviderCheckError::PushedAuthorizationRequestsUnsupported);
        }
        if let (Some(alg), Some(algs)) = (
            self.auth.assertion_alg(),
            md.token_endpoint_auth_signing_alg_values_supported.as_ref(),
        ) {
            if !algs.iter().any(|a| a == alg) {
                return Err(ProviderCheckError::ClientAssertionSigningAlgUnsupported {
                    alg,
                    supported: algs.clone(),
                });
            }
        }
        Ok(())
    }

    /// Pushes the authorization request `params` (RFC 9126) with client
    /// authentication; returns the `request_uri` to send the browser with.
    pub(crate) async fn push_authorization_request(
        &self,
        params: Vec<(&'static str, String)>,
        extra: Vec<(String, String)>,
    ) -> Result<ParResponse, ProviderError> {
        self.check_capabilities(true)
            .await
            .map_err(ProviderError::Unsupported)?;
        let md = self.metadata().await?;
        let ep = md
            .pushed_authorization_request_endpoint
            .clone()
            .unwrap_or_default();
        let (status, body) = self.post_authenticated(&md, &ep, params, &extra).await?;
        if status.is_success() {
            let par: ParResponse = serde_json::from_slice(&body).map_err(|_| {
                ProviderError::Invalid(
                    "the pushed authorization request endpoint answered something that is not a request_uri".into(),
                )
            })?;
            if par.request_uri.is_empty() || par.request_uri.len() > 2048 {
                return Err(ProviderError::Invalid(
                    "the pushed authorization request endpoint answered an unusable request_uri"
                        .into(),
                ));
            }
            return Ok(par);
        }
        Err(refusal(
            &body,
            status,
            "the pushed authorization request endpoint",
        ))
    }
}

/// A provider's refusal: its OAuth error when the body is one, else what
/// `what` answered.
pub(crate) fn refusal(body: &[u8], status: reqwest::StatusCode, what: &str) -> ProviderError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if e.error == "mfa_required" => {
            ProviderError::MfaRequired(Box::new(MfaRequiredBody {
                error: OAuth2Error {
                    code: e.error,
                    message: e.error_description,
                },
                mfa_token: e
                    .mfa_token
                    .filter(|t| !t.is_empty() && t.secret().len() <= 4096),
                requirements: e.mfa_requirements,
            }))
        }
        Ok(e) => ProviderError::OAuth(OAuth2Error {
            code: e.error,
            message: e.error_description,
        }),
        Err(_) => ProviderError::Invalid(format!("{what} answered {status}")),
    }
}

/// A `Retry-After` of whole seconds (RFC 9110 10.2.3; an HTTP date counts
/// as unknown), at most an hour.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(3600)))
}

fn unreachable(e: reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::Unreachable("timed out")
    } else if e.is_connect() {
        ProviderError::Unreachable("connection failed")
    } else {
        ProviderError::Unreachable("request failed")
    }
}

async fn read_limited(mut resp: reqwest::Response) -> Result<Vec<u8>, ProviderError> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(unreachable)? {
        if out.len() + chunk.len() > MAX_BODY {
            return Err(ProviderError::Invalid("response too large".into()));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Issuers compare equal ignoring one trailing slash.
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}
