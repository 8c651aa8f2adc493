//! Sessions: the data (in nextjs-auth0 v4's JSON shape), the state of one
//! request's session (what was loaded, what changed), the stores of
//! stateful sessions, and two small caches. Knows nothing of the
//! configuration, the provider or HTTP.

pub(crate) mod cache;
mod data;
mod memory_store;
#[cfg(feature = "redis")]
mod redis_store;
pub(crate) mod replay;
pub(crate) mod state;
mod store;

pub use data::{AccessTokenEntry, ConnectionTokenSet, Internal, MfaContext, SessionData, TokenSet};
pub use memory_store::MemoryStore;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use store::{LogoutToken, SessionStore, StoreError, StoreErrorKind, StoreFuture};
