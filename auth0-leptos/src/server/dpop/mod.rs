//! DPoP (RFC 9449) for the application as a client: proofs for the token
//! endpoint, UserInfo and resource servers, the nonces servers hand out
//! (remembered per origin), and the pause before the one retry a nonce
//! challenge earns. [`verify`] is the other side, for resource servers.

pub(crate) mod verify;

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::server::config::DpopSettings;
use crate::server::crypto::dpop_key::{token_hash, DpopKeyPair};
use crate::server::crypto::random_token;
use crate::server::error::DpopError;
use crate::server::time::now;

/// Origins whose nonce is remembered at most; past this the memory is
/// cleared (a nonce is only an optimisation: a server asks again).
const MAX_ORIGINS: usize = 256;
/// Longest nonce accepted from a server.
const MAX_NONCE: usize = 512;

/// The `DPoP-Nonce` response header.
pub(crate) const NONCE_HEADER: &str = "dpop-nonce";

/// Proof making for one key.
pub(crate) struct Dpop {
    key: DpopKeyPair,
    clock_skew: i64,
    retry_delay: Duration,
    retry_jitter: bool,
    nonces: RwLock<HashMap<String, String>>,
}

impl std::fmt::Debug for Dpop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dpop")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    htm: &'a str,
    htu: &'a str,
    iat: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

/// The `htu` of a request to `url`: the URL without query and fragment
/// (RFC 9449 4.2).
pub(crate) fn htu(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.into()
}

/// Whether `nonce` may be a DPoP nonce (RFC 9449 8.1: 1*NQCHAR), of a
/// sane length.
pub(crate) fn valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce.len() <= MAX_NONCE
        && nonce
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

impl DpopKeyPair {
    /// A key pair from PEM: the private key as PKCS#8 (`BEGIN PRIVATE
    /// KEY`) or SEC1 (`BEGIN EC PRIVATE KEY`), on P-256; the public key
    /// (SPKI, `BEGIN PUBLIC KEY`) is optional and, when given, must be the
    /// private key's (`dpop_configuration_error` otherwise).
    pub fn from_pem(private_key: &str, public_key: Option<&str>) -> Result<Self, DpopError> {
        Self::read(private_key, public_key).map_err(Into::into)
    }

    /// The private key as PKCS#8 PEM (for `AUTH0_DPOP_PRIVATE_KEY`).
    pub fn private_key_pem(&self) -> Result<String, DpopError> {
        self.export_private().map_err(Into::into)
    }

    /// The public key as SPKI PEM (for `AUTH0_DPOP_PUBLIC_KEY`).
    pub fn public_key_pem(&self) -> Result<String, DpopError> {
        self.export_public().map_err(Into::into)
    }

    /// A DPoP proof for a request of your own client: `htm` = `method`,
    /// `htu` = `url` without query and fragment, a fresh `jti`, `iat` now,
    /// `ath` when the request presents `access_token`, and the server's
    /// `nonce` when it asked for one. Returns `None` for a URL that does
    /// not parse. ([`Fetcher`](crate::server::Fetcher) does all of this.)
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> Option<String> {
        let url = Url::parse(url).ok()?;
        Some(sign_proof(
            self,
            method,
            &url,
            access_token,
            nonce.map(str::to_owned),
            0,
        ))
    }
}

/// Signs a proof with `key` (`iat` = now + `skew`).
fn sign_proof(
    key: &DpopKeyPair,
    method: &str,
    url: &Url,
    access_token: Option<&str>,
    nonce: Option<String>,
    skew: i64,
) -> String {
    let htu = htu(url);
    let claims = Claims {
        jti: random_token(16),
        htm: method,
        htu: &htu,
        iat: now() + skew,
        ath: access_token.map(token_hash),
        nonce,
    };
    let payload = serde_json::to_vec(&claims).unwrap_or_default();
    key.sign(&payload)
}

impl Dpop {
    pub(crate) fn new(settings: &DpopSettings) -> Self {
        Self {
            key: settings.key.clone(),
            clock_skew: settings.clock_skew,
            retry_delay: settings.retry_delay,
            retry_jitter: settings.retry_jitter,
            nonces: RwLock::new(HashMap::new()),
        }
    }

    /// The key pair.
    pub(crate) fn key(&self) -> &DpopKeyPair {
        &self.key
    }

