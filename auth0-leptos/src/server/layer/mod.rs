//! The session layer: opens the session once per request, and is the only
//! writer of cookies: it turns the session's final state into `Set-Cookie`
//! (and no-cache) headers once, on the way out.

mod backend;
mod cookie_backend;
pub(super) mod store_backend;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::header::{HeaderValue, CACHE_CONTROL, SET_COOKIE, VARY};
use http::{HeaderMap, Request, Response};
use tower::{Layer, Service};

use crate::server::cookies::{self, CookieAttrs, RequestCookies};
use crate::server::engine::Engine;
use crate::server::handle::{Auth0Session, RequestSession};
use crate::server::request::{cookie_secure, resolve_base_url};
use crate::server::response::NO_CACHE;
use crate::server::session::state::{Change, Loaded, SessionState};
use crate::server::time::now;

use backend::{Backend, CookieWrite, Loading, Plan};
use cookie_backend::CookieBackend;
use store_backend::StoreBackend;

/// Tower layer that gives every request an [`Auth0Session`] (in its
/// extensions) and turns the session's final state into `Set-Cookie`
/// headers (plus no-cache headers) on the response. Obtained with
/// [`Auth0::layer`](crate::server::Auth0::layer).
///
/// Idempotent: a request that already has a session (an inner router with its
/// own layer) is passed through untouched, so the cookie is never decrypted
/// twice.
#[derive(Clone)]
pub struct Auth0Layer {
    engine: Engine,
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Auth0Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Layer").finish_non_exhaustive()
    }
}

impl Auth0Layer {
    pub(crate) fn new(engine: Engine) -> Self {
        let backend: Arc<dyn Backend> = match engine.config().session_store.clone() {
            Some(store) => Arc::new(StoreBackend { store }),
            None => Arc::new(CookieBackend),
        };
        Self { engine, backend }
    }
}

impl<S> Layer<S> for Auth0Layer {
    type Service = Auth0Service<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Auth0Service {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`Auth0Layer`].
#[derive(Clone)]
pub struct Auth0Service<S> {
    inner: S,
    layer: Auth0Layer,
}

impl<S> std::fmt::Debug for Auth0Service<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Service").finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Auth0Service<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        if req.extensions().get::<Auth0Session>().is_some() {
            return Box::pin(self.inner.call(req));
        }
        let engine = self.layer.engine.clone();
        let backend = self.layer.backend.clone();
        let now = now();
        let cookies = RequestCookies::from_headers(req.headers());
        let value = cookies.get_chunked(&engine.config().session.cookie.name);
        match backend.load(&engine, value.as_deref(), now) {
            Loading::Ready(state) => {
                // Loaded synchronously: no need to clone the inner service.
                let session = open_request(&engine, req.headers(), cookies, state);
                req.extensions_mut().insert(session.clone());
                let fut = self.inner.call(req);
                Box::pin(async move {
                    let mut res = fut.await?;
                    finish(&engine, &*backend, &session, res.headers_mut()).await;
                    Ok(res)
                })
            }
            Loading::Pending(load) => {
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                Box::pin(async move {
                    let state = load.await;
                    let session = open_request(&engine, req.headers(), cookies, state);
                    req.extensions_mut().insert(session.clone());
                    let mut res = inner.call(req).await?;
                    finish(&engine, &*backend, &session, res.headers_mut()).await;
                    Ok(res)
                })
            }
        }
    }
}

/// The handle of one request: resolves the base URL and `Secure` once, and
/// adopts tokens this process already rotated (the cookie is then rewritten).
fn open_request(
    engine: &Engine,
    headers: &HeaderMap,
    cookies: RequestCookies,
    mut state: SessionState,
) -> Auth0Session {
    let config = engine.config();
    let base_url = resolve_base_url(config, headers).ok();
    let secure = cookie_secure(config, config.session.cookie.secure, base_url.as_ref());
    let adopted = state.data().and_then(|d| engine.tokens().adopt_rotation(d));
    if let Some(data) = adopted {
        state.adopt(data);
    }
    Auth0Session::new(RequestSession {
        engine: engine.clone(),
        state: Mutex::new(state),
        extra: Mutex::new(Vec::new()),
        cookies,
        secure,
        base_url,
    })
}

