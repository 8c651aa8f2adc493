//! [`ServerMfa`]: the MFA API of one request's session (the seeds'
//! `auth0.mfa`), on top of the provider's MFA endpoints and grants.

use crate::error::OAuth2Error;
use crate::mfa::{
    Authenticator, Challenge, ChallengeRequest, EnrollRequest, Enrollment, MfaError, MfaToken,
    VerifyRequest, VerifyResponse,
};
use crate::server::error::{MfaRequiredBody, ProviderError};
use crate::server::mfa::{self, OpenStepUp, StepUp};
use crate::server::tokens::{for_another_audience, other_audience_error, TokenService};

use super::Auth0Session;

const GRANT_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
const GRANT_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
const GRANT_RECOVERY_CODE: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
/// Longest code, id or address accepted from a client.
const MAX_FIELD: usize = 512;

/// The MFA API for the step-ups of one session: every call takes the
/// encrypted `mfa_token` of an
/// [`AccessTokenError::MfaRequired`](crate::AccessTokenError::MfaRequired)
/// that this session received. Get it with [`Auth0Session::mfa`].
///
/// ```no_run
/// use auth0_leptos::mfa::{MfaToken, VerifyRequest};
/// use auth0_leptos::server::Auth0Session;
///
/// async fn step_up(session: Auth0Session, token: MfaToken, code: String) {
///     match session.mfa().verify(&token, VerifyRequest::otp(code)).await {
///         Ok(_) => { /* the access token is in the session now */ }
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// ```
#[derive(Debug)]
pub struct ServerMfa<'a> {
    session: &'a Auth0Session,
}

/// A provider failure as the MFA error `wrap` makes of its OAuth error.
fn provider_error(e: ProviderError, wrap: fn(Option<OAuth2Error>) -> MfaError) -> MfaError {
    match e {
        ProviderError::OAuth(cause) => wrap(Some(cause)),
        ProviderError::MfaRequired(b) => wrap(Some(b.error)),
        other => {
            tracing::warn!(target: "auth0_leptos", "MFA request failed: {other}");
            wrap(None)
        }
    }
}

fn check_field(name: &str, value: Option<&str>) -> Result<(), MfaError> {
    match value {
        Some(v)
            if v.is_empty()
                || v == "."
                || v == ".."
                || v.len() > MAX_FIELD
                || v.chars().any(char::is_control) =>
        {
            Err(MfaError::InvalidRequest {
                message: format!("{name} is invalid."),
            })
        }
        _ => Ok(()),
    }
}

/// Whether an authenticator is one of the factor types the step-up allows.
fn allowed(a: &Authenticator, types: &[&str]) -> bool {
    let factor = a.factor_type.as_deref().unwrap_or(
        match (a.authenticator_type.as_str(), a.oob_channel.as_deref()) {
            ("otp", _) => "otp",
            ("recovery-code", _) => "recovery-code",
            (_, Some("sms" | "voice")) => "phone",
            (_, Some("email")) => "email",
            (_, Some("auth0")) => "push-notification",
            _ => "",
        },
    );
    types.contains(&factor) || (factor == "totp" && types.contains(&"otp"))
}

impl<'a> ServerMfa<'a> {
    pub(super) fn new(session: &'a Auth0Session) -> Self {
        Self { session }
    }

    /// Opens `token` and finds its step-up in this session.
    fn open(&self, token: &MfaToken) -> Result<OpenStepUp, MfaError> {
        if self.session.store_unavailable() {
            return Err(MfaError::SessionStoreUnavailable);
        }
        let Some(data) = self.session.data() else {
            return Err(MfaError::MissingSession);
        };
        let engine = self.session.engine();
        mfa::open(
            engine.keyring(),
            &data,
            token,
            crate::server::time::now_ms(),
            engine.config().mfa_context_ttl.as_millis() as i64,
        )
    }

    /// The factor types the step-up allows to challenge (empty: any).
    fn challenge_types(open: &OpenStepUp) -> Vec<&str> {
        open.step_up
            .requirements
            .as_ref()
            .and_then(|r| r.challenge.as_ref())
            .map(|c| c.iter().map(|f| f.factor_type.as_str()).collect())
            .unwrap_or_default()
    }

