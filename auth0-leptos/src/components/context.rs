//! `<Auth0Provider>` and `use_user()`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{AccessTokenError, AccessTokenRequest, AccessTokenResponse, AuthError, User};

/// Paths of the authentication routes as the browser sees them (base path
/// included). Filled from the server's configuration during SSR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRoutes {
    /// Login route (default `/auth/login`).
    pub login: String,
    /// Logout route (default `/auth/logout`).
    pub logout: String,
    /// Profile route (default `/auth/profile`).
    pub profile: String,
    /// Access-token route (default `/auth/access-token`).
    pub access_token: String,
    /// The path prefix the app is mounted under (`AUTH0_BASE_PATH`), empty
    /// when none: give it to `leptos_router`'s `<Router base=..>`.
    #[serde(default)]
    pub base_path: String,
}

impl Default for AuthRoutes {
    fn default() -> Self {
        Self {
            login: "/auth/login".into(),
            logout: "/auth/logout".into(),
            profile: "/auth/profile".into(),
            access_token: "/auth/access-token".into(),
            base_path: String::new(),
        }
    }
}

/// What the server hands to the browser inside the SSR payload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct InitialState {
    user: Option<User>,
    routes: AuthRoutes,
}

#[cfg(feature = "ssr")]
fn initial_state() -> InitialState {
    use http::request::Parts;
    let Some(parts) = use_context::<Parts>() else {
        return InitialState::default();
    };
    let session = parts.extensions.get::<crate::server::Auth0Session>();
    let user = session.and_then(|s| s.user());
    let routes = session
        .map(|s| {
            let config = s.engine().config();
            let r = config.routes();
            AuthRoutes {
                login: r.login,
                logout: r.logout,
                profile: r.profile,
                access_token: r.access_token,
                base_path: config.base_path().to_owned(),
            }
        })
        .unwrap_or_default();
    InitialState { user, routes }
}

#[cfg(not(feature = "ssr"))]
fn initial_state() -> InitialState {
    InitialState::default()
}

/// The auth state of the app: a `Copy` handle of signals and methods,
/// from [`use_auth0`] (or [`try_use_auth0`]). The route paths are captured
/// when the handle is made, so its methods work inside spawned futures,
/// where no reactive owner (and so no context) is current.
#[derive(Clone, Copy)]
pub struct Auth0Handle {
    user: RwSignal<Option<User>>,
    is_loading: RwSignal<bool>,
    error: RwSignal<Option<AuthError>>,
    routes: StoredValue<AuthRoutes>,
}

impl std::fmt::Debug for Auth0Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Handle").finish_non_exhaustive()
    }
}

impl Auth0Handle {
    /// The logged-in user, reactive; `None` when logged out.
    pub fn user(&self) -> Signal<Option<User>> {
        self.user.into()
    }

    /// `true` while the user is being fetched again.
    pub fn is_loading(&self) -> Signal<bool> {
        self.is_loading.into()
    }

    /// The last error fetching the user.
    pub fn error(&self) -> Signal<Option<AuthError>> {
        self.error.into()
    }

    /// The authentication routes (base path included) the server configured.
    pub fn routes(&self) -> AuthRoutes {
        self.routes.get_value()
    }

    /// Asks the server for the user again (the library's `auth0_user`
    /// server function), e.g. after the session changed.
    pub fn refetch(&self) {
        refetch_user(*self);
    }

    /// An access token: the same as [`get_access_token`](crate::get_access_token).
    pub async fn get_access_token(
        &self,
        request: AccessTokenRequest,
    ) -> Result<AccessTokenResponse, AccessTokenError> {
        crate::get_access_token(request).await
    }
}

/// The reactive user state returned by [`use_user`].
#[derive(Clone, Copy)]
pub struct UserState {
    /// The logged-in user, `None` when logged out.
    pub user: Signal<Option<User>>,
    /// `true` while the user is being fetched again.
    pub is_loading: Signal<bool>,
    /// The last error fetching the user.
    pub error: Signal<Option<AuthError>>,
    handle: Auth0Handle,
}

