//! The authentication routes, one module per route. On top of the crate:
//! only the [`Auth0`](crate::server::Auth0) facade imports this module.

mod access_token;
pub(super) mod backchannel_logout;
mod callback;
pub(super) mod connect;
pub(super) mod login;
mod logout;
mod mfa;
mod profile;
pub(super) mod proxy;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::{any, delete, get, post};

use crate::server::handle::Auth0Session;
use axum::Router;

use crate::server::engine::Engine;
use crate::server::layer::Auth0Layer;

/// The `/auth/*` routes of `engine`, with `layer` applied to them.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(
    engine: &Engine,
    layer: Auth0Layer,
) -> Router<S> {
    let config = engine.config();
    let r = config.routes();
    let mut router = Router::new()
        .route(&r.login, get(login::handler))
        .route(&r.callback, get(callback::handler))
        .route(&r.logout, get(logout::handler))
        .route(&r.profile, get(profile::handler))
        .route(&r.backchannel_logout, post(backchannel_logout::handler));
    if config.enable_access_token_endpoint {
        router = router.route(&r.access_token, get(access_token::handler));
    }
    if config.enable_connect_account_endpoint {
        router = router.route(&r.connect_account, get(connect::handler));
    }
    let m = &r.mfa;
    router = router
        .route(&format!("{m}/authenticators"), get(mfa::authenticators))
        .route(
            &format!("{m}/authenticators/{{id}}"),
            delete(mfa::delete_authenticator),
        )
        .route(&format!("{m}/associate"), post(mfa::associate))
        .route(&format!("{m}/challenge"), post(mfa::challenge))
        .route(&format!("{m}/verify"), post(mfa::verify));
    for (on, api, prefix) in [
        (
            config.enable_my_account_proxy,
            proxy::Api::MyAccount,
            &r.my_account,
        ),
        (config.enable_my_org_proxy, proxy::Api::MyOrg, &r.my_org),
    ] {
        if !on {
            continue;
        }
        let p = prefix.clone();
        router = router.route(
            &format!("{prefix}/{{*rest}}"),
            any(
                move |session: Auth0Session,
                      method: Method,
                      uri: Uri,
                      headers: HeaderMap,
                      body: Body| {
                    proxy::handle(api, p.clone(), session, method, uri, headers, body)
                },
            ),
        );
    }
    router.layer(layer)
}

/// Query parameters in order (first value wins on lookups).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
