//! ID-token validation per OpenID Connect Core 1.0 §3.1.3.7.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::server::config::IdTokenSigningAlg;
use crate::server::error::{TokenFault as F, TokenKind, TokenValidationError};
use crate::server::oidc::Oidc;
use crate::server::time::now;

/// What [`decode_checked`] checks besides the signature.
pub(crate) struct ClaimChecks<'a> {
    /// The one algorithm the signature may use.
    pub(crate) alg: Algorithm,
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    pub(crate) leeway: u64,
    /// The exact `iss`.
    pub(crate) issuer: &'a str,
    /// An audience `aud` must name exactly.
    pub(crate) audience: &'a str,
    /// Claims that must be present (`exp` is checked whenever present).
    pub(crate) required: &'a [&'a str],
}

/// Verifies a JWT's signature with `key` and checks `iss`, `aud`, `exp` and
/// `nbf`; returns its claims, or which check failed. The provider client
/// (ID, access and logout tokens) and the resource server share it.
pub(crate) fn decode_checked(
    token: &str,
    key: &DecodingKey,
    checks: &ClaimChecks<'_>,
) -> Result<Map<String, Value>, F> {
    let mut v = Validation::new(checks.alg);
    v.algorithms = vec![checks.alg];
    v.leeway = checks.leeway;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.set_issuer(&[checks.issuer]);
    v.set_audience(&[checks.audience]);
    v.set_required_spec_claims(checks.required);
    jsonwebtoken::decode::<Map<String, Value>>(token, key, &v)
        .map(|d| d.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => F::BadSignature,
                K::ExpiredSignature => F::Expired,
                K::InvalidIssuer => F::WrongIssuer,
                K::InvalidAudience => F::WrongAudience,
                K::ImmatureSignature => F::NotYetValid,
                K::MissingRequiredClaim(c) => F::MissingClaim(c.clone()),
                _ => F::Invalid,
            }
        })
}

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

/// Asymmetric algorithms accepted for access tokens (API tokens, whatever
/// the application's ID-token setting). `none` and every HMAC algorithm are
/// refused: an HMAC "signature" made with the provider's public key as the
/// secret must never verify.
const ACCESS_TOKEN_ALGS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Whether the JOSE header of `token` says `"alg": "none"` (in any case).
fn header_alg_is_none(token: &str) -> bool {
    use base64::Engine as _;
    let Some(h) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h.trim_end_matches('='))
    else {
        return false;
    };
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("alg")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        })
        .is_some_and(|a| a == "none")
}

/// What the ID token must prove.
pub(crate) struct Expectations<'a> {
    /// The nonce sent in the authorization request (none for refreshes).
    pub(crate) nonce: Option<&'a str>,
    /// `max_age` sent in the authorization request.
    pub(crate) max_age: Option<u64>,
    /// `organization` sent in the authorization request: an `org_…` id must
    /// equal `org_id`, a name must equal `org_name` (in any case).
    pub(crate) organization: Option<&'a str>,
}

fn jose(alg: IdTokenSigningAlg) -> Algorithm {
    match alg {
        IdTokenSigningAlg::RS256 => Algorithm::RS256,
        IdTokenSigningAlg::RS384 => Algorithm::RS384,
        IdTokenSigningAlg::RS512 => Algorithm::RS512,
        IdTokenSigningAlg::PS256 => Algorithm::PS256,
        IdTokenSigningAlg::PS384 => Algorithm::PS384,
        IdTokenSigningAlg::PS512 => Algorithm::PS512,
        IdTokenSigningAlg::ES256 => Algorithm::ES256,
        IdTokenSigningAlg::ES384 => Algorithm::ES384,
        IdTokenSigningAlg::HS256 => Algorithm::HS256,
    }
}

/// Decodes the JWT header and checks its `alg` is one of `accepted`
/// (`alg: none` has a fault of its own).
pub(crate) fn check_header(
    token: &str,
    what: TokenKind,
    accepted: &[Algorithm],
) -> Result<jsonwebtoken::Header, TokenValidationError> {
    let fail = |fault| TokenValidationError::new(what, fault);
    let header = match jsonwebtoken::decode_header(token) {
        Ok(h) => h,
        // jsonwebtoken has no `none`: tell that case apart for the message.
        Err(_) if header_alg_is_none(token) => return Err(fail(F::AlgorithmNone)),
        Err(_) => return Err(fail(F::Malformed)),
    };
    if !accepted.contains(&header.alg) {
        return Err(fail(F::AlgorithmNotAllowed));
    }
    Ok(header)
}

impl Oidc {
    /// The algorithms a token of kind `what` may use: ID and logout tokens
    /// exactly the configured one, access tokens the asymmetric family.
    fn accepted_algs(&self, what: TokenKind) -> Vec<Algorithm> {
        match what {
            TokenKind::AccessToken => ACCESS_TOKEN_ALGS.to_vec(),
            _ => vec![jose(self.id_token_alg)],
        }
    }

