//! The engine every request shares: the validated configuration, the
//! cookie keys, the provider client, the token service and the caches.
//! Cheap to clone (an `Arc` inside). The public face of it is
//! [`Auth0`](crate::server::Auth0).

use std::sync::Arc;

use crate::server::config::Auth0Config;
use crate::server::crypto::jwe::Keyring;
use crate::server::oidc::Oidc;
use crate::server::session::cache::OpenedCookies;
use crate::server::session::replay::SeenLogoutTokens;
use crate::server::tokens::TokenService;

struct Inner {
    config: Auth0Config,
    keyring: Keyring,
    oidc: Arc<Oidc>,
    tokens: TokenService,
    opened: OpenedCookies,
    seen_logout_tokens: SeenLogoutTokens,
    /// The default client of fetchers (the configured timeout, no redirects,
    /// no telemetry header: APIs are not the provider).
    fetch_http: reqwest::Client,
}

#[derive(Clone)]
pub(crate) struct Engine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub(crate) fn new(config: Auth0Config) -> Self {
        let keyring = Keyring::new(&config.secrets);
        let oidc = Arc::new(Oidc::new(&config));
        let tokens = TokenService::new(&config, oidc.clone());
        if config.use_dpop && config.dpop.as_ref().is_some_and(|d| d.generated) {
            tracing::warn!(target: "auth0_leptos", "DPoP is on with a key pair generated at start-up: tokens bound to it stop working after a restart and on other instances; set AUTH0_DPOP_PRIVATE_KEY and AUTH0_DPOP_PUBLIC_KEY");
        }
        let fetch_http = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                config,
                keyring,
                oidc,
                tokens,
                opened: OpenedCookies::default(),
                seen_logout_tokens: SeenLogoutTokens::default(),
                fetch_http,
            }),
        }
    }

    pub(crate) fn config(&self) -> &Auth0Config {
        &self.inner.config
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    pub(crate) fn oidc(&self) -> &Oidc {
        &self.inner.oidc
    }

    pub(crate) fn oidc_arc(&self) -> Arc<Oidc> {
        self.inner.oidc.clone()
    }

    pub(crate) fn tokens(&self) -> &TokenService {
        &self.inner.tokens
    }

    pub(crate) fn opened(&self) -> &OpenedCookies {
        &self.inner.opened
    }

    pub(crate) fn fetch_http(&self) -> &reqwest::Client {
        &self.inner.fetch_http
    }

    pub(crate) fn seen_logout_tokens(&self) -> &SeenLogoutTokens {
        &self.inner.seen_logout_tokens
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
}
