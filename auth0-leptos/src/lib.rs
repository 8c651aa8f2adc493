#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod components;
mod error;
pub mod mfa;
mod oauth_error;
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

/// The names an app usually needs, safe to glob-import next to
/// `leptos::prelude::*` and `leptos_router::components::*`: the route
/// guards are re-exported as [`Auth0Route`](prelude::Auth0Route) and
/// [`Auth0ParentRoute`](prelude::Auth0ParentRoute), so they never clash
/// with `leptos_router`'s own `ProtectedRoute` / `ProtectedParentRoute`.
///
/// ```
/// use leptos::prelude::*;
/// use leptos_router::{components::*, path};
/// use auth0_leptos::prelude::*;
///
/// #[component]
/// fn App() -> impl IntoView {
///     view! {
///         <Auth0Provider>
///             <Router>
///                 <Routes fallback=|| "Not found.">
///                     <Route path=path!("") view=|| view! { <LoginLink>"Log in"</LoginLink> }/>
///                     <Auth0Route path=path!("/profile") view=|| "Only for you."/>
///                 </Routes>
///             </Router>
///         </Auth0Provider>
///     }
/// }
/// ```
pub mod prelude {
    pub use crate::components::{
        get_access_token, try_use_auth0, use_auth0, use_user, Auth0Handle, Auth0Provider,
        LoginLink, LogoutLink, ProtectedParentRoute as Auth0ParentRoute,
        ProtectedRoute as Auth0Route, RequireAuth, UserState,
    };
    pub use crate::{AccessTokenError, AccessTokenRequest, AccessTokenResponse, AuthError, User};
}
