//! The whole session in the encrypted cookie (the default).

use std::sync::Arc;

use crate::server::engine::Engine;
use crate::server::layer::backend::{Backend, BoxFuture, CookieWrite, Loading, Plan};
use crate::server::session::state::{Change, Loaded, SessionState};
use crate::server::session::SessionData;

pub(crate) struct CookieBackend;

impl CookieBackend {
    /// Opens a session cookie value, reusing the result of an earlier open
    /// of the identical value.
    fn open(engine: &Engine, value: &str, now: i64) -> Option<(Arc<SessionData>, i64)> {
        if let Some(hit) = engine.opened().get(value, now) {
            return Some(hit);
        }
        let (mut data, exp) = engine.keyring().open::<SessionData>(value, now)?;
        if data.internal.created_at <= 0 {
            data.internal.created_at = now;
        }
        let data = Arc::new(data);
        engine.opened().put(value.to_owned(), &data, exp);
        Some((data, exp))
    }
}

impl Backend for CookieBackend {
    fn load(&self, engine: &Engine, cookie: Option<&str>, now: i64) -> Loading {
        let opened = cookie
            .and_then(|v| Self::open(engine, v, now))
            // A shortened absolute duration applies to existing cookies too.
            .filter(|(data, _)| engine.session_expiry(data.internal.created_at, now) > now);
        Loading::Ready(match opened {
            Some((data, exp)) => SessionState::new(Loaded::Cookie { exp }, Some(data)),
            None => SessionState::new(Loaded::Nothing, None),
        })
    }

    fn persist(&self, engine: &Engine, plan: Plan) -> BoxFuture<CookieWrite> {
        let write = match (plan.change, &plan.data) {
            (Change::Modified | Change::Replaced, Some(data)) => {
                match engine.keyring().seal(&**data, plan.exp) {
                    Ok(value) => CookieWrite::Write {
                        value,
                        exp: plan.exp,
                    },
                    Err(_) => {
                        tracing::error!(target: "auth0_leptos", "could not serialize the session; it was not saved");
                        CookieWrite::Keep
                    }
                }
            }
            (Change::Cleared, _) => CookieWrite::delete_if(plan.had_cookie),
            _ => CookieWrite::Keep,
        };
        Box::pin(std::future::ready(write))
    }
}
