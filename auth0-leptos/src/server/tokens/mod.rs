//! The token service: which access token of a session answers a request,
//! when to refresh it, one refresh in flight per refresh token, and
//! following rotations this process already saw. It works on
//! [`SessionData`], never on a request: the caller applies the returned
//! [`TokenUpdate`] to the request's session.

mod budget;
mod single_flight;

use std::sync::Arc;

use crate::error::AccessTokenError;
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::server::config::Auth0Config;
use crate::server::error::ProviderError;
use crate::server::oidc::id_token::Expectations;
use crate::server::oidc::Oidc;
use crate::server::session::{AccessTokenEntry, SessionData};
use crate::server::time::now;
use crate::{AccessTokenRequest, AccessTokenResponse};

use budget::RefreshBudget;
pub(crate) use single_flight::Owner;
use single_flight::{RefreshKey, Refreshed, SingleFlight};

/// Rotations followed at most, per lookup.
const MAX_CHAIN: usize = 8;
/// A forced refresh accepts a result this recent (seconds): concurrent
/// forced refreshes share one provider call.
const FORCED_FRESHNESS: i64 = 5;

/// Refreshes and hands out access tokens.
pub(crate) struct TokenService {
    oidc: Arc<Oidc>,
    client_id: String,
    scope: String,
    default_audience: Option<String>,
    buffer: i64,
    flights: SingleFlight,
    budget: RefreshBudget,
}

/// Which token of the session a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The login's token set.
    Primary,
    /// `accessTokens[i]`, another audience.
    Other(usize),
    /// An audience the session has no token for yet.
    NewAudience,
}

/// What a refresh changed, to be written into the session.
#[derive(Debug)]
pub(crate) struct TokenUpdate {
    slot: Slot,
    refresh_token: RefreshToken,
    token: AccessToken,
    expires_at: i64,
    scope: Option<String>,
    requested_scope: Option<String>,
    token_type: Option<String>,
    id_token: Option<IdToken>,
    audience: Option<String>,
}

impl TokenUpdate {
    /// Writes the refreshed tokens into `s`.
    pub(crate) fn apply(self, s: &mut SessionData) {
        s.token_set.refresh_token = Some(self.refresh_token);
        match self.slot {
            Slot::Primary => {
                let t = &mut s.token_set;
                t.access_token = self.token;
                t.expires_at = self.expires_at;
                t.scope = self.scope;
                if self.requested_scope.is_some() {
                    t.requested_scope = self.requested_scope;
                }
                if self.token_type.is_some() {
                    t.token_type = self.token_type;
                }
                if let Some(id) = self.id_token {
                    t.id_token = Some(id);
                }
            }
            Slot::Other(i) => {
                if let Some(e) = s.access_tokens.get_mut(i) {
                    e.access_token = self.token;
                    e.expires_at = self.expires_at;
                    e.scope = self.scope;
                    e.token_type = self.token_type;
                }
            }
            Slot::NewAudience => s.access_tokens.push(AccessTokenEntry {
                access_token: self.token,
                audience: self.audience.unwrap_or_default(),
                scope: self.scope,
                requested_scope: self.requested_scope,
                expires_at: self.expires_at,
                token_type: self.token_type,
            }),
        }
    }
}

/// The answer to an access-token request: the token, and what to save.
#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) response: AccessTokenResponse,
    pub(crate) update: Option<TokenUpdate>,
}

/// The token a slot holds now.
struct Current {
    token: Option<AccessToken>,
    expires_at: i64,
    scope: Option<String>,
    token_type: Option<String>,
}

fn scope_covers(granted: Option<&str>, wanted: Option<&str>) -> bool {
    let Some(wanted) = wanted else { return true };
    let granted: Vec<&str> = granted.unwrap_or("").split_whitespace().collect();
    wanted.split_whitespace().all(|w| granted.contains(&w))
}

