//! `<Auth0Provider>` and `use_user()`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::User;

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
}

impl Default for AuthRoutes {
    fn default() -> Self {
        Self {
            login: "/auth/login".into(),
            logout: "/auth/logout".into(),
            profile: "/auth/profile".into(),
            access_token: "/auth/access-token".into(),
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
    let user = parts
        .extensions
        .get::<crate::server::Auth0Session>()
        .and_then(|s| s.user());
    let routes = parts
        .extensions
        .get::<crate::server::Auth0>()
        .map(|a| {
            let r = a.config().routes();
            AuthRoutes {
                login: r.login,
                logout: r.logout,
                profile: r.profile,
                access_token: r.access_token,
            }
        })
        .unwrap_or_default();
    InitialState { user, routes }
}

#[cfg(not(feature = "ssr"))]
fn initial_state() -> InitialState {
    InitialState::default()
}

/// The auth state provided by [`Auth0Provider`].
#[derive(Clone, Copy)]
struct AuthContext {
    user: RwSignal<Option<User>>,
    is_loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    routes: StoredValue<AuthRoutes>,
}

/// The reactive user state returned by [`use_user`].
#[derive(Clone, Copy)]
pub struct UserState {
    /// The logged-in user, `None` when logged out.
    pub user: Signal<Option<User>>,
    /// `true` while the profile is being fetched again.
    pub is_loading: Signal<bool>,
    /// The last error fetching the profile (network or server error).
    pub error: Signal<Option<String>>,
    refetch: Callback<()>,
}

impl UserState {
    /// Fetches the profile route again (e.g. after the session changed).
    pub fn refetch(&self) {
        self.refetch.run(());
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
    /// Profile route to fetch from, when not the server's configured one.
    #[prop(optional, into)]
    profile_route: Option<String>,
    /// The app.
    children: Children,
) -> impl IntoView {
    let initial = SharedValue::new(initial_state).into_inner();
    let mut routes = initial.routes;
    if let Some(p) = profile_route {
        routes.profile = p;
    }
    let ctx = AuthContext {
        user: RwSignal::new(user.unwrap_or(initial.user)),
        is_loading: RwSignal::new(false),
        error: RwSignal::new(None),
        routes: StoredValue::new(routes),
    };
    provide_context(ctx);

    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::focus, move |_| refetch_user(ctx));
        on_cleanup(move || handle.remove());
    }
    children()
}

#[cfg(feature = "hydrate")]
fn refetch_user(ctx: AuthContext) {
    let url = ctx.routes.with_value(|r| r.profile.clone());
    ctx.is_loading.set(true);
    leptos::task::spawn_local(async move {
        match super::fetch::get_json(&url).await {
            Ok((200, Some(body))) => match serde_json::from_value::<User>(body) {
                Ok(u) => {
                    ctx.user.set(Some(u));
                    ctx.error.set(None);
                }
                Err(e) => ctx.error.set(Some(format!("invalid profile: {e}"))),
            },
            Ok((204 | 401, _)) => {
                ctx.user.set(None);
                ctx.error.set(None);
            }
            Ok((status, _)) => ctx
                .error
                .set(Some(format!("profile request failed with status {status}"))),
            Err(e) => ctx.error.set(Some(e)),
        }
        ctx.is_loading.set(false);
    });
}

#[cfg(not(feature = "hydrate"))]
fn refetch_user(_ctx: AuthContext) {}

fn context() -> AuthContext {
    use_context::<AuthContext>().unwrap_or_else(|| {
        // Without a provider: the request's user during SSR, nobody in the browser.
        let initial = initial_state();
        AuthContext {
            user: RwSignal::new(initial.user),
            is_loading: RwSignal::new(false),
            error: RwSignal::new(None),
            routes: StoredValue::new(initial.routes),
        }
    })
}

/// The current user, reactive. Inside [`Auth0Provider`] it is filled from the
/// server-rendered payload; `refetch()` asks `/auth/profile` again.
pub fn use_user() -> UserState {
    let ctx = context();
    UserState {
        user: ctx.user.into(),
        is_loading: ctx.is_loading.into(),
        error: ctx.error.into(),
        refetch: Callback::new(move |_| refetch_user(ctx)),
    }
}

/// The authentication routes (with base path) the server configured.
pub fn use_auth_routes() -> AuthRoutes {
    context().routes.get_value()
}
