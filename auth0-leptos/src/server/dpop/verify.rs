//! Checking DPoP proofs on a resource server (RFC 9449 4.3 and 7.1): the
//! demo's API uses it, and so can an app's own routes. Untrusted input
//! throughout: every failure is a [`DpopProofError`], never a panic.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::Deserialize;
use url::Url;

use super::{htu, valid_nonce};
use crate::server::crypto::dpop_key::{thumbprint, token_hash, verify_es256};
use crate::server::crypto::random_token;
use crate::server::error::DpopProofError;
use crate::server::time::now;

/// Longest proof read.
const MAX_PROOF: usize = 8 * 1024;
/// Proof ids remembered at most (replay detection).
const MAX_SEEN: usize = 100_000;
/// How often a server nonce changes (the previous one stays valid).
const NONCE_ROTATION: i64 = 300;

#[derive(Deserialize)]
struct Header {
    typ: String,
    alg: String,
    jwk: Jwk,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
    /// A private key part: a proof must never carry one.
    #[serde(default)]
    d: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    #[serde(default)]
    ath: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

struct Nonces {
    current: String,
    previous: Option<String>,
    since: i64,
}

/// What a request presents with a DPoP-bound access token.
#[derive(Debug, Clone, Copy)]
pub struct DpopRequest<'a> {
    /// The request's headers (its `DPoP` header is the proof).
    pub headers: &'a http::HeaderMap,
    /// The request's method.
    pub method: &'a http::Method,
    /// The request's URL as the client addressed it (scheme, host, path;
    /// the query is ignored).
    pub url: &'a str,
    /// The access token from `Authorization: DPoP <token>`.
    pub access_token: &'a str,
    /// The token's `cnf.jkt` (`None`: the token is not DPoP-bound).
    pub jkt: Option<&'a str>,
}