/// Scope for a refresh: configured scope plus the requested one.
fn merge_scopes(base: &str, extra: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in base.split_whitespace().chain(extra.split_whitespace()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.join(" ")
}

impl Owner {
    /// The session `data` belongs to.
    pub(crate) fn of(data: &SessionData) -> Self {
        Self {
            sub: data.user.sub.clone(),
            sid: data.internal.sid.clone(),
            created_at: data.internal.created_at,
        }
    }
}

impl TokenService {
    pub(crate) fn new(config: &Auth0Config, oidc: Arc<Oidc>) -> Self {
        Self {
            oidc,
            client_id: config.client_id.clone(),
            scope: config.authorization_parameters.scope.clone(),
            default_audience: config.authorization_parameters.audience.clone(),
            buffer: config.token_refresh_buffer.as_secs() as i64,
            flights: SingleFlight::new(config.rotation_race_window),
            budget: RefreshBudget::default(),
        }
    }

    /// Drops every remembered refresh of this session (logout, revocation):
    /// a copy of an older cookie can no longer take over its tokens.
    pub(crate) fn forget_session(&self, data: &SessionData) {
        let owner = Owner::of(data);
        self.flights.forget(|o| *o == owner);
    }

    /// Drops every remembered refresh of the sessions a back-channel logout
    /// token names (by `sid`, else by `sub`).
    pub(crate) fn forget_logout(&self, sid: Option<&str>, sub: Option<&str>) {
        self.flights.forget(|o| match (sid, sub) {
            (Some(sid), _) if !o.sid.is_empty() => o.sid == sid,
            (_, Some(sub)) => o.sub == sub,
            _ => false,
        });
    }

    /// The refreshes this process already completed starting from `rt`
    /// for `audience` / `scope`, oldest first, stopping at the first one
    /// `accept` takes (which is last in the returned chain, flagged `true`).
    fn rotation_chain(
        &self,
        rt: &RefreshToken,
        audience: Option<&str>,
        scope: Option<&str>,
        owner: &Owner,
        accept: impl Fn(&Refreshed) -> bool,
    ) -> (Vec<Arc<Refreshed>>, bool) {
        let mut chain = Vec::new();
        if self.flights.is_empty() {
            return (chain, false);
        }
        let mut current = rt.secret().to_owned();
        for _ in 0..MAX_CHAIN {
            let Some(done) = self
                .flights
                .completed(RefreshKey::new(&current, audience, scope))
            else {
                break;
            };
            // Only the session that made a refresh may take its tokens over.
            if done.owner != *owner {
                break;
            }
            let accepted = accept(&done);
            let next = done
                .response
                .refresh_token
                .as_ref()
                .map(|n| n.secret().to_owned())
                .filter(|n| *n != current);
            chain.push(done);
            if accepted {
                return (chain, true);
            }
            match next {
                Some(n) => current = n,
                None => break,
            }
        }
        (chain, false)
    }

    /// When this process refreshed (and rotated) the session's refresh
    /// token within the race window, a request of the same session still
    /// carrying the old cookie (it raced the refresh, or the response that
    /// carried the new cookie was already streamed) adopts the new tokens,
    /// so the old refresh token is not redeemed again. Past the window, or
    /// for another session, nothing is adopted: the old token goes to the
    /// provider, whose reuse detection keeps working. Returns the adopted data.
    pub(crate) fn adopt_rotation(&self, data: &SessionData) -> Option<SessionData> {
        let rt = data.token_set.refresh_token.as_ref()?;
        let owner = Owner::of(data);
        let (chain, _) = self.rotation_chain(rt, None, None, &owner, |_| false);
        if chain.is_empty() {
            return None;
        }
        let mut data = data.clone();
        for done in chain {
            let r = &done.response;
            let t = &mut data.token_set;
            t.access_token = r.access_token.clone();
            t.expires_at = r.expires_at(done.at);
            if let Some(s) = &r.scope {
                t.scope = Some(s.clone());
            }
            if let Some(id) = &r.id_token {
                t.id_token = Some(id.clone());
            }
            if let Some(next) = &r.refresh_token {
                t.refresh_token = Some(next.clone());
            }
        }
        Some(data)
    }

    /// An access token for `data` (the seeds' `getAccessToken`): the stored
    /// one while it is valid and covers the scope, else a refresh.
    pub(crate) async fn access_token(
        &self,
        data: &SessionData,
        request: &AccessTokenRequest,
    ) -> Result<Grant, AccessTokenError> {
        let audience = request
            .audience
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| self.default_audience.clone());
        let wanted_scope = request.scope.as_deref().filter(|s| !s.is_empty());
        let primary_audience = data
            .token_set
            .audience
            .clone()
            .or_else(|| self.default_audience.clone());
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
        let current = match slot {
            Slot::Primary => {
                let t = &data.token_set;
                Current {
                    token: Some(t.access_token.clone()).filter(|t| !t.is_empty()),
                    expires_at: t.expires_at,
                    scope: t.scope.clone(),
                    token_type: t.token_type.clone(),
                }
            }
            Slot::Other(i) => {
                let e = &data.access_tokens[i];
                Current {
                    token: Some(e.access_token.clone()),
                    expires_at: e.expires_at,
                    scope: e.scope.clone(),
                    token_type: e.token_type.clone(),
                }
            }
            Slot::NewAudience => Current {
                token: None,
                expires_at: 0,
                scope: None,
                token_type: None,
            },
        };
        let now = now();
        let scope_ok =
            slot != Slot::Primary || scope_covers(current.scope.as_deref(), wanted_scope);
        let expired = current.expires_at <= now;
        let needs_refresh = request.refresh
            || current.token.is_none()
            || current.expires_at <= now + self.buffer
            || !scope_ok;
        let respond =
            |token: AccessToken, expires_at: i64, scope, token_type| AccessTokenResponse {
                token,
                expires_at,
                expires_in: (expires_at - now).max(0),
                scope,
                token_type,
                audience: audience.clone(),
            };
        if !needs_refresh {
            if let Some(token) = current.token {
                return Ok(Grant {
                    response: respond(token, current.expires_at, current.scope, current.token_type),
                    update: None,
                });
            }
        }
        let Some(rt) = data.token_set.refresh_token.clone() else {
            return match current.token {
                Some(token) if !expired && !request.refresh => Ok(Grant {
                    response: respond(token, current.expires_at, current.scope, current.token_type),
                    update: None,
                }),
                token => Err(AccessTokenError::MissingRefreshToken {
                    expired: token.is_some(),
                }),
            };
        };

        let refresh_scope = wanted_scope.map(|w| merge_scopes(&self.scope, w));
        let refresh_audience = (slot != Slot::Primary).then(|| audience.clone()).flatten();
        let buffer = self.buffer;
        let forced = request.refresh;
        let owner = Owner::of(data);
        let usable = |done: &Refreshed| {
            let fresh_enough = !forced || now - done.at <= FORCED_FRESHNESS;
            done.owner == owner && fresh_enough && done.response.expires_at(done.at) > now + buffer
        };

        // Follow the rotations this process already saw, so a stale refresh
        // token is never redeemed twice; refresh with the newest one.
        let (chain, accepted) = self.rotation_chain(
            &rt,
            refresh_audience.as_deref(),
            refresh_scope.as_deref(),
            &owner,
            usable,
        );
        let latest_rt = chain
            .last()
            .and_then(|d| d.response.refresh_token.clone())
            .unwrap_or_else(|| rt.clone());
        let refreshed = match chain.last() {
            Some(done) if accepted => done.clone(),
            // This cookie's refresh token was already redeemed: it is older
            // than the chain. It may take over a result, never extend the chain.
            Some(_) if latest_rt.secret() != rt.secret() => {
                tracing::warn!(target: "auth0_leptos", "an outdated session cookie asked for a refresh; refused");
                return Err(AccessTokenError::FailedToRefreshToken { cause: None });
            }
            _ => {
                let key = RefreshKey::new(
                    latest_rt.secret(),
                    refresh_audience.as_deref(),
                    refresh_scope.as_deref(),
                );
                // A refresh that just failed fails again without a provider
                // call; varying scope or audience buys only a few calls.
                if let Some(e) = self.budget.recent_failure(&owner, key) {
                    return Err(e);
                }
                if !self.budget.admit(&owner, key) {
                    tracing::warn!(target: "auth0_leptos", "a session asked for too many distinct token refreshes; refused");
                    return Err(AccessTokenError::FailedToRefreshToken { cause: None });
                }
                let outcome = self
                    .flights
                    .run(key, usable, || {
                        self.refresh_grant(
                            latest_rt.clone(),
                            refresh_audience.clone(),
                            refresh_scope.clone(),
                            owner.clone(),
                        )
                    })
                    .await;
                if let Err(e) = &outcome {
                    self.budget.failed(&owner, key, e);
                    if matches!(e, AccessTokenError::FailedToRefreshToken { cause: Some(c) } if c.code == "invalid_grant")
                    {
                        // Revoked or reused: nothing of this session is handed out again.
                        self.flights.forget(|o| *o == owner);
                    }
                }
                outcome?
            }
        };

        let r = &refreshed.response;
        let expires_at = r.expires_at(refreshed.at);
        let scope = r
            .scope
            .clone()
            .or_else(|| refresh_scope.clone())
            .or(current.scope);
        let update = TokenUpdate {
            slot,
            refresh_token: r.refresh_token.clone().unwrap_or(latest_rt),
            token: r.access_token.clone(),
            expires_at,
            scope: scope.clone(),
            requested_scope: refresh_scope,
            token_type: r.token_type.clone(),
            id_token: r.id_token.clone(),
            audience: audience.clone(),
        };
        Ok(Grant {
            response: respond(
                r.access_token.clone(),
                expires_at,
                scope,
                r.token_type.clone(),
            ),
            update: Some(update),
        })
    }

    /// One `refresh_token` grant; validates a returned ID token.
    async fn refresh_grant(
        &self,
        rt: RefreshToken,
        audience: Option<String>,
        scope: Option<String>,
        owner: Owner,
    ) -> Result<Refreshed, AccessTokenError> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt.into_secret()),
        ];
        if let Some(a) = audience {
            form.push(("audience", a));
        }
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let resp = match self.oidc.token_request(form).await {
            Ok(r) => r,
            Err(ProviderError::OAuth(e)) if e.code == "mfa_required" => {
                return Err(AccessTokenError::MfaRequired { cause: Some(e) })
            }
            Err(ProviderError::OAuth(e)) => {
                return Err(AccessTokenError::FailedToRefreshToken { cause: Some(e) })
            }
            Err(e) => {
                tracing::warn!(target: "auth0_leptos", "token refresh failed: {e}");
                return Err(AccessTokenError::FailedToRefreshToken { cause: None });
            }
        };
        if let Some(id) = &resp.id_token {
            let expect = Expectations {
                nonce: None,
                max_age: None,
                organization: None,
            };
            let claims = match self
                .oidc
                .validate_id_token(id.secret(), &self.client_id, expect)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(target: "auth0_leptos", "refreshed ID token rejected: {e}");
                    return Err(AccessTokenError::FailedToRefreshToken { cause: None });
                }
            };
            // OpenID Connect Core 12.2: same issuer (checked against the
            // provider above) and same subject as the session's.
            if claims.get("sub").and_then(serde_json::Value::as_str) != Some(owner.sub.as_str()) {
                tracing::warn!(target: "auth0_leptos", "refreshed ID token is for another subject; the old tokens are kept");
                return Err(AccessTokenError::FailedToRefreshToken { cause: None });
            }
        }
        Ok(Refreshed {
            response: resp,
            at: now(),
            owner,
        })
    }
}
