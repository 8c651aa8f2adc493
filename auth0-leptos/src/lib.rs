#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod components;
mod error;
pub mod secret;
mod token;
mod user;

#[cfg(feature = "ssr")]
#[cfg_attr(docsrs, doc(cfg(feature = "ssr")))]
pub mod server;

pub use components::*;
pub use error::{AccessTokenError, AuthError, OAuth2Error};
pub use token::{AccessTokenRequest, AccessTokenResponse};
pub use user::{User, DEFAULT_ID_TOKEN_CLAIMS};
