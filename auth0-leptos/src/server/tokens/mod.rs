//! The token service: which access token of a session answers a request
//! (the login's, or one of another audience and scope), when to refresh
//! it, one refresh at a time per session, and following rotations this
//! process already saw. It works on [`SessionData`], never on a request:
//! the caller applies the returned [`TokenUpdate`] to the request's session.

mod budget;
pub(crate) mod connection;
mod ledger;
mod slots;

use std::sync::Arc;

use crate::error::{AccessTokenError, OAuth2Error};
use crate::mfa::MfaToken;
use crate::secret::{AccessToken, RefreshToken};
use crate::server::config::{Auth0Config, Scope};
use crate::server::error::{MfaRequiredBody, ProviderError};
use crate::server::mfa::StepUp;
use crate::server::oidc::id_token::Expectations;
use crate::server::oidc::{jwt_audiences, Oidc};
use crate::server::session::SessionData;
use crate::server::time::now;
use crate::{AccessTokenRequest, AccessTokenResponse};

use budget::RefreshBudget;
pub(crate) use ledger::Owner;
use ledger::{Ledger, RefreshKey, Refreshed};
use slots::{find_entry, merge_scopes, scope_covers};

/// Rotations followed at most, per lookup.
const MAX_CHAIN: usize = 8;
/// A forced refresh accepts a result this recent (seconds): concurrent
/// forced refreshes share one provider call.
const FORCED_FRESHNESS: i64 = 5;

/// Refreshes and hands out access tokens.
pub(crate) struct TokenService {
    oidc: Arc<Oidc>,
    client_id: String,
    scope: Scope,
    default_audience: Option<String>,
    buffer: i64,
    ledger: Ledger,
    budget: RefreshBudget,
}

/// What a refresh (or the rotations this process followed) changed, to be
/// written into the session.
#[derive(Debug)]
pub(crate) struct TokenUpdate {
    /// Refreshes whose tokens go into the session, oldest first.
    steps: Vec<Arc<Refreshed>>,
    /// The newest refresh token.
    refresh_token: RefreshToken,
}

impl TokenUpdate {
    /// Writes the refreshed tokens into `s`.
    pub(crate) fn apply(self, s: &mut SessionData) {
        let now = now();
        for step in &self.steps {
            slots::write(s, step, now);
        }
        s.token_set.refresh_token = Some(self.refresh_token);
    }
}

/// The answer to an access-token request: the token (or why not), and
/// what to save either way (a refresh may rotate the refresh token even
/// when its access token cannot be handed out).
#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) result: Result<AccessTokenResponse, AccessTokenError>,
    pub(crate) update: Option<TokenUpdate>,
    /// With an `mfa_required` result: the step-up to seal for the browser.
    pub(crate) step_up: Option<StepUp>,
}

impl From<AccessTokenError> for Grant {
    fn from(e: AccessTokenError) -> Self {
        Self {
            result: Err(e),
            update: None,
            step_up: None,
        }
    }
}

/// Whether `response` carries a JWT access token that does not name
/// `audience`: a provider that ignores an audience outside the
/// application's refresh token policy answers with a token for another API
/// (Auth0 does), which must not be handed out or saved as this audience's.
pub(crate) fn for_another_audience(
    response: &crate::server::oidc::TokenResponse,
    audience: Option<&str>,
) -> bool {
    audience.is_some_and(|a| {
        jwt_audiences(response.access_token.secret())
            .is_some_and(|auds| !auds.iter().any(|x| x == a))
    })
}

/// The provider's cause given when it answered for another audience.
pub(crate) fn other_audience_error() -> OAuth2Error {
    OAuth2Error {
        code: "invalid_target".into(),
        message: Some(
            "The provider returned an access token for another audience than the one requested."
                .into(),
        ),
    }
}

/// A refresh that failed, and the step-up when the provider asked for one.
type RefreshFailure = (AccessTokenError, Option<StepUp>);

