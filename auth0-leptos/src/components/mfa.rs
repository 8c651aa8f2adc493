//! The MFA API for components: the same async functions during SSR, in
//! server functions and in the browser (where they call the library's
//! `auth0/mfa/*` server functions; the provider's raw `mfa_token` never
//! reaches the browser).

use crate::mfa::{
    Authenticator, Challenge, ChallengeRequest, EnrollRequest, Enrollment, MfaError, MfaToken,
    VerifyRequest, VerifyResponse,
};

use super::server_fns::{
    auth0_mfa_authenticators, auth0_mfa_challenge, auth0_mfa_delete_authenticator,
    auth0_mfa_enroll, auth0_mfa_verify,
};

/// The user's authenticators for the step-up of `mfa_token` (from
/// [`AccessTokenError::MfaRequired`](crate::AccessTokenError::MfaRequired)),
/// those of the factor types the provider allows.
pub async fn mfa_authenticators(mfa_token: MfaToken) -> Result<Vec<Authenticator>, MfaError> {
    auth0_mfa_authenticators(mfa_token).await
}

/// Enrolls an authenticator ([`EnrollRequest::otp`], `sms`, `voice`,
/// `email`, `push`); the first [`mfa_verify`] with it confirms it.
pub async fn mfa_enroll(
    mfa_token: MfaToken,
    request: EnrollRequest,
) -> Result<Enrollment, MfaError> {
    auth0_mfa_enroll(mfa_token, request).await
}

/// Starts a challenge ([`ChallengeRequest::otp`] or
/// [`ChallengeRequest::oob`]).
pub async fn mfa_challenge(
    mfa_token: MfaToken,
    request: ChallengeRequest,
) -> Result<Challenge, MfaError> {
    auth0_mfa_challenge(mfa_token, request).await
}

/// Verifies the factor. On success the access token that asked for the
/// step-up is in the session: call
/// [`get_access_token`](crate::get_access_token) again (with `refresh:
/// false`; the browser's cache was cleared by the failure).
pub async fn mfa_verify(
    mfa_token: MfaToken,
    request: VerifyRequest,
) -> Result<VerifyResponse, MfaError> {
    auth0_mfa_verify(mfa_token, request).await
}

/// Deletes one of the user's authenticators.
pub async fn mfa_delete_authenticator(
    mfa_token: MfaToken,
    authenticator_id: String,
) -> Result<(), MfaError> {
    auth0_mfa_delete_authenticator(mfa_token, authenticator_id).await
}
