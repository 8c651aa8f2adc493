//! [`Auth0Session`]: the session of the current request, shared by the
//! `/auth/*` handlers, Leptos pages, server functions and app handlers.

mod mfa;

pub use mfa::ServerMfa;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use url::Url;

use crate::error::AccessTokenError;
use crate::server::authorize::{start_login, LoginOptions};
use crate::server::cookies::{RequestCookies, SetCookie};
use crate::server::engine::Engine;
use crate::server::error::{AccessTokenForConnectionError, MissingLayer, NotAuthenticated};
use crate::server::session::state::{Loaded, SessionState};
use crate::server::session::{SessionData, StoreError};
use crate::server::tokens::connection::{AccessTokenForConnectionOptions, ConnectionAccessToken};
use crate::{AccessTokenRequest, AccessTokenResponse, User};

/// Everything one request knows about its session.
pub(crate) struct RequestSession {
    pub(crate) engine: Engine,
    pub(crate) state: Mutex<SessionState>,
    /// Cookies other than the session's (transaction cookies), to write.
    pub(crate) extra: Mutex<Vec<SetCookie>>,
    pub(crate) cookies: RequestCookies,
    /// Whether cookies written for this request get `Secure`.
    pub(crate) secure: bool,
    /// The app's base URL for this request (`None`: the request's origin
    /// is not allowed or cannot be inferred).
    pub(crate) base_url: Option<Url>,
}

/// The session of the current request.
///
/// The [`Auth0Layer`](crate::server::Auth0Layer) opens the session once per
/// request and puts this handle into the request's extensions; `/auth/*`
/// handlers, Leptos pages and server functions all read and change the same
/// handle, and the layer writes the resulting `Set-Cookie` once, on the way
/// out. It is an axum extractor:
///
/// ```
/// use auth0_leptos::server::Auth0Session;
///
/// async fn hello(session: Auth0Session) -> String {
///     match session.user() {
///         Some(user) => format!("Hello, {}", user.display_name()),
///         None => "Hello, stranger".into(),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Auth0Session {
    inner: Arc<RequestSession>,
}

impl std::fmt::Debug for Auth0Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("Auth0Session")
            .field("authenticated", &s.data().is_some())
            .field("change", &s.change())
            .finish_non_exhaustive()
    }
}

