//! Leptos components and hooks, for both the server render and the browser:
//! [`Auth0Provider`], [`use_auth0`] / [`use_user`], [`get_access_token`],
//! [`ProtectedRoute`], [`LoginLink`] and [`LogoutLink`], and the library's
//! server functions.

// #[component] generates items the lint misreads as unreachable.
#![allow(unreachable_pub)]

#[cfg(feature = "hydrate")]
mod clock;
mod context;
mod links;
mod mfa;
mod protected;
pub mod server_fns;
mod token;

pub use context::{
    try_use_auth0, use_auth0, use_auth_routes, use_user, Auth0Handle, Auth0Provider, AuthRoutes,
    UserState,
};
pub use links::{LoginLink, LogoutLink};
pub use mfa::{
    mfa_authenticators, mfa_challenge, mfa_delete_authenticator, mfa_enroll, mfa_verify,
};
pub use protected::{login_url, ProtectedParentRoute, ProtectedRoute, RequireAuth};
pub use token::get_access_token;
