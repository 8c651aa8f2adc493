//! MFA step-ups: the provider's `mfa_token` sealed for the browser (the
//! Next.js SDK's encrypted token: JWE with the cookie key, `exp` = now +
//! `mfa_token_ttl`) and the session's record of each pending step-up, keyed
//! by a hash of the raw token, so an encrypted token works only with the
//! session that received it. Works on [`SessionData`]; knows no request.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mfa::{MfaError, MfaRequirements, MfaToken};
use crate::secret::RawMfaToken;
use crate::server::crypto::jwe::{Keyring, CLOCK_TOLERANCE};
use crate::server::session::{MfaContext, SessionData};

/// Pending step-ups a session keeps at most; the oldest goes first.
const MAX_CONTEXTS: usize = 8;

/// An `mfa_required` answer, before it is sealed for the browser.
#[derive(Debug, Clone)]
pub(crate) struct StepUp {
    pub(crate) raw: RawMfaToken,
    /// The audience of the token that asked (`None`: the login's token set).
    pub(crate) audience: Option<String>,
    /// The scope that was asked for.
    pub(crate) scope: Option<String>,
    pub(crate) requirements: Option<MfaRequirements>,
}

/// The sealed payload (the Next.js SDK's `MfaContext`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sealed {
    mfa_token: RawMfaToken,
    #[serde(default)]
    audience: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mfa_requirements: Option<MfaRequirements>,
    #[serde(default)]
    created_at: i64,
    #[serde(default, skip_serializing)]
    exp: Option<f64>,
}

/// An opened token whose step-up this session has.
#[derive(Debug)]
pub(crate) struct OpenStepUp {
    pub(crate) step_up: StepUp,
    /// The key of its context in the session.
    pub(crate) key: String,
}

