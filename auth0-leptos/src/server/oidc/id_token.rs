//! ID-token validation per OpenID Connect Core 1.0 §3.1.3.7.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::server::error::{TokenFault as F, TokenKind, TokenValidationError};
use crate::server::oidc::Oidc;
use crate::server::time::now;

/// Clock skew tolerated on `exp`, `iat`, `auth_time`.
pub(crate) const LEEWAY: u64 = 60;

/// How long after its `iat` a back-channel logout token is accepted (plus
/// [`LEEWAY`]), whatever its `exp`: the provider sends it as the session
/// ends, so an older one is stale or replayed.
pub(crate) const LOGOUT_TOKEN_MAX_AGE: i64 = 600;

/// Whether a JWT `typ` header names a logout token (Back-Channel Logout
/// 1.0 §2.4: `logout+jwt`; the `application/` prefix may be given), compared
/// case-insensitively.
fn is_logout_typ(typ: &str) -> bool {
    let t = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
        _ => typ,
    };
    t.eq_ignore_ascii_case("logout+jwt")
}

/// Asymmetric algorithms we accept. `none` and every HMAC algorithm are
/// refused: an HMAC "signature" made with the provider's public key as the
/// secret must never verify.
const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// What the ID token must prove.
pub(crate) struct Expectations<'a> {
    /// The nonce sent in the authorization request (none for refreshes).
    pub(crate) nonce: Option<&'a str>,
    /// `max_age` sent in the authorization request.
    pub(crate) max_age: Option<u64>,
}

impl Oidc {
    /// Verifies a JWT signed by the provider: `alg` one of [`ALLOWED`] (read
    /// from the header only to pick the key, so `none`/HMAC never reach a
    /// verifier), key from the JWKS, signature, `iss`, `aud`, `exp`, `nbf`.
    async fn verify_jwt(
        &self,
        token: &str,
        audience: &str,
        what: TokenKind,
    ) -> Result<Map<String, Value>, TokenValidationError> {
        self.verify_jwt_requiring(token, audience, what, &["exp", "iss", "aud", "sub"])
            .await
    }

    /// [`Self::verify_jwt`] with the claims that must be present.
    async fn verify_jwt_requiring(
        &self,
        token: &str,
        audience: &str,
        what: TokenKind,
        required: &[&str],
    ) -> Result<Map<String, Value>, TokenValidationError> {
        let fail = |fault| TokenValidationError::new(what, fault);
        let header = jsonwebtoken::decode_header(token).map_err(|_| fail(F::Malformed))?;
        if !ALLOWED.contains(&header.alg) {
            return Err(fail(F::AlgorithmNotAllowed));
        }
        let jwk = self
            .signing_key(header.kid.as_deref(), header.alg)
            .await
            .map_err(fail)?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| fail(F::NoMatchingKey))?;
        let md = self
            .metadata()
            .await
            .map_err(|_| fail(F::KeysUnavailable))?;
        let mut v = Validation::new(header.alg);
        v.algorithms = vec![header.alg];
        v.leeway = LEEWAY;
        // exp is checked when present; `required` says whether it must be.
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_issuer(&[md.issuer.as_str()]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(required);
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                fail(match e.kind() {
                    K::InvalidSignature => F::BadSignature,
                    K::ExpiredSignature => F::Expired,
                    K::InvalidIssuer => F::WrongIssuer,
                    K::InvalidAudience => F::WrongAudience,
                    K::ImmatureSignature => F::NotYetValid,
                    K::MissingRequiredClaim(c) => F::MissingClaim(c.clone()),
                    _ => F::Invalid,
                })
            })
    }

    /// Validates `token` and returns its claims: signature with the
    /// provider's key (step 6), `iss` (2), `aud` (3), `azp` (4, 5), `exp` (9),
    /// `iat` (10), `nonce` (11), `auth_time` with `max_age` (13).
    pub(crate) async fn validate_id_token(
        &self,
        token: &str,
        client_id: &str,
        expect: Expectations<'_>,
    ) -> Result<Map<String, Value>, TokenValidationError> {
        let fail = |fault| TokenValidationError::new(TokenKind::IdToken, fault);
        let claims = self
            .verify_jwt(token, client_id, TokenKind::IdToken)
            .await?;

        // aud with several values: azp must be present and be us; azp present: must be us.
        let multi_aud = matches!(claims.get("aud"), Some(Value::Array(a)) if a.len() > 1);
        match claims.get("azp") {
            Some(Value::String(azp)) if azp == client_id => {}
            Some(_) => return Err(fail(F::WrongAuthorizedParty)),
            None if multi_aud => return Err(fail(F::MultipleAudiencesWithoutAzp)),
            None => {}
        }
        let now = now();
        let iat = claims
            .get("iat")
            .and_then(Value::as_i64)
            .ok_or_else(|| fail(F::MissingClaim("iat".into())))?;
        if iat > now + LEEWAY as i64 {
            return Err(fail(F::IssuedInTheFuture));
        }
        match (expect.nonce, claims.get("nonce")) {
            (Some(expected), Some(Value::String(got))) if got == expected => {}
            (Some(_), _) => return Err(fail(F::NonceMismatch)),
            (None, _) => {}
        }
        if let Some(max_age) = expect.max_age {
            let auth_time = claims
                .get("auth_time")
                .and_then(Value::as_i64)
                .ok_or_else(|| fail(F::MissingAuthTime))?;
            if auth_time + max_age as i64 + (LEEWAY as i64) < now {
                return Err(fail(F::MaxAgeExceeded));
            }
        }
        if !matches!(claims.get("sub"), Some(Value::String(s)) if !s.is_empty()) {
            return Err(fail(F::NoSubject));
        }
        Ok(claims)
    }
}

