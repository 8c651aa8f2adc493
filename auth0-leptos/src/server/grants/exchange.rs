//! Custom token exchange (RFC 8693, Auth0's Custom Token Exchange): an
//! external token is exchanged for the provider's tokens. The session is
//! never read nor written; each call is a new exchange.

use serde_json::{Map, Value};

use super::{id_token_claims, token_set};
use crate::secret::AccessToken;
use crate::server::config::Auth0Config;
use crate::server::error::{CustomTokenExchangeError, ProviderError};
use crate::server::oidc::Oidc;
use crate::server::session::TokenSet;

/// RFC 8693's grant type.
pub(crate) const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// What to exchange (the seeds' `CustomTokenExchangeOptions`).
///
/// ```
/// use auth0_leptos::server::CustomTokenExchangeOptions;
///
/// let options = CustomTokenExchangeOptions::new("legacy-token", "urn:acme:legacy-token")
///     .audience("https://api.example.com/")
///     .scope("read:data");
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct CustomTokenExchangeOptions {
    /// The external token.
    pub subject_token: AccessToken,
    /// Its type: a URI of 10 to 100 characters (`urn:acme:legacy-token`).
    pub subject_token_type: String,
    /// The API the tokens are for (default: the configured audience).
    pub audience: Option<String>,
    /// The scope to ask for (default: the configured scope for the audience).
    pub scope: Option<String>,
    /// An organization (id or name).
    pub organization: Option<String>,
    /// A token of the party acting for the subject (delegation).
    pub actor_token: Option<AccessToken>,
    /// The actor token's type (required with an actor token).
    pub actor_token_type: Option<String>,
}

impl std::fmt::Debug for CustomTokenExchangeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomTokenExchangeOptions")
            .field("subject_token", &self.subject_token)
            .field("subject_token_type", &self.subject_token_type)
            .field("audience", &self.audience)
            .field("scope", &self.scope)
            .field("organization", &self.organization)
            .field("actor_token", &self.actor_token)
            .field("actor_token_type", &self.actor_token_type)
            .finish()
    }
}

impl CustomTokenExchangeOptions {
    /// Exchange `subject_token` of type `subject_token_type`.
    pub fn new(subject_token: impl Into<String>, subject_token_type: impl Into<String>) -> Self {
        Self {
            subject_token: AccessToken::new(subject_token.into()),
            subject_token_type: subject_token_type.into(),
            ..Self::default()
        }
    }
    /// For this API.
    pub fn audience(mut self, v: impl Into<String>) -> Self {
        self.audience = Some(v.into());
        self
    }
    /// With this scope.
    pub fn scope(mut self, v: impl Into<String>) -> Self {
        self.scope = Some(v.into());
        self
    }
    /// In this organization.
    pub fn organization(mut self, v: impl Into<String>) -> Self {
        self.organization = Some(v.into());
        self
    }
    /// On behalf of the subject, by this actor.
    pub fn actor(mut self, token: impl Into<String>, token_type: impl Into<String>) -> Self {
        self.actor_token = Some(AccessToken::new(token.into()));
        self.actor_token_type = Some(token_type.into());
        self
    }
}

/// The tokens an exchange gave (DPoP-bound when DPoP is on:
/// `token_set.token_type` is then `DPoP`). `Debug` never prints tokens.
#[derive(Debug, Clone)]
pub struct CustomTokenExchangeResponse {
    /// The tokens (`audience` is the one asked for).
    pub token_set: TokenSet,
    /// RFC 8693's `issued_token_type`.
    pub issued_token_type: Option<String>,
    /// The claims of the ID token, validated, when one was returned.
    pub id_token_claims: Option<Map<String, Value>>,
}

/// A token type as the seeds (and Auth0's profiles) require it.
fn valid_token_type(t: &str) -> bool {
    (10..=100).contains(&t.len())
        && (t.starts_with("urn:") || t.starts_with("https://") || t.starts_with("http://"))
        && !t.chars().any(char::is_whitespace)
}