/// The session key of a raw token: SHA-256, hex, first 16 characters.
fn key_of(raw: &RawMfaToken) -> String {
    let digest = Sha256::digest(raw.secret().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals `step_up` for the browser and records it in `data`.
/// `now_ms`: milliseconds since the epoch.
pub(crate) fn begin(
    keyring: &Keyring,
    data: &mut SessionData,
    step_up: &StepUp,
    now_ms: i64,
    token_ttl: i64,
    context_ttl_ms: i64,
) -> MfaToken {
    let sealed = Sealed {
        mfa_token: step_up.raw.clone(),
        audience: step_up.audience.clone().unwrap_or_default(),
        scope: step_up.scope.clone(),
        mfa_requirements: step_up.requirements.clone(),
        created_at: now_ms,
        exp: None,
    };
    let token = keyring
        .seal(&sealed, now_ms / 1000 + token_ttl)
        .unwrap_or_default();
    prune(data, now_ms, context_ttl_ms);
    while data.mfa.len() >= MAX_CONTEXTS {
        let oldest = data
            .mfa
            .iter()
            .min_by_key(|(_, c)| c.created_at)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => data.mfa.remove(&k),
            None => break,
        };
    }
    data.mfa.insert(
        key_of(&step_up.raw),
        MfaContext {
            audience: sealed.audience,
            scope: sealed.scope,
            created_at: now_ms,
        },
    );
    MfaToken::new(token)
}

/// Opens an encrypted token and finds its step-up in `data`.
pub(crate) fn open(
    keyring: &Keyring,
    data: &SessionData,
    token: &MfaToken,
    now_ms: i64,
    context_ttl_ms: i64,
) -> Result<OpenStepUp, MfaError> {
    let bytes = keyring
        .open_bytes(token.as_str())
        .ok_or(MfaError::MfaTokenInvalid)?;
    let sealed: Sealed = serde_json::from_slice(&bytes).map_err(|_| MfaError::MfaTokenInvalid)?;
    let exp = sealed
        .exp
        .filter(|e| e.is_finite())
        .ok_or(MfaError::MfaTokenInvalid)?;
    if (exp as i64).saturating_add(CLOCK_TOLERANCE) <= now_ms / 1000 {
        return Err(MfaError::MfaTokenExpired);
    }
    if sealed.mfa_token.is_empty() {
        return Err(MfaError::MfaTokenInvalid);
    }
    let key = key_of(&sealed.mfa_token);
    match data.mfa.get(&key) {
        Some(c) if c.created_at.saturating_add(context_ttl_ms) > now_ms => {}
        _ => return Err(MfaError::MfaTokenNotFound),
    }
    Ok(OpenStepUp {
        key,
        step_up: StepUp {
            raw: sealed.mfa_token,
            audience: Some(sealed.audience).filter(|a| !a.is_empty()),
            scope: sealed.scope,
            requirements: sealed.mfa_requirements,
        },
    })
}

/// Drops step-ups older than the context TTL. Returns whether any went.
pub(crate) fn prune(data: &mut SessionData, now_ms: i64, context_ttl_ms: i64) -> bool {
    let before = data.mfa.len();
    data.mfa
        .retain(|_, c| c.created_at.saturating_add(context_ttl_ms) > now_ms);
    data.mfa.len() != before
}

/// Whether `data` holds a step-up older than the context TTL.
pub(crate) fn has_expired(data: &SessionData, now_ms: i64, context_ttl_ms: i64) -> bool {
    data.mfa
        .values()
        .any(|c| c.created_at.saturating_add(context_ttl_ms) <= now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::CookieSecret;
    use crate::server::session::TokenSet;

    fn session() -> SessionData {
        let user: crate::User = serde_json::from_str(r#"{"sub":"u"}"#).unwrap();
        SessionData::new(user, TokenSet::default(), None, 1)
    }

    fn step_up(raw: &str) -> StepUp {
        StepUp {
            raw: RawMfaToken::new(raw),
            audience: Some("https://api/".into()),
            scope: Some("read".into()),
            requirements: None,
        }
    }

    #[test]
    fn a_token_opens_only_with_its_session_and_before_it_expires() {
        let keys = Keyring::new([&CookieSecret::new("0123456789abcdef0123456789abcdef")]);
        let other = Keyring::new([&CookieSecret::new("fedcba9876543210fedcba9876543210")]);
        let (mut mine, theirs) = (session(), session());
        let t0 = 1_700_000_000_000;
        let token = begin(&keys, &mut mine, &step_up("raw-1"), t0, 300, 300_000);
        assert!(!token.as_str().contains("raw-1"));
        let opened = open(&keys, &mine, &token, t0 + 1000, 300_000).unwrap();
        assert_eq!(opened.step_up.raw.secret(), "raw-1");
        assert_eq!(opened.step_up.audience.as_deref(), Some("https://api/"));
        assert_eq!(
            open(&keys, &theirs, &token, t0, 300_000).unwrap_err(),
            MfaError::MfaTokenNotFound
        );
        assert_eq!(
            open(&other, &mine, &token, t0, 300_000).unwrap_err(),
            MfaError::MfaTokenInvalid
        );
        assert_eq!(
            open(&keys, &mine, &token, t0 + 400_000, 900_000).unwrap_err(),
            MfaError::MfaTokenExpired
        );
        assert_eq!(
            open(&keys, &mine, &MfaToken::new("garbage"), t0, 300_000).unwrap_err(),
            MfaError::MfaTokenInvalid
        );
        assert!(has_expired(&mine, t0 + 300_000, 300_000));
        assert!(prune(&mut mine, t0 + 300_000, 300_000));
        assert!(mine.mfa.is_empty());
    }

    #[test]
    fn a_session_keeps_a_bounded_number_of_step_ups() {
        let keys = Keyring::new([&CookieSecret::new("0123456789abcdef0123456789abcdef")]);
        let mut s = session();
        for i in 0..20 {
            begin(
                &keys,
                &mut s,
                &step_up(&format!("raw-{i}")),
                1000 + i,
                300,
                300_000,
            );
        }
        assert_eq!(s.mfa.len(), MAX_CONTEXTS);
    }
}
