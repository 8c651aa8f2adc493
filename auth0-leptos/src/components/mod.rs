//! Leptos components and hooks, for both the server render and the browser:
//! [`Auth0Provider`], [`use_user`], [`get_access_token`], [`ProtectedRoute`],
//! [`LoginLink`] and [`LogoutLink`].

// #[component] generates items the lint misreads as unreachable.
#![allow(unreachable_pub)]

mod context;
#[cfg(feature = "hydrate")]
mod fetch;
mod links;
mod protected;
mod token;

pub use context::{use_auth_routes, use_user, Auth0Provider, AuthRoutes, UserState};
pub use links::{LoginLink, LogoutLink};
pub use protected::{login_url, ProtectedParentRoute, ProtectedRoute, RequireAuth};
pub use token::{
    get_access_token, AccessTokenRequest, AccessTokenResponse, ClientAccessTokenError,
};
