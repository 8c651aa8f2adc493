//! `GET /auth/login`: starts a login (authorization code + PKCE).
//!
//! The query may carry `returnTo` (a path or URL on the app's origin, at
//! most 2048 bytes) and these `/authorize` parameters, each at most 1024
//! bytes: `screen_hint`, `login_hint`, `ui_locales`, `connection`,
//! `audience`, `scope`, `invitation`; `organization` and `prompt` only when
//! the application configured none (`authorization_param`); `max_age` when
//! none is configured, or lower than the configured one. Anything else, or
//! a value that would weaken or replace the configuration, is ignored: the
//! configured value is sent.

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};

use crate::server::authorize::{query_may_set, LoginOptions};
use crate::server::error::RouteError;
use crate::server::handle::Auth0Session;
use crate::server::routes::query_pairs;

pub(super) async fn handler(session: Auth0Session, RawQuery(q): RawQuery) -> Response {
    let mut options = LoginOptions::default();
    for (k, v) in query_pairs(q.as_deref()) {
        if k == "returnTo" {
            options.return_to.get_or_insert(v);
        } else {
            options.authorization_params.entry(k).or_insert(v);
        }
    }
    if let Some(ma) = options.authorization_params.get("max_age") {
        if ma.parse::<u64>().is_err() {
            return RouteError::InvalidMaxAge(ma.clone()).into_response();
        }
    }
    let config = session.engine().config();
    options
        .authorization_params
        .retain(|k, v| query_may_set(config, k, v));
    session.start_interactive_login(options).await
}
