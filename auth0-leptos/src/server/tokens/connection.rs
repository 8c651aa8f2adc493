//! Access tokens for connections (Auth0 Token Vault): the session's refresh
//! token is exchanged for the access token of an upstream identity
//! provider's connection, with Auth0's federated-connection token exchange
//! grant, and cached in the session per connection until it expires.

use serde::{Deserialize, Serialize};

use super::{Owner, TokenService, TokenUpdate};
use crate::secret::AccessToken;
use crate::server::error::{AccessTokenForConnectionError, ProviderError};
use crate::server::session::{ConnectionTokenSet, SessionData};
use crate::server::time::now;

/// Auth0's grant type for connection tokens.
pub(crate) const FEDERATED_CONNECTION_GRANT: &str =
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
/// The token type Auth0 answers that grant with.
pub(crate) const FEDERATED_CONNECTION_TOKEN_TYPE: &str =
    "http://auth0.com/oauth/token-type/federated-connection-access-token";
const REFRESH_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:refresh_token";
/// Connections whose tokens a session keeps at most.
const MAX_CONNECTIONS: usize = 16;

/// Which connection's token to get (the seeds' `AccessTokenForConnectionOptions`).
///
/// ```
/// let options = auth0_leptos::server::AccessTokenForConnectionOptions::new("google-oauth2");
/// assert_eq!(options.connection, "google-oauth2");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenForConnectionOptions {
    /// The connection (`google-oauth2`, `github`, ...).
    pub connection: String,
    /// Which of the user's accounts at that connection, when there are several.
    #[serde(default)]
    pub login_hint: Option<String>,
}

impl AccessTokenForConnectionOptions {
    /// Options for `connection`.
    pub fn new(connection: impl Into<String>) -> Self {
        Self {
            connection: connection.into(),
            login_hint: None,
        }
    }

    /// With a `login_hint`.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }
}

/// A connection's access token. `Debug` never prints the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionAccessToken {
    /// The access token for the connection's API.
    pub token: AccessToken,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// Scope granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The connection.
    pub connection: String,
}

/// What to save into the session after a connection-token request.
#[derive(Debug, Default)]
pub(crate) struct ConnectionUpdate {
    /// Rotations of the refresh token this process made meanwhile.
    rotation: Option<TokenUpdate>,
    /// The new connection token.
    token: Option<ConnectionTokenSet>,
}

impl ConnectionUpdate {
    /// Whether there is nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.rotation.is_none() && self.token.is_none()
    }

    /// Writes it into `s`: the token replaces the connection's old one,
    /// expired ones are dropped, and at most [`MAX_CONNECTIONS`] are kept.
    pub(crate) fn apply(self, s: &mut SessionData) {
        if let Some(r) = self.rotation {
            r.apply(s);
        }
        if let Some(t) = self.token {
            let now = now();
            s.connection_token_sets.retain(|c| {
                c.expires_at > now
                    && !(c.connection == t.connection && c.login_hint == t.login_hint)
            });
            s.connection_token_sets.push(t);
            let excess = s
                .connection_token_sets
                .len()
                .saturating_sub(MAX_CONNECTIONS);
            s.connection_token_sets.drain(..excess);
        }
    }
}

impl TokenService {
    /// A connection's access token for `data`: the cached one while it is
    /// valid (outside the refresh buffer), else an exchange of the
    /// session's refresh token.
    pub(crate) async fn connection_token(
        &self,
        data: &SessionData,
        options: &AccessTokenForConnectionOptions,
    ) -> (
        Result<ConnectionAccessToken, AccessTokenForConnectionError>,
        ConnectionUpdate,
    ) {
        let fail = |e| (Err(e), ConnectionUpdate::default());
        let connection = options.connection.trim();
        if connection.is_empty() || connection.len() > 256 {
            return fail(AccessTokenForConnectionError::InvalidConnection);
        }
        let login_hint = options.login_hint.clone().filter(|h| !h.is_empty());
        let now = now();
        if let Some(c) = data.connection_token_sets.iter().find(|c| {
            c.connection == connection
                && c.login_hint == login_hint
                && c.expires_at > now + self.buffer
                && !c.access_token.is_empty()
        }) {
            return (
                Ok(ConnectionAccessToken {
                    token: c.access_token.clone(),
                    expires_at: c.expires_at,
                    scope: c.scope.clone(),
                    connection: c.connection.clone(),
                }),
                ConnectionUpdate::default(),
            );
        }
        let Some(rt) = data.token_set.refresh_token.clone() else {
            return fail(AccessTokenForConnectionError::MissingRefreshToken);
        };
        let owner = Owner::of(data);
        // In the session's lane: a refresh rotating the token meanwhile
        // would make this exchange present a redeemed one.
        let _turn = self.ledger.lane(&owner).await;
        let rotation = self.rotation_update(&rt, &owner);
        let subject = rotation
            .as_ref()
            .map(|r| r.refresh_token.clone())
            .unwrap_or(rt);
        let mut form = vec![
            ("grant_type", FEDERATED_CONNECTION_GRANT.to_owned()),
            ("subject_token", subject.into_secret()),
            ("subject_token_type", REFRESH_TOKEN_TYPE.to_owned()),
            (
                "requested_token_type",
                FEDERATED_CONNECTION_TOKEN_TYPE.to_owned(),
            ),
            ("connection", connection.to_owned()),
        ];
        if let Some(h) = &login_hint {
            form.push(("login_hint", h.clone()));
        }
        let resp = match self.oidc.token_request(form).await {
            Ok(r) => r,
            Err(e) => {
                let cause = match e {
                    ProviderError::OAuth(e) => Some(e),
                    e => {
                        tracing::warn!(target: "auth0_leptos", "connection token exchange failed: {e}");
                        None
                    }
                };
                let update = ConnectionUpdate {
                    rotation,
                    token: None,
                };
                return (
                    Err(AccessTokenForConnectionError::FailedToExchange { cause }),
                    update,
                );
            }
        };
        let at = crate::server::time::now();
        let set = ConnectionTokenSet {
            access_token: resp.access_token.clone(),
            connection: connection.to_owned(),
            scope: resp.scope.clone(),
            expires_at: resp.expires_at(at),
            login_hint,
        };
        let answer = ConnectionAccessToken {
            token: resp.access_token,
            expires_at: set.expires_at,
            scope: set.scope.clone(),
            connection: set.connection.clone(),
        };
        (
            Ok(answer),
            ConnectionUpdate {
                rotation,
                token: Some(set),
            },
        )
    }
}