/// Which token a request is about, and the one the session holds for it.
struct Target {
    /// The audience to ask the provider for; `None` for the login's token set.
    audience: Option<String>,
    /// The scope to ask for when refreshing.
    scope: Option<String>,
    token: Option<AccessToken>,
    expires_at: i64,
    granted_scope: Option<String>,
    token_type: Option<String>,
    /// Whether the held token lacks a scope the request wants.
    scope_missing: bool,
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
            ledger: Ledger::new(config.rotation_race_window),
            budget: RefreshBudget::default(),
        }
    }

    /// Drops every remembered refresh of this session (logout, revocation):
    /// a copy of an older cookie can no longer take over its tokens.
    pub(crate) fn forget_session(&self, data: &SessionData) {
        let owner = Owner::of(data);
        self.ledger.forget(|o| *o == owner);
    }

    /// Drops every remembered refresh of the sessions a back-channel logout
    /// token names (by `sid`, else by `sub`).
    pub(crate) fn forget_logout(&self, sid: Option<&str>, sub: Option<&str>) {
        self.ledger.forget(|o| match (sid, sub) {
            (Some(sid), _) if !o.sid.is_empty() => o.sid == sid,
            (_, Some(sub)) => o.sub == sub,
            _ => false,
        });
    }

    /// The rotations this process made starting from `rt` for this
    /// session, oldest first (whichever audience each was for).
    fn rotation_chain(&self, rt: &RefreshToken, owner: &Owner) -> Vec<Arc<Refreshed>> {
        let mut chain: Vec<Arc<Refreshed>> = Vec::new();
        if self.ledger.is_empty() {
            return chain;
        }
        let mut current = rt.secret().to_owned();
        for _ in 0..MAX_CHAIN {
            let Some(step) = self.ledger.rotated(&current) else {
                break;
            };
            // Only the session that made a refresh may take its tokens over.
            if step.owner != *owner {
                break;
            }
            let Some(next) = step.response.refresh_token.as_ref() else {
                break;
            };
            current = next.secret().to_owned();
            chain.push(step);
        }
        chain
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
        let update = self.rotation_update(rt, &Owner::of(data))?;
        let mut data = data.clone();
        update.apply(&mut data);
        Some(data)
    }

    /// The rotations this process made from `rt` for this session, as an
    /// update to the newest refresh token (`None`: none were made).
    fn rotation_update(&self, rt: &RefreshToken, owner: &Owner) -> Option<TokenUpdate> {
        let chain = self.rotation_chain(rt, owner);
        let newest = chain.last()?.response.refresh_token.clone()?;
        Some(TokenUpdate {
            steps: chain,
            refresh_token: newest,
        })
    }

    /// Which token of `data` answers `request`, and what to ask for when
    /// it must be refreshed.
    fn target(&self, data: &SessionData, request: &AccessTokenRequest) -> Target {
        let audience = request
            .audience
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| self.default_audience.clone());
        let wanted = request.scope.as_deref().filter(|s| !s.trim().is_empty());
        let primary_audience = data
            .token_set
            .audience
            .clone()
            .or_else(|| self.default_audience.clone());
        match audience {
            Some(audience) if Some(&audience) != primary_audience.as_ref() => {
                // Another API: its configured scope plus the requested one.
                let base = self.scope.for_audience(Some(&audience)).unwrap_or("");
                let scope =
                    Some(merge_scopes(base, wanted.unwrap_or(""))).filter(|s| !s.is_empty());
                match find_entry(&data.access_tokens, &audience, scope.as_deref()) {
                    Some(i) => {
                        let e = &data.access_tokens[i];
                        Target {
                            // Renew the entry as it was asked for.
                            scope: e.requested_scope.clone().or(scope),
                            audience: Some(audience),
                            token: Some(e.access_token.clone()).filter(|t| !t.is_empty()),
                            expires_at: e.expires_at,
                            granted_scope: e.scope.clone(),
                            token_type: e.token_type.clone(),
                            scope_missing: false,
                        }
                    }
                    None => Target {
                        audience: Some(audience),
                        scope,
                        token: None,
                        expires_at: 0,
                        granted_scope: None,
                        token_type: None,
                        scope_missing: false,
                    },
                }
            }
            _ => {
                let t = &data.token_set;
                let base = self
                    .scope
                    .for_audience(primary_audience.as_deref())
                    .unwrap_or(crate::server::config::DEFAULT_SCOPE);
                Target {
                    audience: None,
                    scope: wanted.map(|w| merge_scopes(base, w)),
                    token: Some(t.access_token.clone()).filter(|t| !t.is_empty()),
                    expires_at: t.expires_at,
                    granted_scope: t.scope.clone(),
                    token_type: t.token_type.clone(),
                    scope_missing: !scope_covers(t.scope.as_deref(), wanted),
                }
            }
        }
    }

    /// An access token for `data` (the seeds' `getAccessToken`): the stored
    /// one while it is valid and covers the scope, else a refresh.
    pub(crate) async fn access_token(
        &self,
        data: &SessionData,
        request: &AccessTokenRequest,
    ) -> Grant {
        let target = self.target(data, request);
        let answer_audience = target
            .audience
            .clone()
            .or_else(|| request.audience.clone().filter(|a| !a.is_empty()))
            .or_else(|| self.default_audience.clone());
        let now = now();
        let expired = target.expires_at <= now;
        let needs_refresh = request.refresh
            || target.token.is_none()
            || target.expires_at <= now + self.buffer
            || target.scope_missing;
        let respond =
            |token: AccessToken, expires_at: i64, scope, token_type| AccessTokenResponse {
                token,
                expires_at,
                expires_in: (expires_at - now).max(0),
                scope,
                token_type,
                audience: answer_audience.clone(),
            };
        if !needs_refresh {
            if let Some(token) = target.token {
                return Grant {
                    result: Ok(respond(
                        token,
                        target.expires_at,
                        target.granted_scope,
                        target.token_type,
                    )),
                    update: None,
                    step_up: None,
                };
            }
        }
        let Some(rt) = data.token_set.refresh_token.clone() else {
            return match target.token {
                Some(token) if !expired && !request.refresh && !target.scope_missing => Grant {
                    result: Ok(respond(
                        token,
                        target.expires_at,
                        target.granted_scope,
                        target.token_type,
                    )),
                    update: None,
                    step_up: None,
                },
                token => AccessTokenError::MissingRefreshToken {
                    expired: token.is_some(),
                }
                .into(),
            };
        };

        let buffer = self.buffer;
        let forced = request.refresh;
        let owner = Owner::of(data);
        let usable = |done: &Refreshed| {
            let fresh_enough = !forced || now - done.at <= FORCED_FRESHNESS;
            done.owner == owner && fresh_enough && done.response.expires_at(done.at) > now + buffer
        };
        let (audience, scope) = (target.audience.as_deref(), target.scope.as_deref());

        // One refresh at a time for this session: the refresh token may
        // rotate, and redeeming it twice would revoke the grant.
        let _turn = self.ledger.lane(&owner).await;

        // Follow the rotations this process already made (for any
        // audience), so a redeemed refresh token is never sent again, and
        // take a result for this very request if one is fresh enough.
        let chain = self.rotation_chain(&rt, &owner);
        let mut redeemable: Vec<RefreshToken> = vec![rt.clone()];
        redeemable.extend(
            chain
                .iter()
                .filter_map(|s| s.response.refresh_token.clone()),
        );
        let latest_rt = redeemable.last().cloned().unwrap_or(rt);
        let taken = redeemable.iter().rev().find_map(|r| {
            self.ledger
                .completed(RefreshKey::new(r.secret(), audience, scope))
                .filter(|d| usable(d))
        });
        let (answer, newest_rt) = match taken {
            Some(done) => (done, latest_rt),
            None => {
                let key = RefreshKey::new(latest_rt.secret(), audience, scope);
                // A refresh that just failed fails again without a provider
                // call; varying scope or audience buys only a few calls.
                if let Some(e) = self.budget.recent_failure(&owner, key) {
                    return e.into();
                }
                if !self.budget.admit(&owner, key) {
                    tracing::warn!(target: "auth0_leptos", "a session asked for too many distinct token refreshes; refused");
                    return AccessTokenError::FailedToRefreshToken { cause: None }.into();
                }
                let outcome = self
                    .refresh_grant(
                        latest_rt.clone(),
                        target.audience.clone(),
                        target.scope.clone(),
                        owner.clone(),
                    )
                    .await;
                let done = match outcome {
                    Ok(done) => Arc::new(done),
                    Err((e, Some(step_up))) => {
                        // Not remembered as a failure: each ask gets its own
                        // mfa_token (the refresh token was not redeemed).
                        return Grant {
                            result: Err(e),
                            update: None,
                            step_up: Some(step_up),
                        };
                    }
                    Err((e, None)) => {
                        self.budget.failed(&owner, key, &e);
                        if matches!(&e, AccessTokenError::FailedToRefreshToken { cause: Some(c) } if c.code == "invalid_grant")
                        {
                            // Revoked or reused: nothing of this session is handed out again.
                            self.ledger.forget(|o| *o == owner);
                        }
                        return e.into();
                    }
                };
                self.ledger.record(latest_rt.secret(), key, done.clone());
                let newest = done.response.refresh_token.clone().unwrap_or(latest_rt);
                (done, newest)
            }
        };

        let r = &answer.response;
        let expires_at = r.expires_at(answer.at);
        let scope = r
            .scope
            .clone()
            .or_else(|| answer.scope.clone())
            .or(target.granted_scope);
        let response = respond(
            r.access_token.clone(),
            expires_at,
            scope,
            r.token_type.clone(),
        );
        // The answer is written last: it is the token this request gets.
        let mut steps = chain;
        steps.retain(|s| !Arc::ptr_eq(s, &answer));
        steps.push(answer.clone());
        let update = Some(TokenUpdate {
            steps,
            refresh_token: newest_rt,
        });
        if answer.wrong_audience {
            tracing::warn!(target: "auth0_leptos", "the provider answered a refresh for another audience with a token for a different one; is the audience in the application's refresh token policy?");
            return Grant {
                result: Err(AccessTokenError::FailedToRefreshToken {
                    cause: Some(other_audience_error()),
                }),
                update,
                step_up: None,
            };
        }
        Grant {
            result: Ok(response),
            update,
            step_up: None,
        }
    }

    /// Writes the tokens of a grant made outside a refresh (an MFA
    /// verification) into `data`: the login's token set when `audience` is
    /// `None`, else that audience's entry; a returned refresh token
    /// replaces the session's.
    pub(crate) fn save_grant(
        data: &mut SessionData,
        response: crate::server::oidc::TokenResponse,
        audience: Option<String>,
        scope: Option<String>,
    ) {
        let at = now();
        let refresh_token = response.refresh_token.clone();
        let step = Refreshed {
            response,
            at,
            owner: Owner::of(data),
            audience,
            scope,
            wrong_audience: false,
        };
        slots::write(data, &step, at);
        if let Some(rt) = refresh_token {
            data.token_set.refresh_token = Some(rt);
        }
    }

    /// One `refresh_token` grant; validates a returned ID token.
    async fn refresh_grant(
        &self,
        rt: RefreshToken,
        audience: Option<String>,
        scope: Option<String>,
        owner: Owner,
    ) -> Result<Refreshed, RefreshFailure> {
        let failed = |cause| (AccessTokenError::FailedToRefreshToken { cause }, None);
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt.into_secret()),
        ];
        if let Some(a) = &audience {
            form.push(("audience", a.clone()));
        }
        if let Some(s) = &scope {
            form.push(("scope", s.clone()));
        }
        let resp = match self.oidc.token_request(form).await {
            Ok(r) => r,
            Err(ProviderError::MfaRequired(body)) => {
                let MfaRequiredBody {
                    error,
                    mfa_token,
                    requirements,
                } = *body;
                let step_up = mfa_token.map(|raw| StepUp {
                    raw,
                    audience: audience.clone(),
                    scope: scope.clone(),
                    requirements: requirements.clone(),
                });
                let error = AccessTokenError::MfaRequired {
                    cause: Some(error),
                    mfa_token: MfaToken::default(),
                    mfa_requirements: requirements,
                };
                return Err((error, step_up));
            }
            Err(ProviderError::OAuth(e)) => return Err(failed(Some(e))),
            Err(e) => {
                tracing::warn!(target: "auth0_leptos", "token refresh failed: {e}");
                return Err(failed(None));
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
                    return Err(failed(None));
                }
            };
            // OpenID Connect Core 12.2: same issuer (checked against the
            // provider above) and same subject as the session's.
            if claims.get("sub").and_then(serde_json::Value::as_str) != Some(owner.sub.as_str()) {
                tracing::warn!(target: "auth0_leptos", "refreshed ID token is for another subject; the old tokens are kept");
                return Err(failed(None));
            }
        }
        let wrong_audience = for_another_audience(&resp, audience.as_deref());
        Ok(Refreshed {
            response: resp,
            at: now(),
            owner,
            audience,
            scope,
            wrong_audience,
        })
    }
}
