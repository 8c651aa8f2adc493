//! Multi-resource refresh tokens through the real router against the local
#![allow(missing_docs)]
//! provider: one login, tokens for two APIs, each refreshed on its own, one
//! provider call per audience under concurrency, and the session cookie in
//! nextjs-auth0's `accessTokens` shape.

mod support;

use std::collections::BTreeMap;

use auth0_leptos::server::{Auth0, Auth0ConfigBuilder, Auth0Session};
use auth0_leptos::AccessTokenRequest;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use support::*;

const API: &str = "https://api.example.test/";
const REPORTS: &str = "https://reports.example.test/";

fn config() -> Auth0ConfigBuilder {
    idp_config().audience(API).scope([
        (API, "openid profile email offline_access read:messages"),
        (REPORTS, "read:reports"),
    ])
}

/// The test app plus `/cause?audience=..`: the server-side call's error
/// code and its provider cause.
fn browser(builder: Auth0ConfigBuilder) -> (Browser, Auth0) {
    let auth0 = Auth0::new(builder.build().unwrap());
    let cause = Router::new()
        .route(
            "/cause",
            get(
                |s: Auth0Session, Query(q): Query<AccessTokenRequest>| async move {
                    match s.access_token(q).await {
                        Ok(_) => "ok".to_owned(),
                        Err(auth0_leptos::AccessTokenError::FailedToRefreshToken {
                            cause: Some(c),
                        }) => format!("failed_to_refresh_token {}", c.code),
                        Err(e) => e.code().to_owned(),
                    }
                },
            ),
        )
        .layer(auth0.layer());
    (Browser::new(app(&auth0).merge(cause)), auth0)
}

/// The refresh-token grants the provider served for a login session, by resource.
async fn provider_refreshes(sid: &str) -> BTreeMap<String, u64> {
    reqwest::get(format!("{}/__test/refresh-grants?sid={sid}", idp().url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn token_path(audience: &str) -> String {
    format!("/auth/access-token?audience={}", urlencode(audience))
}

#[tokio::test]
async fn one_login_gets_tokens_for_two_apis_stored_in_the_next_js_shape() {
    let (mut b, _) = browser(config());
    b.login("/auth/login").await;
    let sid = b.session().internal.sid;
    assert!(!sid.is_empty());

    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let primary = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&primary)["aud"], API);

    let r = b.get(&token_path(REPORTS)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reports = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&reports)["aud"], REPORTS);
    assert!(claims(&reports)["scope"]
        .as_str()
        .unwrap()
        .contains("read:reports"));
    assert_eq!(r.json()["audience"], REPORTS);
    assert!(
        r.headers.get_all("set-cookie").iter().count() > 0,
        "the new token is saved"
    );

    // nextjs-auth0's shape: the login's tokens stay in tokenSet, the other
    // audience is an accessTokens[] entry keyed by audience and requested scope.
    let s = b.session();
    assert_eq!(s.token_set.access_token.secret(), primary);
    assert_eq!(s.access_tokens.len(), 1);
    let e = &s.access_tokens[0];
    assert_eq!(e.audience, REPORTS);
    assert_eq!(e.access_token.secret(), reports);
    assert_eq!(e.requested_scope.as_deref(), Some("read:reports"));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["accessTokens"][0]["audience"], REPORTS);
    assert!(json["accessTokens"][0]["expiresAt"].as_i64().unwrap() > 0);
    assert_eq!(json["accessTokens"][0]["requestedScope"], "read:reports");

    // Asked again: the stored tokens answer, nothing is refreshed or rewritten.
    let r = b.get(&token_path(REPORTS)).await;
    assert_eq!(r.json()["token"], reports.as_str());
    assert!(r.set_cookie("__session").is_none() && r.set_cookie("__session__0").is_none());
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.json()["token"], primary.as_str());
    assert_eq!(
        provider_refreshes(&sid).await,
        BTreeMap::from([(REPORTS.to_owned(), 1)])
    );
}

