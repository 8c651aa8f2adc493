//! Pages and layout of the demo.

use auth0_leptos::{
    get_access_token, use_user, AccessTokenRequest, Auth0Provider, AuthError, LoginLink,
    LogoutLink, ProtectedParentRoute, ProtectedRoute,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// The API audience the demo asks tokens for (the local provider issues JWTs for it).
pub const API_AUDIENCE: &str = "https://api.example.test/";

/// A second API: its tokens come from the same login's refresh token
/// (multi-resource refresh tokens), with the scope `read:reports`.
pub const REPORTS_AUDIENCE: &str = "https://reports.example.test/";

/// An API whose tokens need a second factor: the provider answers
/// `mfa_required` (step-up) until the user verifies one.
pub const MFA_AUDIENCE: &str = "https://mfa.example.test/";

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

/// The path prefix the demo is mounted under (`AUTH0_BASE_PATH`, e.g.
/// `/app`; empty by default). Read on the server, also while the route list
/// is generated at start-up, and handed to the browser in the SSR payload.
fn base_path() -> String {
    SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            std::env::var("AUTH0_BASE_PATH")
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned()
        }
        #[cfg(not(feature = "ssr"))]
        {
            String::new()
        }
    })
    .into_inner()
}

/// The application: every page sees the user through `<Auth0Provider>`.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let base = base_path();
    view! {
        <Stylesheet id="leptos" href="/pkg/demo-app.css" />
        <Title text="auth0-leptos demo" />
        <Auth0Provider>
            <Router base=base>
                <Nav />
                <main class="container">
                    <Routes fallback=|| view! { <p>"Page not found."</p> }>
                        <Route path=path!("") view=HomePage />
                        <ProtectedRoute path=path!("/profile") view=ProfilePage />
                        <Route path=path!("/server") view=ServerFnPage />
                        <ProtectedRoute path=path!("/api") view=ApiPage />
                        <ProtectedRoute path=path!("/dpop") view=DpopPage />
                        <ProtectedRoute path=path!("/mfa") view=MfaPage />
                        <ProtectedParentRoute path=path!("/account") view=AccountLayout>
                            <Route path=path!("") view=AccountSummary />
                            <Route path=path!("/email") view=AccountEmail />
                        </ProtectedParentRoute>
                    </Routes>
                </main>
            </Router>
        </Auth0Provider>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let state = use_user();
    view! {
        <header class="nav">
            <A href="/" attr:class="brand">"auth0-leptos"</A>
            <nav>
                <A href="/profile">"Profile"</A>
                <A href="/server">"Server function"</A>
                <A href="/api">"API"</A>
                <A href="/dpop">"DPoP"</A>
                <A href="/mfa">"MFA"</A>
                <A href="/account">"Account"</A>
            </nav>
            <div class="session">
                {move || match state.user.get() {
                    Some(u) => view! {
                        <span class="who">{u.display_name().to_owned()}</span>
                        <LogoutLink class="button secondary">"Log out"</LogoutLink>
                    }.into_any(),
                    None => view! { <LoginLink class="button">"Log in"</LoginLink> }.into_any(),
                }}
            </div>
        </header>
    }
}