impl Oidc {
    /// Validates a JWT access token issued by the provider for `audience`
    /// (signature from the JWKS, `iss`, `aud`, `exp`, `nbf`); returns its claims.
    pub(crate) async fn validate_access_token(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<Map<String, Value>, TokenValidationError> {
        self.verify_jwt(token, audience, TokenKind::AccessToken)
            .await
    }
}

/// The event a back-channel logout token must carry.
const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

impl Oidc {
    /// Validates a back-channel logout token (OpenID Connect Back-Channel
    /// Logout 1.0 §2.6): the `typ` header, when present, is `logout+jwt`;
    /// signature, `iss`, `aud` = client id, `iat` neither in the future nor
    /// older than [`LOGOUT_TOKEN_MAX_AGE`] (each with [`LEEWAY`]), `exp` when
    /// present, the logout event, no `nonce`, and `sid` and/or `sub`.
    /// Returns the claims.
    pub(crate) async fn validate_logout_token(
        &self,
        token: &str,
        client_id: &str,
    ) -> Result<Map<String, Value>, TokenValidationError> {
        let fail = |fault| TokenValidationError::new(TokenKind::LogoutToken, fault);
        let header = jsonwebtoken::decode_header(token).map_err(|_| fail(F::Malformed))?;
        if header.typ.as_deref().is_some_and(|t| !is_logout_typ(t)) {
            return Err(fail(F::WrongType));
        }
        let claims = self
            .verify_jwt_requiring(
                token,
                client_id,
                TokenKind::LogoutToken,
                &["iss", "aud", "iat"],
            )
            .await?;
        let iat = claims
            .get("iat")
            .and_then(Value::as_i64)
            .ok_or_else(|| fail(F::MissingClaim("iat".into())))?;
        let now = now();
        if iat > now + LEEWAY as i64 {
            return Err(fail(F::IssuedInTheFuture));
        }
        if iat + LOGOUT_TOKEN_MAX_AGE + (LEEWAY as i64) < now {
            return Err(fail(F::IssuedTooLongAgo));
        }
        let has_event = claims
            .get("events")
            .and_then(Value::as_object)
            .is_some_and(|e| {
                e.get(BACKCHANNEL_LOGOUT_EVENT)
                    .is_some_and(Value::is_object)
            });
        if !has_event {
            return Err(fail(F::NoLogoutEvent));
        }
        if claims.contains_key("nonce") {
            return Err(fail(F::LogoutTokenWithNonce));
        }
        let non_empty = |k: &str| matches!(claims.get(k), Some(Value::String(s)) if !s.is_empty());
        if !non_empty("sid") && !non_empty("sub") {
            return Err(fail(F::NoSidOrSub));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::is_logout_typ;

    #[test]
    fn logout_typ() {
        for ok in [
            "logout+jwt",
            "Logout+JWT",
            "application/logout+jwt",
            "APPLICATION/Logout+Jwt",
        ] {
            assert!(is_logout_typ(ok), "{ok}");
        }
        for bad in [
            "",
            "JWT",
            "at+jwt",
            "application/",
            "application/jwt",
            "xapplication/logout+jwt",
            "logout+jwt+x",
            "application/application/logout+jwt",
            " logout+jwt",
            "ééééééééé+jwt",
            "applicatioé/logout+jwt",
        ] {
            assert!(!is_logout_typ(bad), "{bad}");
        }
    }
}
