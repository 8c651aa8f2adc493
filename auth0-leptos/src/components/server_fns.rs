//! The library's server functions: how the browser asks the server for the
//! user and for access tokens. Registered by linking the crate (explicit
//! endpoints under the app's server-function prefix, `/api` by default);
//! usable with `Resource`, `ServerAction` and `ActionForm`. The
//! `/auth/profile` and `/auth/access-token` routes stay, with the seeds'
//! JSON, for other clients.

use leptos::prelude::*;

use crate::mfa::{
    Authenticator, Challenge, ChallengeRequest, EnrollRequest, Enrollment, MfaError, MfaToken,
    VerifyRequest, VerifyResponse,
};
use crate::{AccessTokenRequest, AccessTokenResponse, AuthError, User};

/// The logged-in user, `None` when logged out.
#[server(endpoint = "auth0/user")]
pub async fn auth0_user() -> Result<Option<User>, AuthError> {
    let session = crate::server::session().await?;
    if session.store_unavailable() {
        return Err(AuthError::SessionStoreUnavailable);
    }
    Ok(session.user())
}

/// An access token for the logged-in user, refreshed when needed (the
/// session layer saves refreshed tokens into the session cookie). The
/// generated `Auth0AccessToken` struct carries the `request`.
#[allow(missing_docs)] // the generated argument struct
#[server(endpoint = "auth0/access-token")]
pub async fn auth0_access_token(
    request: AccessTokenRequest,
) -> Result<AccessTokenResponse, AuthError> {
    let session = crate::server::session().await?;
    session.access_token(request).await.map_err(AuthError::from)
}

/// The session of this server function's request, for the MFA API.
#[cfg(feature = "ssr")]
async fn mfa_session() -> Result<crate::server::Auth0Session, MfaError> {
    crate::server::session()
        .await
        .map_err(|_| MfaError::NotConfigured)
}

/// The user's authenticators for an MFA step-up.
#[allow(missing_docs)]
#[server(endpoint = "auth0/mfa/authenticators")]
pub async fn auth0_mfa_authenticators(mfa_token: MfaToken) -> Result<Vec<Authenticator>, MfaError> {
    mfa_session().await?.mfa().authenticators(&mfa_token).await
}

/// Enrolls an authenticator during an MFA step-up.
#[allow(missing_docs)]
#[server(endpoint = "auth0/mfa/enroll")]
pub async fn auth0_mfa_enroll(
    mfa_token: MfaToken,
    request: EnrollRequest,
) -> Result<Enrollment, MfaError> {
    mfa_session().await?.mfa().enroll(&mfa_token, request).await
}

/// Starts an MFA challenge.
#[allow(missing_docs)]
#[server(endpoint = "auth0/mfa/challenge")]
pub async fn auth0_mfa_challenge(
    mfa_token: MfaToken,
    request: ChallengeRequest,
) -> Result<Challenge, MfaError> {
    mfa_session()
        .await?
        .mfa()
        .challenge(&mfa_token, request)
        .await
}

/// Verifies an MFA factor; the new access token goes into the session.
#[allow(missing_docs)]
#[server(endpoint = "auth0/mfa/verify")]
pub async fn auth0_mfa_verify(
    mfa_token: MfaToken,
    request: VerifyRequest,
) -> Result<VerifyResponse, MfaError> {
    mfa_session().await?.mfa().verify(&mfa_token, request).await
}

/// Deletes an authenticator during an MFA step-up.
#[allow(missing_docs)]
#[server(endpoint = "auth0/mfa/delete-authenticator")]
pub async fn auth0_mfa_delete_authenticator(
    mfa_token: MfaToken,
    authenticator_id: String,
) -> Result<(), MfaError> {
    mfa_session()
        .await?
        .mfa()
        .delete_authenticator(&mfa_token, &authenticator_id)
        .await
}
