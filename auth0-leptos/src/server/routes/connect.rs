//! `GET /auth/connect` (with `enable_connect_account_endpoint`): starts a
//! connected-account flow. Query: `connection` (required), `returnTo`,
//! `scopes` (repeated, or `scopes[]`), and any other parameter for the
//! connection's authorization request (first value wins).

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};

use crate::server::connect::ConnectAccountOptions;
use crate::server::handle::Auth0Session;
use crate::server::routes::query_pairs;

pub(super) async fn handler(session: Auth0Session, RawQuery(q): RawQuery) -> Response {
    match session.connect_account(connect_options(q.as_deref())).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// The options of a `/auth/connect` query string.
pub(crate) fn connect_options(query: Option<&str>) -> ConnectAccountOptions {
    let mut options = ConnectAccountOptions::default();
    for (k, v) in query_pairs(query) {
        match k.as_str() {
            "connection" if options.connection.is_empty() => options.connection = v,
            "connection" => {}
            "returnTo" => {
                options.return_to.get_or_insert(v);
            }
            "scopes" | "scopes[]" => options.scopes.push(v),
            _ => {
                options.authorization_params.entry(k).or_insert(v);
            }
        }
    }
    options
}
