//! The DPoP key pair (RFC 9449): an ES256 (P-256) key, its public JWK and
//! RFC 7638 thumbprint, and the signing of proofs. The proof's header is
//! the same for every proof of a key, so it is encoded once.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

/// Why a DPoP key pair could not be read or written (no key material is
/// ever part of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFault {
    /// The private key is not a P-256 key in PEM (PKCS#8 or SEC1).
    PrivateKey,
    /// The public key is not a P-256 key in PEM (SPKI).
    PublicKey,
    /// The public key is not the private key's.
    Mismatch,
    /// A key could not be encoded as PEM.
    Export,
}

/// An ES256 key pair for DPoP proofs (the seeds' `dpopKeyPair`). Load one
/// from PEM (`DpopKeyPair::from_pem`) or make one ([`Self::generate`]) and export
/// it for `AUTH0_DPOP_PRIVATE_KEY` / `AUTH0_DPOP_PUBLIC_KEY`. `Debug` prints
/// only the public key's thumbprint.
#[derive(Clone)]
pub struct DpopKeyPair {
    signing: SigningKey,
    jkt: String,
    /// `base64url({"alg":"ES256","typ":"dpop+jwt","jwk":{..}})` and a dot.
    header: String,
    jwk: serde_json::Value,
}

impl fmt::Debug for DpopKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKeyPair")
            .field("alg", &"ES256")
            .field("jkt", &self.jkt)
            .finish_non_exhaustive()
    }
}

impl DpopKeyPair {
    /// A new random key pair (the seeds' `generateDpopKeyPair`).
    pub fn generate() -> Self {
        Self::from_signing(SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// Reads a key pair from PEM (see `from_pem`, which wraps this).
    pub(crate) fn read(private_key: &str, public_key: Option<&str>) -> Result<Self, KeyFault> {
        let text = private_key.trim();
        let signing = SigningKey::from_pkcs8_pem(text)
            .or_else(|_| p256::SecretKey::from_sec1_pem(text).map(SigningKey::from))
            .map_err(|_| KeyFault::PrivateKey)?;
        if let Some(public) = public_key {
            let public = VerifyingKey::from_public_key_pem(public.trim())
                .map_err(|_| KeyFault::PublicKey)?;
            if public != *signing.verifying_key() {
                return Err(KeyFault::Mismatch);
            }
        }
        Ok(Self::from_signing(signing))
    }

    fn from_signing(signing: SigningKey) -> Self {
        let point = signing.verifying_key().to_encoded_point(false);
        let (x, y) = match (point.x(), point.y()) {
            (Some(x), Some(y)) => (B64.encode(x), B64.encode(y)),
            // An uncompressed point always has both coordinates.
            _ => (String::new(), String::new()),
        };
        let jkt = thumbprint(&x, &y);
        let jwk = serde_json::json!({"crv": "P-256", "kty": "EC", "x": x, "y": y});
        let header = serde_json::json!({"alg": "ES256", "typ": "dpop+jwt", "jwk": jwk});
        let header = format!("{}.", B64.encode(header.to_string()));
        Self {
            signing,
            jkt,
            header,
            jwk,
        }
    }

    /// The RFC 7638 thumbprint of the public key (base64url SHA-256): the
    /// `jkt` that DPoP-bound tokens carry in `cnf`.
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    pub fn public_jwk(&self) -> &serde_json::Value {
        &self.jwk
    }

    /// The private key as PKCS#8 PEM.
    pub(crate) fn export_private(&self) -> Result<String, KeyFault> {
        self.signing
            .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .map(|pem| pem.as_str().to_owned())
            .map_err(|_| KeyFault::Export)
    }

    /// The public key as SPKI PEM.
    pub(crate) fn export_public(&self) -> Result<String, KeyFault> {
        self.signing
            .verifying_key()
            .to_public_key_pem(p256::pkcs8::LineEnding::LF)
            .map_err(|_| KeyFault::Export)
    }

    /// A signed proof (compact JWS) for the claims `payload` (JSON).
    pub(crate) fn sign(&self, payload: &[u8]) -> String {
        let mut out = String::with_capacity(self.header.len() + payload.len() * 4 / 3 + 90);
        out.push_str(&self.header);
        B64.encode_string(payload, &mut out);
        let sig: Signature = self.signing.sign(out.as_bytes());
        out.push('.');
        B64.encode_string(sig.to_bytes(), &mut out);
        out
    }
}

/// The RFC 7638 thumbprint of a P-256 public key given by its base64url
/// coordinates: the members in lexicographic order, no whitespace.
pub(crate) fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// `base64url(SHA-256(token))`: the `ath` of a proof that presents `token`.
pub(crate) fn token_hash(token: &str) -> String {
    B64.encode(Sha256::digest(token.as_bytes()))
}

/// Verifies an ES256 signature over `input` with the public key at `(x, y)`
/// (base64url coordinates). `false` for anything malformed.
pub(crate) fn verify_es256(x: &str, y: &str, input: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier;
    let (Ok(x), Ok(y)) = (B64.decode(x), B64.decode(y)) else {
        return false;
    };
    if x.len() != 32 || y.len() != 32 {
        return false;
    }
    let point = p256::EncodedPoint::from_affine_coordinates(
        p256::FieldBytes::from_slice(&x),
        p256::FieldBytes::from_slice(&y),
        false,
    );
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify(input, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proofs_verify_with_the_published_key_and_pem_round_trips() {
        let k = DpopKeyPair::generate();
        let proof = k.sign(br#"{"htm":"POST"}"#);
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        let (x, y) = (
            header["jwk"]["x"].as_str().unwrap(),
            header["jwk"]["y"].as_str().unwrap(),
        );
        assert!(header["jwk"].get("d").is_none(), "no private part");
        let input = format!("{}.{}", parts[0], parts[1]);
        let sig = B64.decode(parts[2]).unwrap();
        assert!(verify_es256(x, y, input.as_bytes(), &sig));
        assert!(!verify_es256(x, y, b"other input", &sig));
        assert_eq!(thumbprint(x, y), k.thumbprint());

        let again = DpopKeyPair::read(
            &k.export_private().unwrap(),
            Some(&k.export_public().unwrap()),
        )
        .unwrap();
        assert_eq!(again.thumbprint(), k.thumbprint());
        let other = DpopKeyPair::generate();
        assert_eq!(
            DpopKeyPair::read(
                &k.export_private().unwrap(),
                Some(&other.export_public().unwrap())
            )
            .unwrap_err(),
            KeyFault::Mismatch
        );
        assert!(!format!("{k:?}").contains("PRIVATE"));
    }

    #[test]
    fn thumbprint_of_the_rfc_9449_example_key() {
        // RFC 9449 4.1 (the proof's key) and 6.1 (its `cnf.jkt`).
        assert_eq!(
            thumbprint(
                "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
                "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"
            ),
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        );
    }
}
