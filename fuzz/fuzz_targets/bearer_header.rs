//! Fuzz target: `auth0_leptos::server::fuzzing::bearer_header`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    auth0_leptos::server::fuzzing::bearer_header(data);
});
