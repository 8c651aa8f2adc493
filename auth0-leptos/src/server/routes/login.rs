//! `GET /auth/login`: starts a login (authorization code + PKCE).

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};

use crate::server::authorize::LoginOptions;
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
    session.start_interactive_login(options).await
}
