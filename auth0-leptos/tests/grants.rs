//! The token flows outside the login: connection tokens (the local
//! provider's Token Vault stand-in), custom token exchange (its legacy
//! token profile stand-in) and Client-Initiated Backchannel Authentication
//! (poll mode), through the real client against the local provider.
#![allow(missing_docs)]

mod support;

use std::time::Duration;

use auth0_leptos::server::{
    AccessTokenForConnectionOptions, Auth0, Auth0Config, Auth0Session,
    BackchannelAuthenticationOptions, CustomTokenExchangeOptions,
};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use support::*;

const API: &str = "https://api.example.test/";
const LEGACY: &str = "urn:acme:legacy-token";
/// The local provider's key for legacy tokens (its stand-in profile's "Action").
const LEGACY_SECRET: &str = "legacy-token-secret-for-local-tests-only";

fn legacy_token(sub: &str, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::json!({"sub": sub, "exp": 4_000_000_000u64}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

// ---- connection tokens (Token Vault) ---------------------------------------

/// The test app plus `/connection?c=..`: the connection's token, or the
/// error's code.
fn app_with_connections(auth0: &Auth0) -> Router {
    let route = get(
        |s: Auth0Session, Query(q): Query<std::collections::BTreeMap<String, String>>| async move {
            let mut options =
                AccessTokenForConnectionOptions::new(q.get("c").cloned().unwrap_or_default());
            if let Some(h) = q.get("hint") {
                options = options.login_hint(h.clone());
            }
            match s.access_token_for_connection(options).await {
                Ok(t) => (StatusCode::OK, serde_json::to_string(&t).unwrap()),
                Err(e) => (
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{} {}",
                        e.code(),
                        match &e {
                            auth0_leptos::server::AccessTokenForConnectionError::FailedToExchange {
                                cause: Some(c),
                            } => c.code.as_str(),
                            _ => "-",
                        }
                    ),
                ),
            }
        },
    );
    Router::new()
        .route("/connection", route)
        .layer(auth0.layer())
        .merge(app(auth0))
}

/// What the connection's API (the local provider's stand-in) says of a token.
async fn connection_api(token: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(format!("{}/__connection-api/me", idp().url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_connection_token_is_exchanged_once_and_cached_in_the_session() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let mut b = Browser::new(app_with_connections(&auth0));
    b.login("/auth/login").await;

    let r = b.get("/connection?c=google-oauth2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t = r.json();
    assert_eq!(t["connection"], "google-oauth2");
    assert!(t["expires_at"].as_i64().unwrap() > 0);
    let token = t["token"].as_str().unwrap().to_owned();
    // A real token of the connection, acting for the logged-in user.
    assert_eq!(
        connection_api(&token).await,
        (
            200,
            r#"{"sub":"auth0|test-user","connection":"google-oauth2"}"#.to_owned()
        )
    );
    b.store(&r);
    // Cached in the session: the same token again, no new exchange.
    let again = b.get("/connection?c=google-oauth2").await.json();
    assert_eq!(again["token"], token.as_str());
    let session = auth0_leptos::server::testing::open_session_cookie(&b.jar["__session"], SECRET)
        .expect("the session opens");
    assert_eq!(session.connection_token_sets.len(), 1);
    assert_eq!(session.connection_token_sets[0].connection, "google-oauth2");
    // Another connection gets its own token.
    let gh = b.get("/connection?c=github").await.json();
    assert_ne!(gh["token"], token.as_str());
    assert_eq!(gh["scope"], "repo read:user");
}

#[tokio::test]
async fn connection_token_failures_have_the_seeds_codes() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let mut anon = Browser::new(app_with_connections(&auth0));
    assert_eq!(
        anon.get("/connection?c=github").await.body,
        "missing_session -"
    );

    let mut b = Browser::new(app_with_connections(&auth0));
    b.login("/auth/login").await;
    // Not linked for this user: the provider's 401, as a failed exchange.
    assert_eq!(
        b.get("/connection?c=slack").await.body,
        "failed_to_exchange_refresh_token federated_connection_refresh_token_not_found"
    );
    assert_eq!(
        b.get("/connection?c=github&hint=someone-else").await.body,
        "failed_to_exchange_refresh_token federated_connection_refresh_token_not_found"
    );
    assert_eq!(b.get("/connection?c=").await.body, "invalid_request -");

    // A login without offline_access has no refresh token to exchange.
    let no_rt = Auth0::new(idp_config().scope("openid profile").build().unwrap());
    let mut c = Browser::new(app_with_connections(&no_rt));
    c.login("/auth/login").await;
    assert_eq!(
        c.get("/connection?c=github").await.body,
        "missing_refresh_token -"
    );
}

// ---- custom token exchange ---------------------------------------------------

#[tokio::test]
async fn a_legacy_token_is_exchanged_for_the_users_tokens() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let r = auth0
        .custom_token_exchange(
            CustomTokenExchangeOptions::new(legacy_token("auth0|test-user", LEGACY_SECRET), LEGACY)
                .audience(API)
                .scope("openid read:messages"),
        )
        .await
        .unwrap();
    assert_eq!(r.token_set.audience.as_deref(), Some(API));
    assert_eq!(r.token_set.token_type.as_deref(), Some("Bearer"));
    let at = claims(r.token_set.access_token.secret());
    assert_eq!(at["sub"], "auth0|test-user");
    assert_eq!(at["aud"], API);
    // The ID token was validated and its claims are handed back.
    assert_eq!(r.id_token_claims.unwrap()["sub"], "auth0|test-user");
}

#[tokio::test]
async fn with_dpop_the_exchanged_token_is_bound() {
    let auth0 = Auth0::new(idp_config().use_dpop(true).build().unwrap());
    let r = auth0
        .custom_token_exchange(
            CustomTokenExchangeOptions::new(
                legacy_token("auth0|other-user", LEGACY_SECRET),
                LEGACY,
            )
            .audience(API)
            .scope("read:messages"),
        )
        .await
        .unwrap();
    assert_eq!(r.token_set.token_type.as_deref(), Some("DPoP"));
    let at = claims(r.token_set.access_token.secret());
    assert_eq!(at["sub"], "auth0|other-user");
    assert_eq!(
        at["cnf"]["jkt"],
        auth0.dpop_key_pair().unwrap().thumbprint()
    );
}

#[tokio::test]
async fn custom_token_exchange_failures_have_the_seeds_codes() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let code = |r: Result<_, auth0_leptos::server::CustomTokenExchangeError>| {
        let e = r.unwrap_err();
        format!(
            "{} {}",
            e.code(),
            match &e {
                auth0_leptos::server::CustomTokenExchangeError::ExchangeFailed {
                    cause: Some(c),
                } => c.code.as_str(),
                _ => "-",
            }
        )
    };
    let good = legacy_token("auth0|test-user", LEGACY_SECRET);
    let forged = legacy_token("auth0|test-user", "not-the-secret");
    assert_eq!(
        code(
            auth0
                .custom_token_exchange(CustomTokenExchangeOptions::new(forged, LEGACY))
                .await
        ),
        "exchange_failed invalid_grant"
    );
    assert_eq!(
        code(
            auth0
                .custom_token_exchange(CustomTokenExchangeOptions::new(
                    &good,
                    "urn:other:token-type"
                ))
                .await
        ),
        "exchange_failed invalid_request"
    );
    assert_eq!(
        code(
            auth0
                .custom_token_exchange(CustomTokenExchangeOptions::new("", LEGACY))
                .await
        ),
        "missing_subject_token -"
    );
    assert_eq!(
        code(
            auth0
                .custom_token_exchange(CustomTokenExchangeOptions::new(&good, "legacy"))
                .await
        ),
        "invalid_subject_token_type -"
    );
    let mut actor = CustomTokenExchangeOptions::new(&good, LEGACY);
    actor.actor_token = Some(auth0_leptos::secret::AccessToken::new("service-token"));
    assert_eq!(
        code(auth0.custom_token_exchange(actor).await),
        "missing_actor_token_type -"
    );
}

// ---- CIBA ------------------------------------------------------------------

#[tokio::test]
async fn backchannel_authentication_polls_until_the_user_approves() {
    let auth0 = Auth0::new(idp_config().audience(API).build().unwrap());
    let r = auth0
        .get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new(
            "auth0|other-user",
            "Approve-order-42",
        ))
        .await
        .unwrap();
    assert_eq!(r.id_token_claims["sub"], "auth0|other-user");
    let at = claims(r.token_set.access_token.secret());
    assert_eq!(at["sub"], "auth0|other-user");
    assert_eq!(at["aud"], API);
    assert!(r.token_set.expires_at > 0);
}