/// Checks `options` before anything is sent.
pub(crate) fn validate(
    options: &CustomTokenExchangeOptions,
) -> Result<(), CustomTokenExchangeError> {
    if options.subject_token.secret().trim().is_empty() {
        return Err(CustomTokenExchangeError::MissingSubjectToken);
    }
    if !valid_token_type(&options.subject_token_type) {
        return Err(CustomTokenExchangeError::InvalidSubjectTokenType);
    }
    match (&options.actor_token, &options.actor_token_type) {
        (Some(t), None) if !t.is_empty() => Err(CustomTokenExchangeError::MissingActorTokenType),
        (Some(t), Some(tt)) if !t.is_empty() && !valid_token_type(tt) => {
            Err(CustomTokenExchangeError::InvalidActorTokenType)
        }
        _ => Ok(()),
    }
}

/// Runs one exchange.
pub(crate) async fn exchange(
    oidc: &Oidc,
    config: &Auth0Config,
    options: CustomTokenExchangeOptions,
) -> Result<CustomTokenExchangeResponse, CustomTokenExchangeError> {
    validate(&options)?;
    let ap = &config.authorization_parameters;
    let audience = options
        .audience
        .filter(|a| !a.is_empty())
        .or_else(|| ap.audience.clone());
    let scope = options.scope.filter(|s| !s.trim().is_empty()).or_else(|| {
        ap.scope
            .for_audience(audience.as_deref())
            .map(str::to_owned)
    });
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT.to_owned()),
        ("subject_token", options.subject_token.into_secret()),
        ("subject_token_type", options.subject_token_type),
    ];
    if let Some(a) = &audience {
        form.push(("audience", a.clone()));
    }
    if let Some(s) = &scope {
        form.push(("scope", s.clone()));
    }
    if let Some(o) = options.organization.filter(|o| !o.is_empty()) {
        form.push(("organization", o));
    }
    if let (Some(t), Some(tt)) = (options.actor_token, options.actor_token_type) {
        if !t.is_empty() {
            form.push(("actor_token", t.into_secret()));
            form.push(("actor_token_type", tt));
        }
    }
    let resp = match oidc.token_request(form).await {
        Ok(r) => r,
        Err(ProviderError::OAuth(e)) => {
            return Err(CustomTokenExchangeError::ExchangeFailed { cause: Some(e) })
        }
        Err(e) => {
            tracing::warn!(target: "auth0_leptos", "custom token exchange failed: {e}");
            return Err(CustomTokenExchangeError::ExchangeFailed { cause: None });
        }
    };
    let claims = id_token_claims(oidc, config, &resp).await.map_err(|why| {
        tracing::warn!(target: "auth0_leptos", "custom token exchange: ID token rejected: {why}");
        CustomTokenExchangeError::ExchangeFailed { cause: None }
    })?;
    let issued_token_type = resp.issued_token_type.clone();
    Ok(CustomTokenExchangeResponse {
        token_set: token_set(resp, audience, scope),
        issued_token_type,
        id_token_claims: claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_types_are_uris_of_10_to_100_characters() {
        let ok = |t: &str| validate(&CustomTokenExchangeOptions::new("tok", t)).is_ok();
        assert!(ok("urn:acme:legacy-token"));
        assert!(ok("https://example.com/token-types/external"));
        assert!(!ok("urn:short"), "9 characters");
        assert!(ok("urn:short1"), "10 characters");
        assert!(!ok(&format!("urn:{}", "x".repeat(97))), "101 characters");
        assert!(ok(&format!("urn:{}", "x".repeat(96))), "100 characters");
        assert!(!ok("legacy-token-type"), "not a URI");
        assert!(!ok("urn:acme: spaced"));
        assert_eq!(
            validate(&CustomTokenExchangeOptions::new(
                " ",
                "urn:acme:legacy-token"
            )),
            Err(CustomTokenExchangeError::MissingSubjectToken)
        );
        let mut actor = CustomTokenExchangeOptions::new("tok", "urn:acme:legacy-token");
        actor.actor_token = Some(AccessToken::new("act"));
        assert_eq!(
            validate(&actor),
            Err(CustomTokenExchangeError::MissingActorTokenType)
        );
        actor.actor_token_type = Some("bad".into());
        assert_eq!(
            validate(&actor),
            Err(CustomTokenExchangeError::InvalidActorTokenType)
        );
    }
}
