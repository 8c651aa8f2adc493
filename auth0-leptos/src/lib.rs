#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod components;
pub use components::*;
mod user;

#[cfg(feature = "ssr")]
pub mod server;

pub use user::{User, DEFAULT_ID_TOKEN_CLAIMS};

/// Message prefix of the error a server function returns when nobody is
/// logged in (see `server::require_user`).
pub const NOT_AUTHENTICATED: &str = "not_authenticated";