/// Verifies DPoP proofs: the `dpop+jwt` type, ES256, a public JWK and a
/// valid signature by it, `htm` and `htu` of this request, `iat` within
/// the window, a `jti` not seen before, `ath` of the presented token, the
/// key's thumbprint equal to the token's `cnf.jkt`, and, when required,
/// a nonce this verifier issued. One per process (it remembers proof ids).
///
/// ```
/// use auth0_leptos::server::DpopVerifier;
/// use std::time::Duration;
///
/// let verifier = DpopVerifier::new()
///     .max_age(Duration::from_secs(60))
///     .require_nonce();
/// # let _ = verifier;
/// ```
pub struct DpopVerifier {
    max_age: i64,
    leeway: i64,
    nonces: Option<Mutex<Nonces>>,
    seen: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for DpopVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopVerifier")
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("nonces", &self.nonces.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for DpopVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl DpopVerifier {
    /// A verifier taking proofs up to 60 s old, with 30 s of clock leeway,
    /// without nonces.
    pub fn new() -> Self {
        Self {
            max_age: 60,
            leeway: 30,
            nonces: None,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How old a proof may be (its `iat`).
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age.as_secs().min(86_400) as i64;
        self
    }

    /// Clock difference tolerated either way (the seeds' clock tolerance).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.as_secs().min(3_600) as i64;
        self
    }

    /// Demands a nonce issued by this verifier (RFC 9449 9): a proof
    /// without the current (or previous) one gets
    /// [`DpopProofError::UseNonce`], whose response carries a fresh one.
    pub fn require_nonce(mut self) -> Self {
        self.nonces = Some(Mutex::new(Nonces {
            current: random_token(18),
            previous: None,
            since: now(),
        }));
        self
    }

    /// The nonce to hand out now (`None` without nonces).
    pub fn current_nonce(&self) -> Option<String> {
        let mut n = self.nonces.as_ref()?.lock().ok()?;
        let t = now();
        if t - n.since >= NONCE_ROTATION {
            let fresh = random_token(18);
            n.previous = Some(std::mem::replace(&mut n.current, fresh));
            n.since = t;
        }
        Some(n.current.clone())
    }

    /// Checks the proof of `request`. Returns the key's thumbprint.
    pub fn verify(&self, request: &DpopRequest<'_>) -> Result<String, DpopProofError> {
        let mut proofs = request.headers.get_all("dpop").iter();
        let proof = proofs.next().ok_or(DpopProofError::Missing)?;
        if proofs.next().is_some() {
            return Err(DpopProofError::Multiple);
        }
        let proof = proof.to_str().map_err(|_| DpopProofError::Malformed)?;
        self.verify_proof(proof, request, now())
    }

    pub(crate) fn verify_proof(
        &self,
        proof: &str,
        request: &DpopRequest<'_>,
        now: i64,
    ) -> Result<String, DpopProofError> {
        if proof.len() > MAX_PROOF {
            return Err(DpopProofError::Malformed);
        }
        let mut parts = proof.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DpopProofError::Malformed);
        };
        let decode = |p: &str| B64.decode(p).map_err(|_| DpopProofError::Malformed);
        let header: Header =
            serde_json::from_slice(&decode(h)?).map_err(|_| DpopProofError::Malformed)?;
        if !header.typ.eq_ignore_ascii_case("dpop+jwt") {
            return Err(DpopProofError::Malformed);
        }
        if header.alg != "ES256" {
            return Err(DpopProofError::UnsupportedAlgorithm);
        }
        let jwk = &header.jwk;
        if jwk.kty != "EC" || jwk.crv != "P-256" || jwk.d.is_some() {
            return Err(DpopProofError::InvalidKey);
        }
        let signed = &proof[..h.len() + 1 + c.len()];
        if !verify_es256(&jwk.x, &jwk.y, signed.as_bytes(), &decode(s)?) {
            return Err(DpopProofError::InvalidSignature);
        }
        let claims: Claims =
            serde_json::from_slice(&decode(c)?).map_err(|_| DpopProofError::Malformed)?;
        if claims.jti.is_empty() || claims.jti.len() > 256 {
            return Err(DpopProofError::Malformed);
        }
        if claims.htm != request.method.as_str() {
            return Err(DpopProofError::MethodMismatch);
        }
        let same_url = match (Url::parse(&claims.htu), Url::parse(request.url)) {
            (Ok(a), Ok(b)) => htu(&a) == htu(&b),
            _ => false,
        };
        if !same_url {
            return Err(DpopProofError::UrlMismatch);
        }
        if claims.iat > now + self.leeway {
            return Err(DpopProofError::IssuedInTheFuture);
        }
        if claims.iat < now - self.max_age - self.leeway {
            return Err(DpopProofError::Expired);
        }
        if claims.ath.as_deref() != Some(token_hash(request.access_token).as_str()) {
            return Err(DpopProofError::AccessTokenHashMismatch);
        }
        let jkt = thumbprint(&jwk.x, &jwk.y);
        match request.jkt {
            None => return Err(DpopProofError::TokenNotBound),
            Some(bound) if bound != jkt => return Err(DpopProofError::KeyMismatch),
            Some(_) => {}
        }
        if let Some(nonces) = &self.nonces {
            let ok = claims.nonce.as_deref().is_some_and(|n| {
                valid_nonce(n)
                    && nonces
                        .lock()
                        .is_ok_and(|s| s.current == n || s.previous.as_deref() == Some(n))
            });
            if !ok {
                return Err(DpopProofError::UseNonce {
                    nonce: self.current_nonce().unwrap_or_default(),
                });
            }
        }
        self.first_use(claims.jti, now)?;
        Ok(jkt)
    }

    /// Records a proof id; a second use within its lifetime is a replay.
    fn first_use(&self, jti: String, now: i64) -> Result<(), DpopProofError> {
        let mut seen = self
            .seen
            .lock()
            .map_err(|_| DpopProofError::ReplayCacheFull)?;
        let until = now + self.max_age + 2 * self.leeway;
        if seen.get(&jti).is_some_and(|exp| *exp >= now) {
            return Err(DpopProofError::Replayed);
        }
        if seen.len() >= MAX_SEEN {
            seen.retain(|_, exp| *exp >= now);
            if seen.len() >= MAX_SEEN {
                return Err(DpopProofError::ReplayCacheFull);
            }
        }
        seen.insert(jti, until);
        Ok(())
    }
}

