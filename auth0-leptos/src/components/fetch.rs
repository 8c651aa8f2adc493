//! `fetch` in the browser.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// GETs `url` (same-origin credentials, no cache) and parses a JSON body.
/// Returns the status and the body when it is JSON.
pub(crate) async fn get_json(url: &str) -> Result<(u16, Option<serde_json::Value>), String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_cache(web_sys::RequestCache::NoStore);
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| "network error".to_owned())?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response".to_owned())?;
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(|_| "unreadable body".to_owned())?)
        .await
        .map_err(|_| "unreadable body".to_owned())?
        .as_string()
        .unwrap_or_default();
    Ok((status, serde_json::from_str(&text).ok()))
}

/// Seconds since the epoch, from the browser clock.
pub(crate) fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
