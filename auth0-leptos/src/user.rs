//! The signed-in user, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
