//! `get_access_token()`: one async API for the browser and the server.

use crate::{AccessTokenError, AccessTokenRequest, AccessTokenResponse};

/// An access token for the current user, with the same types on both sides.
///
/// In the browser it calls the library's `auth0_access_token` server
/// function (with `audience`, `scope`, `refresh`) and caches the token until
/// a minute before it expires; during SSR and in server functions it asks
/// the request's [`Auth0Session`](crate::server::Auth0Session) directly
/// (refreshing when needed, the session layer saving the result).
pub async fn get_access_token(
    request: AccessTokenRequest,
) -> Result<AccessTokenResponse, AccessTokenError> {
    imp::get(request).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;

    pub(super) async fn get(
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, AccessTokenError> {
        let session = crate::server::session()
            .await
            .map_err(|_| AccessTokenError::NotConfigured)?;
        session.access_token(request).await
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod imp {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;
    use crate::components::clock::now;
    use crate::AuthError;

    /// Tokens are reused until this long before they expire.
    const EARLY: i64 = 60;

    /// Audience and scope a token was asked for.
    type Key = (Option<String>, Option<String>);

    thread_local! {
        static CACHE: RefCell<HashMap<Key, AccessTokenResponse>> = RefCell::new(HashMap::new());
    }

    pub(super) async fn get(
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, AccessTokenError> {
        let key = (request.audience.clone(), request.scope.clone());
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
        }
        match crate::components::server_fns::auth0_access_token(request).await {
            Ok(t) => {
                CACHE.with(|c| c.borrow_mut().insert(key, t.clone()));
                Ok(t)
            }
            Err(e) => {
                CACHE.with(|c| c.borrow_mut().remove(&key));
                Err(match e {
                    AuthError::AccessToken(e) => e,
                    AuthError::NotAuthenticated => AccessTokenError::MissingSession,
                    AuthError::SessionStoreUnavailable => AccessTokenError::SessionStoreUnavailable,
                    AuthError::NotConfigured => AccessTokenError::NotConfigured,
                    _ => AccessTokenError::NetworkError,
                })
            }
        }
    }
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
mod imp {
    use super::*;

    pub(super) async fn get(
        _request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, AccessTokenError> {
        Err(AccessTokenError::NotConfigured)
    }
}
