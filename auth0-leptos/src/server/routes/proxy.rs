//! The My Account and My Organization proxy (backend for frontend):
//! `{routes.my_account}/*` to `{issuer}me/v1/*` and `{routes.my_org}/*` to
//! `{issuer}my-org/*`, with the session's token for `{issuer}me/` or
//! `{issuer}my-org/` (refreshed and saved as any other), DPoP proofs when
//! DPoP is on, and only allow-listed headers each way. The scope a request
//! needs is named in its `scope` header and must be configured for the
//! audience (`Scope::PerAudience`).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use url::Url;

use crate::error::AccessTokenError;
use crate::server::config::Scope;
use crate::server::error::FetchError;
use crate::server::fetcher::{FetchRequest, FetcherOptions};
use crate::server::handle::Auth0Session;

/// Largest request body forwarded.
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Largest response body streamed back; past it the response is cut.
const MAX_RESPONSE_BODY: usize = 8 * 1024 * 1024;

/// Request headers passed upstream (everything else, cookies and the
/// client's `Authorization` among them, stays here).
const FORWARDED_REQUEST: &[&str] = &[
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "user-agent",
    "cache-control",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "x-request-id",
    "x-correlation-id",
    "traceparent",
    "tracestate",
];

/// Also passed upstream with a CORS preflight (and only with it).
const PREFLIGHT_REQUEST: &[&str] = &[
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];

