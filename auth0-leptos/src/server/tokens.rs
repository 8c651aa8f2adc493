//! Access tokens on the server: `getAccessToken` with refresh.

use serde::Deserialize;

use crate::server::client::Auth0;
use crate::server::error::{AccessTokenError, AccessTokenErrorCode, OAuth2Error, ProviderError};
use crate::server::oidc::id_token::Expectations;
use crate::server::oidc::refresh::{RefreshKey, Refreshed};
use crate::server::secret::Secret;
use crate::server::session::{AccessTokenEntry, Auth0Session, SessionData};
use crate::server::time::now;

/// Options of [`Auth0Session::access_token`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccessTokenOptions {
    /// Force a refresh even when the token is still valid.
    #[serde(default, deserialize_with = "de_bool")]
    pub refresh: bool,
    /// Scope to request (merged with the configured scope).
    #[serde(default)]
    pub scope: Option<String>,
    /// Audience of the token (default: the configured audience).
    #[serde(default)]
    pub audience: Option<String>,
}

fn de_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    Ok(matches!(v.as_deref(), Some("true" | "1" | "")))
}

/// An access token and what is known about it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// Granted scope.
    pub scope: Option<String>,
    /// Token type (`Bearer`).
    pub token_type: Option<String>,
    /// Audience.
    pub audience: Option<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .field("audience", &self.audience)
            .finish()
    }
}

/// Which token of the session a request is about.
enum Slot {
    Primary,
    Other(usize),
    NewAudience,
}

fn scope_covers(granted: Option<&str>, wanted: Option<&str>) -> bool {
    let Some(wanted) = wanted else { return true };
    let granted: Vec<&str> = granted.unwrap_or("").split_whitespace().collect();
    wanted.split_whitespace().all(|w| granted.contains(&w))
}

