//! The session's contents, in the JSON shape nextjs-auth0 v4 writes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::User;

/// Everything a session holds. Serializes to nextjs-auth0 v4's `SessionData`
/// (`user`, `tokenSet`, `accessTokens`, `internal`, plus any extra fields).
///
/// `Debug` never prints tokens.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// The user's claims.
    pub user: User,
    /// Tokens of the login (and of later refreshes).
    #[serde(default)]
    pub token_set: TokenSet,
    /// Access tokens for other audiences (multi-resource refresh tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_tokens: Vec<AccessTokenEntry>,
    /// Access tokens for connections (Token Vault), one per connection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connection_token_sets: Vec<ConnectionTokenSet>,
    /// Bookkeeping: the provider's session id and when the session began.
    #[serde(default)]
    pub internal: Internal,
    /// Pending MFA step-ups, keyed by a hash of the provider's `mfa_token`
    /// (an encrypted token is only usable with the session that received
    /// it). Expired ones are dropped when the session is written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mfa: BTreeMap<String, MfaContext>,
    /// Any other top-level fields (set by `before_session_saved` or by
    /// [`Auth0Session::update`](crate::server::Auth0Session::update)).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SessionData {
    /// A session for `user` created now, with the given tokens.
    pub fn new(user: User, token_set: TokenSet, sid: Option<String>, created_at: i64) -> Self {
        Self {
            user,
            token_set,
            access_tokens: Vec::new(),
            connection_token_sets: Vec::new(),
            mfa: BTreeMap::new(),
            internal: Internal {
                sid: sid.unwrap_or_default(),
                created_at,
            },
            extra: Map::new(),
        }
    }
}

/// Tokens from the token endpoint, in nextjs-auth0's `tokenSet` shape.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    /// The access token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub access_token: AccessToken,
    /// The ID token of the login (or of the last refresh that returned one).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_as_none"
    )]
    pub id_token: Option<IdToken>,
    /// The refresh token, when `offline_access` was granted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_as_none"
    )]
    pub refresh_token: Option<RefreshToken>,
    /// Scope granted for the access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Scope that was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_scope: Option<String>,
    /// When the access token expires (seconds since the epoch).
    #[serde(default)]
    pub expires_at: i64,
    /// Audience of the access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Token type (`Bearer`, `DPoP`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "token_type"
    )]
    pub token_type: Option<String>,
}

/// An access token for another audience (nextjs-auth0's `accessTokens[]`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenEntry {
    /// The access token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub access_token: AccessToken,
    /// Its audience.
    #[serde(default)]
    pub audience: String,
    /// Scope granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Scope asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_scope: Option<String>,
    /// Expiry (seconds since the epoch).
    #[serde(default)]
    pub expires_at: i64,
    /// Token type.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "token_type"
    )]
    pub token_type: Option<String>,
}

/// An access token for a connection, from Auth0's Token Vault
/// (nextjs-auth0's `connectionTokenSets[]`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTokenSet {
    /// The connection's access token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub access_token: AccessToken,
    /// The connection (`google-oauth2`, ...).
    #[serde(default)]
    pub connection: String,
    /// Scope granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Expiry (seconds since the epoch).
    #[serde(default)]
    pub expires_at: i64,
    /// The `login_hint` it was asked with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
}

/// What a session remembers of a pending MFA step-up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaContext {
    /// The audience whose token asked for the step-up (empty: the login's).
    #[serde(default)]
    pub audience: String,
    /// The scope asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the step-up began (milliseconds since the epoch).
    #[serde(default)]
    pub created_at: i64,
}

/// Session bookkeeping (nextjs-auth0's `internal`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Internal {
    /// The provider's session id (`sid` claim of the ID token).
    #[serde(default)]
    pub sid: String,
    /// When the session was created (seconds since the epoch); the absolute
    /// duration counts from here.
    #[serde(default)]
    pub created_at: i64,
}

// One pass, no buffering (see `User`'s deserializer).
impl<'de> Deserialize<'de> for SessionData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SessionData;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a session object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SessionData, A::Error> {
                let mut user = None;
                let mut token_set = TokenSet::default();
                let mut access_tokens = Vec::new();
                let mut connection_token_sets = Vec::new();
                let mut internal = Internal::default();
                let mut mfa = BTreeMap::new();
                let mut extra = Map::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "user" => user = Some(map.next_value::<User>()?),
                        "tokenSet" => {
                            token_set = map.next_value::<Option<TokenSet>>()?.unwrap_or_default()
                        }
                        "accessTokens" => {
                            access_tokens = map
                                .next_value::<Option<Vec<AccessTokenEntry>>>()?
                                .unwrap_or_default()
                        }
                        "connectionTokenSets" => {
                            connection_token_sets = map
                                .next_value::<Option<Vec<ConnectionTokenSet>>>()?
                                .unwrap_or_default()
                        }
                        "mfa" => {
                            mfa = map
                                .next_value::<Option<BTreeMap<String, MfaContext>>>()?
                                .unwrap_or_default()
                        }
                        "internal" => {
                            internal = map.next_value::<Option<Internal>>()?.unwrap_or_default()
                        }
                        _ => {
                            let v: Value = map.next_value()?;
                            extra.insert(key.into_owned(), v);
                        }
                    }
                }
                let user = user.ok_or_else(|| serde::de::Error::missing_field("user"))?;
                Ok(SessionData {
                    user,
                    token_set,
                    access_tokens,
                    connection_token_sets,
                    internal,
                    mfa,
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl crate::server::crypto::jwe::WithExp for SessionData {
    fn take_exp(&mut self) -> Option<f64> {
        self.extra.remove("exp")?.as_f64()
    }
}

/// A `null` token reads as an empty one (what older cookies may hold).
fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + From<String>,
{
    Ok(Option::<String>::deserialize(de)?
        .map(T::from)
        .unwrap_or_default())
}

/// An absent, `null` or empty optional token reads as `None`.
fn empty_as_none<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(Option::<String>::deserialize(de)?
        .filter(|s| !s.is_empty())
        .map(T::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: without correctly rounded float parsing, a number
    /// such as this read back one digit off after a save.
    #[test]
    fn numbers_in_extra_fields_survive_a_save_exactly() {
        let json = r#"{"user":{"sub":"u"},"custom":{"n":[2.184467440737095516165,1e-7,0.1]}}"#;
        let once: SessionData = serde_json::from_str(json).unwrap();
        let text = serde_json::to_string(&once).unwrap();
        let twice: SessionData = serde_json::from_str(&text).unwrap();
        assert_eq!(
            serde_json::to_value(&once).unwrap(),
            serde_json::to_value(&twice).unwrap()
        );
    }

    #[test]
    fn parses_next_js_shape_and_keeps_unknown_fields() {
        let json = r#"{"user":{"sub":"u1","foo":1},"tokenSet":{"accessToken":"at","refreshToken":"rt","expiresAt":5,"token_type":"Bearer"},
            "internal":{"sid":"s","createdAt":1},"custom":{"k":true}}"#;
        let s: SessionData = serde_json::from_str(json).unwrap();
        assert_eq!(s.token_set.access_token.secret(), "at");
        assert_eq!(s.token_set.refresh_token.as_ref().unwrap().secret(), "rt");
        assert_eq!(s.token_set.token_type.as_deref(), Some("Bearer"));
        assert_eq!(s.extra["custom"]["k"], true);
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["tokenSet"]["accessToken"], "at");
        assert_eq!(back["custom"]["k"], true);
        assert!(!format!("{s:?}").contains("rt\""));
    }
}
