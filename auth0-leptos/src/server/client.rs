//! [`Auth0`]: the client every part of the integration shares.

use std::sync::Arc;

use http::HeaderMap;

use crate::server::config::{Auth0Config, ConfigError};
use crate::server::cookies::jwe::Keyring;
use crate::server::cookies::RequestCookies;
use crate::server::oidc::refresh::{RefreshCoordinator, RefreshKey};
use crate::server::oidc::Oidc;
use crate::server::request::{cookie_secure, resolve_base_url};
use crate::server::secret::Secret;
use crate::server::session::cache::OpenedCookies;
use crate::server::session::{Auth0Session, SessionData, StoreCookie};
use crate::server::time::now;

struct Inner {
    opened: OpenedCookies,
    seen_logout_tokens: crate::server::routes::SeenLogoutTokens,
    config: Auth0Config,
    keyring: Keyring,
    oidc: Oidc,
    refresher: RefreshCoordinator,
}

/// The Auth0 client: configuration, derived keys, the provider client and its
/// caches. Cheap to clone (an `Arc` inside); make one at start-up.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use auth0_leptos::server::Auth0;
///
/// let auth0 = Auth0::from_env()?; // AUTH0_DOMAIN, AUTH0_CLIENT_ID, ...
/// let app = axum::Router::new()
///     .merge(auth0.router())      // /auth/login, /auth/callback, ...
///     .layer(auth0.layer());      // the session of every request
/// # let _: axum::Router = app;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth0 {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Auth0 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0")
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Auth0 {
    /// A client for a validated configuration.
    pub fn new(config: Auth0Config) -> Self {
        let keyring = Keyring::new(&config.secrets);
        let oidc = Oidc::new(&config);
        Self {
            inner: Arc::new(Inner {
                opened: OpenedCookies::default(),
                seen_logout_tokens: Default::default(),
                config,
                keyring,
                oidc,
                refresher: RefreshCoordinator::default(),
            }),
        }
    }

    /// A client configured from the environment (see [`Auth0Config::from_env`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(Auth0Config::from_env()?))
    }

    /// The configuration.
    pub fn config(&self) -> &Auth0Config {
        &self.inner.config
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    pub(crate) fn oidc(&self) -> &Oidc {
        &self.inner.oidc
    }

    pub(crate) fn seen_logout_tokens(&self) -> &crate::server::routes::SeenLogoutTokens {
        &self.inner.seen_logout_tokens
    }

    pub(crate) fn refresher(&self) -> &RefreshCoordinator {
        &self.inner.refresher
    }

    /// When a session created at `created_at` expires if written at `now`.
    pub(crate) fn session_expiry(&self, created_at: i64, now: i64) -> i64 {
        let s = &self.config().session;
        let absolute = created_at + s.absolute_duration.as_secs() as i64;
        if s.rolling {
            absolute.min(now + s.inactivity_duration.as_secs() as i64)
        } else {
            absolute
        }
    }

    /// Opens the session cookie of a request (once per request: the layer
    /// calls this and shares the result).
    pub fn session_from_headers(&self, headers: &HeaderMap) -> Auth0Session {
        let cookies = RequestCookies::from_headers(headers);
        let now = now();
        let opened = cookies
            .get_chunked(&self.config().session.cookie.name)
            .and_then(|v| self.open_cookie(v, now))
            .and_then(|(mut data, exp)| {
                if data.internal.created_at <= 0 {
                    data.internal.created_at = now;
                }
                // A shortened absolute duration applies to existing cookies too.
                (self.session_expiry(data.internal.created_at, now) > now).then_some((data, exp))
            });
        self.request_session(headers, cookies, opened)
    }

    /// The handle of one request: resolves base URL and `Secure` once, and
    /// adopts tokens this process already rotated (the cookie is then rewritten).
    fn request_session(
        &self,
        headers: &HeaderMap,
        cookies: RequestCookies,
        opened: Option<(SessionData, i64)>,
    ) -> Auth0Session {
        let base_url = resolve_base_url(self.config(), headers).ok();
        let secure = cookie_secure(
            self.config(),
            self.config().session.cookie.secure,
            base_url.as_ref(),
        );
        let mut adopted = false;
        let opened = opened.map(|(mut data, exp)| {
            adopted = self.adopt_rotation(&mut data);
            (data, exp)
        });
        let session = Auth0Session::new(self.clone(), cookies, secure, base_url, opened);
        if adopted {
            session.modify(|_| {});
        }
        session
    }

    /// When this process already refreshed (and rotated) the session's
    /// refresh token, a request still carrying the old cookie adopts the new
    /// tokens, so the old refresh token is never redeemed again.
    fn adopt_rotation(&self, data: &mut SessionData) -> bool {
        if self.refresher().is_empty() {
            return false;
        }
        let mut adopted = false;
        for _ in 0..8 {
            let Some(rt) = data.token_set.refresh_token.as_ref() else {
                break;
            };
            let Some(done) = self
                .refresher()
                .completed(RefreshKey::new(rt.expose(), None, None))
            else {
                break;
            };
            let r = &done.response;
            data.token_set.access_token = Secret::new(r.access_token.clone());
            data.token_set.expires_at = done.at + r.expires_in_secs();
            if let Some(s) = &r.scope {
                data.token_set.scope = Some(s.clone());
            }
            if let Some(id) = &r.id_token {
                data.token_set.id_token = Some(Secret::new(id.clone()));
            }
            adopted = true;
            match &r.refresh_token {
                Some(next) if next != rt.expose() => {
                    data.token_set.refresh_token = Some(Secret::new(next.clone()))
                }
                _ => break,
            }
        }
        adopted
    }

    /// The session of a request: from the cookie, or (with a session store)
    /// from the store record the cookie's id names.
    pub(crate) async fn load_session(&self, headers: &HeaderMap) -> Auth0Session {
        let Some(store) = self.config().session_store.clone() else {
            return self.session_from_headers(headers);
        };
        let cookies = RequestCookies::from_headers(headers);
        let now = now();
        let id_cookie = cookies
            .get_chunked(&self.config().session.cookie.name)
            .and_then(|v| self.keyring().open::<StoreCookie>(&v, now));
        let Some((c, exp)) = id_cookie else {
            return self.request_session(headers, cookies, None);
        };
        match store.get(&c.id).await {
            Ok(Some(data)) if self.session_expiry(data.internal.created_at, now) > now => {
                let session = self.request_session(headers, cookies, Some((data, exp)));
                session.set_store_state(Some(c.id), false);
                session
            }
            Ok(_) => {
                // Deleted (logout elsewhere, back-channel logout) or expired:
                // the cookie goes too.
                let session = self.request_session(headers, cookies, None);
                session.set_store_state(Some(c.id), false);
                session.clear();
                session
            }
            Err(e) => {
                crate::server::log_error(&format!("session store unavailable: {e}"));
                let session = self.request_session(headers, cookies, None);
                session.set_store_state(None, true);
                session
            }
        }
    }

    /// Opens a session cookie value, reusing the result of an earlier open of
    /// the identical value.
    fn open_cookie(&self, value: String, now: i64) -> Option<(SessionData, i64)> {
        if let Some(hit) = self.inner.opened.get(&value, now) {
            return Some(hit);
        }
        let (data, exp) = self.keyring().open::<SessionData>(&value, now)?;
        self.inner.opened.put(value, &data, exp);
        Some((data, exp))
    }

    /// Seals a session into a cookie value (what the session layer writes).
    /// Useful for tests; see also [`generate_session_cookie`](crate::server::testing::generate_session_cookie).
    pub fn seal_session(&self, data: &SessionData) -> String {
        let exp = self.session_expiry(data.internal.created_at, now());
        self.keyring().seal(data, exp).unwrap_or_default()
    }
}

impl Auth0 {
    /// Verifies a JWT access token that the provider issued for `audience`
    /// (for protecting your own API routes with `Authorization: Bearer`):
    /// signature from the provider's JWKS, `iss`, `aud`, `exp`. Returns the
    /// token's claims, or why it was refused.
    pub async fn verify_access_token(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        self.oidc().validate_access_token(token, audience).await
    }
}
