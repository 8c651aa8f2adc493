//! Secrets that never print: one newtype per kind.
//!
//! Every type here wraps a `String`, serializes as that plain string
//! (`serde(transparent)`), prints `Name([redacted])` in `Debug`, and
//! deliberately implements neither `Display` nor `PartialEq` (comparing
//! secrets with `==` is not constant-time, and printing one is a leak).
//! Read the value with `secret()`.

use serde::{Deserialize, Serialize};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value.
            ///
            /// # Security
            /// Keep it out of logs, error messages and URLs that are logged.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Whether the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The secret value, consuming the wrapper.
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_type!(
    /// The application's client secret (`AUTH0_CLIENT_SECRET`).
    ClientSecret
);
secret_type!(
    /// A cookie secret (`AUTH0_SECRET`) from which the cookie keys are derived.
    CookieSecret
);
secret_type!(
    /// An OAuth 2.0 access token.
    AccessToken
);
secret_type!(
    /// An OAuth 2.0 refresh token.
    RefreshToken
);
secret_type!(
    /// An OpenID Connect ID token (a signed JWT).
    IdToken
);
secret_type!(
    /// A PKCE code verifier (RFC 7636).
    PkceVerifier
);
secret_type!(
    /// The nonce of an authorization request.
    Nonce
);
secret_type!(
    /// An MFA recovery code (shown to the user once).
    RecoveryCode
);
secret_type!(
    /// The provider's own `mfa_token` of an MFA step-up: it stays on the
    /// server (the browser gets it encrypted, as an
    /// [`MfaToken`](crate::mfa::MfaToken)).
    RawMfaToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_transparent() {
        let t = RefreshToken::new("hunter2-hunter2");
        assert_eq!(format!("{t:?}"), "RefreshToken([redacted])");
        assert_eq!(t.secret(), "hunter2-hunter2");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"hunter2-hunter2\"");
        let back: RefreshToken = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.secret(), "x");
        assert_eq!(
            format!("{:?}", Some(ClientSecret::new("s"))),
            "Some(ClientSecret([redacted]))"
        );
    }
}