impl UserState {
    /// Asks the server for the user again (e.g. after the session changed).
    pub fn refetch(&self) {
        self.handle.refetch();
    }
}

/// Provides the user and the route paths to everything inside it.
///
/// The user of the current request is rendered into the HTML on the server
/// and travels to the browser inside the hydration data, so `use_user()` is
/// filled from the first render: no loading flash, no extra `/auth/profile`
/// request after hydration. When the window regains focus the profile is
/// fetched again (like the Next.js SDK's SWR hook), without background polling.
///
/// ```
/// use leptos::prelude::*;
/// use auth0_leptos::{use_user, Auth0Provider};
///
/// #[component]
/// fn App() -> impl IntoView {
///     view! { <Auth0Provider><Greeting/></Auth0Provider> }
/// }
///
/// #[component]
/// fn Greeting() -> impl IntoView {
///     let state = use_user();
///     move || match state.user.get() {
///         Some(u) => format!("Welcome, {}", u.display_name()),
///         None => "Hello, stranger".to_owned(),
///     }
/// }
/// ```
#[component]
pub fn Auth0Provider(
    /// An explicit initial user; by default the user of the current request.
    #[prop(optional)]
    user: Option<Option<User>>,
    /// The app.
    children: Children,
) -> impl IntoView {
    let initial = SharedValue::new(initial_state).into_inner();
    let ctx = Auth0Handle {
        user: RwSignal::new(user.unwrap_or(initial.user)),
        is_loading: RwSignal::new(false),
        error: RwSignal::new(None),
        routes: StoredValue::new(initial.routes),
    };
    provide_context(ctx);

    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::focus, move |_| refetch_user(ctx));
        on_cleanup(move || handle.remove());
    }
    children()
}

fn refetch_user(ctx: Auth0Handle) {
    // Only the browser fetches again; the server render already has the user.
    #[cfg(feature = "hydrate")]
    {
        ctx.is_loading.set(true);
        leptos::task::spawn_local(async move {
            match super::server_fns::auth0_user().await {
                Ok(user) => {
                    ctx.user.set(user);
                    ctx.error.set(None);
                }
                Err(e) => ctx.error.set(Some(e)),
            }
            ctx.is_loading.set(false);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ctx;
}

/// The auth handle of the surrounding [`Auth0Provider`].
///
/// # Panics
/// Outside an [`Auth0Provider`] (or where no reactive owner is current,
/// such as inside a spawned future): the message names the mistake. Use
/// [`try_use_auth0`] where the provider may be missing.
#[track_caller]
pub fn use_auth0() -> Auth0Handle {
    try_use_auth0().unwrap_or_else(|| {
        panic!(
            "auth0-leptos: use_auth0() found no <Auth0Provider>. Wrap your app in \
             <Auth0Provider>, and call use_auth0() while rendering (not inside a \
             spawned future: make the handle first, then move it in)."
        )
    })
}

/// The auth handle of the surrounding [`Auth0Provider`], or `None`.
pub fn try_use_auth0() -> Option<Auth0Handle> {
    use_context::<Auth0Handle>()
}

/// The current user, reactive: the short form of [`use_auth0`]. Filled from
/// the server-rendered payload; `refetch()` asks the server again.
///
/// # Panics
/// Outside an [`Auth0Provider`], like [`use_auth0`].
#[track_caller]
pub fn use_user() -> UserState {
    let handle = use_auth0();
    UserState {
        user: handle.user(),
        is_loading: handle.is_loading(),
        error: handle.error(),
        handle,
    }
}

/// The authentication routes (with base path) the server configured.
///
/// # Panics
/// Outside an [`Auth0Provider`], like [`use_auth0`].
#[track_caller]
pub fn use_auth_routes() -> AuthRoutes {
    use_auth0().routes()
}