    /// The user's authenticators (the seeds' `getAuthenticators`), only
    /// those of the factor types the step-up allows.
    pub async fn authenticators(&self, token: &MfaToken) -> Result<Vec<Authenticator>, MfaError> {
        let open = self.open(token)?;
        let list = self
            .session
            .engine()
            .oidc()
            .mfa_authenticators(&open.step_up.raw)
            .await
            .map_err(|e| {
                provider_error(e, |cause| MfaError::MfaGetAuthenticatorsError { cause })
            })?;
        let types = Self::challenge_types(&open);
        Ok(list
            .into_iter()
            .filter(|a| types.is_empty() || allowed(a, &types))
            .collect())
    }

    /// Enrolls an authenticator (the seeds' `enroll`; the provider's
    /// `/mfa/associate`). The enrollment is confirmed by the first
    /// [`verify`](Self::verify) with it.
    pub async fn enroll(
        &self,
        token: &MfaToken,
        request: EnrollRequest,
    ) -> Result<Enrollment, MfaError> {
        let invalid = |m: &str| MfaError::InvalidRequest { message: m.into() };
        match request.authenticator_types.as_slice() {
            [t] if t == "otp" => {}
            [t] if t == "oob" => match request.oob_channels.as_deref() {
                Some([c]) if c == "sms" || c == "voice" => {
                    if request.phone_number.is_none() {
                        return Err(invalid("phone_number is required for sms and voice."));
                    }
                }
                Some([c]) if c == "email" => {
                    if request.email.is_none() {
                        return Err(invalid("email is required for the email channel."));
                    }
                }
                Some([c]) if c == "auth0" => {}
                _ => {
                    return Err(invalid(
                        "oob_channels must be one of sms, voice, email or auth0.",
                    ))
                }
            },
            _ => {
                return Err(invalid(
                    "authenticator_types must be [\"otp\"] or [\"oob\"].",
                ))
            }
        }
        check_field("phone_number", request.phone_number.as_deref())?;
        check_field("email", request.email.as_deref())?;
        let open = self.open(token)?;
        self.session
            .engine()
            .oidc()
            .mfa_associate(&open.step_up.raw, &request)
            .await
            .map_err(|e| provider_error(e, |cause| MfaError::MfaEnrollmentError { cause }))
    }

    /// Starts a challenge (the seeds' `challenge`): `otp` (the user reads
    /// the code from their app) or `oob` (the provider sends a code or a
    /// push). A factor the step-up does not allow is refused without asking
    /// the provider (`mfa_no_available_factors`).
    pub async fn challenge(
        &self,
        token: &MfaToken,
        request: ChallengeRequest,
    ) -> Result<Challenge, MfaError> {
        if request.challenge_type != "otp" && request.challenge_type != "oob" {
            return Err(MfaError::InvalidRequest {
                message: "challenge_type must be otp or oob.".into(),
            });
        }
        check_field("authenticator_id", request.authenticator_id.as_deref())?;
        let open = self.open(token)?;
        let types = Self::challenge_types(&open);
        let permitted = types.is_empty()
            || match request.challenge_type.as_str() {
                "otp" => types.contains(&"otp") || types.contains(&"totp"),
                _ => types
                    .iter()
                    .any(|t| matches!(*t, "phone" | "email" | "push-notification" | "oob")),
            };
        if !permitted {
            return Err(MfaError::MfaNoAvailableFactors);
        }
        self.session
            .engine()
            .oidc()
            .mfa_challenge(&open.step_up.raw, &request)
            .await
            .map_err(|e| provider_error(e, |cause| MfaError::MfaChallengeError { cause }))
    }

