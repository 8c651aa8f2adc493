//! Protecting an API with the provider's access tokens (RFC 6750, RFC 9068):
//! [`ResourceServer`] needs only the issuer and the audience (no client
//! secret, no session, no Leptos). Its [`layer`](ResourceServer::layer)
//! checks every request's token and puts a [`VerifiedToken`] into the
//! request; the extractors ([`BearerClaims`], [`Scopes`], [`Permissions`])
//! and the guards ([`require_permissions`], [`require_scope`]) read it.

mod error;
mod extract;

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method, Uri};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use url::Url;

pub use error::BearerError;
pub use extract::{
    require_permissions, require_scope, BearerClaims, BearerLayer, BearerService, Permissions,
    RequireLayer, RequireService, Scopes, VerifiedToken,
};

use crate::server::config::{ConfigError, ConfigProblem, ConfigSetting};
use crate::server::dpop::verify::{DpopRequest, DpopVerifier};
use crate::server::error::{TokenFault, TokenKind};
use crate::server::oidc::id_token::{check_header, decode_checked, ClaimChecks};
use crate::server::oidc::keys::KeyCache;

/// Largest `Authorization` header read (a token is a few KiB at most).
const MAX_AUTHORIZATION: usize = 8 * 1024;

/// Configures a [`ResourceServer`]: explicit values win over the
/// environment (`AUTH0_DOMAIN`, `AUTH0_AUDIENCE`).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ResourceServerBuilder {
    domain: Option<String>,
    audience: Option<String>,
    algorithm: Option<Algorithm>,
    leeway: Option<Duration>,
    require_at_jwt: bool,
    jwks_uri: Option<String>,
    allow_insecure_requests: Option<bool>,
    http_timeout: Option<Duration>,
    dpop: Option<(Arc<DpopVerifier>, String)>,
    env: Vec<(&'static str, String)>,
}

impl ResourceServerBuilder {
    /// The tenant domain or issuer URL; `AUTH0_DOMAIN`.
    pub fn domain(mut self, v: impl Into<String>) -> Self {
        self.domain = Some(v.into());
        self
    }
    /// This API's identifier, matched exactly against `aud`;
    /// `AUTH0_AUDIENCE`.
    pub fn audience(mut self, v: impl Into<String>) -> Self {
        self.audience = Some(v.into());
        self
    }
    /// The one signing algorithm accepted (default `RS256`; RSA, RSA-PSS or
    /// ECDSA only).
    pub fn algorithm(mut self, v: Algorithm) -> Self {
        self.algorithm = Some(v);
        self
    }
    /// Clock leeway for `exp` and `nbf` (default 60 s).
    pub fn leeway(mut self, v: Duration) -> Self {
        self.leeway = Some(v);
        self
    }
    /// Accept only RFC 9068 tokens (`typ: at+jwt`; default off: any `typ`
    /// but the types of other JWTs, such as `logout+jwt` or `dpop+jwt`).
    pub fn require_at_jwt(mut self, v: bool) -> Self {
        self.require_at_jwt = v;
        self
    }
    /// Where the keys are (default `{issuer}.well-known/jwks.json`, Auth0's).
    pub fn jwks_uri(mut self, v: impl Into<String>) -> Self {
        self.jwks_uri = Some(v.into());
        self
    }
    /// Permit a plain-http issuer (local tests only); also
    /// `AUTH0_ALLOW_INSECURE_REQUESTS`.
    pub fn allow_insecure_requests(mut self, v: bool) -> Self {
        self.allow_insecure_requests = Some(v);
        self
    }
    /// Timeout of a key fetch (default 5 s).
    pub fn http_timeout(mut self, v: Duration) -> Self {
        self.http_timeout = Some(v);
        self
    }
    /// Accept DPoP-bound tokens (`Authorization: DPoP`) with their proofs,
    /// checked by `verifier` against this API's public base URL (the `htu`
    /// of proofs is `public_url` + the request's path).
    pub fn dpop(mut self, verifier: DpopVerifier, public_url: impl Into<String>) -> Self {
        self.dpop = Some((Arc::new(verifier), public_url.into()));
        self
    }
    /// Reads `AUTH0_DOMAIN`, `AUTH0_AUDIENCE` and
    /// `AUTH0_ALLOW_INSECURE_REQUESTS` (for the settings not set explicitly).
    pub fn from_env(self) -> Self {
        self.from_env_with(|k| std::env::var(k).ok())
    }
    /// [`Self::from_env`] with another variable source.
    pub fn from_env_with(mut self, get: impl Fn(&str) -> Option<String>) -> Self {
        for var in [
            "AUTH0_DOMAIN",
            "AUTH0_AUDIENCE",
            "AUTH0_ALLOW_INSECURE_REQUESTS",
        ] {
            if let Some(v) = get(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
            {
                self.env.push((var, v));
            }
        }
        self
    }

    fn env(&self, var: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| v.clone())
    }

