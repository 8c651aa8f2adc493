//! Protecting pages: `<RequireAuth>` and the `<ProtectedRoute>` route.

// `#[component]` documents generic props with links to their type
// parameters (`Segments`, `F`), which rustdoc cannot resolve.
#![allow(rustdoc::broken_intra_doc_links)]

use leptos::prelude::*;
use leptos_router::components::RouteChildren;
use leptos_router::hooks::use_location;
use leptos_router::{MatchNestedRoutes, NestedRoute, PossibleRouteMatch, SsrMode};

use super::context::{use_auth_routes, use_user};
use super::links::url_encode;

/// The login URL that returns to `return_to`.
pub fn login_url(login_route: &str, return_to: &str) -> String {
    format!("{login_route}?returnTo={}", url_encode(return_to))
}

/// Sends the browser to the login route. During SSR: a `302` with
/// `Location`; in the browser: a full-page navigation (the login route is a
/// server route, not a Leptos route).
fn redirect_to_login(url: &str) {
    #[cfg(feature = "ssr")]
    {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::FOUND);
            if let Ok(v) = http::HeaderValue::from_str(url) {
                res.insert_header(http::header::LOCATION, v);
            }
            res.insert_header(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
        }
    }
    #[cfg(feature = "hydrate")]
    {
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(url);
        }
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let _ = url;
}

/// Renders its children only for a logged-in user; otherwise redirects to
/// login with `returnTo` = the current path and query (or `return_to`).
#[component]
pub fn RequireAuth(
    /// Where to return after login; default: the current path and query.
    #[prop(optional, into)]
    return_to: Option<String>,
    /// Shown while redirecting to login.
    #[prop(optional, into)]
    fallback: ViewFn,
    /// The protected content.
    children: ChildrenFn,
) -> impl IntoView {
    let state = use_user();
    let routes = use_auth_routes();
    let location = use_location();
    let target = move || {
        let rt = return_to
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| {
                let search = location.search.get_untracked();
                let path = location.pathname.get_untracked();
                if search.is_empty() {
                    path
                } else {
                    format!("{path}?{}", search.trim_start_matches('?'))
                }
            });
        login_url(&routes.login, &rt)
    };
    if state.user.get_untracked().is_none() {
        redirect_to_login(&target());
    }
    #[cfg(feature = "hydrate")]
    {
        let target = target.clone();
        Effect::new(move |_| {
            if state.user.get().is_none() {
                redirect_to_login(&target());
            }
        });
    }
    move || match state.user.get() {
        Some(_) => children().into_any(),
        None => fallback.run(),
    }
}

/// The view of a guarded route: `view` inside [`RequireAuth`].
fn guarded_view<F, V>(
    view: F,
    fallback: ViewFn,
    return_to: Option<String>,
) -> impl Fn() -> AnyView + Send + Clone
where
    F: Fn() -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    move || {
        let view = view.clone();
        leptos::view! {
            <RequireAuth return_to=return_to.clone().unwrap_or_default() fallback=fallback.clone()>
                {let view = view.clone(); move || view()}
            </RequireAuth>
        }
        .into_any()
    }
}

macro_rules! define_protected_route {
    ($ret:ty) => {
        /// A route only logged-in users may see (wraps `leptos_router`'s
        /// `Route`). Logged out: during SSR the response is a `302` to
        /// `/auth/login?returnTo=<path and query>`; in the browser it is a
        /// full-page navigation there.
        ///
        /// ```
        /// use leptos::prelude::*;
        /// use leptos_router::{components::{Router, Routes}, path};
        /// use auth0_leptos::ProtectedRoute;
        ///
        /// #[component]
        /// fn App() -> impl IntoView {
        ///     view! {
        ///         <Router><Routes fallback=|| "Not found.">
        ///             <ProtectedRoute path=path!("/profile") view=|| "secret"/>
        ///         </Routes></Router>
        ///     }
        /// }
        /// ```
        #[component(transparent)]
        pub fn ProtectedRoute<Segments, F, V>(
            /// The path this route matches (`path!("/profile")`).
            path: Segments,
            /// The view for a logged-in user.
            view: F,
            /// Where to return after login; default: the current path and query.
            #[prop(optional, into)]
            return_to: Option<String>,
            /// Shown while redirecting to login.
            #[prop(optional, into)]
            fallback: ViewFn,
            /// SSR mode of the route.
            #[prop(optional)]
            ssr: SsrMode,
        ) -> $ret
        where
            Segments: PossibleRouteMatch + Clone + Send + 'static,
            F: Fn() -> V + Send + Sync + Clone + 'static,
            V: IntoView + 'static,
        {
            let guarded = guarded_view(view, fallback, return_to);
            NestedRoute::new(path, guarded)
                .ssr_mode(ssr)
                .into_maybe_erased()
        }
    };
}

#[cfg(erase_components)]
define_protected_route!(leptos_router::any_nested_route::AnyNestedRoute);
#[cfg(not(erase_components))]
define_protected_route!(NestedRoute<Segments, (), (), impl Fn() -> AnyView + Send + Clone>);

macro_rules! define_protected_parent_route {
    ($ret:ty) => {
        /// A parent route only logged-in users may see: its view (which
        /// renders an `<Outlet/>`) and every nested route are guarded like
        /// [`ProtectedRoute`].
        #[component(transparent)]
        pub fn ProtectedParentRoute<Segments, F, V, Children>(
            /// The path this route matches.
            path: Segments,
            /// The view for a logged-in user (renders an `<Outlet/>`).
            view: F,
            /// Nested child routes.
            children: RouteChildren<Children>,
            /// Where to return after login; default: the current path and query.
            #[prop(optional, into)]
            return_to: Option<String>,
            /// Shown while redirecting to login.
            #[prop(optional, into)]
            fallback: ViewFn,
            /// SSR mode of the route.
            #[prop(optional)]
            ssr: SsrMode,
        ) -> $ret
        where
            Segments: PossibleRouteMatch + Clone + Send + 'static,
            Children: MatchNestedRoutes + Send + Clone + 'static,
            F: Fn() -> V + Send + Sync + Clone + 'static,
            V: IntoView + 'static,
        {
            let children = children.into_inner();
            let guarded = guarded_view(view, fallback, return_to);
            NestedRoute::new(path, guarded)
                .ssr_mode(ssr)
                .child(children)
                .into_maybe_erased()
        }
    };
}

#[cfg(erase_components)]
define_protected_parent_route!(leptos_router::any_nested_route::AnyNestedRoute);
#[cfg(not(erase_components))]
define_protected_parent_route!(NestedRoute<Segments, Children, (), impl Fn() -> AnyView + Send + Clone>);
