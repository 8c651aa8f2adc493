//! `get_access_token()`: one async API for the browser and the server.

use serde::{Deserialize, Serialize};

/// What to ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenRequest {
    /// API audience (default: the configured one).
    pub audience: Option<String>,
    /// Extra scope.
    pub scope: Option<String>,
    /// Skip caches and refresh at the provider.
    pub refresh: bool,
}

/// The `/auth/access-token` response.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenResponse {
    /// The access token.
    pub token: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// Seconds left when it was issued to the browser.
    #[serde(default)]
    pub expires_in: i64,
    /// Granted scope.
    #[serde(default)]
    pub scope: Option<String>,
    /// Token type (`Bearer`).
    #[serde(default)]
    pub token_type: Option<String>,
}

impl std::fmt::Debug for AccessTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokenResponse")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Why no token: `code` is one of the seeds' codes (`missing_session`,
/// `missing_refresh_token`, `failed_to_refresh_token`, `mfa_required`) or
/// `network_error` / `unavailable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAccessTokenError {
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
}

impl ClientAccessTokenError {
    /// The provider demands multi-factor authentication first.
    pub fn is_mfa_required(&self) -> bool {
        self.code == "mfa_required"
    }

    /// Nobody is logged in.
    pub fn is_missing_session(&self) -> bool {
        self.code == "missing_session"
    }
}

impl std::fmt::Display for ClientAccessTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ClientAccessTokenError {}

/// An access token for the current user.
///
/// In the browser it calls the access-token route (with `audience`, `scope`,
/// `refresh`) and caches the token until a minute before it expires; during
/// SSR and in server functions it uses the server API directly (refreshing
/// when needed, the session layer saving the result).
pub async fn get_access_token(
    request: AccessTokenRequest,
) -> Result<AccessTokenResponse, ClientAccessTokenError> {
    imp::get(request).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;

    pub(super) async fn get(
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, ClientAccessTokenError> {
        let session = crate::server::session()
            .await
            .map_err(|e| ClientAccessTokenError {
                code: "unavailable".into(),
                message: e.to_string(),
            })?;
        let opts = crate::server::AccessTokenOptions {
            refresh: request.refresh,
            scope: request.scope,
            audience: request.audience,
        };
        let now = crate::server::time::now();
        session
            .access_token(opts)
            .await
            .map(|t| AccessTokenResponse {
                token: t.token.expose().to_owned(),
                expires_at: t.expires_at,
                expires_in: (t.expires_at - now).max(0),
                scope: t.scope,
                token_type: t.token_type,
            })
            .map_err(|e| ClientAccessTokenError {
                code: e.code.as_str().into(),
                message: e.message,
            })
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod imp {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;
    use crate::components::fetch::{get_json, now};
    use crate::components::links::url_encode;

    /// Tokens are reused until this long before they expire.
    const EARLY: i64 = 60;

    thread_local! {
        static CACHE: RefCell<HashMap<String, AccessTokenResponse>> = RefCell::new(HashMap::new());
    }

    pub(super) async fn get(
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, ClientAccessTokenError> {
        // The route (with base path) is part of the URL, so apps mounted
        // under different base paths never share cache entries.
        let route = crate::components::use_auth_routes().access_token;
        let mut url = route.clone();
        let mut sep = '?';
        for (k, v) in [
            ("audience", request.audience.as_deref()),
            ("scope", request.scope.as_deref()),
        ] {
            if let Some(v) = v {
                url.push(sep);
                url.push_str(k);
                url.push('=');
                url.push_str(&url_encode(v));
                sep = '&';
            }
        }
        let key = url.clone();
        if !request.refresh {
            let hit = CACHE.with(|c| {
                c.borrow()
                    .get(&key)
                    .filter(|t| t.expires_at - EARLY > now())
                    .cloned()
            });
            if let Some(t) = hit {
                return Ok(t);
            }
        } else {
            url.push(sep);
            url.push_str("refresh=true");
        }
        let (status, body) = get_json(&url).await.map_err(|m| ClientAccessTokenError {
            code: "network_error".into(),
            message: m,
        })?;
        let body = body.unwrap_or_default();
        if status == 200 {
            let t: AccessTokenResponse =
                serde_json::from_value(body).map_err(|e| ClientAccessTokenError {
                    code: "invalid_response".into(),
                    message: e.to_string(),
                })?;
            CACHE.with(|c| c.borrow_mut().insert(key, t.clone()));
            return Ok(t);
        }
        CACHE.with(|c| c.borrow_mut().remove(&key));
        let code = body["error"]["code"]
            .as_str()
            .unwrap_or("unknown_error")
            .to_owned();
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("the access token request failed")
            .to_owned();
        Err(ClientAccessTokenError { code, message })
    }
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
mod imp {
    use super::*;

    pub(super) async fn get(
        _request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, ClientAccessTokenError> {
        Err(ClientAccessTokenError {
            code: "unavailable".into(),
            message: "enable the ssr or hydrate feature".into(),
        })
    }
}
