//! Leptos components and hooks.
//!
//! `Auth0Provider`, `use_user`, `ProtectedRoute` and the links live here.