impl Auth0Session {
    pub(crate) fn new(inner: RequestSession) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session data, when someone is logged in (a copy; see
    /// [`Self::data`] for a shared one).
    pub fn get(&self) -> Option<SessionData> {
        self.lock().data().map(|d| SessionData::clone(d))
    }

    /// The session data, shared (no copy).
    pub fn data(&self) -> Option<Arc<SessionData>> {
        self.lock().data().cloned()
    }

    /// The logged-in user.
    pub fn user(&self) -> Option<User> {
        self.lock().data().map(|s| s.user.clone())
    }

    /// Whether someone is logged in.
    pub fn is_authenticated(&self) -> bool {
        self.lock().data().is_some()
    }

    /// Whether the session store failed while loading this request's session.
    pub fn store_unavailable(&self) -> bool {
        matches!(self.lock().loaded(), Loaded::StoreUnavailable)
    }

    /// Replaces the session data of the logged-in user (the seeds'
    /// `updateSession`). The new cookie is written on the way out. Fails when
    /// nobody is logged in.
    pub fn update(&self, data: SessionData) -> Result<(), NotAuthenticated> {
        let mut s = self.lock();
        let updated = s.modify(|current| {
            let created_at = current.internal.created_at;
            *current = data;
            // The session's age cannot be reset by an update.
            current.internal.created_at = created_at;
        });
        if updated {
            Ok(())
        } else {
            Err(NotAuthenticated)
        }
    }

    /// Ends the session: its cookie (and chunks) are deleted on the way out,
    /// and with a session store the record is deleted then too (a failure
    /// is only logged; see [`Self::clear_now`] to learn of it).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Ends the session and, with a session store, deletes its record now,
    /// before returning. When the store failed (it could not load this
    /// request's session, or the delete failed) nothing changes: the error
    /// is returned and the cookie is kept, so that a retry can finish the
    /// job. Without a store this is [`Self::clear`].
    pub async fn clear_now(&self) -> Result<(), StoreError> {
        let loaded = self.lock().loaded().clone();
        match loaded {
            Loaded::StoreUnavailable => Err(StoreError::unavailable(
                "the session could not be loaded, so it was not deleted",
            )),
            Loaded::Store { id, .. } => {
                if let Some(store) = &self.inner.engine.config().session_store {
                    store.delete(&id).await?;
                }
                self.lock().cleared_in_store();
                Ok(())
            }
            _ => {
                self.lock().clear();
                Ok(())
            }
        }
    }

    /// An access token for the logged-in user (the seeds' `getAccessToken`),
    /// refreshed when expired (or within the refresh buffer, or when
    /// `request.refresh` is set). A refreshed token set is saved into the
    /// session by the layer.
    pub async fn access_token(
        &self,
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, AccessTokenError> {
        if self.store_unavailable() {
            return Err(AccessTokenError::SessionStoreUnavailable);
        }
        let Some(data) = self.data() else {
            return Err(AccessTokenError::MissingSession);
        };
        let grant = self
            .inner
            .engine
            .tokens()
            .access_token(&data, &request)
            .await;
        if let Some(update) = grant.update {
            self.lock().modify(|d| update.apply(d));
        }
        match (grant.result, grant.step_up) {
            (
                Err(AccessTokenError::MfaRequired {
                    cause,
                    mfa_requirements,
                    ..
                }),
                Some(step_up),
            ) => Err(AccessTokenError::MfaRequired {
                cause,
                mfa_token: self.begin_step_up(&step_up, None),
                mfa_requirements,
            }),
            (result, _) => result,
        }
    }

    /// Seals `step_up` for the browser and records it in the session (in
    /// place of the step-up `replaces`, when a verification led to another),
    /// with the configured TTLs.
    pub(crate) fn begin_step_up(
        &self,
        step_up: &crate::server::mfa::StepUp,
        replaces: Option<&str>,
    ) -> crate::mfa::MfaToken {
        let engine = &self.inner.engine;
        let config = engine.config();
        let mut token = crate::mfa::MfaToken::default();
        self.lock().modify(|d| {
            if let Some(key) = replaces {
                d.mfa.remove(key);
            }
            token = crate::server::mfa::begin(
                engine.keyring(),
                d,
                step_up,
                crate::server::time::now_ms(),
                config.mfa_token_ttl.as_secs() as i64,
                config.mfa_context_ttl.as_millis() as i64,
            );
        });
        token
    }

    /// The MFA API for this session's step-ups (the seeds' `auth0.mfa`):
    /// list, enroll, challenge, verify, delete, each with the encrypted
    /// `mfa_token` of an [`AccessTokenError::MfaRequired`].
    pub fn mfa(&self) -> ServerMfa<'_> {
        ServerMfa::new(self)
    }

    /// An access token for a connection of the user's (the seeds'
    /// `getAccessTokenForConnection`, Auth0 Token Vault): the session's
    /// refresh token is exchanged for the connection's access token, which
    /// is cached in the session until it expires (the layer saves it).
    pub async fn access_token_for_connection(
        &self,
        options: AccessTokenForConnectionOptions,
    ) -> Result<ConnectionAccessToken, AccessTokenForConnectionError> {
        if self.store_unavailable() {
            return Err(AccessTokenForConnectionError::SessionStoreUnavailable);
        }
        let Some(data) = self.data() else {
            return Err(AccessTokenForConnectionError::MissingSession);
        };
        let (result, update) = self
            .inner
            .engine
            .tokens()
            .connection_token(&data, &options)
            .await;
        if !update.is_empty() {
            self.lock().modify(|d| update.apply(d));
        }
        result
    }

    /// The application's base URL for this request (`APP_BASE_URL`, or the
    /// request's origin when it is allowed), e.g. for a fetcher of the
    /// app's own API.
    pub fn app_base_url(&self) -> Option<&str> {
        self.inner.base_url.as_ref().map(Url::as_str)
    }

    /// Redirects to the provider's login page (the seeds'
    /// `startInteractiveLogin`): PKCE S256, `state`, `nonce`, and a
    /// transaction cookie for the callback.
    pub async fn start_interactive_login(&self, options: LoginOptions) -> Response {
        let Some(base) = self.base_url() else {
            return crate::server::error::RouteError::OriginNotAllowed.into_response();
        };
        let return_to = options.return_to.clone();
        match start_login(
            &self.inner.engine,
            base,
            &self.inner.cookies,
            self.inner.secure,
            options,
        )
        .await
        {
            Ok(login) => {
                self.push_cookies(login.cookies);
                crate::server::response::redirect(&login.location)
            }
            // A provider-side login failure (pushed authorization) goes to
            // the `on_callback` hook like any other login failure.
            Err(crate::server::error::RouteError::Callback(e)) => {
                match &self.inner.engine.config().on_callback {
                    Some(hook) => {
                        let ctx = crate::server::hooks::CallbackContext {
                            return_to,
                            app_base_url: Some(base.to_string()),
                            ..Default::default()
                        };
                        hook(Some(e), ctx, None).await
                    }
                    None => crate::server::error::RouteError::Callback(e).into_response(),
                }
            }
            Err(e) => e.into_response(),
        }
    }

    /// Changes the logged-in user's session data (written on the way out).
    pub(crate) fn modify(&self, f: impl FnOnce(&mut SessionData)) -> bool {
        self.lock().modify(f)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Starts a new session (after login): replaces whatever was there.
    pub(crate) fn start(&self, data: SessionData) {
        self.lock().replace(data);
    }

    /// Queues cookies that are not the session's (transaction cookies).
    pub(crate) fn push_cookies(&self, cookies: impl IntoIterator<Item = SetCookie>) {
        self.inner
            .extra
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(cookies);
    }

    /// The request's cookies.
    pub(crate) fn request_cookies(&self) -> &RequestCookies {
        &self.inner.cookies
    }

    /// The app's base URL for this request.
    pub(crate) fn base_url(&self) -> Option<&Url> {
        self.inner.base_url.as_ref()
    }

    /// Whether this request's cookies get `Secure`.
    pub(crate) fn secure(&self) -> bool {
        self.inner.secure
    }

    /// The request's state, for the layer to persist.
    pub(crate) fn request(&self) -> &RequestSession {
        &self.inner
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth0Session {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth0Session>()
            .cloned()
            .ok_or(MissingLayer)
    }
}
