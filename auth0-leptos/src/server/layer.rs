//! The session layer: opens the session once per request and writes its
//! cookies once, on the way out.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service};

use crate::server::client::Auth0;
use crate::server::session::Auth0Session;

/// Tower layer that gives every request an [`Auth0Session`] (in its
/// extensions) and turns the session's final state into `Set-Cookie`
/// headers (plus no-cache headers) on the response.
///
/// Idempotent: a request that already has a session (an inner router with its
/// own layer) is passed through untouched, so the cookie is never decrypted
/// twice.
#[derive(Clone, Debug)]
pub struct Auth0Layer {
    auth0: Auth0,
}

impl Auth0Layer {
    /// The layer for `auth0`; usually obtained with [`Auth0::layer`].
    pub fn new(auth0: Auth0) -> Self {
        Self { auth0 }
    }
}

impl Auth0 {
    /// The session layer. Add it outermost-but-one: around the Leptos routes,
    /// server functions and your own handlers.
    pub fn layer(&self) -> Auth0Layer {
        Auth0Layer::new(self.clone())
    }
}

impl<S> Layer<S> for Auth0Layer {
    type Service = Auth0Service<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Auth0Service {
            inner,
            auth0: self.auth0.clone(),
        }
    }
}

/// The service made by [`Auth0Layer`].
#[derive(Clone, Debug)]
pub struct Auth0Service<S> {
    inner: S,
    auth0: Auth0,
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
        if self.auth0.config().session_store.is_none() {
            // Cookie sessions open synchronously: no need to clone the inner service.
            let session = self.auth0.session_from_headers(req.headers());
            req.extensions_mut().insert(session.clone());
            req.extensions_mut().insert(self.auth0.clone());
            let fut = self.inner.call(req);
            return Box::pin(async move {
                let mut res = fut.await?;
                session.finish(res.headers_mut()).await;
                Ok(res)
            });
        }
        // A session store is asked asynchronously, before the inner service runs.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth0 = self.auth0.clone();
        Box::pin(async move {
            let session = auth0.load_session(req.headers()).await;
            req.extensions_mut().insert(session.clone());
            req.extensions_mut().insert(auth0);
            let mut res = inner.call(req).await?;
            session.finish(res.headers_mut()).await;
            Ok(res)
        })
    }
}
