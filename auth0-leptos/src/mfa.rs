//! Multi-factor authentication (step-up): the types shared by the server
//! ([`Auth0Session::mfa`](crate::server::Auth0Session::mfa), the
//! `/auth/mfa/*` routes) and the browser (`mfa_authenticators`,
//! `mfa_enroll`, `mfa_challenge`, `mfa_verify`, `mfa_delete_authenticator`).
//!
//! When the provider answers a token request with `mfa_required`, the
//! error ([`AccessTokenError::MfaRequired`](crate::AccessTokenError::MfaRequired))
//! carries an [`MfaToken`]: the provider's `mfa_token`, encrypted with the
//! cookie secret and bound to the session that received it. The raw token
//! never leaves the server; the encrypted one is what the browser hands back
//! to list, enroll, challenge and verify. A successful verification saves
//! the new access token into the session for the audience that asked.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::oauth_error::OAuth2Error;

/// The encrypted, time-limited `mfa_token` of an MFA step-up (wire-compatible
/// with the Next.js SDK's). Opaque; `Debug` never prints it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MfaToken(String);

impl MfaToken {
    /// Wraps an encrypted token (as received from an error or a client).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token as sent over the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty (the provider sent none: log in again).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for MfaToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MfaToken([redacted])")
    }
}

/// Adds a step-up's `mfa_token` and `mfa_requirements` (the seeds'
/// `MfaRequiredError.toJSON()` fields) to a JSON error body: every answer
/// that asks for a step-up carries them the same way.
#[cfg(feature = "ssr")]
pub(crate) fn add_step_up(
    body: &mut serde_json::Value,
    mfa_token: &MfaToken,
    mfa_requirements: Option<&MfaRequirements>,
) {
    body["mfa_token"] = serde_json::json!(mfa_token);
    if let Some(r) = mfa_requirements {
        body["mfa_requirements"] = serde_json::json!(r);
    }
}

/// One factor of the provider's `mfa_requirements` (`{"type": "otp"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaFactor {
    /// `otp`, `phone`, `email`, `push-notification`, `recovery-code`, ...
    #[serde(rename = "type")]
    pub factor_type: String,
}

/// What the provider requires: a challenge of an enrolled factor, or the
/// enrollment of a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaRequirements {
    /// Factors the user may be challenged with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Vec<MfaFactor>>,
    /// Factors the user may enroll (no factor enrolled yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enroll: Option<Vec<MfaFactor>>,
}

impl MfaRequirements {
    /// Whether the user must enroll a factor first.
    pub fn needs_enrollment(&self) -> bool {
        self.enroll.as_ref().is_some_and(|e| !e.is_empty())
            && self.challenge.as_ref().is_none_or(|c| c.is_empty())
    }
}

/// An authenticator of the user's (the provider's `GET /mfa/authenticators`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    /// Its id (`totp|dev_...`), for challenges and deletion.
    pub id: String,
    /// `otp`, `oob` or `recovery-code`.
    pub authenticator_type: String,
    /// Whether its enrollment was confirmed.
    #[serde(default)]
    pub active: bool,
    /// For `oob`: `sms`, `voice`, `email` or `auth0` (push).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// A display name (a masked phone number, an e-mail address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The factor type (`otp`, `phone`, `email`, `push-notification`, ...).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub factor_type: Option<String>,
}

/// What to enroll (the provider's `POST /mfa/associate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// `["otp"]` or `["oob"]`.
    pub authenticator_types: Vec<String>,
    /// For `oob`: `["sms"]`, `["voice"]`, `["email"]` or `["auth0"]` (push).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channels: Option<Vec<String>>,
    /// For SMS and voice: the number, E.164 (`+15551234567`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// For e-mail: the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl EnrollRequest {
    fn oob(channel: &str) -> Self {
        Self {
            authenticator_types: vec!["oob".into()],
            oob_channels: Some(vec![channel.into()]),
            phone_number: None,
            email: None,
        }
    }

    /// A one-time-password app (TOTP).
    pub fn otp() -> Self {
        Self {
            authenticator_types: vec!["otp".into()],
            oob_channels: None,
            phone_number: None,
            email: None,
        }
    }

    /// Codes by SMS to `phone_number` (E.164).
    pub fn sms(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(phone_number.into()),
            ..Self::oob("sms")
        }
    }

    /// Codes by voice call to `phone_number` (E.164).
    pub fn voice(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(phone_number.into()),
            ..Self::oob("voice")
        }
    }

    /// Codes by e-mail to `email`.
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::oob("email")
        }
    }

    /// Push notifications to the Guardian app.
    pub fn push() -> Self {
        Self::oob("auth0")
    }
}

/// The provider's answer to an enrollment. `Debug` never prints the
/// secret, the codes or the recovery codes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// `otp` or `oob`.
    pub authenticator_type: String,
    /// OTP: the shared secret (base32), for apps that cannot scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// OTP and push: the `otpauth://` URI to show as a QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode_uri: Option<String>,
    /// OOB: the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// OOB: the code to verify with ([`VerifyRequest::oob`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// OOB: `prompt` when the user must type the code they received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
    /// Recovery codes, on the user's first enrollment: show them once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("authenticator_type", &self.authenticator_type)
            .field("oob_channel", &self.oob_channel)
            .field("binding_method", &self.binding_method)
            .finish_non_exhaustive()
    }
}