    /// Validates the settings (every problem at once).
    pub fn build(self) -> Result<ResourceServer, ConfigError> {
        let mut problems = Vec::new();
        let insecure = self.allow_insecure_requests.unwrap_or_else(|| {
            self.env("AUTH0_ALLOW_INSECURE_REQUESTS").is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
            })
        });
        let domain = self.domain.clone().or_else(|| self.env("AUTH0_DOMAIN"));
        let issuer = match domain {
            None => {
                problems.push(ConfigProblem::Missing {
                    setting: ConfigSetting::Domain,
                });
                None
            }
            Some(d) => match crate::server::config::parse_issuer(&d) {
                Ok(u) if u.scheme() == "https" || insecure => Some(u),
                Ok(_) => {
                    problems.push(ConfigProblem::InsecureProvider { domain: d });
                    None
                }
                Err(_) => {
                    problems.push(ConfigProblem::Invalid {
                        setting: ConfigSetting::Domain,
                        value: Some(d),
                        expected: "a domain or an https URL",
                    });
                    None
                }
            },
        };
        let audience = self.audience.clone().or_else(|| self.env("AUTH0_AUDIENCE"));
        if audience.is_none() {
            problems.push(ConfigProblem::Missing {
                setting: ConfigSetting::Audience,
            });
        }
        let algorithm = self.algorithm.unwrap_or(Algorithm::RS256);
        use Algorithm as A;
        if !matches!(
            algorithm,
            A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512 | A::ES256 | A::ES384
        ) {
            problems.push(ConfigProblem::Invalid {
                setting: ConfigSetting::IdTokenSigningAlg,
                value: Some(format!("{algorithm:?}")),
                expected: "an asymmetric algorithm (RS*, PS*, ES256, ES384)",
            });
        }
        let dpop = match self.dpop {
            Some((verifier, url)) => match Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    Some((verifier, url.trim_end_matches('/').to_owned()))
                }
                _ => {
                    problems.push(ConfigProblem::Invalid {
                        setting: ConfigSetting::AppBaseUrl,
                        value: Some(url),
                        expected: "the API's public http(s) base URL",
                    });
                    None
                }
            },
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(self.http_timeout.unwrap_or(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .build();
        let (Some(issuer), Some(audience), Ok(http), true) =
            (issuer, audience, http, problems.is_empty())
        else {
            return Err(ConfigError::new(problems));
        };
        let jwks_uri = self.jwks_uri.unwrap_or_else(|| {
            format!(
                "{}/.well-known/jwks.json",
                issuer.as_str().trim_end_matches('/')
            )
        });
        Ok(ResourceServer {
            inner: Arc::new(Inner {
                issuer: issuer.to_string(),
                audience,
                algorithm,
                leeway: self.leeway.unwrap_or(Duration::from_secs(60)).as_secs(),
                require_at_jwt: self.require_at_jwt,
                jwks_uri,
                http,
                keys: KeyCache::default(),
                decoded: Default::default(),
                dpop,
            }),
        })
    }
}

struct Inner {
    issuer: String,
    audience: String,
    algorithm: Algorithm,
    leeway: u64,
    require_at_jwt: bool,
    jwks_uri: String,
    http: reqwest::Client,
    keys: KeyCache,
    /// Decoded keys, by `kid` and public parameters.
    decoded: std::sync::RwLock<std::collections::HashMap<String, Arc<DecodingKey>>>,
    dpop: Option<(Arc<DpopVerifier>, String)>,
}

