//! `GET /auth/connect` (with `enable_connect_account_endpoint`): starts a
//! connected-account flow. Query: `connection` (required), `returnTo`,
//! `scopes` (repeated, or `scopes[]`), and the authorization parameters My
//! Account takes (`prompt`, `login_hint`, `ui_locales`, ...; first value
//! wins; others are ignored). Refused when the browser says another site
//! started the navigation (`Sec-Fetch-Site: cross-site`).

use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::server::connect::ConnectAccountOptions;
use crate::server::error::ConnectAccountError;
use crate::server::handle::Auth0Session;
use crate::server::routes::query_pairs;

/// The authorization parameters My Account takes for a connection.
const AUTHORIZATION_PARAMS: &[&str] = &[
    "acr_values",
    "audience",
    "resource",
    "display",
    "login_hint",
    "max_age",
    "prompt",
    "ui_locales",
];

pub(super) async fn handler(
    session: Auth0Session,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    // A navigation another site started must not start linking an account
    // to this user (the browser says so; older browsers send nothing).
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    if cross_site {
        return ConnectAccountError::InvalidRequest(
            "A cross-site request cannot connect an account.",
        )
        .into_response();
    }
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
            k if AUTHORIZATION_PARAMS.contains(&k) => {
                options
                    .authorization_params
                    .entry(k.to_owned())
                    .or_insert(v);
            }
            _ => {}
        }
    }
    options
}