/// The methods the proxy forwards.
const METHODS: &[Method] = &[
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// Hop-by-hop headers (RFC 9110 7.6.1), never passed on.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Which API a request is for.
#[derive(Clone, Copy)]
pub(crate) enum Api {
    MyAccount,
    MyOrg,
}

impl Api {
    /// The audience of its tokens, and the upstream base (both under the issuer).
    pub(crate) fn audience_and_base(self, issuer: &str) -> (String, String) {
        let issuer = issuer.trim_end_matches('/');
        match self {
            Self::MyAccount => (format!("{issuer}/me/"), format!("{issuer}/me/v1/")),
            Self::MyOrg => (format!("{issuer}/my-org/"), format!("{issuer}/my-org/")),
        }
    }
}

fn problem(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

/// The upstream URL for the part of the path after the proxy's prefix, or
/// `None` when that part could leave the API (`.`/`..` segments, encoded
/// or not, backslashes, empty segments).
pub(crate) fn upstream_url(base: &str, rest: &str, query: Option<&str>, api: Api) -> Option<Url> {
    let rest = rest.trim_start_matches('/');
    let rest = match api {
        // `/me/v1/x` and `/me/x` both mean `{issuer}me/v1/x`.
        Api::MyAccount => rest.strip_prefix("v1/").unwrap_or(rest),
        Api::MyOrg => rest,
    };
    if rest.is_empty() || rest.contains('\\') {
        return None;
    }
    for segment in rest.split('/') {
        let decoded = percent_decode(segment)?;
        if segment.is_empty() || decoded == "." || decoded == ".." || decoded.contains('/') {
            return None;
        }
    }
    let mut url = Url::parse(&format!("{base}{rest}")).ok()?;
    url.set_query(query.filter(|q| !q.is_empty()));
    url.as_str().starts_with(base).then_some(url)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

/// Whether a request that changes something comes from the app itself: a
/// `Sec-Fetch-Site` other than `same-origin` (or `none`), or an `Origin`
/// other than the app's, is a cross-site request (CSRF).
fn same_origin(session: &Auth0Session, headers: &HeaderMap) -> bool {
    let site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == "same-origin" || v == "none");
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => session
            .app_base_url()
            .and_then(|b| Url::parse(b).ok())
            .zip(Url::parse(origin).ok())
            .is_some_and(|(base, origin)| base.origin() == origin.origin()),
    };
    site_ok && origin_ok
}

/// Whether every scope of `requested` is configured for `audience`.
fn scope_allowed(scope: &Scope, audience: &str, requested: &str) -> bool {
    let Scope::PerAudience(map) = scope else {
        return false;
    };
    let Some(configured) = map.get(audience) else {
        return false;
    };
    let configured: Vec<&str> = configured.split_whitespace().collect();
    requested
        .split_whitespace()
        .all(|s| configured.contains(&s))
}

fn forwarded_headers(headers: &HeaderMap, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .flat_map(|name| {
            headers
                .get_all(*name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect()
}

/// The upstream response, its headers filtered and its body streamed (cut
/// at [`MAX_RESPONSE_BODY`]). Personal data: never cacheable.
fn relay(resp: reqwest::Response, with_body: bool) -> Response {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let connection_named: Vec<String> = resp
        .headers()
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|s| s.trim().to_ascii_lowercase()))
        .collect();
    let mut out = HeaderMap::new();
    for (name, value) in resp.headers() {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || connection_named.iter().any(|c| c == n)
            || n == "set-cookie"
            // The proxy answers with the user's cookies: no upstream CORS
            // policy may let another origin read it with them.
            || n == "access-control-allow-credentials"
            || n == "cache-control"
            || (!with_body && n == "content-length")
        {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out.append(name, value);
        }
    }
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let body = if with_body {
        let stream = futures_util::stream::unfold((resp, 0usize), |(mut resp, sent)| async move {
            match resp.chunk().await {
                Ok(Some(chunk)) if sent + chunk.len() <= MAX_RESPONSE_BODY => {
                    let n = sent + chunk.len();
                    Some((Ok::<Bytes, std::io::Error>(chunk), (resp, n)))
                }
                // After an error the stream ends (`sent` past the limit).
                _ if sent > MAX_RESPONSE_BODY => None,
                Ok(Some(_)) => Some((
                    Err(std::io::Error::other("the upstream response is too large")),
                    (resp, usize::MAX),
                )),
                Ok(None) => None,
                Err(_) => Some((
                    Err(std::io::Error::other("the upstream response failed")),
                    (resp, usize::MAX),
                )),
            }
        });
        Body::from_stream(stream)
    } else {
        Body::empty()
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = out;
    response
}

pub(super) async fn handle(
    api: Api,
    prefix: String,
    session: Auth0Session,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let engine = session.engine().clone();
    let config = engine.config();
    let (audience, base) = api.audience_and_base(engine.oidc().issuer().as_str());
    let rest = uri.path().strip_prefix(prefix.as_str()).unwrap_or("");
    let Some(url) = upstream_url(&base, rest, uri.query(), api) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The path is not valid for this API.",
        );
    };
    if !METHODS.contains(&method) {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "The proxy does not forward this method.",
        );
    }
    let preflight =
        method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        // A CORS preflight carries no credentials (RFC 9110 9.3.7): forwarded as is.
        let mut req = engine.fetch_http().request(reqwest::Method::OPTIONS, url);
        for (k, v) in forwarded_headers(&headers, FORWARDED_REQUEST)
            .into_iter()
            .chain(forwarded_headers(&headers, PREFLIGHT_REQUEST))
        {
            req = req.header(k, v);
        }
        return match req.send().await {
            Ok(resp) => relay(resp, false),
            Err(_) => problem(
                StatusCode::BAD_GATEWAY,
                "proxy_error",
                "The API could not be reached.",
            ),
        };
    }
    if session.store_unavailable() {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "session_store_unavailable",
            "The session store is unavailable.",
        );
    }
    if !session.is_authenticated() {
        return problem(
            StatusCode::UNAUTHORIZED,
            "missing_session",
            "The user does not have an active session.",
        );
    }
    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        && !same_origin(&session, &headers)
    {
        return problem(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "A cross-site request cannot change the account.",
        );
    }
    let requested = headers
        .get("scope")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let scope_ok = match &requested {
        Some(r) => scope_allowed(&config.authorization_parameters.scope, &audience, r),
        None => {
            matches!(&config.authorization_parameters.scope, Scope::PerAudience(m) if m.contains_key(&audience))
        }
    };
    if !scope_ok {
        return problem(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The requested scope is not configured for this API.",
        );
    }
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "The request body is too large.",
            )
        }
    };
    let fetcher = match session.create_fetcher(FetcherOptions::new()) {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(target: "auth0_leptos", "proxy: {e}");
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "proxy_error",
                "The proxy is not configured correctly.",
            );
        }
    };
    let mut request = FetchRequest::new(method.clone()).audience(audience);
    if let Some(r) = requested {
        request = request.scope(r);
    }
    for (k, v) in forwarded_headers(&headers, FORWARDED_REQUEST) {
        request = request.header(k, v);
    }
    if !body.is_empty() {
        request = request.body(body.to_vec());
    }
    match fetcher.fetch_with_auth(url.as_str(), request).await {
        Ok(resp) => relay(resp, method != Method::HEAD),
        Err(FetchError::AccessToken(AccessTokenError::MfaRequired {
            cause,
            mfa_token,
            mfa_requirements,
        })) => crate::server::response::mfa_required(cause, &mfa_token, mfa_requirements.as_ref()),
        Err(FetchError::AccessToken(e)) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            problem(status, e.code(), e.message())
        }
        Err(e) => {
            tracing::warn!(target: "auth0_leptos", "proxy: {e}");
            problem(
                StatusCode::BAD_GATEWAY,
                "proxy_error",
                "The API could not be reached.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_api() {
        let base = "https://t.example/me/v1/";
        let ok = |rest: &str| {
            upstream_url(base, rest, Some("a=1"), Api::MyAccount).map(|u| u.to_string())
        };
        assert_eq!(
            ok("/v1/connected-accounts/accounts").unwrap(),
            "https://t.example/me/v1/connected-accounts/accounts?a=1"
        );
        assert_eq!(
            ok("/factors").unwrap(),
            "https://t.example/me/v1/factors?a=1"
        );
        for bad in [
            "/../../oauth/token",
            "/x/%2e%2e/%2E%2E/oauth",
            "/a\\b",
            "/a//b",
            "/",
            "",
            "/%2F",
            "/v1/./x",
        ] {
            assert!(ok(bad).is_none(), "{bad}");
        }
    }
}