/// Home: a greeting for a logged-in user, login and sign-up links otherwise.
#[component]
fn HomePage() -> impl IntoView {
    let state = use_user();
    view! {
        <section class="hero">
            <h1>"Auth0 for Leptos"</h1>
            <p class="lead">"Login, sessions and access tokens for server-rendered, hydrated Leptos apps."</p>
            {move || match state.user.get() {
                Some(u) => view! {
                    <p class="welcome">{format!("Welcome, {}!", u.display_name())}</p>
                    <p class="actions">
                        <A href="/profile" attr:class="button">"Your profile"</A>
                        <LogoutLink class="button secondary">"Log out"</LogoutLink>
                    </p>
                }.into_any(),
                None => view! {
                    <p class="actions">
                        <LoginLink class="button">"Log in"</LoginLink>
                        <LoginLink signup=true class="button secondary">"Sign up"</LoginLink>
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

/// Profile (protected): avatar, name, e-mail and every claim.
#[component]
fn ProfilePage() -> impl IntoView {
    let state = use_user();
    let (show_claims, set_show_claims) = signal(false);
    move || {
        state.user.get().map(|u| {
            let claims = serde_json::to_string_pretty(&u).unwrap_or_default();
            view! {
                <section class="card profile">
                    <img class="avatar" src=u.picture.clone().unwrap_or_default() alt="" width="72" height="72" />
                    <div>
                        <h1 class="name">{u.display_name().to_owned()}</h1>
                        <p class="email">{u.email.clone().unwrap_or_default()}</p>
                    </div>
                </section>
                <button class="button secondary" id="toggle-claims" on:click=move |_| set_show_claims.update(|v| *v = !*v)>
                    {move || if show_claims.get() { "Hide claims" } else { "Show claims" }}
                </button>
                <Show when=move || show_claims.get()>
                    <pre class="claims" id="claims">{claims.clone()}</pre>
                </Show>
            }
        })
    }
}

/// Account section: a protected parent route; every nested page is guarded.
#[component]
fn AccountLayout() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Account"</h1>
            <p class="actions">
                <A href="/account" attr:class="button secondary">"Summary"</A>
                <A href="/account/email" attr:class="button secondary">"E-mail"</A>
            </p>
            <Outlet />
        </section>
    }
}

#[component]
fn AccountSummary() -> impl IntoView {
    let state = use_user();
    move || {
        state.user.get().map(|u| view! { <p id="account-summary">{format!("Signed in as {} ({})", u.display_name(), u.sub)}</p> })
    }
}

#[component]
fn AccountEmail() -> impl IntoView {
    let state = use_user();
    move || {
        state.user.get().map(|u| {
            let verified = if u.email_verified.unwrap_or(false) { "verified" } else { "not verified" };
            view! { <p id="account-email">{format!("{} ({verified})", u.email.clone().unwrap_or_default())}</p> }
        })
    }
}

/// A greeting only a logged-in user may get.
#[server(endpoint = "secret_message")]
pub async fn secret_message() -> Result<String, AuthError> {
    let user = auth0_leptos::server::require_user().await?;
    Ok(format!(
        "Hello {}, this message comes from a server function.",
        user.display_name()
    ))
}

/// Calls a server function that requires a user.
#[component]
fn ServerFnPage() -> impl IntoView {
    let ask = ServerAction::<SecretMessage>::new();
    let location = use_location();
    view! {
        <section class="card">
            <h1>"Server function"</h1>
            <p>"The server function below answers only for a logged-in user."</p>
            <button class="button" id="ask" on:click=move |_| { ask.dispatch(SecretMessage {}); }>"Ask the server"</button>
            <div id="answer" class="answer">
                {move || match ask.value().get() {
                    None => view! { <span></span> }.into_any(),
                    Some(Ok(msg)) => view! { <p class="ok">{msg}</p> }.into_any(),
                    Some(Err(AuthError::NotAuthenticated)) => view! {
                        <p class="error" id="not-authenticated" data-code="not_authenticated">
                            "You are not logged in (not_authenticated). "
                            <LoginLink return_to=location.pathname.get_untracked()>"Log in"</LoginLink>
                        </p>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// Gets an access token for the demo API and calls the API with it.
#[component]
fn ApiPage() -> impl IntoView {
    let token = RwSignal::new(None::<auth0_leptos::AccessTokenResponse>);
    let error = RwSignal::new(None::<String>);
    let api_result = RwSignal::new(None::<String>);
    let fetch_token = move |refresh: bool| {
        leptos::task::spawn_local(async move {
            let req = AccessTokenRequest {
                audience: Some(API_AUDIENCE.into()),
                scope: None,
                refresh,
            };
            match get_access_token(req).await {
                Ok(t) => {
                    token.set(Some(t));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let call_api = move |_| {
        leptos::task::spawn_local(async move {
            let req = AccessTokenRequest {
                audience: Some(API_AUDIENCE.into()),
                scope: None,
                refresh: false,
            };
            match get_access_token(req).await {
                Ok(t) => {
                    token.set(Some(t.clone()));
                    error.set(None);
                    api_result.set(Some(
                        call_own_api("api/messages", API_AUDIENCE, None, &t).await,
                    ));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let reports_result = RwSignal::new(None::<String>);
    let call_reports = move |_| {
        leptos::task::spawn_local(async move {
            let req = AccessTokenRequest {
                audience: Some(REPORTS_AUDIENCE.into()),
                scope: Some("read:reports".into()),
                refresh: false,
            };
            let text = match get_access_token(req).await {
                Ok(t) => {
                    call_own_api("api/reports", REPORTS_AUDIENCE, Some("read:reports"), &t).await
                }
                Err(e) => format!("no token: {e}"),
            };
            reports_result.set(Some(text));
        });
    };
    view! {
        <section class="card">
            <h1>"Call an API"</h1>
            <p>"The access token comes from " <code>"/auth/access-token"</code> " and is cached in the browser until shortly before it expires."</p>
            <p class="actions">
                <button class="button" id="get-token" on:click=move |_| fetch_token(false)>"Get access token"</button>
                <button class="button secondary" id="refresh-token" on:click=move |_| fetch_token(true)>"Refresh"</button>
                <button class="button" id="call-api" on:click=call_api>"Call the API"</button>
            </p>
            {move || token.get().map(|t| view! {
                <dl class="token">
                    <dt>"Token"</dt><dd id="token" class="mono">{format!("{}…", t.token.secret().chars().take(24).collect::<String>())}</dd>
                    <dt>"Expires"</dt><dd id="expires-at" data-token=t.token.secret().to_owned()>{format!("in {} s (at {})", t.expires_in, t.expires_at)}</dd>
                    <dt>"Scope"</dt><dd>{t.scope.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())}</dd>
                </dl>
            })}
            {move || error.get().map(|e| view! { <p class="error" id="token-error">{e}</p> })}
            {move || api_result.get().map(|r| view! { <pre id="api-result" class="claims">{r}</pre> })}
        </section>
        <section class="card">
            <h2>"A second API"</h2>
            <p>"The same login's refresh token gets a token for " <code>{REPORTS_AUDIENCE}</code> " with the scope " <code>"read:reports"</code> "; the session keeps one token per API."</p>
            <p class="actions">
                <button class="button" id="call-reports" on:click=call_reports>"Call the reports API"</button>
            </p>
            {move || reports_result.get().map(|r| view! { <pre id="reports-result" class="claims">{r}</pre> })}
        </section>
    }
}

/// Calls the demo's DPoP-protected API from the server, with a fetcher of
/// the session: `Authorization: DPoP <token>` and a proof for the request
/// (the API demands its own nonce first, which the fetcher answers).
#[server]
pub async fn call_dpop_api() -> Result<String, ServerFnError> {
    server_call(
        "api/dpop/messages",
        auth0_leptos::server::FetchRequest::get(),
    )
    .await
}

/// Calls one of the demo's own APIs from the server with the session's
/// token for `audience`: a DPoP-bound token (the demo runs with DPoP on) can
/// only be presented with the server's key, never from the browser.
#[allow(missing_docs)] // the generated argument struct
#[server(endpoint = "demo/call-api")]
pub async fn call_api_from_server(
    path: String,
    audience: String,
    scope: Option<String>,
) -> Result<String, ServerFnError> {
    // Only the demo's own APIs: never a URL of the caller's choosing.
    if path != "api/messages" && path != "api/reports" {
        return Err(ServerFnError::new("unknown API"));
    }
    let mut request = auth0_leptos::server::FetchRequest::get().audience(audience);
    if let Some(s) = scope {
        request = request.scope(s);
    }
    server_call(&path, request).await
}

/// GETs `path` of the app's own origin with a fetcher (DPoP proof or
/// Bearer, as the token is); answers `HTTP {status}` and the body.
#[cfg(feature = "ssr")]
async fn server_call(
    path: &str,
    request: auth0_leptos::server::FetchRequest,
) -> Result<String, ServerFnError> {
    use auth0_leptos::server::FetcherOptions;
    let session = auth0_leptos::server::session()
        .await
        .map_err(|e| ServerFnError::new(e.code()))?;
    let base = session
        .app_base_url()
        .ok_or_else(|| ServerFnError::new("no application base URL for this request"))?
        .to_owned();
    let fetcher = session
        .create_fetcher(FetcherOptions::new().base_url(base))
        .map_err(|e| ServerFnError::new(e.code()))?;
    let resp = fetcher
        .fetch_with_auth(path, request)
        .await
        .map_err(|e| ServerFnError::new(e.code()))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(text);
    Ok(format!("HTTP {status}\n{body}"))
}

/// DPoP: the server calls a DPoP-protected API with a token bound to its key.
#[component]
fn DpopPage() -> impl IntoView {
    let call = ServerAction::<CallDpopApi>::new();
    view! {
        <section class="card">
            <h1>"DPoP-bound tokens"</h1>
            <p>"With " <code>"AUTH0_USE_DPOP=true"</code> " every token request carries a proof of the server's key, and the provider binds the access token to it (" <code>"cnf.jkt"</code> "). A stolen token is useless without the key, which never leaves the server."</p>
            <p>"The button calls " <code>"/api/dpop/messages"</code> " from the server with a fetcher: the API checks the proof's method, URL, age, id, token hash and key, and asks for its own nonce first."</p>
            <p class="actions">
                <button class="button" id="call-dpop" on:click=move |_| { call.dispatch(CallDpopApi {}); }>"Call the DPoP API"</button>
            </p>
            {move || call.value().get().map(|r| match r {
                Ok(text) => view! { <pre id="dpop-result" class="claims">{text}</pre> }.into_any(),
                Err(e) => view! { <p class="error" id="dpop-error">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

/// Calls one of the demo's APIs with `Authorization: Bearer <token>`;
/// returns the status and the pretty-printed body.
#[cfg(feature = "hydrate")]
async fn call_api_with(path: &str, token: &str) -> String {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let Some(window) = web_sys::window() else {
        return "no window".into();
    };
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().expect("headers");
    let _ = headers.set("Authorization", &format!("Bearer {token}"));
    init.set_headers(&headers);
    let resp = match JsFuture::from(window.fetch_with_str_and_init(path, &init)).await {
        Ok(r) => r.unchecked_into::<web_sys::Response>(),
        Err(_) => return "network error".into(),
    };
    let status = resp.status();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(text);
    format!("HTTP {status}\n{body}")
}

/// Calls the demo's API at `path`: from the browser with a Bearer token, or
/// through the server when the token is DPoP-bound (only the server holds
/// the key its proofs need).
async fn call_own_api(
    path: &str,
    audience: &str,
    scope: Option<&str>,
    token: &auth0_leptos::AccessTokenResponse,
) -> String {
    let bound = token
        .token_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("dpop"));
    if bound {
        call_api_from_server(path.into(), audience.into(), scope.map(str::to_owned))
            .await
            .unwrap_or_else(|e| e.to_string())
    } else {
        call_api_with(&format!("/{path}"), token.token.secret()).await
    }
}

#[cfg(not(feature = "hydrate"))]
async fn call_api_with(_path: &str, _token: &str) -> String {
    "the API is called from the browser".into()
}

/// Step-up: a token for an API that requires a second factor. The first
/// ask fails with `mfa_required` and an encrypted `mfa_token`; the user
/// enrolls an authenticator app (or uses the one enrolled), types its code,
/// and the token is in the session.
#[component]
fn MfaPage() -> impl IntoView {
    use auth0_leptos::mfa::{EnrollRequest, MfaRequirements, MfaToken, VerifyRequest};
    use auth0_leptos::{mfa_enroll, mfa_verify, AccessTokenError};

    let step_up = RwSignal::new(None::<(MfaToken, Option<MfaRequirements>)>);
    let secret = RwSignal::new(None::<(String, String)>);
    let result = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let ask = move || {
        leptos::task::spawn_local(async move {
            let req = AccessTokenRequest {
                audience: Some(MFA_AUDIENCE.into()),
                scope: Some("read:secrets".into()),
                refresh: false,
            };
            match get_access_token(req).await {
                Ok(t) => {
                    step_up.set(None);
                    error.set(None);
                    result.set(Some(format!(
                        "token for {} with scope {}",
                        t.audience.unwrap_or_default(),
                        t.scope.unwrap_or_default()
                    )));
                }
                Err(AccessTokenError::MfaRequired {
                    mfa_token,
                    mfa_requirements,
                    ..
                }) => step_up.set(Some((mfa_token, mfa_requirements))),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let enroll = move |_| {
        let Some((token, _)) = step_up.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match mfa_enroll(token, EnrollRequest::otp()).await {
                Ok(e) => secret.set(Some((
                    e.secret.unwrap_or_default(),
                    e.barcode_uri.unwrap_or_default(),
                ))),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let verify = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((token, _)) = step_up.get_untracked() else {
            return;
        };
        let otp = code.get_untracked();
        leptos::task::spawn_local(async move {
            match mfa_verify(token, VerifyRequest::otp(otp)).await {
                Ok(_) => ask(),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card">
            <h1>"Step-up authentication"</h1>
            <p>"Tokens for " <code>{MFA_AUDIENCE}</code> " need a second factor. The provider's "
               <code>"mfa_token"</code> " stays on the server; the browser holds it encrypted."</p>
            <p class="actions">
                <button class="button" id="mfa-get-token" on:click=move |_| ask()>"Get the secrets token"</button>
            </p>
            {move || step_up.get().map(|(_, req)| {
                let enrolling = req.as_ref().is_some_and(MfaRequirements::needs_enrollment);
                view! {
                    <div id="mfa-step-up">
                        <p id="mfa-required">"Multi-factor authentication is required."</p>
                        {enrolling.then(|| view! {
                            <button class="button secondary" id="mfa-enroll" on:click=enroll>"Enroll an authenticator app"</button>
                        })}
                        {move || secret.get().map(|(s, uri)| view! {
                            <dl class="token">
                                <dt>"Secret"</dt><dd id="mfa-secret" class="mono">{s}</dd>
                                <dt>"QR code URI"</dt><dd class="mono">{uri}</dd>
                            </dl>
                        })}
                        <form on:submit=verify>
                            <label>"Code from the app "
                                <input id="mfa-code" inputmode="numeric" autocomplete="one-time-code"
                                    bind:value=code />
                            </label>
                            <button class="button" id="mfa-verify" type="submit">"Verify"</button>
                        </form>
                    </div>
                }
            })}
            {move || error.get().map(|e| view! { <p class="error" id="mfa-error">{e}</p> })}
            {move || result.get().map(|r| view! { <p id="mfa-result">{r}</p> })}
        </section>
    }
}