    /// Verifies a JWT signed by the provider: `alg` one of
    /// [`Self::accepted_algs`] (read from the header only to pick the key,
    /// so `none` and unconfigured algorithms never reach a verifier), key
    /// from the JWKS (or the client secret for a configured HS256),
    /// signature, `iss`, `aud`, `exp`, `nbf`.
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
        let header = check_header(token, what, &self.accepted_algs(what))?;
        let key = if header.alg == Algorithm::HS256 {
            // Reached only when HS256 is configured for ID tokens: the
            // client secret is the key, never anything from the JWKS.
            DecodingKey::from_secret(self.client_secret.secret().as_bytes())
        } else {
            let jwk = self
                .signing_key(header.kid.as_deref(), header.alg)
                .await
                .map_err(fail)?;
            DecodingKey::from_jwk(&jwk).map_err(|_| fail(F::NoMatchingKey))?
        };
        let md = self
            .metadata()
            .await
            .map_err(|_| fail(F::KeysUnavailable))?;
        let checks = ClaimChecks {
            alg: header.alg,
            leeway: LEEWAY,
            issuer: &md.issuer,
            audience,
            required,
        };
        decode_checked(token, &key, &checks).map_err(fail)
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
        let claims = self
            .verify_jwt(token, client_id, TokenKind::IdToken)
            .await?;
        check_id_token_claims(&claims, client_id, &expect, now())?;
        Ok(claims)
    }
}

/// The ID-token checks that follow signature verification: `azp` (steps 4,
/// 5), `iat` (10), `nonce` (11), `auth_time` with `max_age` (13), `sub`,
/// and the requested organization, at time `now`. Needs no network.
pub(crate) fn check_id_token_claims(
    claims: &Map<String, Value>,
    client_id: &str,
    expect: &Expectations<'_>,
    now: i64,
) -> Result<(), TokenValidationError> {
    let fail = |fault| TokenValidationError::new(TokenKind::IdToken, fault);

    // aud with several values: azp must be present and be us; azp present: must be us.
    let multi_aud = matches!(claims.get("aud"), Some(Value::Array(a)) if a.len() > 1);
    match claims.get("azp") {
        Some(Value::String(azp)) if azp == client_id => {}
        Some(_) => return Err(fail(F::WrongAuthorizedParty)),
        None if multi_aud => return Err(fail(F::MultipleAudiencesWithoutAzp)),
        None => {}
    }
    check_iat(claims, now).map_err(fail)?;
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
        // A `max_age` beyond i64 (or an `auth_time` near it) saturates
        // instead of wrapping: it never expires, it never overflows.
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        if auth_time
            .saturating_add(max_age)
            .saturating_add(LEEWAY as i64)
            < now
        {
            return Err(fail(F::MaxAgeExceeded));
        }
    }
    if !matches!(claims.get("sub"), Some(Value::String(s)) if !s.is_empty()) {
        return Err(fail(F::NoSubject));
    }
    if let Some(org) = expect.organization {
        let (claim, ok) = if org.starts_with("org_") {
            let got = claims.get("org_id").and_then(Value::as_str);
            ("org_id", got == Some(org))
        } else {
            let got = claims.get("org_name").and_then(Value::as_str);
            (
                "org_name",
                got.is_some_and(|g| g.to_lowercase() == org.to_lowercase()),
            )
        };
        if !ok {
            return Err(fail(F::OrganizationMismatch(claim.into())));
        }
    }
    Ok(())
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
        check_logout_token_claims(&claims, now())?;
        Ok(claims)
    }
}

/// The back-channel logout token checks that follow signature verification
/// (OpenID Connect Back-Channel Logout 1.0 §2.6): `iat`, the logout event,
/// no `nonce`, and `sid` and/or `sub`, at time `now`. Needs no network.
pub(crate) fn check_logout_token_claims(
    claims: &Map<String, Value>,
    now: i64,
) -> Result<(), TokenValidationError> {
    let fail = |fault| TokenValidationError::new(TokenKind::LogoutToken, fault);
    check_iat(claims, now).map_err(fail)?;
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(now);
    if iat
        .saturating_add(LOGOUT_TOKEN_MAX_AGE)
        .saturating_add(LEEWAY as i64)
        < now
    {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn huge_max_age_never_expires_and_never_overflows() {
        let c = claims(json!({"sub": "u", "iat": NOW, "auth_time": NOW - 3600}));
        for max_age in [i64::MAX as u64, u64::MAX, 1 << 63] {
            let expect = Expectations {
                nonce: None,
                max_age: Some(max_age),
                organization: None,
            };
            assert!(
                check_id_token_claims(&c, "client", &expect, NOW).is_ok(),
                "max_age={max_age}"
            );
        }
        let c = claims(json!({"sub": "u", "iat": NOW, "auth_time": i64::MAX}));
        let expect = Expectations {
            nonce: None,
            max_age: Some(i64::MAX as u64),
            organization: None,
        };
        assert!(check_id_token_claims(&c, "client", &expect, NOW).is_ok());
    }

    #[test]
    fn max_age_is_still_enforced() {
        let c = claims(json!({"sub": "u", "iat": NOW, "auth_time": NOW - 3600}));
        let expect = Expectations {
            nonce: None,
            max_age: Some(60),
            organization: None,
        };
        let err = check_id_token_claims(&c, "client", &expect, NOW).unwrap_err();
        assert_eq!(err.fault, F::MaxAgeExceeded);
    }
}

/// `iat` is present and not in the future (with the clock leeway).
fn check_iat(claims: &Map<String, Value>, now: i64) -> Result<(), F> {
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| F::MissingClaim("iat".into()))?;
    if iat > now.saturating_add(LEEWAY as i64) {
        return Err(F::IssuedInTheFuture);
    }
    Ok(())
}

#[cfg(test)]
mod typ_tests {
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
