//! [`Fetcher`]: calls an API with the session's access token (the seeds'
//! `createFetcher` / `fetchWithAuth`): `Authorization: DPoP` with a proof
//! for that method and URL (or `Bearer`), one retry on a nonce challenge,
//! the token from the normal access-token path (refreshed and saved as
//! usual) or from a factory of the app's.

use std::sync::Arc;

use url::Url;

use crate::error::AccessTokenError;
use crate::secret::AccessToken;
use crate::server::dpop::{send_presenting, Dpop};
use crate::server::error::{DpopError, FetchError};
use crate::server::handle::Auth0Session;
use crate::server::hooks::BoxFuture;
use crate::AccessTokenRequest;

/// Gets the access token for a fetcher's request, instead of the session.
pub type AccessTokenFactory = Arc<
    dyn Fn(AccessTokenRequest) -> BoxFuture<Result<AccessToken, AccessTokenError>> + Send + Sync,
>;

/// How a fetcher gets tokens and where it sends requests.
///
/// ```
/// use auth0_leptos::server::FetcherOptions;
///
/// let options = FetcherOptions::new()
///     .base_url("https://api.example.com/v1/")
///     .audience("https://api.example.com/")
///     .use_dpop(true);
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct FetcherOptions {
    base_url: Option<String>,
    use_dpop: Option<bool>,
    token: AccessTokenRequest,
    factory: Option<AccessTokenFactory>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for FetcherOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetcherOptions")
            .field("base_url", &self.base_url)
            .field("use_dpop", &self.use_dpop)
            .field("token", &self.token)
            .field("factory", &self.factory.as_ref().map(|_| "<factory>"))
            .finish_non_exhaustive()
    }
}

impl FetcherOptions {
    /// Defaults: DPoP as configured, the configured audience, no base URL.
    pub fn new() -> Self {
        Self::default()
    }
    /// Resolves relative request URLs (RFC 3986 resolution: end it with
    /// `/` to add paths under it).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// DPoP for this fetcher, whatever the global `use_dpop` says.
    pub fn use_dpop(mut self, on: bool) -> Self {
        self.use_dpop = Some(on);
        self
    }
    /// The audience of the tokens (default: the configured one).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.token.audience = Some(audience.into());
        self
    }
    /// The scope the tokens must carry.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.token.scope = Some(scope.into());
        self
    }
    /// Gets tokens from `factory` instead of the session.
    pub fn token_factory<F, Fut>(mut self, factory: F) -> Self
    where
        F: Fn(AccessTokenRequest) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<AccessToken, AccessTokenError>> + Send + 'static,
    {
        self.factory = Some(Arc::new(move |r| Box::pin(factory(r))));
        self
    }
    /// Sends with this client (the seeds' custom `fetch`: middleware,
    /// metrics, proxies). Default: the configured timeout, no redirects.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }
}

/// One request of a fetcher: method, headers, body, and what its token
/// must be (audience, scope, a forced refresh) when it differs from the
/// fetcher's.
///
/// ```
/// use auth0_leptos::server::FetchRequest;
///
/// let req = FetchRequest::post()
///     .json(&serde_json::json!({"title": "hello"}))
///     .scope("write:messages");
/// # let _ = req;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct FetchRequest {
    method: http::Method,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    audience: Option<String>,
    scope: Option<String>,
    refresh: bool,
}

impl FetchRequest {
    /// A request with `method`.
    pub fn new(method: http::Method) -> Self {
        Self {
            method,
            ..Self::default()
        }
    }
    /// A GET.
    pub fn get() -> Self {
        Self::new(http::Method::GET)
    }
    /// A POST.
    pub fn post() -> Self {
        Self::new(http::Method::POST)
    }
    /// Adds a header (`Authorization` and `DPoP` are the fetcher's).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// The body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }
    /// A JSON body (and its content type).
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        self.header("content-type", "application/json").body(body)
    }
    /// A token for this audience.
    pub fn audience(mut self, v: impl Into<String>) -> Self {
        self.audience = Some(v.into());
        self
    }
    /// A token with this scope.
    pub fn scope(mut self, v: impl Into<String>) -> Self {
        self.scope = Some(v.into());
        self
    }
    /// A freshly refreshed token.
    pub fn refresh(mut self) -> Self {
        self.refresh = true;
        self
    }
}

