//! The browser's clock.

/// Seconds since the epoch, from the browser clock.
pub(crate) fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
