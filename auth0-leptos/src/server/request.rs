//! What a request says about where the app lives (base URL inference from
//! `Host`, or `X-Forwarded-*` behind a trusted proxy; allow-list matching)
//! and `returnTo` checks.

use http::HeaderMap;
use url::Url;

use crate::server::config::{AppBaseUrl, Auth0Config};

/// The request's origin is not one the app may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OriginNotAllowed;

fn first_header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The last value of a (possibly repeated, comma-separated) header: the one
/// the nearest proxy appended. Earlier values come from further away, the
/// first one from the client, who can write anything.
fn last_header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The origin the request was made to: from `Host` (and plain `http`), or,
/// when `trust_proxy` is set, from the last value of `X-Forwarded-Host` /
/// `X-Forwarded-Proto` (each falling back to `Host` / `http`). Without a
/// trusted proxy `X-Forwarded-*` is ignored: a client can forge it.
pub(crate) fn request_origin(headers: &HeaderMap, trust_proxy: bool) -> Option<Url> {
    let forwarded = |name| {
        if trust_proxy {
            last_header(headers, name)
        } else {
            None
        }
    };
    let host = forwarded("x-forwarded-host").or_else(|| first_header(headers, "host"))?;
    let proto = match forwarded("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        Some(p) if p.eq_ignore_ascii_case("http") => "http",
        Some(_) => return None,
        None => "http",
    };
    // A Host header is an authority: no path, query, user info or spaces.
    if host
        .bytes()
        .any(|b| matches!(b, b'/' | b'\\' | b'?' | b'#' | b'@' | b' ' | b'\t'))
    {
        return None;
    }
    let url = Url::parse(&format!("{proto}://{host}/")).ok()?;
    url.host()?;
    Some(url)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The base URL to use for this request.
pub(crate) fn resolve_base_url(
    config: &Auth0Config,
    headers: &HeaderMap,
) -> Result<Url, OriginNotAllowed> {
    match &config.app_base_url {
        AppBaseUrl::Static(u) => Ok(u.clone()),
        AppBaseUrl::Inferred => request_origin(headers, config.trust_proxy).ok_or(OriginNotAllowed),
        AppBaseUrl::AllowList(list) => {
            let origin = request_origin(headers, config.trust_proxy).ok_or(OriginNotAllowed)?;
            list.iter()
                .find(|u| same_origin(u, &origin))
                .cloned()
                .ok_or(OriginNotAllowed)
        }
    }
}

/// Whether cookies of this request get `Secure`: as configured, else from
/// the base URL's scheme (always in production when the base URL is inferred).
pub(crate) fn cookie_secure(
    config: &Auth0Config,
    explicit: Option<bool>,
    base: Option<&Url>,
) -> bool {
    if let Some(s) = explicit {
        return s;
    }
    match &config.app_base_url {
        AppBaseUrl::Static(u) => u.scheme() == "https",
        AppBaseUrl::Inferred if config.production => true,
        AppBaseUrl::Inferred | AppBaseUrl::AllowList(_) => base
            .map(|u| u.scheme() == "https")
            .unwrap_or(config.production),
    }
}

/// `base` + `path` where `path` starts with `/`, keeping a path prefix of `base`.
pub(crate) fn join_path(base: &Url, path: &str) -> String {
    let b = base.as_str().trim_end_matches('/');
    format!("{b}{path}")
}

/// Accepts `return_to` only when it stays on the app's origin (relative, or
/// absolute with the same origin); returns path + query + fragment.
pub(crate) fn safe_return_to(return_to: &str, base: &Url) -> Option<String> {
    let rt = return_to.trim();
    if rt.is_empty() || rt.contains('\\') || rt.chars().any(char::is_control) {
        return None;
    }
    let target = base.join(rt).ok()?;
    if !same_origin(&target, base) {
        return None;
    }
    let mut out = target.path().to_owned();
    if let Some(q) = target.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = target.fragment() {
        out.push('#');
        out.push_str(f);
    }
    // The result is a path on our origin; a leading "//" would make it
    // protocol-relative again.
    if out.starts_with("//") {
        return None;
    }
    Some(out)
}

/// Accepts a logout `returnTo` on the app's origin or in the allow-list;
/// returns the absolute URL.
pub(crate) fn safe_logout_return_to(return_to: &str, base: &Url, allow: &[Url]) -> Option<String> {
    let rt = return_to.trim();
    if rt.is_empty() || rt.contains('\\') || rt.chars().any(char::is_control) {
        return None;
    }
    let target = base.join(rt).ok()?;
    if !matches!(target.scheme(), "http" | "https")
        || !target.username().is_empty()
        || target.password().is_some()
    {
        return None;
    }
    if same_origin(&target, base) {
        return Some(target.to_string());
    }
    let allowed = allow.iter().any(|a| {
        if a.path() == "/" && a.query().is_none() {
            same_origin(a, &target)
        } else {
            a.as_str() == target.as_str()
        }
    });
    allowed.then(|| target.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn origin_inference() {
        for trust in [false, true] {
            assert_eq!(
                request_origin(&h(&[("host", "app.test:3000")]), trust)
                    .unwrap()
                    .as_str(),
                "http://app.test:3000/"
            );
            assert!(request_origin(&h(&[("host", "evil.test/path")]), trust).is_none());
            assert!(request_origin(&h(&[("host", "a@evil.test")]), trust).is_none());
            assert!(request_origin(&h(&[]), trust).is_none());
        }
        let proxied = h(&[
            ("host", "internal"),
            ("x-forwarded-host", "evil.test, app.test"),
            ("x-forwarded-proto", "http,https"),
        ]);
        assert_eq!(
            request_origin(&proxied, true).unwrap().as_str(),
            "https://app.test/"
        );
        assert_eq!(
            request_origin(&proxied, false).unwrap().as_str(),
            "http://internal/",
            "no trusted proxy: X-Forwarded-* is ignored"
        );
        assert!(request_origin(
            &h(&[("host", "x"), ("x-forwarded-proto", "javascript")]),
            true
        )
        .is_none());
        // Repeated header lines: the last line's last value.
        let mut repeated = h(&[("host", "internal")]);
        repeated.append("x-forwarded-host", HeaderValue::from_static("evil.test"));
        repeated.append("x-forwarded-host", HeaderValue::from_static("app.test"));
        assert_eq!(
            request_origin(&repeated, true).unwrap().as_str(),
            "http://app.test/"
        );
        // An empty last value falls back to Host.
        let empty = h(&[("host", "internal"), ("x-forwarded-host", "evil.test, ")]);
        assert_eq!(
            request_origin(&empty, true).unwrap().as_str(),
            "http://internal/"
        );
    }

    #[test]
    fn return_to_same_origin_only() {
        let base = Url::parse("http://127.0.0.1:3000/").unwrap();
        assert_eq!(
            safe_return_to("/profile?a=1#x", &base).as_deref(),
            Some("/profile?a=1#x")
        );
        assert_eq!(
            safe_return_to("http://127.0.0.1:3000/p", &base).as_deref(),
            Some("/p")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test/x",
            "/\\evil.test",
            "http://127.0.0.1:3001/",
            "javascript:alert(1)",
            " \u{0}/x",
        ] {
            assert_eq!(safe_return_to(bad, &base), None, "{bad}");
        }
    }

    #[test]
    fn logout_return_to() {
        let base = Url::parse("https://app.test/").unwrap();
        let allow = vec![Url::parse("https://partner.test/").unwrap()];
        assert_eq!(
            safe_logout_return_to("/bye", &base, &allow).as_deref(),
            Some("https://app.test/bye")
        );
        assert_eq!(
            safe_logout_return_to("https://partner.test/x", &base, &allow).as_deref(),
            Some("https://partner.test/x")
        );
        assert_eq!(
            safe_logout_return_to("https://evil.test/", &base, &allow),
            None
        );
        assert_eq!(safe_logout_return_to("//evil.test", &base, &allow), None);
    }
}
