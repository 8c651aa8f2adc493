//! Fuzz target: `auth0_leptos::server::fuzzing::backchannel_body`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    auth0_leptos::server::fuzzing::backchannel_body(data);
});
