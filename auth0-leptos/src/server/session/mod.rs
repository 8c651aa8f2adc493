//! Sessions: the data, and the per-request handle every part of the app
//! shares (handlers, Leptos pages, server functions).

pub(crate) mod cache;
mod data;
mod handle;
#[cfg(feature = "redis")]
pub(crate) mod redis_store;
pub(crate) mod store;

pub use data::{AccessTokenEntry, Internal, SessionData, TokenSet};
pub use handle::Auth0Session;
pub(crate) use handle::StoreCookie;
pub(crate) mod handle_types {
    pub use super::handle::{MissingLayer, NotAuthenticated};
}
