//! Login and logout links: plain anchors the router never intercepts.

use leptos::prelude::*;

use super::context::use_auth_routes;

fn with_return_to(base: &str, return_to: Option<&str>) -> String {
    match return_to {
        Some(rt) => {
            let enc: String = url_encode(rt);
            format!("{base}?returnTo={enc}")
        }
        None => base.to_owned(),
    }
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A link to the login route (`rel="external"`, so it is a full-page
/// navigation to the server route, never a client-side route change).
#[component]
pub fn LoginLink(
    /// Where to return after login (same origin).
    #[prop(optional, into)]
    return_to: Option<String>,
    /// Show the sign-up screen (`screen_hint=signup`).
    #[prop(optional)]
    signup: bool,
    /// CSS class of the anchor.
    #[prop(optional, into)]
    class: Option<String>,
    /// The link text.
    children: Children,
) -> impl IntoView {
    let mut href = with_return_to(&use_auth_routes().login, return_to.as_deref());
    if signup {
        href.push(if href.contains('?') { '&' } else { '?' });
        href.push_str("screen_hint=signup");
    }
    view! { <a href=href class=class rel="external">{children()}</a> }
}

/// A link to the logout route (`rel="external"`).
#[component]
pub fn LogoutLink(
    /// Where to land after logout (same origin, or the configured allow-list).
    #[prop(optional, into)]
    return_to: Option<String>,
    /// CSS class of the anchor.
    #[prop(optional, into)]
    class: Option<String>,
    /// The link text.
    children: Children,
) -> impl IntoView {
    let href = with_return_to(&use_auth_routes().logout, return_to.as_deref());
    view! { <a href=href class=class rel="external">{children()}</a> }
}
