//! Grants that stand apart from the session: custom token exchange
//! (RFC 8693) and Client-Initiated Backchannel Authentication. They talk
//! to the provider through [`Oidc`](crate::server::oidc::Oidc) (client
//! authentication and DPoP included) and never touch a session.

pub(crate) mod ciba;
pub(crate) mod exchange;

use serde_json::{Map, Value};

use crate::server::config::Auth0Config;
use crate::server::oidc::id_token::Expectations;
use crate::server::oidc::{Oidc, TokenResponse};
use crate::server::session::TokenSet;
use crate::server::time::now;

/// Validates the ID token of a grant's response, when there is one (no
/// nonce: these grants send none). `Err` says why, for logs.
async fn id_token_claims(
    oidc: &Oidc,
    config: &Auth0Config,
    resp: &TokenResponse,
) -> Result<Option<Map<String, Value>>, String> {
    let Some(id) = &resp.id_token else {
        return Ok(None);
    };
    let expect = Expectations {
        nonce: None,
        max_age: None,
        organization: None,
    };
    oidc.validate_id_token(id.secret(), &config.client_id, expect)
        .await
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A token response as a [`TokenSet`], for `audience`.
fn token_set(
    resp: TokenResponse,
    audience: Option<String>,
    requested_scope: Option<String>,
) -> TokenSet {
    let expires_at = resp.expires_at(now());
    TokenSet {
        access_token: resp.access_token,
        id_token: resp.id_token,
        refresh_token: resp.refresh_token,
        scope: resp.scope,
        requested_scope,
        expires_at,
        audience,
        token_type: resp.token_type,
    }
}
