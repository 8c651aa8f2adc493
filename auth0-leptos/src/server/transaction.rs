//! Login transactions: the `__txn_{state}` cookies that carry the PKCE
//! verifier, nonce and returnTo from `/auth/login` to `/auth/callback`.

use serde::{Deserialize, Serialize};

use crate::server::client::Auth0;
use crate::server::cookies::{CookieAttrs, SetCookie};
use crate::server::session::Auth0Session;
use crate::server::time::now;

/// What `/auth/login` stores for `/auth/callback` (nextjs-auth0's
/// `TransactionState`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionState {
    pub(crate) nonce: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_age: Option<u64>,
    pub(crate) code_verifier: String,
    pub(crate) response_type: String,
    pub(crate) state: String,
    pub(crate) return_to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) audience: Option<String>,
    /// The cookie's `exp` claim (read on open, written by the sealer).
    #[serde(default, skip_serializing)]
    pub(crate) exp: Option<f64>,
}

impl std::fmt::Debug for TransactionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The PKCE verifier and the nonce stay out of logs.
        f.debug_struct("TransactionState")
            .field("state", &self.state)
            .field("return_to", &self.return_to)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl crate::server::cookies::jwe::WithExp for TransactionState {
    fn take_exp(&mut self) -> Option<f64> {
        self.exp.take()
    }
}

impl Auth0 {
    fn txn_name(&self, state: &str) -> String {
        let prefix = &self.config().transaction_cookie.prefix;
        if self.config().enable_parallel_transactions {
            format!("{prefix}{state}")
        } else {
            prefix.clone()
        }
    }

    fn txn_attrs(&self, session: &Auth0Session) -> CookieAttrs {
        let t = &self.config().transaction_cookie;
        CookieAttrs {
            path: t.path.clone(),
            domain: None,
            secure: t.secure.unwrap_or(session.secure()),
            same_site: t.same_site,
            max_age: Some(t.max_age.as_secs() as i64),
        }
    }

    /// Queues the transaction cookie, deleting the oldest pending ones beyond
    /// `max_pending` (and any that no longer open).
    pub(crate) fn save_transaction(&self, session: &Auth0Session, txn: &TransactionState) {
        let cfg = &self.config().transaction_cookie;
        let now = now();
        let exp = now + cfg.max_age.as_secs() as i64;
        let attrs = self.txn_attrs(session);
        if self.config().enable_parallel_transactions {
            let mut pending: Vec<(i64, &str)> = Vec::new();
            for (name, value) in session.request_cookies().with_prefix(&cfg.prefix) {
                match self.keyring().open::<serde_json::Value>(value, now) {
                    Some((_, e)) => pending.push((e, name)),
                    None => session.push_cookie(SetCookie::delete(name, &attrs)),
                }
            }
            if pending.len() >= cfg.max_pending {
                pending.sort();
                let excess = pending.len() + 1 - cfg.max_pending;
                for (_, name) in pending.iter().take(excess) {
                    session.push_cookie(SetCookie::delete(*name, &attrs));
                }
            }
        }
        match self.keyring().seal(txn, exp) {
            Ok(v) => session.push_cookie(SetCookie::new(self.txn_name(&txn.state), v, attrs)),
            Err(_) => crate::server::log_error("could not serialize a login transaction"),
        }
    }

    /// The transaction started with `state`, if this browser has it.
    pub(crate) fn load_transaction(
        &self,
        session: &Auth0Session,
        state: &str,
    ) -> Option<TransactionState> {
        let value = session.request_cookies().get(&self.txn_name(state))?;
        let (txn, _) = self.keyring().open::<TransactionState>(value, now())?;
        // Constant-time comparison is unnecessary: the cookie is already
        // authenticated, and state is not a secret from this browser.
        (txn.state == state).then_some(txn)
    }

    /// Deletes the transaction cookie of `state`.
    pub(crate) fn delete_transaction(&self, session: &Auth0Session, state: &str) {
        let attrs = self.txn_attrs(session);
        session.push_cookie(SetCookie::delete(self.txn_name(state), &attrs));
    }

    /// Deletes every transaction cookie the request carried.
    pub(crate) fn delete_all_transactions(&self, session: &Auth0Session) {
        let attrs = self.txn_attrs(session);
        let prefix = &self.config().transaction_cookie.prefix;
        for (name, _) in session.request_cookies().with_prefix(prefix) {
            session.push_cookie(SetCookie::delete(name, &attrs));
        }
    }
}
