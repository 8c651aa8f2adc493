//! How the application proves itself to the provider: a client secret
//! (`client_secret_post` or `client_secret_basic`) or a signed client
//! assertion (`private_key_jwt`, RFC 7523 and OpenID Connect Core 9), for
//! every request that authenticates the client: the token endpoint,
//! pushed authorization requests and revocation.

use base64::Engine;
use serde::Serialize;

use crate::secret::ClientSecret;
use crate::server::config::{Auth0Config, ClientAssertion, ClientAuthMethod};
use crate::server::crypto::random_token;
use crate::server::error::ProviderError;
use crate::server::time::now;

/// `client_assertion_type` of a JWT client assertion (RFC 7523 2.2).
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is valid, in seconds.
pub(crate) const ASSERTION_LIFETIME: i64 = 60;

/// The client's credentials and how to present them.
pub(crate) enum ClientAuth {
    /// A client secret, in the body or as HTTP Basic.
    Secret {
        secret: ClientSecret,
        method: ClientAuthMethod,
    },
    /// A private key: each request carries a fresh signed assertion.
    PrivateKeyJwt(ClientAssertion),
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: i64,
    exp: i64,
}

impl ClientAuth {
    pub(crate) fn new(config: &Auth0Config) -> Self {
        match &config.client_assertion {
            Some(a) => Self::PrivateKeyJwt(a.clone()),
            None => Self::Secret {
                secret: config.client_secret.clone(),
                method: config.client_auth_method,
            },
        }
    }

    /// The assertion's signing algorithm, for private_key_jwt.
    pub(crate) fn assertion_alg(&self) -> Option<&'static str> {
        match self {
            Self::PrivateKeyJwt(a) => Some(a.alg.as_str()),
            Self::Secret { .. } => None,
        }
    }

    /// Adds the client's authentication to a request to the provider:
    /// `client_id` always in the body, and the secret in the body or a
    /// Basic header, or a client assertion for `audience` (the issuer).
    pub(crate) fn apply(
        &self,
        req: reqwest::RequestBuilder,
        form: &mut Vec<(&'static str, String)>,
        client_id: &str,
        audience: &str,
    ) -> Result<reqwest::RequestBuilder, ProviderError> {
        form.push(("client_id", client_id.to_owned()));
        Ok(match self {
            Self::Secret {
                secret,
                method: ClientAuthMethod::ClientSecretPost,
            } => {
                form.push(("client_secret", secret.secret().to_owned()));
                req
            }
            Self::Secret {
                secret,
                method: ClientAuthMethod::ClientSecretBasic,
            } => req.header(
                reqwest::header::AUTHORIZATION,
                basic_auth(client_id, secret),
            ),
            Self::PrivateKeyJwt(a) => {
                form.push(("client_assertion_type", JWT_BEARER.to_owned()));
                form.push((
                    "client_assertion",
                    assertion(a, client_id, audience, now())?,
                ));
                req
            }
        })
    }
}

/// A client assertion (RFC 7523 3): `iss` = `sub` = the client id, `aud`
/// = the provider's issuer, a random `jti`, valid for
/// [`ASSERTION_LIFETIME`] seconds from `now`, `kid` when configured.
pub(crate) fn assertion(
    a: &ClientAssertion,
    client_id: &str,
    audience: &str,
    now: i64,
) -> Result<String, ProviderError> {
    let mut header = jsonwebtoken::Header::new(a.alg.jwt());
    header.kid = a.kid.clone();
    let claims = AssertionClaims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        jti: random_token(24),
        iat: now,
        exp: now + ASSERTION_LIFETIME,
    };
    jsonwebtoken::encode(&header, &claims, &a.key)
        .map_err(|_| ProviderError::Invalid("the client assertion could not be signed".into()))
}

fn basic_auth(client_id: &str, secret: &ClientSecret) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(secret.secret()));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::ClientAssertionSigningAlg;

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn assertions_follow_rfc_7523_and_are_never_reused() {
        let pem = include_str!("../../../tests/fixtures/test-rsa-key-1.pem");
        let a = ClientAssertion {
            key: std::sync::Arc::new(
                jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            ),
            alg: ClientAssertionSigningAlg::PS256,
            kid: Some("key-1".into()),
        };
        let issuer = "https://tenant.example.com/";
        let one = assertion(&a, "client-1", issuer, 1_000).unwrap();
        let two = assertion(&a, "client-1", issuer, 1_000).unwrap();
        let parts: Vec<&str> = one.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["kid"], "key-1");
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["aud"], issuer);
        assert_eq!(claims["iat"], 1_000);
        assert_eq!(claims["exp"], 1_000 + ASSERTION_LIFETIME);
        const { assert!(ASSERTION_LIFETIME <= 60) };
        let jti = claims["jti"].as_str().unwrap();
        assert!(jti.len() >= 24);
        assert_ne!(
            decode(two.split('.').nth(1).unwrap())["jti"],
            claims["jti"],
            "a fresh jti each time"
        );
    }
}