/// Decides what the request did to its session, lets the backend persist
/// it, and writes the `Set-Cookie` headers.
async fn finish(
    engine: &Engine,
    backend: &dyn Backend,
    session: &Auth0Session,
    headers: &mut HeaderMap,
) {
    let config = engine.config();
    let request = session.request();
    let cookie_cfg = &config.session.cookie;
    let name = &cookie_cfg.name;
    let now = now();

    let (plan, personal) = {
        let state = request.state.lock().unwrap_or_else(|p| p.into_inner());
        // A response to a request that carries (or ends with) a session is
        // about one person: no shared cache may keep it.
        let personal = !matches!(state.loaded(), Loaded::Nothing) || state.data().is_some();
        let mut change = state.change();
        let mut exp = 0;
        if let Some(data) = state.data() {
            let e = engine.session_expiry(data.internal.created_at, now);
            if e <= now {
                change = Change::Cleared;
            } else if change == Change::Unchanged && config.session.rolling {
                let interval = config.session.rolling_interval.as_secs() as i64;
                if state
                    .loaded()
                    .cookie_exp()
                    .is_some_and(|old| e - old >= interval.max(1))
                {
                    change = Change::Modified;
                }
            }
            exp = e;
        }
        let mut data = matches!(change, Change::Modified | Change::Replaced)
            .then(|| state.data().cloned())
            .flatten();
        // Expired MFA step-ups do not outlive a write.
        let context_ttl = config.mfa_context_ttl.as_millis() as i64;
        if let Some(d) = data.as_mut() {
            let now_ms = crate::server::time::now_ms();
            if crate::server::mfa::has_expired(d, now_ms, context_ttl) {
                crate::server::mfa::prune(std::sync::Arc::make_mut(d), now_ms, context_ttl);
            }
        }
        let plan = Plan {
            change,
            data,
            exp,
            loaded: state.loaded().clone(),
            had_cookie: request.cookies.has_chunked(name),
            now,
        };
        (plan, personal)
    };
    let mut out = std::mem::take(&mut *request.extra.lock().unwrap_or_else(|p| p.into_inner()));
    let mut attrs = CookieAttrs {
        path: cookie_cfg.path.clone(),
        domain: cookie_cfg.domain.clone(),
        secure: request.secure,
        same_site: cookie_cfg.same_site,
        max_age: None,
    };
    let wrote_session_cookie = match backend.persist(engine, plan).await {
        CookieWrite::Keep => false,
        CookieWrite::Write { value, exp } => {
            if !cookie_cfg.transient {
                attrs.max_age = Some(exp - now);
            }
            out.extend(cookies::write_chunked(
                name,
                &value,
                &attrs,
                &request.cookies,
            ));
            true
        }
        CookieWrite::Delete => {
            out.extend(cookies::delete_chunked(name, &attrs, &request.cookies));
            true
        }
    };
    if wrote_session_cookie {
        for (name, value) in NO_CACHE {
            headers.insert(name, HeaderValue::from_static(value));
        }
    } else if personal && !headers.contains_key(CACHE_CONTROL) {
        // The app's own Cache-Control wins; otherwise keep it out of caches.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    if personal || wrote_session_cookie {
        let varies = headers.get_all(VARY).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|p| p.trim().eq_ignore_ascii_case("cookie") || p.trim() == "*")
            })
        });
        if !varies {
            headers.append(VARY, HeaderValue::from_static("Cookie"));
        }
    }
    for c in out {
        if let Ok(v) = HeaderValue::from_str(&c.to_header_value()) {
            headers.append(SET_COOKIE, v);
        }
    }
}