/// An API's token checker: the provider's access tokens for one audience.
/// Cheap to clone; make one at start-up (it caches the provider's keys).
///
/// ```no_run
/// use auth0_leptos::server::{require_permissions, Permissions, ResourceServer};
/// use axum::routing::{delete, get};
///
/// # fn run() -> Result<(), auth0_leptos::server::ConfigError> {
/// let api = ResourceServer::builder()
///     .domain("example.us.auth0.com")
///     .audience("https://api.example.com")
///     .build()?;
/// let app: axum::Router = axum::Router::new()
///     .route("/users/{id}", delete(|| async { "deleted" }))
///     .route_layer(require_permissions(["delete:users"]))
///     .route("/me", get(|p: Permissions| async move { format!("{:?}", p.0) }))
///     .route_layer(api.layer());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ResourceServer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ResourceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceServer")
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .field("algorithm", &self.inner.algorithm)
            .field("dpop", &self.inner.dpop.is_some())
            .finish_non_exhaustive()
    }
}

/// The `Authorization` header's scheme and token.
pub(crate) enum Presented<'a> {
    Bearer(&'a str),
    Dpop(&'a str),
}

pub(crate) fn presented(headers: &HeaderMap) -> Result<Presented<'_>, BearerError> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(BearerError::MissingToken);
    };
    if values.next().is_some() {
        return Err(BearerError::InvalidRequest(
            "More than one Authorization header.",
        ));
    }
    if value.len() > MAX_AUTHORIZATION {
        return Err(BearerError::InvalidRequest(
            "The Authorization header is too large.",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| BearerError::InvalidRequest("The Authorization header is not text."))?;
    let (scheme, token) = value.split_once(' ').ok_or(BearerError::InvalidRequest(
        "Expected Authorization: Bearer <token>.",
    ))?;
    let token = token.trim();
    // RFC 6750 2.1 b64token.
    let b64token = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b));
    if !b64token {
        return Err(BearerError::InvalidRequest("The token is not a b64token."));
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(Presented::Bearer(token))
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Ok(Presented::Dpop(token))
    } else {
        Err(BearerError::InvalidRequest(
            "Expected Authorization: Bearer <token>.",
        ))
    }
}

impl ResourceServer {
    /// A builder (`domain` and `audience` are required).
    pub fn builder() -> ResourceServerBuilder {
        ResourceServerBuilder::default()
    }

