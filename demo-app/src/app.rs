//! Pages and layout.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/demo-app.css" />
        <Title text="auth0-leptos demo" />
        <Router>
            <main>
                <Routes fallback=|| "Page not found.".into_view()>
                    <Route path=path!("") view=HomePage />
                </Routes>
            </main>
        </Router>
    }
}

#[cfg(feature = "ssr")]
fn current_user() -> Option<auth0_leptos::User> {
    auth0_leptos::server::user()
}

#[cfg(not(feature = "ssr"))]
fn current_user() -> Option<auth0_leptos::User> {
    None
}

/// Home: a greeting for a logged-in user, login and sign-up links otherwise.
#[component]
fn HomePage() -> impl IntoView {
    let user = SharedValue::new(current_user);
    let user = user.into_inner();
    view! {
        <h1>"auth0-leptos demo"</h1>
        {match user {
            Some(u) => view! {
                <p class="welcome">{format!("Welcome, {}!", u.display_name())}</p>
                <a href="/auth/logout" rel="external">"Log out"</a>
            }.into_any(),
            None => view! {
                <a href="/auth/login" rel="external">"Log in"</a>
                " "
                <a href="/auth/login?screen_hint=signup" rel="external">"Sign up"</a>
            }.into_any(),
        }}
    }
}