    /// Verifies the factor (the seeds' `verify`): one-time password,
    /// out-of-band code (with the binding code), or recovery code. On
    /// success the new access token is saved into the session for the
    /// audience and scope that asked for the step-up (the layer writes the
    /// cookie), and the step-up is over. When the provider requires another
    /// factor the answer is [`MfaError::MfaRequired`] with a new token.
    pub async fn verify(
        &self,
        token: &MfaToken,
        request: VerifyRequest,
    ) -> Result<VerifyResponse, MfaError> {
        let given = [
            request.otp.is_some(),
            request.oob_code.is_some(),
            request.recovery_code.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(MfaError::InvalidRequest {
                message: "Exactly one of otp, oob_code or recovery_code is required.".into(),
            });
        }
        for (name, v) in [
            ("otp", &request.otp),
            ("oob_code", &request.oob_code),
            ("binding_code", &request.binding_code),
            ("recovery_code", &request.recovery_code),
        ] {
            check_field(name, v.as_deref())?;
        }
        let open = self.open(token)?;
        let engine = self.session.engine();
        let step_up = &open.step_up;
        let mut form: Vec<(&'static str, String)> =
            vec![("mfa_token", step_up.raw.secret().to_owned())];
        let grant = match request {
            VerifyRequest { otp: Some(otp), .. } => {
                form.push(("otp", otp));
                GRANT_OTP
            }
            VerifyRequest {
                oob_code: Some(oob),
                binding_code,
                ..
            } => {
                form.push(("oob_code", oob));
                if let Some(b) = binding_code {
                    form.push(("binding_code", b));
                }
                GRANT_OOB
            }
            VerifyRequest {
                recovery_code: Some(code),
                ..
            } => {
                form.push(("recovery_code", code));
                GRANT_RECOVERY_CODE
            }
            _ => unreachable!("exactly one was checked above"),
        };
        form.insert(0, ("grant_type", grant.to_owned()));
        // The same audience the refresh that asked for the step-up named
        // (none for the login's own token set).
        if let Some(a) = &step_up.audience {
            form.push(("audience", a.clone()));
        }
        if let Some(s) = &step_up.scope {
            form.push(("scope", s.clone()));
        }
        match engine.oidc().token_request(form).await {
            Ok(mut response) => {
                // A token for another API than the one that asked is refused,
                // as on a refresh.
                if for_another_audience(&response, step_up.audience.as_deref()) {
                    tracing::warn!(target: "auth0_leptos", "an MFA verification answered with a token for another audience");
                    return Err(MfaError::MfaVerifyError {
                        cause: Some(other_audience_error()),
                    });
                }
                // The user does not change: an ID token here is not needed,
                // and an unvalidated one never enters the session.
                response.id_token = None;
                let recovery_code = response.recovery_code.take().map(|c| c.into_secret());
                let (audience, scope) = (step_up.audience.clone(), step_up.scope.clone());
                self.session.modify(|d| {
                    TokenService::save_grant(d, response, audience, scope);
                    d.mfa.remove(&open.key);
                });
                Ok(VerifyResponse {
                    success: true,
                    recovery_code,
                })
            }
            Err(ProviderError::MfaRequired(body)) => {
                let MfaRequiredBody {
                    error,
                    mfa_token,
                    requirements,
                } = *body;
                let Some(raw) = mfa_token else {
                    return Err(MfaError::MfaVerifyError { cause: Some(error) });
                };
                let next = StepUp {
                    raw,
                    audience: step_up.audience.clone(),
                    scope: step_up.scope.clone(),
                    requirements: requirements.clone(),
                };
                Err(MfaError::MfaRequired {
                    mfa_token: self.session.begin_step_up(&next, Some(&open.key)),
                    mfa_requirements: requirements,
                })
            }
            Err(e) => Err(provider_error(e, |cause| MfaError::MfaVerifyError {
                cause,
            })),
        }
    }

    /// Deletes an authenticator (its [`Authenticator::id`]).
    pub async fn delete_authenticator(&self, token: &MfaToken, id: &str) -> Result<(), MfaError> {
        check_field("authenticator_id", Some(id))?;
        let open = self.open(token)?;
        self.session
            .engine()
            .oidc()
            .mfa_delete_authenticator(&open.step_up.raw, id)
            .await
            .map_err(|e| provider_error(e, |cause| MfaError::MfaDeleteAuthenticatorError { cause }))
    }
}