/// What to challenge (the provider's `POST /mfa/challenge`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    /// `otp` or `oob`.
    pub challenge_type: String,
    /// Which authenticator (from [`Authenticator::id`]); the provider picks
    /// one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_id: Option<String>,
}

impl ChallengeRequest {
    /// Challenge with a one-time password.
    pub fn otp() -> Self {
        Self {
            challenge_type: "otp".into(),
            authenticator_id: None,
        }
    }

    /// Challenge out of band (SMS, voice, e-mail, push) with this authenticator.
    pub fn oob(authenticator_id: impl Into<String>) -> Self {
        Self {
            challenge_type: "oob".into(),
            authenticator_id: Some(authenticator_id.into()),
        }
    }
}

/// The provider's answer to a challenge.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// `otp` or `oob`.
    pub challenge_type: String,
    /// OOB: the code to verify with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// OOB: `prompt` when the user must type the code they received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("challenge_type", &self.challenge_type)
            .field("binding_method", &self.binding_method)
            .finish_non_exhaustive()
    }
}

/// How the user proves the factor: exactly one of a one-time password, an
/// out-of-band code (with the binding code the user received), or a
/// recovery code. `Debug` never prints the codes.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyRequest {
    /// A one-time password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
    /// An out-of-band code from an enrollment or a challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// The code the user received (when the binding method is `prompt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_code: Option<String>,
    /// A recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

impl fmt::Debug for VerifyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyRequest([redacted])")
    }
}

impl VerifyRequest {
    /// Verify with a one-time password.
    pub fn otp(code: impl Into<String>) -> Self {
        Self {
            otp: Some(code.into()),
            ..Self::default()
        }
    }

    /// Verify an out-of-band code, with the binding code the user typed
    /// (`None` for push).
    pub fn oob(oob_code: impl Into<String>, binding_code: Option<String>) -> Self {
        Self {
            oob_code: Some(oob_code.into()),
            binding_code,
            ..Self::default()
        }
    }

    /// Verify with a recovery code.
    pub fn recovery_code(code: impl Into<String>) -> Self {
        Self {
            recovery_code: Some(code.into()),
            ..Self::default()
        }
    }
}

/// A successful verification. The access token went into the session (ask
/// for it again with [`get_access_token`](crate::get_access_token)).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResponse {
    /// Always `true`.
    pub success: bool,
    /// After a recovery code: the new recovery code that replaces it (show
    /// it to the user once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

