//! Machine-to-machine access tokens (client credentials, seed 004 pattern
//! 3): [`ClientCredentials`] asks the provider for a token per audience,
//! caches it until shortly before it expires, refreshes it in the
//! background before callers have to wait, makes one request per audience
//! at a time, and backs off when the provider answers 429.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::secret::AccessToken;
use crate::server::config::{Auth0Config, ConfigError};
use crate::server::error::ProviderError;
use crate::server::oidc::Oidc;
use crate::server::time::now;
use crate::OAuth2Error;

/// Callers get a fresh token this long before the cached one expires.
const EXPIRY_MARGIN: i64 = 30;
/// A token this close to its expiry is refreshed in the background while
/// callers keep getting it.
const REFRESH_AHEAD: i64 = 120;
/// Without a `Retry-After`, a 429 pauses requests for an audience this long.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(5);
/// Audiences cached at most.
const MAX_AUDIENCES: usize = 64;

/// Why no machine-to-machine token could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCredentialsError {
    /// `client_credentials_error`: the provider refused (`invalid_client`,
    /// `access_denied` for an API the client is not authorized for, ...).
    Refused(OAuth2Error),
    /// `rate_limited`: the provider answered 429; no request is made for
    /// this audience before `retry_after` has passed.
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// `request_error`: the provider could not be reached or answered
    /// something unusable (details in tracing).
    Request,
}

impl ClientCredentialsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(_) => "client_credentials_error",
            Self::RateLimited { .. } => "rate_limited",
            Self::Request => "request_error",
        }
    }
}

impl std::fmt::Display for ClientCredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "the provider refused the client credentials grant: {e}"),
            Self::RateLimited { retry_after } => write!(
                f,
                "the provider is rate limiting token requests; retry in {} s",
                retry_after.as_secs()
            ),
            Self::Request => f.write_str("the token request failed"),
        }
    }
}

impl std::error::Error for ClientCredentialsError {}

/// A machine-to-machine access token.
#[derive(Debug, Clone)]
pub struct MachineToken {
    /// The token (`Debug` never prints it).
    pub token: AccessToken,
    /// When it expires (seconds since the epoch).
    pub expires_at: i64,
    /// The scope granted.
    pub scope: Option<String>,
    /// `Bearer` (or what the provider says).
    pub token_type: String,
}

#[derive(Default)]
struct Slot {
    /// The cached token; held across a fetch, so one request is in flight.
    token: tokio::sync::Mutex<Option<MachineToken>>,
    /// A background refresh is running.
    refreshing: AtomicBool,
    /// No request before this (after a 429).
    blocked_until: Mutex<Option<Instant>>,
}

struct Inner {
    oidc: Arc<Oidc>,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

/// Client-credentials tokens for the app's own calls to APIs, cached per
/// audience. Cheap to clone; keep one per process. Make it with
/// [`Auth0::client_credentials`](crate::server::Auth0::client_credentials)
/// (the app's credentials, secret or private_key_jwt) or
/// [`ClientCredentials::from_env`] (a machine-to-machine application:
/// `AUTH0_DOMAIN`, `AUTH0_M2M_CLIENT_ID`, `AUTH0_M2M_CLIENT_SECRET`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use auth0_leptos::server::ClientCredentials;
///
/// let m2m = ClientCredentials::from_env()?;
/// let http = reqwest::Client::new();
/// let answer = m2m
///     .send_with_token(http.get("https://api.example.com/reports"), "https://api.example.com/")
///     .await?;
/// # let _ = answer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials").finish_non_exhaustive()
    }
}

/// The error of [`ClientCredentials::send_with_token`].
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// No token.
    Token(ClientCredentialsError),
    /// The API could not be reached.
    Http(reqwest::Error),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(e) => write!(f, "{e}"),
            Self::Http(e) => write!(f, "the request failed: {e}"),
        }
    }
}

impl std::error::Error for SendError {}

