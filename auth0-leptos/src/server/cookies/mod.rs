//! Cookies: parsing the request's `Cookie` headers, writing `Set-Cookie`,
//! and splitting large values into chunks.

use http::header::{HeaderMap, COOKIE};

use crate::server::config::SameSite;

/// Largest value written into one cookie; longer values are split into
/// `{name}__0`, `{name}__1`, ... (as nextjs-auth0 does).
pub(crate) const MAX_CHUNK_SIZE: usize = 3500;

/// The cookies a request carried, in order. Malformed pairs are skipped.
#[derive(Debug, Default, Clone)]
pub(crate) struct RequestCookies {
    pairs: Vec<(String, String)>,
}

impl RequestCookies {
    /// Parses every `Cookie` header.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut pairs = Vec::new();
        for value in headers.get_all(COOKIE) {
            let Ok(s) = value.to_str() else { continue };
            for part in s.split(';') {
                let part = part.trim();
                let Some((name, value)) = part.split_once('=') else {
                    continue;
                };
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let value = value.trim().trim_matches('"');
                pairs.push((name.to_owned(), value.to_owned()));
            }
        }
        Self { pairs }
    }

    /// The first value of a cookie.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every cookie whose name starts with `prefix`.
    pub(crate) fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n.starts_with(prefix))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Names of the chunk cookies `{name}__N` present, with their index.
    pub(crate) fn chunk_names(&self, name: &str) -> Vec<(usize, String)> {
        let prefix = format!("{name}__");
        let mut out: Vec<(usize, String)> = self
            .pairs
            .iter()
            .filter_map(|(n, _)| {
                let idx = n.strip_prefix(&prefix)?;
                if idx.is_empty() || idx.len() > 3 || !idx.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some((idx.parse().ok()?, n.clone()))
            })
            .collect();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// The value of a possibly chunked cookie: the plain cookie when present,
    /// else the chunks `__0..N` joined, provided none is missing.
    pub(crate) fn get_chunked(&self, name: &str) -> Option<String> {
        if let Some(v) = self.get(name).filter(|v| !v.is_empty()) {
            return Some(v.to_owned());
        }
        let chunks = self.chunk_names(name);
        if chunks.is_empty() || chunks.last().map(|c| c.0) != Some(chunks.len() - 1) {
            return None;
        }
        let mut out = String::new();
        for (_, n) in &chunks {
            out.push_str(self.get(n)?);
        }
        Some(out)
    }
}

/// Attributes of a cookie we write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CookieAttrs {
    /// `Path`.
    pub(crate) path: String,
    /// `Domain`, when set.
    pub(crate) domain: Option<String>,
    /// `Secure`.
    pub(crate) secure: bool,
    /// `SameSite`.
    pub(crate) same_site: SameSite,
    /// `Max-Age` in seconds; `None` for a browser-session cookie.
    pub(crate) max_age: Option<i64>,
}

/// One `Set-Cookie` to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetCookie {
    /// Cookie name.
    pub(crate) name: String,
    /// Cookie value (empty when deleting).
    pub(crate) value: String,
    /// Attributes.
    pub(crate) attrs: CookieAttrs,
}

impl SetCookie {
    /// A cookie that sets `value`.
    pub(crate) fn new(
        name: impl Into<String>,
        value: impl Into<String>,
        attrs: CookieAttrs,
    ) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            attrs,
        }
    }

    /// A cookie that deletes `name` (empty value, `Max-Age=0`), with the same
    /// path/domain/secure/same-site it was written with.
    pub(crate) fn delete(name: impl Into<String>, attrs: &CookieAttrs) -> Self {
        let mut attrs = attrs.clone();
        attrs.max_age = Some(0);
        Self {
            name: name.into(),
            value: String::new(),
            attrs,
        }
    }

    /// The `Set-Cookie` header value. Always `HttpOnly`.
    pub(crate) fn to_header_value(&self) -> String {
        let mut s = String::with_capacity(self.name.len() + self.value.len() + 80);
        s.push_str(&self.name);
        s.push('=');
        s.push_str(&self.value);
        s.push_str("; Path=");
        s.push_str(&self.attrs.path);
        if let Some(d) = &self.attrs.domain {
            s.push_str("; Domain=");
            s.push_str(d);
        }
        if let Some(age) = self.attrs.max_age {
            s.push_str("; Max-Age=");
            s.push_str(&age.max(0).to_string());
            if age <= 0 {
                s.push_str("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
            }
        }
        s.push_str("; HttpOnly");
        if self.attrs.secure {
            s.push_str("; Secure");
        }
        s.push_str("; SameSite=");
        s.push_str(self.attrs.same_site.as_str());
        s
    }
}

