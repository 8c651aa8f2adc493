//! A provider's signing keys (JWKS), cached: an unknown `kid` refetches the
//! set once (a key rotation at the provider), then at most once per
//! [`REFETCH_INTERVAL`], so tokens with made-up kids cannot make us hammer
//! the provider; concurrent fetches are coalesced. Shared by the login's
//! provider client and the resource-server guard.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};

use crate::server::error::TokenFault;

/// An unknown `kid` triggers at most one JWKS refetch per this interval.
pub(crate) const REFETCH_INTERVAL: Duration = Duration::from_secs(10);

struct State {
    set: Arc<JwkSet>,
    fetched: Instant,
    /// When an unknown `kid` last caused a refetch.
    refetched: Option<Instant>,
}

/// The cached key set of one provider.
#[derive(Default)]
pub(crate) struct KeyCache {
    state: RwLock<Option<State>>,
    one_fetch: tokio::sync::Mutex<()>,
}

impl KeyCache {
    /// The key for `kid` and `alg`; `fetch` gets the set when it is not
    /// cached or the `kid` is unknown (`None`: it could not).
    pub(crate) async fn key<F, Fut>(
        &self,
        kid: Option<&str>,
        alg: jsonwebtoken::Algorithm,
        fetch: F,
    ) -> Result<Jwk, TokenFault>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Option<JwkSet>>,
    {
        let seen_at = {
            let guard = self.state.read().map_err(|_| TokenFault::KeysUnavailable)?;
            if let Some(state) = guard.as_ref() {
                if let Some(k) = find_key(&state.set, kid, alg) {
                    return Ok(k);
                }
                Some(state.fetched)
            } else {
                None
            }
        };
        let _one_fetch = self.one_fetch.lock().await;
        {
            let guard = self.state.read().map_err(|_| TokenFault::KeysUnavailable)?;
            if let Some(state) = guard.as_ref() {
                if Some(state.fetched) != seen_at {
                    // Someone refetched while we waited.
                    return find_key(&state.set, kid, alg).ok_or(TokenFault::NoMatchingKey);
                }
                if state
                    .refetched
                    .is_some_and(|t| t.elapsed() < REFETCH_INTERVAL)
                {
                    return Err(TokenFault::NoMatchingKey);
                }
            }
        }
        let set = Arc::new(fetch().await.ok_or(TokenFault::KeysUnavailable)?);
        let found = find_key(&set, kid, alg);
        let refetched = seen_at.map(|_| Instant::now());
        *self
            .state
            .write()
            .map_err(|_| TokenFault::KeysUnavailable)? = Some(State {
            set,
            fetched: Instant::now(),
            refetched,
        });
        found.ok_or(TokenFault::NoMatchingKey)
    }
}

/// The usable key of `set` for `kid` and `alg`: the right family, not an
/// encryption key, its own `alg` (if any) the same; without a `kid` only
/// when exactly one key qualifies.
pub(crate) fn find_key(
    set: &JwkSet,
    kid: Option<&str>,
    alg: jsonwebtoken::Algorithm,
) -> Option<Jwk> {
    use jsonwebtoken::jwk::{AlgorithmParameters, PublicKeyUse};
    use jsonwebtoken::Algorithm as A;
    let family_ok = |k: &Jwk| match &k.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512
        ),
        AlgorithmParameters::EllipticCurve(_) => matches!(alg, A::ES256 | A::ES384),
        _ => false,
    };
    let usable = |k: &&Jwk| {
        family_ok(k)
            && !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption))
            && k.common
                .key_algorithm
                .is_none_or(|ka| format!("{ka:?}") == format!("{alg:?}"))
    };
    match kid {
        Some(kid) => set
            .keys
            .iter()
            .filter(usable)
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .cloned(),
        None => {
            let mut candidates = set.keys.iter().filter(usable);
            let first = candidates.next()?;
            // Without a kid the choice must be unambiguous.
            candidates.next().is_none().then(|| first.clone())
        }
    }
}
