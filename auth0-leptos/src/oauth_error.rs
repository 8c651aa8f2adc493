//! The provider's OAuth 2.0 error (RFC 6749 5.2), shared by every error
//! type of the crate.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An OAuth 2.0 error returned by the provider (`error`, `error_description`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Error {
    /// The provider's `error` code (`access_denied`, `invalid_grant`, ...).
    pub code: String,
    /// The provider's `error_description`, if any. Untrusted text: escape it
    /// before putting it in HTML.
    pub message: Option<String>,
}

impl fmt::Display for OAuth2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{}: {}", self.code, m),
            None => f.write_str(&self.code),
        }
    }
}

impl std::error::Error for OAuth2Error {}
