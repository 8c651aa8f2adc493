//! Cookies: parsing the request's `Cookie` headers, writing `Set-Cookie`,
//! and splitting large values into chunks.

use std::borrow::Cow;
use std::ops::Range;

use http::header::{HeaderMap, COOKIE};

use crate::server::config::SameSite;

/// Largest value written into one cookie; longer values are split into
/// `{name}__0`, `{name}__1`, ... (as nextjs-auth0 does).
pub(crate) const MAX_CHUNK_SIZE: usize = 3500;

/// Most chunks a session cookie is read from: 30 × 3500 bytes is far
/// above any browser's cookie budget, so more is not ours.
const MAX_CHUNKS: usize = 30;

/// The cookies a request carried, in order. Malformed pairs are skipped.
///
/// The `Cookie` headers are copied once into one buffer; names and values
/// are ranges into it, so looking a cookie up allocates nothing.
#[derive(Debug, Default, Clone)]
pub(crate) struct RequestCookies {
    raw: String,
    /// `(name, value)` byte ranges into `raw`.
    pairs: Vec<(Range<usize>, Range<usize>)>,
}

impl RequestCookies {
    /// Parses every `Cookie` header.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut raw = String::new();
        for value in headers.get_all(COOKIE) {
            // `from_utf8` has an ASCII fast path; `HeaderValue::to_str` checks
            // byte by byte, which costs more than everything else the layer
            // does with a 3 kB cookie.
            let Ok(s) = std::str::from_utf8(value.as_bytes()) else {
                continue;
            };
            if !raw.is_empty() {
                raw.push(';');
            }
            raw.push_str(s);
        }
        let mut pairs = Vec::new();
        let mut at = 0;
        for part in raw.split(';') {
            let start = at;
            at += part.len() + 1;
            let Some(eq) = part.find('=') else { continue };
            let (name, value) = (&part[..eq], &part[eq + 1..]);
            let name_start = start + (name.len() - name.trim_start().len());
            let name_end = start + name.trim_end().len();
            if name_start >= name_end {
                continue;
            }
            let v = value.trim();
            let v_start = start + eq + 1 + (value.len() - value.trim_start().len());
            let (v_start, v_end) = match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(inner) => (v_start + 1, v_start + 1 + inner.len()),
                None => (v_start, v_start + v.len()),
            };
            pairs.push((name_start..name_end, v_start..v_end));
        }
        Self { raw, pairs }
    }

    /// Every cookie, in order.
    pub(crate) fn iter_all(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.pairs
            .iter()
            .map(|(n, v)| (&self.raw[n.clone()], &self.raw[v.clone()]))
    }

    /// The first value of a cookie.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.iter_all().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The chunk cookies `{name}__N` present, by index (first value of each).
    pub(crate) fn chunks(&self, name: &str) -> Vec<(usize, &str, &str)> {
        let mut out: Vec<(usize, &str, &str)> = self
            .iter_all()
            .filter_map(|(n, v)| {
                let idx = n.strip_prefix(name)?.strip_prefix("__")?;
                if idx.is_empty() || idx.len() > 3 || !idx.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some((idx.parse().ok()?, n, v))
            })
            .collect();
        out.sort_by_key(|c| c.0);
        out.dedup_by_key(|c| c.0);
        out
    }

    /// Whether the request carries `name` or any chunk of it.
    pub(crate) fn has_chunked(&self, name: &str) -> bool {
        self.get(name).is_some() || !self.chunks(name).is_empty()
    }

    /// The value of a possibly chunked cookie: the plain cookie when present,
    /// else the chunks `__0..N` joined, provided none is missing.
    pub(crate) fn get_chunked(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(v) = self.get(name).filter(|v| !v.is_empty()) {
            return Some(Cow::Borrowed(v));
        }
        let chunks = self.chunks(name);
        if chunks.is_empty()
            || chunks.len() > MAX_CHUNKS
            || chunks.last().map(|c| c.0) != Some(chunks.len() - 1)
        {
            return None;
        }
        Some(Cow::Owned(chunks.iter().map(|c| c.2).collect()))
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
    let existing = req.chunks(name);
    if value.len() <= MAX_CHUNK_SIZE {
        out.push(SetCookie::new(name, value, attrs.clone()));
        for (_, n, _) in existing {
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
    for (i, n, _) in existing {
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
    for (_, n, _) in req.chunks(name) {
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