/// The `Set-Cookie`s that store `value` under `name`, chunked when longer than
/// [`MAX_CHUNK_SIZE`], and delete whatever the request had that is now stale
/// (the plain cookie when chunking, chunks beyond the new count).
pub(crate) fn write_chunked(
    name: &str,
    value: &str,
    attrs: &CookieAttrs,
    req: &RequestCookies,
) -> Vec<SetCookie> {
    let mut out = Vec::new();
    let existing = req.chunk_names(name);
    if value.len() <= MAX_CHUNK_SIZE {
        out.push(SetCookie::new(name, value, attrs.clone()));
        for (_, n) in existing {
            out.push(SetCookie::delete(n, attrs));
        }
        return out;
    }
    // JWE text is ASCII, so byte offsets are character boundaries.
    let count = value.len().div_ceil(MAX_CHUNK_SIZE);
    for (i, chunk) in value.as_bytes().chunks(MAX_CHUNK_SIZE).enumerate() {
        let chunk = std::str::from_utf8(chunk).unwrap_or_default();
        out.push(SetCookie::new(format!("{name}__{i}"), chunk, attrs.clone()));
    }
    for (i, n) in existing {
        if i >= count {
            out.push(SetCookie::delete(n, attrs));
        }
    }
    if req.get(name).is_some() {
        out.push(SetCookie::delete(name, attrs));
    }
    out
}

/// Deletes `name` and all of its chunks that the request carried.
pub(crate) fn delete_chunked(
    name: &str,
    attrs: &CookieAttrs,
    req: &RequestCookies,
) -> Vec<SetCookie> {
    let mut out = vec![SetCookie::delete(name, attrs)];
    for (_, n) in req.chunk_names(name) {
        out.push(SetCookie::delete(n, attrs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn req(cookie: &str) -> RequestCookies {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        RequestCookies::from_headers(&h)
    }

    fn attrs() -> CookieAttrs {
        CookieAttrs {
            path: "/".into(),
            domain: None,
            secure: false,
            same_site: SameSite::Lax,
            max_age: Some(10),
        }
    }

    #[test]
    fn chunks_must_be_contiguous() {
        assert_eq!(
            req("s__0=a; s__1=b").get_chunked("s").as_deref(),
            Some("ab")
        );
        assert_eq!(
            req("s__1=b; s__0=a").get_chunked("s").as_deref(),
            Some("ab")
        );
        assert_eq!(req("s__0=a; s__2=c").get_chunked("s"), None);
        assert_eq!(req("s__1=b").get_chunked("s"), None);
        assert_eq!(
            req("s=whole; s__0=a").get_chunked("s").as_deref(),
            Some("whole")
        );
        assert_eq!(req("s__x=a").get_chunked("s"), None);
        assert_eq!(req("junk; =x; s=1").get_chunked("s").as_deref(), Some("1"));
    }

    #[test]
    fn writing_small_value_deletes_old_chunks() {
        let out = write_chunked("s", "v", &attrs(), &req("s__0=a; s__1=b"));
        let names: Vec<_> = out
            .iter()
            .map(|c| (c.name.as_str(), c.attrs.max_age))
            .collect();
        assert_eq!(
            names,
            vec![("s", Some(10)), ("s__0", Some(0)), ("s__1", Some(0))]
        );
    }

    #[test]
    fn writing_large_value_chunks_and_deletes_stale() {
        let value = "x".repeat(MAX_CHUNK_SIZE * 2 + 1);
        let out = write_chunked(
            "s",
            &value,
            &attrs(),
            &req("s=old; s__0=a; s__1=b; s__2=c; s__3=d"),
        );
        let set: Vec<_> = out
            .iter()
            .filter(|c| c.attrs.max_age != Some(0))
            .map(|c| c.name.clone())
            .collect();
        let del: Vec<_> = out
            .iter()
            .filter(|c| c.attrs.max_age == Some(0))
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(set, ["s__0", "s__1", "s__2"]);
        assert_eq!(del, ["s__3", "s"]);
        let joined: String = out
            .iter()
            .filter(|c| c.attrs.max_age != Some(0))
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(joined, value);
    }

    #[test]
    fn header_value_has_security_attributes() {
        let mut a = attrs();
        a.secure = true;
        a.domain = Some("example.com".into());
        let v = SetCookie::new("n", "v", a).to_header_value();
        assert_eq!(
            v,
            "n=v; Path=/; Domain=example.com; Max-Age=10; HttpOnly; Secure; SameSite=Lax"
        );
    }
}