impl ClientCredentials {
    pub(crate) fn new(oidc: Arc<Oidc>) -> Self {
        Self {
            inner: Arc::new(Inner {
                oidc,
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// A machine-to-machine client from the environment: `AUTH0_DOMAIN`,
    /// `AUTH0_M2M_CLIENT_ID` and `AUTH0_M2M_CLIENT_SECRET` (else
    /// `AUTH0_CLIENT_ID` and `AUTH0_CLIENT_SECRET` or
    /// `AUTH0_CLIENT_ASSERTION_SIGNING_KEY`), `AUTH0_HTTP_TIMEOUT`,
    /// `AUTH0_ALLOW_INSECURE_REQUESTS`. No cookie secret is needed.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] with another variable source.
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let m2m_id = get("AUTH0_M2M_CLIENT_ID").filter(|v| !v.trim().is_empty());
        let m2m_secret = get("AUTH0_M2M_CLIENT_SECRET").filter(|v| !v.trim().is_empty());
        let mut builder = Auth0Config::builder()
            // Never used: this client has no sessions.
            .secret(crate::server::crypto::random_token(32))
            .from_env_with(|k| match k {
                "AUTH0_SECRET" => None,
                "AUTH0_CLIENT_ID" if m2m_id.is_some() => m2m_id.clone(),
                "AUTH0_CLIENT_SECRET" if m2m_secret.is_some() => m2m_secret.clone(),
                "AUTH0_CLIENT_ASSERTION_SIGNING_KEY" if m2m_secret.is_some() => None,
                k => get(k),
            });
        if let Some(id) = &m2m_id {
            builder = builder.client_id(id.trim());
        }
        let config = builder.build()?;
        Ok(Self::new(Arc::new(Oidc::new(&config))))
    }

    fn slot(&self, audience: &str) -> Arc<Slot> {
        let mut slots = self.inner.slots.lock().unwrap_or_else(|p| p.into_inner());
        if !slots.contains_key(audience) && slots.len() >= MAX_AUDIENCES {
            // Forget an idle audience (one with no fetch running).
            let idle = slots
                .iter()
                .find(|(_, s)| Arc::strong_count(s) == 1)
                .map(|(k, _)| k.clone());
            if let Some(k) = idle {
                slots.remove(&k);
            }
        }
        slots.entry(audience.to_owned()).or_default().clone()
    }

    /// A token for `audience`: the cached one while it has more than 30 s
    /// left (refreshed in the background in its last two minutes), else a
    /// new one; concurrent callers for one audience share one request.
    pub async fn token(&self, audience: &str) -> Result<MachineToken, ClientCredentialsError> {
        let slot = self.slot(audience);
        let mut cached = slot.token.lock().await;
        let now = now();
        if let Some(t) = cached.as_ref() {
            if t.expires_at - EXPIRY_MARGIN > now {
                let token = t.clone();
                if t.expires_at - REFRESH_AHEAD <= now
                    && !slot.refreshing.swap(true, Ordering::AcqRel)
                {
                    self.refresh_in_background(audience.to_owned(), slot.clone());
                }
                return Ok(token);
            }
        }
        let fresh = self.fetch(audience, &slot).await?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    fn refresh_in_background(&self, audience: String, slot: Arc<Slot>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.fetch(&audience, &slot).await;
            if let Ok(t) = result {
                *slot.token.lock().await = Some(t);
            }
            slot.refreshing.store(false, Ordering::Release);
        });
    }

    async fn fetch(
        &self,
        audience: &str,
        slot: &Slot,
    ) -> Result<MachineToken, ClientCredentialsError> {
        let blocked = *slot.blocked_until.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = blocked {
            if let Some(left) = until.checked_duration_since(Instant::now()) {
                return Err(ClientCredentialsError::RateLimited { retry_after: left });
            }
        }
        let form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("audience", audience.to_owned()),
        ];
        match self.inner.oidc.token_request(form).await {
            Ok(r) => {
                let at = now();
                Ok(MachineToken {
                    expires_at: r.expires_at(at),
                    scope: r.scope,
                    token_type: r.token_type.unwrap_or_else(|| "Bearer".into()),
                    token: r.access_token,
                })
            }
            Err(ProviderError::RateLimited { retry_after }) => {
                let wait = retry_after.unwrap_or(DEFAULT_BACKOFF);
                *slot.blocked_until.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Instant::now() + wait);
                tracing::warn!(target: "auth0_leptos", "client credentials: the provider answered 429; no request for {} s", wait.as_secs());
                Err(ClientCredentialsError::RateLimited { retry_after: wait })
            }
            Err(ProviderError::OAuth(e)) => Err(ClientCredentialsError::Refused(e)),
            Err(ProviderError::MfaRequired(b)) => Err(ClientCredentialsError::Refused(b.error)),
            Err(e) => {
                tracing::warn!(target: "auth0_leptos", "client credentials: {e}");
                Err(ClientCredentialsError::Request)
            }
        }
    }

    /// Sends `request` with `Authorization: Bearer` and a token for
    /// `audience` (any other `Authorization` is replaced).
    pub async fn send_with_token(
        &self,
        request: reqwest::RequestBuilder,
        audience: &str,
    ) -> Result<reqwest::Response, SendError> {
        let token = self.token(audience).await.map_err(SendError::Token)?;
        request
            .bearer_auth(token.token.secret())
            .send()
            .await
            .map_err(SendError::Http)
    }
}