    /// A proof for `method` on `url`, presenting `access_token` when given
    /// (`ath`), with the nonce the server last handed out.
    pub(crate) fn proof(&self, method: &str, url: &Url, access_token: Option<&str>) -> String {
        sign_proof(
            &self.key,
            method,
            url,
            access_token,
            self.nonce_for(url),
            self.clock_skew,
        )
    }

    fn nonce_for(&self, url: &Url) -> Option<String> {
        let nonces = self.nonces.read().ok()?;
        if nonces.is_empty() {
            return None;
        }
        nonces.get(&url.origin().ascii_serialization()).cloned()
    }

    /// Remembers the `DPoP-Nonce` a server at `url`'s origin answered with
    /// (on any response: servers may rotate it at will). Returns whether
    /// there was a new usable one.
    pub(crate) fn remember_nonce(&self, url: &Url, headers: &http::HeaderMap) -> bool {
        let Some(nonce) = headers
            .get(NONCE_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|n| valid_nonce(n))
        else {
            return false;
        };
        let origin = url.origin().ascii_serialization();
        let Ok(mut nonces) = self.nonces.write() else {
            return false;
        };
        if nonces.get(&origin).map(String::as_str) == Some(nonce) {
            return false;
        }
        if nonces.len() >= MAX_ORIGINS {
            nonces.clear();
        }
        nonces.insert(origin, nonce.to_owned());
        true
    }

    /// Waits the configured retry delay (with jitter: between half and one
    /// and a half of it) before retrying a request a nonce challenge refused.
    pub(crate) async fn pause_before_retry(&self) {
        let delay = if self.retry_jitter && !self.retry_delay.is_zero() {
            use rand::Rng;
            let ms = self.retry_delay.as_millis() as u64;
            Duration::from_millis(ms / 2 + rand::thread_rng().gen_range(0..=ms))
        } else {
            self.retry_delay
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// Sends a request presenting a token to a resource server (`send` makes
/// the request, with a fresh proof, each time it is called). With DPoP,
/// the server's nonce is remembered, and a nonce challenge carrying a nonce
/// new to us is answered once, after the retry pause.
pub(crate) async fn send_presenting<F, Fut, E>(
    dpop: Option<&Dpop>,
    url: &Url,
    mut send: F,
) -> Result<reqwest::Response, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::Response, E>>,
{
    let resp = send().await?;
    let Some(d) = dpop else {
        return Ok(resp);
    };
    if !(d.remember_nonce(url, resp.headers())
        && is_resource_nonce_challenge(resp.status(), resp.headers()))
    {
        return Ok(resp);
    }
    d.pause_before_retry().await;
    let resp = send().await?;
    d.remember_nonce(url, resp.headers());
    Ok(resp)
}

/// Whether a resource server's answer is a nonce challenge (RFC 9449 9):
/// 401 with `WWW-Authenticate: DPoP error="use_dpop_nonce"`.
pub(crate) fn is_resource_nonce_challenge(
    status: http::StatusCode,
    headers: &http::HeaderMap,
) -> bool {
    status == http::StatusCode::UNAUTHORIZED
        && headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.trim_start().to_ascii_lowercase().starts_with("dpop")
                    && v.contains("use_dpop_nonce")
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dpop() -> Dpop {
        Dpop::new(&DpopSettings {
            key: DpopKeyPair::generate(),
            generated: true,
            clock_skew: 0,
            clock_tolerance: Duration::from_secs(30),
            retry_delay: Duration::from_millis(100),
            retry_jitter: true,
        })
    }

    #[test]
    fn nonces_are_remembered_per_origin_and_checked() {
        let d = dpop();
        let a = Url::parse("https://a.example/oauth/token?x=1").unwrap();
        let b = Url::parse("https://b.example/api").unwrap();
        let mut h = http::HeaderMap::new();
        h.insert(NONCE_HEADER, "n-1".parse().unwrap());
        assert!(d.remember_nonce(&a, &h));
        assert!(!d.remember_nonce(&a, &h), "the same nonce is not new");
        assert_eq!(d.nonce_for(&a).as_deref(), Some("n-1"));
        assert_eq!(d.nonce_for(&b), None);
        h.insert(NONCE_HEADER, "bad nonce with spaces".parse().unwrap());
        assert!(!d.remember_nonce(&b, &h));
        assert!(!valid_nonce(&"x".repeat(MAX_NONCE + 1)));
        assert!(!valid_nonce("quote\"d"));
    }

    #[test]
    fn htu_drops_query_and_fragment() {
        let u = Url::parse("https://api.example/v1/items?page=2#top").unwrap();
        assert_eq!(htu(&u), "https://api.example/v1/items");
    }
}