/// Scope for a refresh: configured scope plus the requested one.
fn merge_scopes(base: &str, extra: Option<&str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in base
        .split_whitespace()
        .chain(extra.unwrap_or("").split_whitespace())
    {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.join(" ")
}

impl Auth0 {
    pub(crate) async fn access_token_for(
        self,
        session: &Auth0Session,
        options: AccessTokenOptions,
    ) -> Result<AccessToken, AccessTokenError> {
        let Some(data) = session.get() else {
            return Err(AccessTokenError::missing_session());
        };
        let config = self.config();
        let default_audience = config.authorization_parameters.audience.clone();
        let audience = options
            .audience
            .clone()
            .filter(|a| !a.is_empty())
            .or(default_audience.clone());
        let wanted_scope = options.scope.as_deref().filter(|s| !s.is_empty());

        let primary_audience = data.token_set.audience.clone().or(default_audience.clone());
        let slot = if audience.is_none() || audience == primary_audience {
            Slot::Primary
        } else {
            match data.access_tokens.iter().position(|e| {
                Some(&e.audience) == audience.as_ref()
                    && scope_covers(e.scope.as_deref(), wanted_scope)
            }) {
                Some(i) => Slot::Other(i),
                None => Slot::NewAudience,
            }
        };
        let (token, expires_at, scope, token_type) = match &slot {
            Slot::Primary => {
                let t = &data.token_set;
                (
                    Some(t.access_token.clone()).filter(|t| !t.expose().is_empty()),
                    t.expires_at,
                    t.scope.clone(),
                    t.token_type.clone(),
                )
            }
            Slot::Other(i) => {
                let e = &data.access_tokens[*i];
                (
                    Some(e.access_token.clone()),
                    e.expires_at,
                    e.scope.clone(),
                    e.token_type.clone(),
                )
            }
            Slot::NewAudience => (None, 0, None, None),
        };
        let scope_ok =
            !matches!(slot, Slot::Primary) || scope_covers(scope.as_deref(), wanted_scope);
        let now = now();
        let buffer = config.token_refresh_buffer.as_secs() as i64;
        let expired = expires_at <= now;
        let needs_refresh =
            options.refresh || token.is_none() || expires_at <= now + buffer || !scope_ok;
        let refresh_token = data.token_set.refresh_token.clone();

        if !needs_refresh {
            if let Some(token) = token {
                return Ok(AccessToken {
                    token,
                    expires_at,
                    scope,
                    token_type,
                    audience: audience.clone(),
                });
            }
        }
        let Some(mut rt) = refresh_token else {
            if let (Some(token), false, false) = (token.clone(), expired, options.refresh) {
                return Ok(AccessToken {
                    token,
                    expires_at,
                    scope,
                    token_type,
                    audience,
                });
            }
            let msg = if token.is_none() {
                "No access token found and a refresh token was not provided. The user needs to re-authenticate."
            } else {
                "The access token has expired and a refresh token was not provided. The user needs to re-authenticate."
            };
            return Err(AccessTokenError::new(
                AccessTokenErrorCode::MissingRefreshToken,
                msg,
            ));
        };

        let refresh_scope = if wanted_scope.is_some() {
            Some(merge_scopes(
                &config.authorization_parameters.scope,
                wanted_scope,
            ))
        } else {
            None
        };
        let refresh_audience = if matches!(slot, Slot::Primary) {
            None
        } else {
            audience.clone()
        };

        // Follow the chain of rotations this process already saw, so a stale
        // refresh token is never redeemed twice.
        let mut refreshed: Option<std::sync::Arc<Refreshed>> = None;
        for _ in 0..8 {
            let key = RefreshKey::new(
                rt.expose(),
                refresh_audience.as_deref(),
                refresh_scope.as_deref(),
            );
            if let Some(done) = self.refresher().completed(key) {
                let fresh_enough = !options.refresh || now - done.at <= 5;
                let done_exp = done.at + done.response.expires_in_secs();
                if fresh_enough && done_exp > now + buffer {
                    refreshed = Some(done);
                    break;
                }
                if let Some(next) = done
                    .response
                    .refresh_token
                    .as_ref()
                    .filter(|n| *n != rt.expose())
                {
                    rt = Secret::new(next.clone());
                    continue;
                }
            }
            let this = self.clone();
            let rt_for_call = rt.clone();
            let (aud, sc) = (refresh_audience.clone(), refresh_scope.clone());
            refreshed = Some(
                self.refresher()
                    .run(key, move || async move {
                        this.refresh_grant(rt_for_call, aud, sc).await
                    })
                    .await?,
            );
            break;
        }
        let Some(r) = refreshed else {
            return Err(AccessTokenError::new(
                AccessTokenErrorCode::FailedToRefreshToken,
                "The access token has expired and there was an error while trying to refresh it.",
            ));
        };

        let resp = &r.response;
        let new_exp = r.at + resp.expires_in_secs();
        let new_token = Secret::new(resp.access_token.clone());
        let new_scope = resp
            .scope
            .clone()
            .or(refresh_scope.clone())
            .or(scope.clone());
        let new_rt = resp.refresh_token.clone().map(Secret::new).unwrap_or(rt);
        let id_token = resp.id_token.clone();
        let token_type = resp.token_type.clone();
        let slot_audience = audience.clone();
        session.modify(|s: &mut SessionData| {
            s.token_set.refresh_token = Some(new_rt);
            match slot {
                Slot::Primary => {
                    s.token_set.access_token = new_token.clone();
                    s.token_set.expires_at = new_exp;
                    s.token_set.scope = new_scope.clone();
                    if refresh_scope.is_some() {
                        s.token_set.requested_scope = refresh_scope.clone();
                    }
                    if token_type.is_some() {
                        s.token_set.token_type = token_type.clone();
                    }
                    if let Some(id) = &id_token {
                        s.token_set.id_token = Some(Secret::new(id.clone()));
                    }
                }
                Slot::Other(i) => {
                    if let Some(e) = s.access_tokens.get_mut(i) {
                        e.access_token = new_token.clone();
                        e.expires_at = new_exp;
                        e.scope = new_scope.clone();
                        e.token_type = token_type.clone();
                    }
                }
                Slot::NewAudience => s.access_tokens.push(AccessTokenEntry {
                    access_token: new_token.clone(),
                    audience: slot_audience.clone().unwrap_or_default(),
                    scope: new_scope.clone(),
                    requested_scope: refresh_scope.clone(),
                    expires_at: new_exp,
                    token_type: token_type.clone(),
                }),
            }
        });
        Ok(AccessToken {
            token: new_token,
            expires_at: new_exp,
            scope: new_scope,
            token_type: resp.token_type.clone(),
            audience,
        })
    }

    /// One `refresh_token` grant; validates a returned ID token.
    async fn refresh_grant(
        self,
        rt: Secret,
        audience: Option<String>,
        scope: Option<String>,
    ) -> Result<Refreshed, AccessTokenError> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt.expose().to_owned()),
        ];
        if let Some(a) = audience {
            form.push(("audience", a));
        }
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let failed = |cause: Option<OAuth2Error>| AccessTokenError {
            code: AccessTokenErrorCode::FailedToRefreshToken,
            message:
                "The access token has expired and there was an error while trying to refresh it."
                    .into(),
            cause,
        };
        let resp = match self.oidc().token_request(form).await {
            Ok(r) => r,
            Err(ProviderError::OAuth(e)) if e.code == "mfa_required" => {
                return Err(AccessTokenError {
                    code: AccessTokenErrorCode::MfaRequired,
                    message: "Multi-factor authentication is required.".into(),
                    cause: Some(e),
                })
            }
            Err(ProviderError::OAuth(e)) => return Err(failed(Some(e))),
            Err(e) => {
                crate::server::log_warn(&format!("token refresh failed: {e}"));
                return Err(failed(None));
            }
        };
        if let Some(id) = &resp.id_token {
            if let Err(e) = self
                .oidc()
                .validate_id_token(
                    id,
                    &self.config().client_id,
                    Expectations {
                        nonce: None,
                        max_age: None,
                    },
                )
                .await
            {
                crate::server::log_warn(&format!("refreshed ID token rejected: {e}"));
                return Err(failed(None));
            }
        }
        Ok(Refreshed {
            response: resp,
            at: now(),
        })
    }
}
