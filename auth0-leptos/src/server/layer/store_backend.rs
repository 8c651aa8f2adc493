//! Stateful sessions: the cookie carries an encrypted id, the data lives in
//! a [`SessionStore`]. Every login gets a new id; a rolling write never
//! brings back a session deleted meanwhile.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::server::crypto::random_token;
use crate::server::engine::Engine;
use crate::server::layer::backend::{Backend, BoxFuture, CookieWrite, Loading, Plan};
use crate::server::session::state::{Change, Loaded, SessionState};
use crate::server::session::SessionStore;

/// What the session cookie holds with a session store: the record's id.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoreCookie {
    pub(crate) id: String,
    #[serde(default, skip_serializing)]
    pub(crate) exp: Option<f64>,
}

impl crate::server::crypto::jwe::WithExp for StoreCookie {
    fn take_exp(&mut self) -> Option<f64> {
        self.exp.take()
    }
}

pub(crate) struct StoreBackend {
    pub(crate) store: Arc<dyn SessionStore>,
}

impl Backend for StoreBackend {
    fn load(&self, engine: &Engine, cookie: Option<&str>, now: i64) -> Loading {
        let Some((c, exp)) = cookie.and_then(|v| engine.keyring().open::<StoreCookie>(v, now))
        else {
            return Loading::Ready(SessionState::new(Loaded::Nothing, None));
        };
        let store = self.store.clone();
        let engine = engine.clone();
        Loading::Pending(Box::pin(async move {
            match store.get(&c.id).await {
                Ok(Some(data)) if engine.session_expiry(data.internal.created_at, now) > now => {
                    SessionState::new(Loaded::Store { id: c.id, exp }, Some(Arc::new(data)))
                }
                // Deleted (logout elsewhere, back-channel logout) or expired:
                // the cookie goes too.
                Ok(_) => SessionState::new(Loaded::StoreGone { id: c.id }, None),
                Err(e) => {
                    tracing::error!(target: "auth0_leptos", "session store unavailable: {e}");
                    SessionState::new(Loaded::StoreUnavailable, None)
                }
            }
        }))
    }

    fn persist(&self, engine: &Engine, plan: Plan) -> BoxFuture<CookieWrite> {
        let store = self.store.clone();
        let engine = engine.clone();
        Box::pin(async move {
            let Plan {
                change,
                data,
                exp,
                loaded,
                had_cookie,
                now,
            } = plan;
            match change {
                Change::Unchanged => CookieWrite::Keep,
                Change::Cleared => {
                    // `StoreGone`: the record is already gone (or was deleted
                    // by `Auth0Session::clear_now`); only the cookie goes.
                    if let Loaded::Store { id, .. } = &loaded {
                        if let Err(e) = store.delete(id).await {
                            tracing::error!(target: "auth0_leptos", "session store: delete failed: {e}");
                        }
                    }
                    CookieWrite::delete_if(had_cookie)
                }
                Change::Modified | Change::Replaced => {
                    let Some(data) = data else {
                        return CookieWrite::Keep;
                    };
                    let ttl = Duration::from_secs((exp - now).max(1) as u64);
                    let result = match (&loaded, change) {
                        // An existing session: never bring back one deleted meanwhile.
                        (Loaded::Store { id, .. }, Change::Modified) => store
                            .update(id, &data, ttl)
                            .await
                            .map(|existed| existed.then(|| id.clone())),
                        // A login: always a new id (no fixation); the old record goes.
                        _ => {
                            if let Some(old) = loaded.store_id() {
                                let _ = store.delete(old).await;
                            }
                            let id = random_token(32);
                            store.set(&id, &data, ttl).await.map(|()| Some(id))
                        }
                    };
                    match result {
                        Ok(Some(id)) => {
                            match engine.keyring().seal(&StoreCookie { id, exp: None }, exp) {
                                Ok(value) => CookieWrite::Write { value, exp },
                                Err(_) => {
                                    tracing::error!(target: "auth0_leptos", "could not seal the session id");
                                    CookieWrite::Keep
                                }
                            }
                        }
                        Ok(None) => CookieWrite::delete_if(had_cookie),
                        Err(e) => {
                            tracing::error!(target: "auth0_leptos", "session store: write failed: {e}");
                            CookieWrite::Keep
                        }
                    }
                }
            }
        })
    }
}
