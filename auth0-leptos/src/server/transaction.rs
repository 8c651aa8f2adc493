//! Login transactions: the `__txn_{state}` cookies that carry the PKCE
//! verifier, nonce and returnTo from `/auth/login` to `/auth/callback`.
//! Works on the request's cookies and returns the `Set-Cookie`s to send;
//! the session layer writes them.

use serde::{Deserialize, Serialize};

use crate::secret::{Nonce, PkceVerifier};
use crate::server::config::Auth0Config;
use crate::server::cookies::{CookieAttrs, RequestCookies, SetCookie};
use crate::server::crypto::jwe::Keyring;
use crate::server::error::RouteError;
use crate::server::time::now;

/// What `/auth/login` stores for `/auth/callback` (nextjs-auth0's
/// `TransactionState`). `Debug` never prints the verifier or the nonce.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionState {
    pub(crate) nonce: Nonce,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_age: Option<u64>,
    pub(crate) code_verifier: PkceVerifier,
    pub(crate) response_type: String,
    pub(crate) state: String,
    pub(crate) return_to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) audience: Option<String>,
    /// The `organization` asked for; the ID token must be for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) organization: Option<String>,
    /// A connected-account flow's `auth_session` (`response_type` is
    /// `connect_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) auth_session: Option<String>,
    /// The cookie's `exp` claim (read on open, written by the sealer).
    #[serde(default, skip_serializing)]
    pub(crate) exp: Option<f64>,
}

impl crate::server::crypto::jwe::WithExp for TransactionState {
    fn take_exp(&mut self) -> Option<f64> {
        self.exp.take()
    }
}

/// The largest transaction cookie (name and value) we write: under the
/// 4096 bytes browsers keep per cookie, with room for the attributes. A
/// larger one would be dropped by the browser, and several would make a
/// `Cookie` header that proxies refuse.
pub(crate) const MAX_TRANSACTION_COOKIE: usize = 3500;

/// Length of a `state` made by `/auth/login` (32 random bytes, base64url).
const STATE_LEN: usize = 43;
/// Transaction cookies of one request looked at, at most: the pending cap
/// is 5, so more are not ours.
const MAX_SEEN: usize = 16;

/// The transaction cookies of one request.
pub(crate) struct Transactions<'a> {
    config: &'a Auth0Config,
    keyring: &'a Keyring,
    secure: bool,
}

impl<'a> Transactions<'a> {
    /// `secure`: whether this request's cookies get `Secure` by default.
    pub(crate) fn new(config: &'a Auth0Config, keyring: &'a Keyring, secure: bool) -> Self {
        Self {
            config,
            keyring,
            secure,
        }
    }

    /// The request's transaction cookies that this app could have set:
    /// `{prefix}{state}` with a state as `/auth/login` makes them (43
    /// base64url characters), or exactly the prefix in single-transaction
    /// mode; at most [`MAX_SEEN`] of them. Anything else is not ours and is
    /// neither opened nor echoed back as a deletion.
    fn ours<'c>(
        &self,
        cookies: &'c RequestCookies,
    ) -> impl Iterator<Item = (&'c str, &'c str)> + 'c {
        let prefix = self.config.transaction_cookie.prefix.clone();
        let parallel = self.config.enable_parallel_transactions;
        cookies
            .iter_all()
            .filter(move |(name, _)| match name.strip_prefix(prefix.as_str()) {
                Some(state) if parallel => {
                    state.len() == STATE_LEN
                        && state
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                }
                Some(rest) => rest.is_empty(),
                None => false,
            })
            .take(MAX_SEEN)
    }

    fn name(&self, state: &str) -> String {
        let prefix = &self.config.transaction_cookie.prefix;
        if self.config.enable_parallel_transactions {
            format!("{prefix}{state}")
        } else {
            prefix.clone()
        }
    }

    fn attrs(&self) -> CookieAttrs {
        let t = &self.config.transaction_cookie;
        CookieAttrs {
            path: t.path.clone(),
            domain: None,
            secure: t.secure.unwrap_or(self.secure),
            same_site: t.same_site,
            max_age: Some(t.max_age.as_secs() as i64),
        }
    }

    /// The cookies that save `txn`, deleting the oldest pending ones beyond
    /// `max_pending` (and any that no longer open). Refuses (400) a
    /// transaction whose cookie would exceed [`MAX_TRANSACTION_COOKIE`].
    pub(crate) fn save(
        &self,
        cookies: &RequestCookies,
        txn: &TransactionState,
    ) -> Result<Vec<SetCookie>, RouteError> {
        let cfg = &self.config.transaction_cookie;
        let now = now();
        let exp = now + cfg.max_age.as_secs() as i64;
        let attrs = self.attrs();
        let name = self.name(&txn.state);
        let sealed = self.keyring.seal(txn, exp).map_err(|_| {
            tracing::error!(target: "auth0_leptos", "could not serialize a login transaction");
            RouteError::LoginFailed
        })?;
        if name.len() + 1 + sealed.len() > MAX_TRANSACTION_COOKIE {
            return Err(RouteError::LoginRequestTooLarge(format!(
                "the login transaction would need a cookie larger than {MAX_TRANSACTION_COOKIE} bytes"
            )));
        }
        let mut out = Vec::new();
        if self.config.enable_parallel_transactions {
            let mut pending: Vec<(i64, &str)> = Vec::new();
            for (name, value) in self.ours(cookies) {
                match self.keyring.open::<serde_json::Value>(value, now) {
                    Some((_, e)) => pending.push((e, name)),
                    None => out.push(SetCookie::delete(name, &attrs)),
                }
            }
            if pending.len() >= cfg.max_pending {
                pending.sort();
                let excess = pending.len() + 1 - cfg.max_pending;
                for (_, name) in pending.iter().take(excess) {
                    out.push(SetCookie::delete(*name, &attrs));
                }
            }
        }
        out.push(SetCookie::new(name, sealed, attrs));
        Ok(out)
    }

    /// The transaction started with `state`, if this browser has it.
    pub(crate) fn load(&self, cookies: &RequestCookies, state: &str) -> Option<TransactionState> {
        let value = cookies.get(&self.name(state))?;
        let (txn, _) = self.keyring.open::<TransactionState>(value, now())?;
        // Constant-time comparison is unnecessary: the cookie is already
        // authenticated, and state is not a secret from this browser.
        (txn.state == state).then_some(txn)
    }

    /// Deletes the transaction cookie of `state`.
    pub(crate) fn delete(&self, state: &str) -> SetCookie {
        SetCookie::delete(self.name(state), &self.attrs())
    }

    /// Deletes every transaction cookie the request carried.
    pub(crate) fn delete_all(&self, cookies: &RequestCookies) -> Vec<SetCookie> {
        let attrs = self.attrs();
        self.ours(cookies)
            .map(|(name, _)| SetCookie::delete(name, &attrs))
            .collect()
    }
}
