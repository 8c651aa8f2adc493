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
    let mut options = match login_options(q.as_deref()) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    // A query may never weaken or replace what the application configured.
    let config = session.engine().config();
    options
        .authorization_params
        .retain(|k, v| query_may_set(config, k, v));
    session.start_interactive_login(options).await
}

/// The login options of a `/auth/login` query string: `returnTo`, and every
/// other parameter for the authorization request (first value wins);
/// `max_age` must be a whole number of seconds.
pub(crate) fn login_options(query: Option<&str>) -> Result<LoginOptions, RouteError> {
    let mut options = LoginOptions::default();
    for (k, v) in query_pairs(query) {
        if k == "returnTo" {
            options.return_to.get_or_insert(v);
        } else {
            options.authorization_params.entry(k).or_insert(v);
        }
    }
    if let Some(ma) = options.authorization_params.get("max_age") {
        if ma.parse::<u64>().is_err() {
            return Err(RouteError::InvalidMaxAge(ma.clone()));
        }
    }
    Ok(options)
}
