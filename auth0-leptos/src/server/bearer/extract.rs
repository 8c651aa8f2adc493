//! What a handler of a protected route gets: the [`VerifiedToken`] the
//! layer put into the request, its claims typed ([`BearerClaims`]), its
//! [`Scopes`] and [`Permissions`]; and the guards that demand some of them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::Request;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{BearerError, ResourceServer};

/// A token the [`ResourceServer`] layer accepted, in the request's extensions.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    claims: Arc<Map<String, Value>>,
    dpop: bool,
}

impl VerifiedToken {
    pub(super) fn new(claims: Map<String, Value>, dpop: bool) -> Self {
        Self {
            claims: Arc::new(claims),
            dpop,
        }
    }

    /// The token's claims.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The `sub` claim (a user, or `{client_id}@clients` for a machine).
    pub fn subject(&self) -> Option<&str> {
        self.claims.get("sub").and_then(Value::as_str)
    }

    /// Whether it came with `Authorization: DPoP` and a valid proof.
    pub fn is_dpop(&self) -> bool {
        self.dpop
    }

    /// The scopes of the `scope` claim.
    pub fn scopes(&self) -> Vec<String> {
        self.claims
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The `permissions` claim (Auth0 RBAC with "Add Permissions in the
    /// Access Token").
    pub fn permissions(&self) -> Vec<String> {
        self.claims
            .get("permissions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn verified(parts: &Parts) -> Result<&VerifiedToken, BearerError> {
    parts
        .extensions
        .get::<VerifiedToken>()
        .ok_or(BearerError::NotConfigured)
}

impl<S: Send + Sync> FromRequestParts<S> for VerifiedToken {
    type Rejection = BearerError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        verified(parts).cloned()
    }
}

/// The token's claims as your type (standard and custom claims), for a
/// route behind the [`ResourceServer`] layer. Claims that do not fit `T`
/// are refused with 401 `invalid_token`.
///
/// ```
/// use auth0_leptos::server::BearerClaims;
///
/// #[derive(serde::Deserialize)]
/// struct Claims {
///     sub: String,
///     #[serde(rename = "https://example.com/tenant")]
///     tenant: Option<String>,
/// }
///
/// async fn me(BearerClaims(c): BearerClaims<Claims>) -> String {
///     format!("{} of {:?}", c.sub, c.tenant)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct BearerClaims<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for BearerClaims<T> {
    type Rejection = BearerError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let token = verified(parts)?;
        T::deserialize(Value::Object((*token.claims).clone()))
            .map(BearerClaims)
            .map_err(|_| BearerError::InvalidToken(crate::server::error::TokenFault::Invalid))
    }
}

/// The token's scopes (the `scope` claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for Scopes {
    type Rejection = BearerError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Scopes(verified(parts)?.scopes()))
    }
}

/// The token's permissions (the `permissions` claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for Permissions {
    type Rejection = BearerError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Permissions(verified(parts)?.permissions()))
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The [`ResourceServer`]'s layer ([`ResourceServer::layer`]).
#[derive(Debug, Clone)]
pub struct BearerLayer {
    server: ResourceServer,
}

impl BearerLayer {
    pub(super) fn new(server: ResourceServer) -> Self {
        Self { server }
    }
}

impl<S> tower::Layer<S> for BearerLayer {
    type Service = BearerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerService {
            server: self.server.clone(),
            inner,
        }
    }
}

/// The service of [`BearerLayer`].
#[derive(Debug, Clone)]
pub struct BearerService<S> {
    server: ResourceServer,
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for BearerService<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let server = self.server.clone();
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match server
                .verify_request(req.headers(), req.method(), req.uri())
                .await
            {
                Ok(token) => {
                    req.extensions_mut().insert(token);
                    inner.call(req).await
                }
                Err(e) => Ok(e.into_response()),
            }
        })
    }
}

/// What a [`RequireLayer`] demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    Permissions,
    Scope,
}

/// A guard for routes behind the [`ResourceServer`] layer: 403
/// `insufficient_scope` (naming what is missing) unless the token has every
/// one of the permissions.
pub fn require_permissions<I, P>(permissions: I) -> RequireLayer
where
    I: IntoIterator<Item = P>,
    P: Into<String>,
{
    RequireLayer {
        claim: Claim::Permissions,
        wanted: permissions
            .into_iter()
            .map(Into::into)
            .collect::<Vec<_>>()
            .into(),
    }
}

/// A guard for routes behind the [`ResourceServer`] layer: 403
/// `insufficient_scope` unless the token's `scope` has every one of them.
pub fn require_scope<I, P>(scopes: I) -> RequireLayer
where
    I: IntoIterator<Item = P>,
    P: Into<String>,
{
    RequireLayer {
        claim: Claim::Scope,
        wanted: scopes
            .into_iter()
            .map(Into::into)
            .collect::<Vec<_>>()
            .into(),
    }
}

/// The layer of [`require_permissions`] and [`require_scope`].
#[derive(Debug, Clone)]
pub struct RequireLayer {
    claim: Claim,
    wanted: Arc<[String]>,
}

impl RequireLayer {
    fn check(&self, token: Option<&VerifiedToken>) -> Result<(), BearerError> {
        let token = token.ok_or(BearerError::NotConfigured)?;
        let has = match self.claim {
            Claim::Permissions => token.permissions(),
            Claim::Scope => token.scopes(),
        };
        let missing: Vec<&str> = self
            .wanted
            .iter()
            .filter(|w| !has.contains(w))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(BearerError::InsufficientScope {
                missing: missing.join(" "),
            })
        }
    }
}

impl<S> tower::Layer<S> for RequireLayer {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            guard: self.clone(),
            inner,
        }
    }
}

/// The service of [`RequireLayer`].
#[derive(Debug, Clone)]
pub struct RequireService<S> {
    guard: RequireLayer,
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for RequireService<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        match self.guard.check(req.extensions().get::<VerifiedToken>()) {
            Ok(()) => {
                let fut = self.inner.call(req);
                Box::pin(fut)
            }
            Err(e) => Box::pin(async move { Ok(e.into_response()) }),
        }
    }
}