#[tokio::test]
async fn backchannel_authentication_failures_have_the_seeds_codes() {
    let auth0 = Auth0::new(idp_config().build().unwrap());
    let denied = auth0
        .get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new(
            "auth0|test-user",
            "deny",
        ))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), "backchannel_authentication_error");
    assert_eq!(denied.cause().unwrap().code, "access_denied");

    let unknown = auth0
        .get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new(
            "auth0|test-user",
            "x".repeat(65),
        ))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), "invalid_request");
    let no_sub = auth0
        .get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new("", "hi"))
        .await
        .unwrap_err();
    assert_eq!(no_sub.code(), "invalid_request");

    // A provider without a backchannel authentication endpoint.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let md = serde_json::json!({
        "issuer": format!("{base}/"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/jwks"),
    });
    let discovery = Router::new().route(
        "/.well-known/openid-configuration",
        get(move || {
            let md = md.clone();
            async move { axum::Json(md) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, discovery).await.unwrap() });
    let other = Auth0::new(
        Auth0Config::builder()
            .domain(base)
            .client_id("c")
            .client_secret("s")
            .secret(SECRET)
            .app_base_url(APP)
            .allow_insecure_requests(true)
            .build()
            .unwrap(),
    );
    let e = other
        .get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new("auth0|x", "hi"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "backchannel_authentication_not_supported_error");
}

#[tokio::test]
async fn dropping_the_future_stops_the_polling() {
    // Its own client, so that other tests' polls do not count.
    let auth0 = Auth0::new(
        Auth0Config::builder()
            .domain(idp().url.clone())
            .client_id("test-client")
            .client_secret(CLIENT_SECRET)
            .secret(SECRET)
            .app_base_url(APP)
            .allow_insecure_requests(true)
            .build()
            .unwrap(),
    );
    let polls = || async {
        reqwest::get(format!(
            "{}/__test/ciba-polls?client_id=test-client",
            idp().url
        ))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["polls"]
            .as_u64()
            .unwrap()
    };
    let before = polls().await;
    // The user approves after 500 ms; the first poll comes after 1 s.
    let cancelled = tokio::time::timeout(
        Duration::from_millis(1_500),
        auth0.get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new(
            "auth0|test-user",
            "slow",
        )),
    )
    .await;
    assert!(cancelled.is_ok(), "the flow itself works with this client");
    let after_one = polls().await;
    assert!(after_one > before);
    let running = tokio::time::timeout(
        Duration::from_millis(300),
        auth0.get_token_by_backchannel_auth(BackchannelAuthenticationOptions::new(
            "auth0|test-user",
            "cancel-me",
        )),
    )
    .await;
    assert!(running.is_err(), "cancelled before its first poll");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        polls().await,
        after_one,
        "no poll after the future was dropped"
    );
}
