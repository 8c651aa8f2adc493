//! Compact JWE with `alg: dir`, `enc: A256GCM`: the cookie format of
//! nextjs-auth0 v4.
//!
//! The content-encryption key is HKDF-SHA256(ikm = the secret's UTF-8 bytes,
//! salt = empty, info = "JWE CEK", 32 bytes). Keys are derived once, when the
//! [`Keyring`] is built, never per request. The payload is a JSON object with
//! an `exp` claim (seconds since the epoch), checked on open with the same
//! 15 s tolerance as `jose`.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::secret::CookieSecret;

/// `{"alg":"dir","enc":"A256GCM"}`, base64url: the protected header we write.
const HEADER_B64: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";
/// Clock tolerance when checking `exp`, as in nextjs-auth0.
pub(crate) const CLOCK_TOLERANCE: i64 = 15;
/// Upper bound on what we try to open: 64 KiB is far above any browser's
/// cookie budget, so anything larger is not ours.
const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The keys derived from one or more secrets: the first encrypts, all
/// decrypt (secret rotation).
#[derive(Clone)]
pub(crate) struct Keyring {
    ciphers: Vec<Aes256Gcm>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({} keys, [redacted])", self.ciphers.len())
    }
}

/// Derives the 32-byte content-encryption key nextjs-auth0 derives from a secret.
pub(crate) fn derive_key(secret: &str) -> [u8; 32] {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(&[]), secret.as_bytes());
    let mut okm = [0u8; 32];
    // 32 bytes is always a valid HKDF-SHA256 output length.
    hk.expand(b"JWE CEK", &mut okm)
        .expect("32 is a valid HKDF-SHA256 length");
    okm
}

#[derive(Deserialize)]
struct Header<'a> {
    alg: &'a str,
    enc: &'a str,
    #[serde(default)]
    zip: Option<&'a str>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// A payload that carries its own `exp` claim once parsed (so the JSON is
/// parsed once, not once for `exp` and again for the value).
pub(crate) trait WithExp: DeserializeOwned {
    /// Removes and returns the `exp` claim.
    fn take_exp(&mut self) -> Option<f64>;
}

impl WithExp for serde_json::Value {
    fn take_exp(&mut self) -> Option<f64> {
        self.as_object_mut()?.remove("exp")?.as_f64()
    }
}

