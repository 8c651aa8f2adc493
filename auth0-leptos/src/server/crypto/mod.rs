//! Cryptography at the bottom of the crate: the JWE cookie format (HKDF key
//! ring, `dir` + `A256GCM`) and randomness. Knows nothing above it.

pub(crate) mod dpop_key;
pub(crate) mod jwe;

/// A random URL-safe string of `n` random bytes (from the OS generator).
pub(crate) fn random_token(n: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