    /// A resource server from `AUTH0_DOMAIN` and `AUTH0_AUDIENCE`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder().from_env().build()
    }

    /// The audience this API accepts.
    pub fn audience(&self) -> &str {
        &self.inner.audience
    }

    /// Checks a request's token (`Authorization: Bearer`, or `DPoP` with
    /// its proof when DPoP is set up) and returns it with its claims.
    pub async fn verify_request(
        &self,
        headers: &HeaderMap,
        method: &Method,
        uri: &Uri,
    ) -> Result<VerifiedToken, BearerError> {
        match presented(headers)? {
            Presented::Bearer(token) => {
                let claims = self.verify_token(token).await?;
                if jkt_of(&claims).is_some() {
                    return Err(BearerError::Binding(
                        "A DPoP-bound token must be presented with the DPoP scheme and a proof.",
                    ));
                }
                Ok(VerifiedToken::new(claims, false))
            }
            Presented::Dpop(token) => {
                let Some((verifier, base)) = &self.inner.dpop else {
                    return Err(BearerError::Binding(
                        "This API does not accept DPoP tokens.",
                    ));
                };
                let claims = self.verify_token(token).await?;
                let Some(jkt) = jkt_of(&claims) else {
                    return Err(BearerError::Binding("The token is not DPoP-bound."));
                };
                let url = format!(
                    "{base}{}",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
                );
                let request = DpopRequest {
                    headers,
                    method,
                    url: &url,
                    access_token: token,
                    jkt: Some(jkt),
                };
                verifier.verify(&request).map_err(|e| {
                    tracing::debug!(target: "auth0_leptos", "DPoP proof refused: {e}");
                    BearerError::Dpop(e)
                })?;
                Ok(VerifiedToken::new(claims, true))
            }
        }
    }

    /// Checks a JWT access token: the configured algorithm only, the key
    /// from the provider's JWKS (refetched once for an unknown `kid`, then
    /// at most every 10 s), the signature, `iss` and `aud` exactly, `exp`
    /// (required) and `nbf` with the leeway, and `typ` (RFC 9068).
    pub async fn verify_token(&self, token: &str) -> Result<Map<String, Value>, BearerError> {
        let inner = &self.inner;
        let header = check_header(token, TokenKind::AccessToken, &[inner.algorithm])
            .map_err(|e| BearerError::InvalidToken(e.fault))?;
        let typ = header.typ.as_deref().map(str::to_ascii_lowercase);
        let at_jwt = matches!(typ.as_deref(), Some("at+jwt" | "application/at+jwt"));
        let other_jwt = typ
            .as_deref()
            .is_some_and(|t| t.ends_with("+jwt") && !at_jwt);
        if other_jwt || (inner.require_at_jwt && !at_jwt) {
            return Err(BearerError::InvalidToken(TokenFault::WrongType));
        }
        let jwk = inner
            .keys
            .key(header.kid.as_deref(), header.alg, || async {
                match self.fetch_keys().await {
                    Ok(set) => Some(set),
                    Err(why) => {
                        tracing::warn!(target: "auth0_leptos", "resource server: the provider's keys could not be fetched: {why}");
                        None
                    }
                }
            })
            .await
            .map_err(|f| match f {
                TokenFault::KeysUnavailable => BearerError::Unavailable,
                f => BearerError::InvalidToken(f),
            })?;
        let key = self.decoded(&jwk)?;
        let checks = ClaimChecks {
            alg: inner.algorithm,
            leeway: inner.leeway,
            issuer: &inner.issuer,
            audience: &inner.audience,
            required: &["exp", "iss", "aud"],
        };
        decode_checked(token, &key, &checks).map_err(|fault| match fault {
            TokenFault::WrongAudience => BearerError::WrongAudience {
                expected: inner.audience.clone(),
            },
            fault => BearerError::InvalidToken(fault),
        })
    }

    /// The decoded form of `jwk`, decoded once per key (its `kid` and
    /// public parameters), not per request.
    fn decoded(&self, jwk: &Jwk) -> Result<Arc<DecodingKey>, BearerError> {
        use jsonwebtoken::jwk::AlgorithmParameters as P;
        let id = format!(
            "{}|{}",
            jwk.common.key_id.as_deref().unwrap_or(""),
            match &jwk.algorithm {
                P::RSA(r) => format!("{}|{}", r.n, r.e),
                P::EllipticCurve(e) => format!("{}|{}", e.x, e.y),
                _ => String::new(),
            }
        );
        let cache = &self.inner.decoded;
        if let Some(k) = cache.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(k);
        }
        let key = Arc::new(
            DecodingKey::from_jwk(jwk)
                .map_err(|_| BearerError::InvalidToken(TokenFault::NoMatchingKey))?,
        );
        if let Ok(mut m) = cache.write() {
            // Keys only change with a rotation: a few entries at most.
            if m.len() >= 16 {
                m.clear();
            }
            m.insert(id, key.clone());
        }
        Ok(key)
    }

    async fn fetch_keys(&self) -> Result<jsonwebtoken::jwk::JwkSet, String> {
        let resp = self
            .inner
            .http
            .get(&self.inner.jwks_uri)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!(
                "{} answered {}",
                self.inner.jwks_uri,
                resp.status()
            ));
        }
        let mut body = Vec::new();
        let mut resp = resp;
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > 256 * 1024 {
                return Err("the key set is too large".into());
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    /// The layer that checks every request's token (answering 401, 403 or
    /// 503 per RFC 6750 itself) and hands the [`VerifiedToken`] to the
    /// handlers. Use it with `route_layer` on the routes it protects.
    pub fn layer(&self) -> BearerLayer {
        BearerLayer::new(self.clone())
    }
}

/// The `cnf.jkt` of a token's claims (RFC 9449 6.1).
fn jkt_of(claims: &Map<String, Value>) -> Option<&str> {
    claims.get("cnf")?.get("jkt")?.as_str()
}