impl Keyring {
    /// Derives one key per secret. The first secret encrypts.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a CookieSecret>) -> Self {
        let ciphers = secrets
            .into_iter()
            .map(|s| Aes256Gcm::new(&derive_key(s.secret()).into()))
            .collect();
        Self { ciphers }
    }

    /// Encrypts `payload` (a JSON object) adding `exp`. Returns the compact JWE.
    pub(crate) fn seal<T: Serialize>(
        &self,
        payload: &T,
        exp: i64,
    ) -> Result<String, serde_json::Error> {
        /// The payload's fields followed by `exp`, serialized in one pass.
        #[derive(Serialize)]
        struct Claims<'a, T> {
            #[serde(flatten)]
            payload: &'a T,
            exp: i64,
        }
        let plaintext = serde_json::to_vec(&Claims { payload, exp })?;
        Ok(self.seal_bytes(plaintext))
    }

    /// Encrypts raw bytes with the newest key.
    pub(crate) fn seal_bytes(&self, mut buf: Vec<u8>) -> String {
        let cipher = &self.ciphers[0];
        let mut iv = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut iv);
        // Encryption with a fresh 96-bit IV cannot fail for inputs below 64 GiB.
        let tag = cipher
            .encrypt_in_place_detached(Nonce::from_slice(&iv), HEADER_B64.as_bytes(), &mut buf)
            .expect("AES-GCM encryption");
        let mut out = String::with_capacity(HEADER_B64.len() + 4 + (buf.len() + 28) * 4 / 3 + 8);
        out.push_str(HEADER_B64);
        out.push_str("..");
        B64.encode_string(iv, &mut out);
        out.push('.');
        B64.encode_string(&buf, &mut out);
        out.push('.');
        B64.encode_string(tag, &mut out);
        out
    }

    /// Decrypts and checks `exp`. `None` for anything that is not a valid,
    /// unexpired token sealed with one of our keys.
    pub(crate) fn open<T: WithExp>(&self, token: &str, now: i64) -> Option<(T, i64)> {
        let plaintext = self.open_bytes(token)?;
        let mut value = serde_json::from_slice::<T>(&plaintext).ok()?;
        let exp = value.take_exp()?;
        // `as` saturates: an absurdly far `exp` is simply far in the future.
        if !exp.is_finite() || (exp as i64).saturating_add(CLOCK_TOLERANCE) <= now {
            return None;
        }
        Some((value, exp as i64))
    }

    /// Decrypts a compact JWE. `None` when it is malformed or no key opens it.
    pub(crate) fn open_bytes(&self, token: &str) -> Option<Vec<u8>> {
        if token.len() > MAX_TOKEN_LEN {
            return None;
        }
        let mut parts = token.split('.');
        let (h, k, iv, ct, tag) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if parts.next().is_some() || !k.is_empty() {
            return None;
        }
        if h != HEADER_B64 {
            // Other writers may order or extend the header differently.
            let raw = B64.decode(h).ok()?;
            let header: Header<'_> = serde_json::from_slice(&raw).ok()?;
            if header.alg != "dir"
                || header.enc != "A256GCM"
                || header.zip.is_some()
                || header.crit.is_some()
            {
                return None;
            }
        }
        let iv = B64.decode(iv).ok()?;
        let tag = B64.decode(tag).ok()?;
        if iv.len() != 12 || tag.len() != 16 {
            return None;
        }
        let mut buf = B64.decode(ct).ok()?;
        // AES-GCM checks the tag before decrypting: a failed attempt leaves
        // the buffer untouched, so the next key can try the same bytes.
        self.ciphers.iter().find_map(|cipher| {
            cipher
                .decrypt_in_place_detached(
                    Nonce::from_slice(&iv),
                    h.as_bytes(),
                    &mut buf,
                    Tag::from_slice(&tag),
                )
                .ok()
        })?;
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ring(secrets: &[&str]) -> Keyring {
        let s: Vec<CookieSecret> = secrets.iter().map(|s| CookieSecret::new(*s)).collect();
        Keyring::new(&s)
    }

    #[test]
    fn round_trip() {
        let k = ring(&["a-very-long-secret-of-at-least-32-chars"]);
        let t = k.seal(&json!({"a": 1}), 2_000).unwrap();
        let (v, exp): (serde_json::Value, i64) = k.open(&t, 1_000).unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(exp, 2_000);
    }

    #[test]
    fn expired_is_rejected_with_tolerance() {
        let k = ring(&["a-very-long-secret-of-at-least-32-chars"]);
        let t = k.seal(&json!({}), 1_000).unwrap();
        assert!(k.open::<serde_json::Value>(&t, 1_010).is_some());
        assert!(k.open::<serde_json::Value>(&t, 1_015).is_none());
    }

    #[test]
    fn rotation_old_secret_still_opens() {
        let old = ring(&["old-secret-old-secret-old-secret-old"]);
        let t = old.seal(&json!({"x": true}), i64::MAX / 2).unwrap();
        let rotated = ring(&[
            "new-secret-new-secret-new-secret-new",
            "old-secret-old-secret-old-secret-old",
        ]);
        assert!(rotated.open::<serde_json::Value>(&t, 0).is_some());
        let fresh = rotated.seal(&json!({}), i64::MAX / 2).unwrap();
        assert!(old.open::<serde_json::Value>(&fresh, 0).is_none());
    }

    #[test]
    fn garbage_and_tampering_never_open() {
        let k = ring(&["a-very-long-secret-of-at-least-32-chars"]);
        let t = k.seal(&json!({"a": 1}), i64::MAX / 2).unwrap();
        for bad in [
            "",
            ".",
            "....",
            "a.b.c.d.e",
            "a.b.c.d.e.f",
            &t[..t.len() - 2],
            &t.replacen("..", ".x.", 1),
        ] {
            assert!(k.open::<serde_json::Value>(bad, 0).is_none(), "{bad}");
        }
        let mut bytes = t.clone().into_bytes();
        let mid = HEADER_B64.len() + 2 + 20;
        bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(k.open::<serde_json::Value>(&tampered, 0).is_none());
    }

    #[test]
    fn far_future_exp_opens_without_overflow() {
        let k = ring(&["a-very-long-secret-of-at-least-32-chars"]);
        for exp in ["1e300", "9223372036854775807", "9223372036854775800"] {
            let t = k.seal_bytes(format!(r#"{{"a":1,"exp":{exp}}}"#).into_bytes());
            let (v, e): (serde_json::Value, i64) = k.open(&t, 1_000).unwrap();
            assert_eq!(v["a"], 1);
            assert!(e > 1_000, "{exp}");
        }
        let t = k.seal_bytes(br#"{"exp":-1e300}"#.to_vec());
        assert!(k.open::<serde_json::Value>(&t, 1_000).is_none());
    }
}
