//! How the application proves itself (private_key_jwt) and what it asks
#![allow(missing_docs)]
//! for (pushed authorization requests), through the real router against
//! the local provider, which verifies the client assertions with the
//! client's registered public keys and can require PAR of a client.

mod support;

use auth0_leptos::server::{Auth0, Auth0ConfigBuilder, ClientAssertionSigningAlg};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use support::*;

fn browser(builder: Auth0ConfigBuilder) -> (Browser, Auth0) {
    let auth0 = Auth0::new(builder.build().unwrap());
    (Browser::new(app(&auth0)), auth0)
}

/// The configuration for the local provider's client that must use PAR.
fn par_client() -> Auth0ConfigBuilder {
    auth0_leptos::server::Auth0Config::builder()
        .domain(idp().url.clone())
        .client_id("test-client-par")
        .client_secret(CLIENT_SECRET)
        .secret(SECRET)
        .app_base_url(APP)
        .allow_insecure_requests(true)
}

/// An `on_callback` hook that answers 502 with the error's stable code.
fn codes(builder: Auth0ConfigBuilder) -> Auth0ConfigBuilder {
    builder.on_callback(|err, _ctx, _session| async move {
        match err {
            Some(e) => (
                StatusCode::BAD_GATEWAY,
                format!(
                    "{} {}",
                    e.code(),
                    e.cause().map(|c| c.code.as_str()).unwrap_or("-")
                ),
            )
                .into_response(),
            None => axum::response::Redirect::to("/").into_response(),
        }
    })
}

#[tokio::test]
async fn a_private_key_jwt_client_logs_in_refreshes_and_revokes_with_assertions() {
    let (mut b, auth0) = browser(pkjwt_config());
    assert!(auth0.check_provider().await.is_ok());
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(b.get("/").await.body, "Welcome, Test User");

    // The refresh authenticates with a new assertion (a replayed one would be refused).
    for _ in 0..2 {
        let r = b.get("/auth/access-token?refresh=true").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    // Logout revokes the refresh token with an assertion too: the last
    // cookie's refresh token no longer works once the race window is over.
    let before = b.jar["__session"].clone();
    b.get("/auth/logout").await;
    let (mut other, _) = browser(pkjwt_config());
    other.jar.insert("__session".into(), before);
    let r = other.get("/auth/access-token?refresh=true").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "revoked at logout: {}",
        r.body
    );
}

#[tokio::test]
async fn an_es256_assertion_works_and_a_key_the_provider_does_not_know_is_refused() {
    let (mut b, _) = browser(
        pkjwt_config()
            .client_assertion_signing_key(fixture(EC_CLIENT_KEY))
            .client_assertion_signing_alg(ClientAssertionSigningAlg::ES256),
    );
    b.login("/auth/login").await;
    assert_eq!(b.get("/").await.body, "Welcome, Test User");

    // An RSA key that is not registered for the client: the code exchange fails.
    let (mut b, _) = browser(codes(
        pkjwt_config().client_assertion_signing_key(fixture("test-rsa-key-2.pem")),
    ));
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.body, "authorization_code_grant_error invalid_client");
}

#[tokio::test]
async fn an_assertion_algorithm_the_provider_does_not_list_fails_the_start_up_check() {
    let auth0 = Auth0::new(
        pkjwt_config()
            .client_assertion_signing_alg(ClientAssertionSigningAlg::RS384)
            .build()
            .unwrap(),
    );
    let e = auth0.check_provider().await.unwrap_err();
    assert_eq!(e.code(), "client_assertion_signing_alg_unsupported");
    assert!(e.to_string().contains("RS384"), "{e}");
}

#[tokio::test]
async fn pushed_authorization_requests_send_the_browser_with_only_a_request_uri() {
    let (mut b, auth0) = browser(par_client().pushed_authorization_requests(true));
    assert!(auth0.check_provider().await.is_ok());
    let r = b.get("/auth/login?returnTo=/after").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let q = query(r.location());
    assert_eq!(
        q.keys().map(String::as_str).collect::<Vec<_>>(),
        ["client_id", "request_uri"],
        "{}",
        r.location()
    );
    assert!(q["request_uri"].starts_with("urn:ietf:params:oauth:request_uri:"));
    // The rest of the login is unchanged: transaction cookie, state, PKCE, nonce, returnTo.
    let back = b.through_provider(r.location()).await;
    let r = b.get(&back).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert!(r.location().ends_with("/after"), "{}", r.location());
    assert_eq!(b.get("/").await.body, "Welcome, Test User");

    // The same client without PAR: the provider refuses the login.
    let (mut b, _) = browser(codes(par_client()));
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.body, "authorization_error invalid_request");
}

#[tokio::test]
async fn pushed_authorization_requests_with_private_key_jwt() {
    let (mut b, _) = browser(pkjwt_config().pushed_authorization_requests(true));
    let r = b.get("/auth/login").await;
    assert_eq!(query(r.location()).len(), 2, "{}", r.location());
    let back = b.through_provider(r.location()).await;
    b.get(&back).await;
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
}

#[tokio::test]
async fn a_refused_pushed_authorization_request_goes_to_the_callback_error_path() {
    // Wrong client secret: the provider refuses the push.
    let (mut b, _) = browser(codes(
        par_client()
            .client_secret("not-the-secret-of-this-client")
            .pushed_authorization_requests(true),
    ));
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.body, "pushed_authorization_error invalid_client");
    assert!(
        r.set_cookies().iter().all(|c| !c.starts_with("__txn_")),
        "no transaction is left behind: {:?}",
        r.set_cookies()
    );

    // Without a hook: a plain 500 that carries no internals.
    let (mut b, _) = browser(
        par_client()
            .client_secret("not-the-secret-of-this-client")
            .pushed_authorization_requests(true),
    );
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        r.body
            .starts_with("An error occurred while trying to initiate the login request."),
        "{}",
        r.body
    );
    assert!(!r.body.contains("not-the-secret"), "{}", r.body);
}
