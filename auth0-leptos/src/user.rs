//! The signed-in user, shared by the server and the browser.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The ID-token claims kept in the session by default (the same list as the
/// Next.js SDK's `DEFAULT_ID_TOKEN_CLAIMS`).
pub const DEFAULT_ID_TOKEN_CLAIMS: &[&str] = &[
    "sub",
    "name",
    "nickname",
    "given_name",
    "family_name",
    "picture",
    "email",
    "email_verified",
    "org_id",
];

/// The user of a session: the standard profile claims as fields, every other
/// claim in [`User::claims`].
///
/// Serializes to the same JSON object as the Next.js SDK's `user`, so
/// `/auth/profile` answers `{"sub": "...", "name": "...", ...}`.
///
/// ```
/// let user: auth0_leptos::User =
///     serde_json::from_str(r#"{"sub":"auth0|1","name":"Ada","https://example.com/role":"admin"}"#).unwrap();
/// assert_eq!(user.display_name(), "Ada");
/// assert_eq!(user.claims["https://example.com/role"], "admin");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct User {
    /// Subject: the user's stable identifier at the provider.
    #[serde(default)]
    pub sub: String,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Casual name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// URL of the profile picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the provider verified the e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Auth0 organization id, when the user logged in to an organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Every other claim (custom claims, `updated_at`, ...).
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl User {
    /// The best name to greet the user with: name, nickname, e-mail or subject.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.nickname.as_deref())
            .or(self.email.as_deref())
            .unwrap_or(&self.sub)
    }

    /// Keeps only [`DEFAULT_ID_TOKEN_CLAIMS`]; what `before_session_saved`
    /// does when no hook is configured.
    pub fn filter_default_claims(mut self) -> Self {
        self.claims.clear();
        self
    }
}

// Hand-written so that known claims are read straight into their fields and
// the rest into `claims`, in one pass (`#[serde(flatten)]` would buffer the
// whole object first; this runs on every request that carries a session).
impl<'de> Deserialize<'de> for User {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = User;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a user object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<User, A::Error> {
                let mut u = User::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "sub" => u.sub = map.next_value::<Option<String>>()?.unwrap_or_default(),
                        "name" => u.name = map.next_value()?,
                        "nickname" => u.nickname = map.next_value()?,
                        "given_name" => u.given_name = map.next_value()?,
                        "family_name" => u.family_name = map.next_value()?,
                        "picture" => u.picture = map.next_value()?,
                        "email" => u.email = map.next_value()?,
                        "email_verified" => u.email_verified = map.next_value()?,
                        "org_id" => u.org_id = map.next_value()?,
                        _ => {
                            let v: Value = map.next_value()?;
                            u.claims.insert(key.into_owned(), v);
                        }
                    }
                }
                Ok(u)
            }
        }
        d.deserialize_map(V)
    }
}