/// Calls APIs with the session's tokens. Make one per request handler
/// with [`Auth0Session::create_fetcher`]; cheap.
#[derive(Clone)]
pub struct Fetcher {
    session: Auth0Session,
    base: Option<Url>,
    dpop: Option<Arc<Dpop>>,
    token: AccessTokenRequest,
    factory: Option<AccessTokenFactory>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("base", &self.base.as_ref().map(Url::as_str))
            .field("dpop", &self.dpop.is_some())
            .finish_non_exhaustive()
    }
}

impl Auth0Session {
    /// A [`Fetcher`] for this session (the seeds' `createFetcher`). Fails
    /// with `dpop_configuration_error` when DPoP is asked for and no key
    /// pair is configured, and `invalid_url` for a base URL that is not
    /// absolute http(s).
    pub fn create_fetcher(&self, options: FetcherOptions) -> Result<Fetcher, FetchError> {
        let engine = self.engine();
        let config = engine.config();
        let base = match options.base_url {
            Some(b) => Some(http_url(&b).ok_or(FetchError::InvalidUrl)?),
            None => None,
        };
        let dpop = match options.use_dpop.unwrap_or(config.use_dpop) {
            false => None,
            true => Some(
                engine
                    .oidc()
                    .dpop_key()
                    .cloned()
                    .ok_or(DpopError::Configuration(
                        "set use_dpop (AUTH0_USE_DPOP) or a DPoP key pair",
                    ))?,
            ),
        };
        Ok(Fetcher {
            session: self.clone(),
            base,
            dpop,
            token: options.token,
            factory: options.factory,
            http: options.http.unwrap_or_else(|| engine.fetch_http().clone()),
        })
    }
}

fn http_url(s: &str) -> Option<Url> {
    Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

impl Fetcher {
    /// Sends `request` to `url` (absolute, or relative to the base URL)
    /// with the access token, and returns the response, whatever its
    /// status. A `401` nonce challenge (`WWW-Authenticate: DPoP
    /// error="use_dpop_nonce"` with a `DPoP-Nonce`) is retried once.
    pub async fn fetch_with_auth(
        &self,
        url: &str,
        request: FetchRequest,
    ) -> Result<reqwest::Response, FetchError> {
        let url = match (http_url(url), &self.base) {
            (Some(u), _) => u,
            (None, Some(base)) => base
                .join(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or(FetchError::InvalidUrl)?,
            (None, None) => return Err(FetchError::InvalidUrl),
        };
        let token_request = AccessTokenRequest {
            audience: request
                .audience
                .clone()
                .or_else(|| self.token.audience.clone()),
            scope: request.scope.clone().or_else(|| self.token.scope.clone()),
            refresh: request.refresh || self.token.refresh,
        };
        let token = match &self.factory {
            Some(f) => f(token_request).await?,
            None => self.session.access_token(token_request).await?.token,
        };
        send_presenting(self.dpop.as_deref(), &url, || {
            self.send(&url, &request, &token)
        })
        .await
    }

    async fn send(
        &self,
        url: &Url,
        request: &FetchRequest,
        token: &AccessToken,
    ) -> Result<reqwest::Response, FetchError> {
        let mut req = self.http.request(request.method.clone(), url.clone());
        for (k, v) in &request.headers {
            if k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("dpop") {
                continue;
            }
            let name =
                http::HeaderName::try_from(k.as_str()).map_err(|_| FetchError::InvalidRequest)?;
            let value =
                http::HeaderValue::try_from(v.as_str()).map_err(|_| FetchError::InvalidRequest)?;
            req = req.header(name, value);
        }
        req = match &self.dpop {
            Some(dpop) => req
                .header(
                    http::header::AUTHORIZATION,
                    format!("DPoP {}", token.secret()),
                )
                .header(
                    "DPoP",
                    dpop.proof(request.method.as_str(), url, Some(token.secret())),
                ),
            None => req.bearer_auth(token.secret()),
        };
        if let Some(body) = &request.body {
            req = req.body(body.clone());
        }
        req.send().await.map_err(|e| {
            FetchError::Request(if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            })
        })
    }
}
