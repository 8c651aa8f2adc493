//! The access-token vocabulary shared by the server and the browser: one
//! request type, one response type (and one error type,
//! [`AccessTokenError`](crate::AccessTokenError)).

use serde::{Deserialize, Deserializer, Serialize};

use crate::secret::AccessToken;

/// What to ask for, on either side.
///
/// ```
/// let req = auth0_leptos::AccessTokenRequest {
///     audience: Some("https://api.example.com/".into()),
///     ..Default::default()
/// };
/// assert!(!req.refresh);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenRequest {
    /// API audience (default: the configured one).
    #[serde(default)]
    pub audience: Option<String>,
    /// Scope the token must carry (added to the configured scope when a
    /// refresh is needed).
    #[serde(default)]
    pub scope: Option<String>,
    /// Skip caches and refresh at the provider.
    #[serde(default, deserialize_with = "flag")]
    pub refresh: bool,
}

/// `true`, `"true"`, `"1"` and a bare `refresh` (empty value) mean yes:
/// query strings carry text, server functions carry booleans.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        Some(Flag::Bool(b)) => b,
        Some(Flag::Text(t)) => matches!(t.as_str(), "true" | "1" | ""),
        None => false,
    })
}

/// An access token and what is known about it (the `/auth/access-token`
/// route's JSON body). `Debug` never prints the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessTokenResponse {
    /// The access token.
    pub token: AccessToken,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// Seconds left when it was handed out.
    #[serde(default)]
    pub expires_in: i64,
    /// Granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Token type (`Bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Audience, when one was asked for or configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_flag_from_query_text_or_bool() {
        let q: AccessTokenRequest = serde_json::from_str(r#"{"refresh":"true"}"#).unwrap();
        assert!(q.refresh);
        let q: AccessTokenRequest = serde_json::from_str(r#"{"refresh":false}"#).unwrap();
        assert!(!q.refresh);
        let q: AccessTokenRequest = serde_json::from_str(r#"{}"#).unwrap();
        assert!(!q.refresh);
    }

    #[test]
    fn debug_hides_the_token() {
        let r = AccessTokenResponse {
            token: AccessToken::new("eyJ.secret"),
            expires_at: 1,
            expires_in: 0,
            scope: None,
            token_type: None,
            audience: None,
        };
        assert!(!format!("{r:?}").contains("secret"));
    }
}
