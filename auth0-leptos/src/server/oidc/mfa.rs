//! Auth0's MFA API (`/mfa/authenticators`, `/mfa/associate`,
//! `/mfa/challenge`) with the provider's raw `mfa_token`. The verification
//! grants go through [`Oidc::token_request`].

use url::Url;

use super::{read_limited, refusal, unreachable, Oidc};
use crate::mfa::{Authenticator, Challenge, ChallengeRequest, EnrollRequest, Enrollment};
use crate::secret::RawMfaToken;
use crate::server::error::ProviderError;

/// Most authenticators read from one answer.
const MAX_AUTHENTICATORS: usize = 64;

impl Oidc {
    /// `{issuer}/{path}` (the MFA API lives at the tenant's root).
    fn at_issuer(&self, path: &str) -> Result<Url, ProviderError> {
        let base = self.issuer.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{path}"))
            .map_err(|_| ProviderError::Invalid("the MFA API URL is invalid".into()))
    }

    async fn mfa_json<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, ProviderError> {
        let resp = req
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status();
        let body = read_limited(resp).await?;
        if !status.is_success() {
            return Err(refusal(&body, status, what));
        }
        serde_json::from_slice(&body)
            .map_err(|_| ProviderError::Invalid(format!("{what} answered something unusable")))
    }

    /// The user's authenticators (`GET /mfa/authenticators`).
    pub(crate) async fn mfa_authenticators(
        &self,
        raw: &RawMfaToken,
    ) -> Result<Vec<Authenticator>, ProviderError> {
        let url = self.at_issuer("mfa/authenticators")?;
        let mut list: Vec<Authenticator> = self
            .mfa_json(
                self.http.get(url).bearer_auth(raw.secret()),
                "the MFA authenticators endpoint",
            )
            .await?;
        list.truncate(MAX_AUTHENTICATORS);
        Ok(list)
    }

    /// Enrolls an authenticator (`POST /mfa/associate`).
    pub(crate) async fn mfa_associate(
        &self,
        raw: &RawMfaToken,
        request: &EnrollRequest,
    ) -> Result<Enrollment, ProviderError> {
        let url = self.at_issuer("mfa/associate")?;
        self.mfa_json(
            self.http.post(url).bearer_auth(raw.secret()).json(request),
            "the MFA associate endpoint",
        )
        .await
    }

    /// Starts a challenge (`POST /mfa/challenge`, with the client's
    /// authentication in the JSON body).
    pub(crate) async fn mfa_challenge(
        &self,
        raw: &RawMfaToken,
        request: &ChallengeRequest,
    ) -> Result<Challenge, ProviderError> {
        let md = self.metadata().await?;
        let url = self.at_issuer("mfa/challenge")?;
        let mut form = Vec::new();
        let req = self.authenticated(&md, url.as_str(), &mut form)?;
        let mut body: serde_json::Map<String, serde_json::Value> = form
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into()))
            .collect();
        body.insert("mfa_token".into(), raw.secret().into());
        body.insert(
            "challenge_type".into(),
            request.challenge_type.clone().into(),
        );
        if let Some(id) = &request.authenticator_id {
            body.insert("authenticator_id".into(), id.clone().into());
        }
        self.mfa_json(req.json(&body), "the MFA challenge endpoint")
            .await
    }

    /// Deletes an authenticator (`DELETE /mfa/authenticators/{id}`). Sent
    /// with the `mfa_token`, as Auth0's own JavaScript SDK does; a tenant
    /// that requires an access token for the MFA API refuses it.
    pub(crate) async fn mfa_delete_authenticator(
        &self,
        raw: &RawMfaToken,
        id: &str,
    ) -> Result<(), ProviderError> {
        let mut url = self.at_issuer("mfa/authenticators")?;
        url.path_segments_mut()
            .map_err(|_| ProviderError::Invalid("the MFA API URL is invalid".into()))?
            .push(id);
        let resp = self
            .http
            .delete(url)
            .bearer_auth(raw.secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status();
        let body = read_limited(resp).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refusal(
                &body,
                status,
                "the MFA authenticator deletion endpoint",
            ))
        }
    }
}