impl IntoResponse for DpopProofError {
    /// 401 with `WWW-Authenticate: DPoP error=..., algs="ES256"` (and a
    /// `DPoP-Nonce` for a nonce challenge), a JSON body with the stable
    /// code, never cached.
    fn into_response(self) -> Response {
        let error = self.oauth_error();
        let mut challenge = format!("DPoP error=\"{error}\", algs=\"ES256\"");
        if error != "use_dpop_nonce" {
            challenge.push_str(&format!(", error_description=\"{self}\""));
        }
        let body = serde_json::json!({
            "error": error,
            "error_description": self.to_string(),
            "code": self.code(),
        });
        let mut res = (http::StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        let h = res.headers_mut();
        if let Ok(v) = http::HeaderValue::from_str(&challenge) {
            h.insert(http::header::WWW_AUTHENTICATE, v);
        }
        if let DpopProofError::UseNonce { nonce } = &self {
            if let Ok(v) = http::HeaderValue::from_str(nonce) {
                h.insert(super::NONCE_HEADER, v);
            }
        }
        h.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::crypto::dpop_key::DpopKeyPair;

    fn proof(key: &DpopKeyPair, claims: serde_json::Value) -> String {
        key.sign(claims.to_string().as_bytes())
    }

    fn check(
        v: &DpopVerifier,
        p: &str,
        token: &str,
        jkt: Option<&str>,
    ) -> Result<String, DpopProofError> {
        let headers = http::HeaderMap::new();
        let req = DpopRequest {
            headers: &headers,
            method: &http::Method::GET,
            url: "https://api.example/items?page=1",
            access_token: token,
            jkt,
        };
        v.verify_proof(p, &req, 1_000_000)
    }

    #[test]
    fn every_rule_of_rfc_9449_4_3() {
        let key = DpopKeyPair::generate();
        let jkt = key.thumbprint().to_owned();
        let v = DpopVerifier::new();
        let ok = |jti: &str| {
            serde_json::json!({"jti": jti, "htm": "GET", "htu": "https://api.example/items",
                "iat": 1_000_000, "ath": token_hash("tok")})
        };
        assert_eq!(
            check(&v, &proof(&key, ok("a")), "tok", Some(&jkt)).unwrap(),
            jkt
        );
        assert_eq!(
            check(&v, &proof(&key, ok("a")), "tok", Some(&jkt)),
            Err(DpopProofError::Replayed)
        );
        let with = |field: &str, value: serde_json::Value| {
            let mut c = ok(&random_token(8));
            c[field] = value;
            proof(&key, c)
        };
        let cases = [
            (with("htm", "POST".into()), DpopProofError::MethodMismatch),
            (
                with("htu", "https://api.example/other".into()),
                DpopProofError::UrlMismatch,
            ),
            (
                with("iat", 1_000_100.into()),
                DpopProofError::IssuedInTheFuture,
            ),
            (with("iat", 999_000.into()), DpopProofError::Expired),
            (
                with("ath", token_hash("other").into()),
                DpopProofError::AccessTokenHashMismatch,
            ),
        ];
        for (p, want) in cases {
            assert_eq!(check(&v, &p, "tok", Some(&jkt)), Err(want));
        }
        let fresh = proof(&key, ok("b"));
        assert_eq!(
            check(&v, &fresh, "tok", None),
            Err(DpopProofError::TokenNotBound)
        );
        let other = DpopKeyPair::generate();
        assert_eq!(
            check(&v, &fresh, "tok", Some(other.thumbprint())),
            Err(DpopProofError::KeyMismatch)
        );
        // A signature by another key than the one in the header.
        let forged = format!(
            "{}.{}",
            fresh.rsplit_once('.').unwrap().0,
            proof(&other, ok("c")).rsplit_once('.').unwrap().1
        );
        assert_eq!(
            check(&v, &forged, "tok", Some(&jkt)),
            Err(DpopProofError::InvalidSignature)
        );
        for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!", &"a".repeat(MAX_PROOF + 1)] {
            assert_eq!(
                check(&v, junk, "tok", Some(&jkt)),
                Err(DpopProofError::Malformed)
            );
        }
    }

    #[test]
    fn nonces_are_demanded_and_rotate() {
        let key = DpopKeyPair::generate();
        let jkt = key.thumbprint().to_owned();
        let v = DpopVerifier::new().require_nonce();
        let base = serde_json::json!({"jti": "n1", "htm": "GET", "htu": "https://api.example/items",
            "iat": 1_000_000, "ath": token_hash("tok")});
        let Err(DpopProofError::UseNonce { nonce }) =
            check(&v, &proof(&key, base.clone()), "tok", Some(&jkt))
        else {
            panic!("a nonce is demanded");
        };
        let mut with_nonce = base;
        with_nonce["nonce"] = nonce.clone().into();
        with_nonce["jti"] = "n2".into();
        assert!(check(&v, &proof(&key, with_nonce), "tok", Some(&jkt)).is_ok());
        let res = DpopProofError::UseNonce {
            nonce: nonce.clone(),
        }
        .into_response();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["dpop-nonce"], nonce.as_str());
        assert!(res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("use_dpop_nonce"));
    }
}