#[tokio::test]
async fn requested_scope_merges_with_the_audience_s_configured_scope_and_covers_later_asks() {
    let (mut b, _) = browser(config());
    b.login("/auth/login").await;
    let sid = b.session().internal.sid;
    let r = b
        .get(&format!("{}&scope=write:reports", token_path(REPORTS)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let granted = claims(&token)["scope"].as_str().unwrap().to_owned();
    assert!(
        granted.contains("read:reports") && granted.contains("write:reports"),
        "{granted}"
    );
    assert_eq!(
        b.session().access_tokens[0].requested_scope.as_deref(),
        Some("read:reports write:reports")
    );
    // A narrower ask is covered by the stored token.
    let r = b.get(&token_path(REPORTS)).await;
    assert_eq!(r.json()["token"], token.as_str());
    assert_eq!(provider_refreshes(&sid).await[REPORTS], 1);
}

#[tokio::test]
async fn each_audience_is_refreshed_on_its_own_expiry() {
    let (mut b, auth0) = browser(config());
    b.login("/auth/login").await;
    let sid = b.session().internal.sid;
    let primary = b.get("/auth/access-token").await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reports = b.get(&token_path(REPORTS)).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // The reports token expired; the login's did not.
    let mut s = b.session();
    s.access_tokens[0].expires_at = 1;
    b.jar.retain(|k, _| !k.starts_with("__session"));
    b.jar.insert("__session".into(), auth0.seal_session(&s));
    let r = b.get(&token_path(REPORTS)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.json()["token"].as_str().unwrap().to_owned();
    assert_ne!(renewed, reports);
    assert_eq!(claims(&renewed)["aud"], REPORTS);
    let s = b.session();
    assert_eq!(s.access_tokens.len(), 1, "renewed in place");
    assert_eq!(s.token_set.access_token.secret(), primary, "untouched");
    assert_eq!(
        b.get("/auth/access-token").await.json()["token"],
        primary.as_str()
    );

    // Now the login's token expired; the reports token is kept.
    let mut s = b.session();
    s.token_set.expires_at = 1;
    b.jar.retain(|k, _| !k.starts_with("__session"));
    b.jar.insert("__session".into(), auth0.seal_session(&s));
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.json()["token"], primary.as_str());
    assert_eq!(claims(r.json()["token"].as_str().unwrap())["aud"], API);
    assert_eq!(b.session().access_tokens[0].access_token.secret(), renewed);
    assert_eq!(
        b.get(&token_path(REPORTS)).await.json()["token"],
        renewed.as_str()
    );

    assert_eq!(
        provider_refreshes(&sid).await,
        BTreeMap::from([(String::new(), 1), (REPORTS.to_owned(), 2)])
    );
}

/// With rotation on, two refreshes of one refresh token look like theft to
/// the provider (it revokes the grant). Requests for two audiences at once
/// take turns: each audience is refreshed once, the second with the
/// rotated refresh token.
#[tokio::test]
async fn concurrent_requests_for_two_audiences_make_one_provider_refresh_each() {
    let (mut b, _) = browser(config());
    b.login("/auth/login").await;
    let sid = b.session().internal.sid;
    let cookie = b.cookie_header();
    let router = b.router.clone();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (router, cookie) = (router.clone(), cookie.clone());
        let path = if i % 2 == 0 {
            token_path(REPORTS)
        } else {
            "/auth/access-token?refresh=true".to_owned()
        };
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::get(&path)
                .header("cookie", cookie)
                .header("host", "127.0.0.1:3000")
                .body(axum::body::Body::empty())
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let body = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (
                i % 2 == 0,
                status,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        }));
    }
    let (mut reports, mut primary) = (Vec::new(), Vec::new());
    for t in tasks {
        let (is_reports, status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        if is_reports {
            reports.push(token);
        } else {
            primary.push(token);
        }
    }
    reports.dedup();
    primary.dedup();
    assert_eq!(
        (reports.len(), primary.len()),
        (1, 1),
        "one token per audience"
    );
    assert_eq!(claims(&reports[0])["aud"], REPORTS);
    assert_eq!(claims(&primary[0])["aud"], API);
    assert_eq!(
        provider_refreshes(&sid).await,
        BTreeMap::from([(String::new(), 1), (REPORTS.to_owned(), 1)])
    );
    // The grant was not revoked as a reuse: the session refreshes on.
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = b
        .get(&format!("{}&refresh=true", token_path(REPORTS)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Auth0 answers a refresh for an audience outside the application's
/// refresh token policy with a token for another API. That token is not
/// handed out as the asked-for audience's; the rotated refresh token is kept.
#[tokio::test]
async fn an_audience_outside_the_policy_is_refused_and_the_rotation_kept() {
    let (mut b, _) = browser(config());
    b.login("/auth/login").await;
    let before = b.session().token_set.refresh_token.unwrap();
    let r = b
        .get("/cause?audience=https%3A%2F%2Fnot-in-the-policy.example.test%2F")
        .await;
    assert_eq!(r.body, "failed_to_refresh_token invalid_target");
    let s = b.session();
    assert!(s.access_tokens.is_empty(), "no mislabeled token stored");
    assert_ne!(
        s.token_set.refresh_token.as_ref().map(|t| t.secret()),
        Some(before.secret()),
        "the rotated refresh token is saved"
    );
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// A single scope string applies to every audience (as in the seeds).
#[tokio::test]
async fn a_single_scope_string_applies_to_every_audience() {
    let (mut b, _) = browser(
        idp_config()
            .audience(API)
            .scope("openid profile email offline_access read:reports"),
    );
    b.login("/auth/login").await;
    let r = b.get(&token_path(REPORTS)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&token)["aud"], REPORTS);
    assert_eq!(claims(&token)["scope"], "read:reports");
    assert_eq!(
        b.session().access_tokens[0].requested_scope.as_deref(),
        Some("openid profile email offline_access read:reports")
    );
}