impl fmt::Debug for VerifyResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyResponse")
            .field("success", &self.success)
            .field(
                "recovery_code",
                &self.recovery_code.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Why an MFA operation failed, the same on the server and in the browser.
/// [`code`](Self::code) is the stable string code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MfaError {
    /// `mfa_token_not_found`: this session has no step-up for that token
    /// (another session's, already completed, or its context expired).
    MfaTokenNotFound,
    /// `mfa_token_expired`: the encrypted token is past its TTL.
    MfaTokenExpired,
    /// `mfa_token_invalid`: not a token this app encrypted (tampered, or
    /// another secret).
    MfaTokenInvalid,
    /// `missing_session`: nobody is logged in.
    MissingSession,
    /// `session_store_unavailable`: the session store could not be reached.
    SessionStoreUnavailable,
    /// `not_configured`: the session layer is not installed on this route.
    NotConfigured,
    /// `invalid_request`: the request is malformed (what is wrong is in the
    /// message).
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// `mfa_no_available_factors`: the requested factor is not one the
    /// provider allows for this step-up.
    MfaNoAvailableFactors,
    /// `mfa_get_authenticators_error`: the provider refused to list them.
    MfaGetAuthenticatorsError {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_enrollment_error`: the provider refused the enrollment.
    MfaEnrollmentError {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_challenge_error`: the provider refused the challenge.
    MfaChallengeError {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_verify_error`: the provider refused the code (wrong or reused
    /// code, `authorization_pending` while a push is unanswered, ...).
    MfaVerifyError {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_delete_authenticator_error`: the provider refused the deletion.
    MfaDeleteAuthenticatorError {
        /// The provider's error, when it sent one.
        cause: Option<OAuth2Error>,
    },
    /// `mfa_required`: the verification passed but the provider requires
    /// another factor; continue with the new token.
    MfaRequired {
        /// The new encrypted token.
        mfa_token: MfaToken,
        /// What the provider requires now.
        mfa_requirements: Option<MfaRequirements>,
    },
    /// `network_error`: the browser could not reach the server.
    NetworkError,
    /// `server_fn_error`: the server function failed (transport,
    /// serialization); the text is the transport's.
    ServerFnError {
        /// The transport's message.
        message: String,
    },
}

impl MfaError {
    /// The stable string code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MfaTokenNotFound => "mfa_token_not_found",
            Self::MfaTokenExpired => "mfa_token_expired",
            Self::MfaTokenInvalid => "mfa_token_invalid",
            Self::MissingSession => "missing_session",
            Self::SessionStoreUnavailable => "session_store_unavailable",
            Self::NotConfigured => "not_configured",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::MfaNoAvailableFactors => "mfa_no_available_factors",
            Self::MfaGetAuthenticatorsError { .. } => "mfa_get_authenticators_error",
            Self::MfaEnrollmentError { .. } => "mfa_enrollment_error",
            Self::MfaChallengeError { .. } => "mfa_challenge_error",
            Self::MfaVerifyError { .. } => "mfa_verify_error",
            Self::MfaDeleteAuthenticatorError { .. } => "mfa_delete_authenticator_error",
            Self::MfaRequired { .. } => "mfa_required",
            Self::NetworkError => "network_error",
            Self::ServerFnError { .. } => "server_fn_error",
        }
    }

    /// A human-readable message (no secrets; a provider's description is in
    /// [`cause`](Self::cause)).
    pub fn message(&self) -> &str {
        match self {
            Self::MfaTokenNotFound => "No MFA step-up of this session matches the mfa_token.",
            Self::MfaTokenExpired => "The mfa_token has expired.",
            Self::MfaTokenInvalid => "The mfa_token is invalid.",
            Self::MissingSession => "The user does not have an active session.",
            Self::SessionStoreUnavailable => "The session store is unavailable.",
            Self::NotConfigured => "auth0-leptos is not set up for this request.",
            Self::InvalidRequest { message } => message,
            Self::MfaNoAvailableFactors => {
                "The requested factor is not available for this MFA step-up."
            }
            Self::MfaGetAuthenticatorsError { .. } => "The authenticators could not be listed.",
            Self::MfaEnrollmentError { .. } => "The authenticator could not be enrolled.",
            Self::MfaChallengeError { .. } => "The challenge could not be started.",
            Self::MfaVerifyError { .. } => "The verification failed.",
            Self::MfaDeleteAuthenticatorError { .. } => "The authenticator could not be deleted.",
            Self::MfaRequired { .. } => "Another multi-factor authentication step is required.",
            Self::NetworkError => "The MFA request could not be sent.",
            Self::ServerFnError { message } => message,
        }
    }

    /// The provider's error, when it sent one.
    pub fn cause(&self) -> Option<&OAuth2Error> {
        match self {
            Self::MfaGetAuthenticatorsError { cause }
            | Self::MfaEnrollmentError { cause }
            | Self::MfaChallengeError { cause }
            | Self::MfaVerifyError { cause }
            | Self::MfaDeleteAuthenticatorError { cause } => cause.as_ref(),
            _ => None,
        }
    }

    /// An out-of-band verification (push) is still waiting for the user:
    /// verify again in a few seconds.
    pub fn is_authorization_pending(&self) -> bool {
        self.cause()
            .is_some_and(|c| c.code == "authorization_pending" || c.code == "slow_down")
    }

    /// The HTTP status of the `/auth/mfa/*` routes for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MfaTokenNotFound
            | Self::MfaTokenExpired
            | Self::MfaTokenInvalid
            | Self::MissingSession => 401,
            Self::MfaRequired { .. } => 403,
            Self::SessionStoreUnavailable => 503,
            Self::NotConfigured | Self::ServerFnError { .. } => 500,
            Self::NetworkError => 502,
            Self::MfaGetAuthenticatorsError { cause }
            | Self::MfaEnrollmentError { cause }
            | Self::MfaChallengeError { cause }
            | Self::MfaVerifyError { cause }
            | Self::MfaDeleteAuthenticatorError { cause } => {
                // No answer from the provider is not the client's fault.
                if cause.is_some() {
                    400
                } else {
                    502
                }
            }
            Self::InvalidRequest { .. } | Self::MfaNoAvailableFactors => 400,
        }
    }
}

impl fmt::Display for MfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())?;
        if let Some(c) = self.cause() {
            write!(f, " ({})", c.code)?;
        }
        Ok(())
    }
}

impl std::error::Error for MfaError {}

impl leptos::server_fn::error::FromServerFnError for MfaError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::ServerFnError {
            message: value.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_secrets_stay_out_of_debug() {
        for e in [
            MfaError::MfaTokenNotFound,
            MfaError::MfaVerifyError {
                cause: Some(OAuth2Error {
                    code: "invalid_grant".into(),
                    message: Some("Invalid otp_code.".into()),
                }),
            },
            MfaError::MfaRequired {
                mfa_token: MfaToken::new("enc"),
                mfa_requirements: None,
            },
        ] {
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["code"], e.code());
            assert_eq!(serde_json::from_value::<MfaError>(json).unwrap(), e);
        }
        let v = VerifyRequest::otp("123456");
        assert!(!format!("{v:?}").contains("123456"));
        assert!(!format!("{:?}", MfaToken::new("enc-token")).contains("enc-token"));
        let r: MfaRequirements = serde_json::from_str(r#"{"enroll":[{"type":"otp"}]}"#).unwrap();
        assert!(r.needs_enrollment());
    }
}
