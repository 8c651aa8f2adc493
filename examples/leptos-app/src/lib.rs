//! A minimal Leptos app with Auth0 login: a home page with login and logout
//! links, a page only logged-in users see, and a server function that
//! needs a user. Run it with `cargo leptos watch` like any Leptos app (see
//! the repository's README), with the `AUTH0_*` variables set.

use auth0_leptos::prelude::*;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// A server function only a logged-in user may call.
#[server(endpoint = "secret")]
pub async fn secret() -> Result<String, AuthError> {
    let user = auth0_leptos::server::require_user().await?;
    Ok(format!("A secret for {}", user.display_name()))
}

/// The HTML document.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <HydrationScripts options />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: `<Auth0Provider>` around everything.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Auth0Provider>
            <Router>
                <Routes fallback=|| "Not found.">
                    <Route path=path!("") view=Home />
                    <Auth0Route path=path!("/private") view=Private />
                </Routes>
            </Router>
        </Auth0Provider>
    }
}

#[component]
fn Home() -> impl IntoView {
    let state = use_user();
    view! {
        {move || match state.user.get() {
            Some(u) => view! { <p>"Hello, " {u.display_name().to_owned()}</p> <LogoutLink>"Log out"</LogoutLink> }.into_any(),
            None => view! { <LoginLink>"Log in"</LoginLink> }.into_any(),
        }}
        <p><a href="/private">"Private page"</a></p>
    }
}

#[component]
fn Private() -> impl IntoView {
    let state = use_user();
    let answer = Resource::new(|| (), |_| secret());
    view! {
        <h1>"Private: " {move || state.user.get().map(|u| u.display_name().to_owned())}</h1>
        <Suspense>{move || answer.get().map(|a| a.unwrap_or_else(|e| e.to_string()))}</Suspense>
    }
}

/// The browser's entry point.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
