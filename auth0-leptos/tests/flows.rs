//! Login, callback, session, tokens and logout through the real router
#![allow(missing_docs)]
//! against the real local OpenID provider (dev-idp/).

mod support;

use std::time::Duration;

use auth0_leptos::server::testing::{generate_session_cookie, open_session_cookie};
use auth0_leptos::server::{Auth0, ClientAuthMethod, LogoutStrategy, SessionConfig, TokenSet};
use axum::http::StatusCode;
use support::*;

fn browser(builder: auth0_leptos::server::Auth0ConfigBuilder) -> (Browser, Auth0) {
    let auth0 = Auth0::new(builder.build().unwrap());
    (Browser::new(app(&auth0)), auth0)
}

#[tokio::test]
async fn login_redirects_to_the_provider_with_pkce_state_nonce() {
    let (mut b, _) = browser(idp_config());
    let r = b
        .get("/auth/login?screen_hint=signup&client_id=evil&redirect_uri=https://evil.test/cb&state=fixed&nonce=fixed&response_type=token&returnTo=/x")
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(
        r.location()
            .starts_with(&format!("{}/authorize?", idp().url)),
        "{}",
        r.location()
    );
    let q = query(r.location());
    assert_eq!(q["client_id"], "test-client-post");
    assert_eq!(q["redirect_uri"], format!("{APP}/auth/callback"));
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(q["scope"], "openid profile email offline_access");
    assert_eq!(q["screen_hint"], "signup");
    assert!(q["state"].len() >= 43 && q["state"] != "fixed");
    assert!(q["nonce"].len() >= 43 && q["nonce"] != "fixed");
    assert!(!q.contains_key("returnTo"));
    let txn = r
        .set_cookie(&format!("__txn_{}", q["state"]))
        .expect("transaction cookie");
    assert!(
        txn.contains("HttpOnly")
            && txn.contains("SameSite=Lax")
            && txn.contains("Max-Age=3600")
            && txn.contains("Path=/"),
        "{txn}"
    );
    assert!(!txn.contains("Secure"), "http base URL: no Secure: {txn}");
    assert!(r.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
}

#[tokio::test]
async fn full_login_creates_a_session_and_returns_to_the_page() {
    let (mut b, _) = browser(idp_config());
    let r = b
        .login("/auth/login?returnTo=/profile%3Ftab%3D2%23top")
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(r.location(), format!("{APP}/profile?tab=2#top"));
    let session = r.set_cookie("__session").expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"] {
        assert!(session.contains(attr), "{attr} missing: {session}");
    }
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("__txn_") && c.contains("Max-Age=0")),
        "transaction cookie deleted"
    );
    assert!(r.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    assert!(!b.jar.keys().any(|k| k.starts_with("__txn_")));

    let home = b.get("/").await;
    assert_eq!(home.body, "Welcome, Test User");
    let profile = b.get("/auth/profile").await;
    assert_eq!(profile.status, StatusCode::OK);
    let user = profile.json();
    assert_eq!(user["sub"], "auth0|test-user");
    assert_eq!(user["email"], "test@example.test");
    assert!(
        user.get("nonce").is_none() && user.get("aud").is_none(),
        "only default claims are kept: {user}"
    );
    assert!(profile.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));

    let me = b.get("/api/me").await;
    assert_eq!(me.json()["name"], "Test User");
    // The session carries the ID token's sid and tokens in nextjs-auth0's shape.
    let data = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    assert!(!data.internal.sid.is_empty());
    assert!(data.token_set.refresh_token.is_some() && data.token_set.id_token.is_some());
}

#[tokio::test]
async fn client_secret_basic_also_works() {
    let (mut b, _) = browser(
        idp_config()
            .client_id("test-client")
            .client_auth_method(ClientAuthMethod::ClientSecretBasic),
    );
    let r = b.login("/auth/login").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(r.location(), format!("{APP}/"));
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
}

#[tokio::test]
async fn off_site_return_to_falls_back_to_the_sign_in_path() {
    let (mut b, _) = browser(idp_config().sign_in_return_to_path("/dashboard"));
    for rt in ["https://evil.test/", "//evil.test/x", "/\\evil.test"] {
        let r = b
            .login(&format!("/auth/login?returnTo={}", urlencode(rt)))
            .await;
        assert_eq!(r.location(), format!("{APP}/dashboard"), "{rt}");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn invalid_max_age_is_a_400() {
    let (mut b, _) = browser(idp_config());
    let r = b.get("/auth/login?max_age=soon").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("max_age"));
}

#[tokio::test]
async fn callback_failures_are_clean_errors() {
    let (mut b, _) = browser(idp_config());
    // Caused by the request: 400.
    let r = b.get("/auth/callback?code=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, "The state parameter is missing.");
    let r = b.get("/auth/callback?code=x&state=unknown").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, "The state parameter is invalid.");
    assert!(r.set_cookie("__session").is_none());

    // The provider's error text is escaped, and the transaction is spent.
    let login = b.get("/auth/login").await;
    let state = query(login.location())["state"].clone();
    let r = b
        .get(&format!("/auth/callback?state={state}&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("access_denied")
            && r.body.contains("&lt;script&gt;")
            && !r.body.contains("<script>"),
        "{}",
        r.body
    );
    assert_eq!(r.headers["content-type"], "text/plain; charset=utf-8");
    assert!(r
        .set_cookie(&format!("__txn_{state}"))
        .unwrap()
        .contains("Max-Age=0"));

    // A code that the provider does not know.
    let login = b.get("/auth/login").await;
    let state = query(login.location())["state"].clone();
    let r = b
        .get(&format!("/auth/callback?state={state}&code=forged"))
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body.contains("invalid_grant"), "{}", r.body);
    assert!(r.set_cookie("__session").is_none());

    // Replaying a completed callback fails: the transaction is gone.
    let login = b.get("/auth/login").await;
    let back = b.through_provider(login.location()).await;
    assert_eq!(b.get(&back).await.status, StatusCode::FOUND);
    let replay = b.get(&back).await;
    assert_eq!(replay.body, "The state parameter is invalid.");
}

#[tokio::test]
async fn a_login_replaces_the_previous_session() {
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let first = b.jar["__session"].clone();
    b.forget_provider_session();
    b.login("/auth/login?login_hint=auth0%7Cother-user").await;
    assert_ne!(first, b.jar["__session"]);
    assert_eq!(b.get("/").await.body, "Welcome, Other User");
}

#[tokio::test]
async fn pending_transactions_are_capped() {
    let (mut b, _) = browser(idp_config());
    for _ in 0..12 {
        b.get("/auth/login").await;
    }
    let pending = b.jar.keys().filter(|k| k.starts_with("__txn_")).count();
    assert_eq!(pending, 5, "{:?}", b.jar.keys().collect::<Vec<_>>());
}

#[tokio::test]
async fn profile_without_session_is_401_or_204() {
    let (mut b, _) = browser(idp_config());
    let r = b.get("/auth/profile").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.is_empty());
    let (mut b, _) = browser(idp_config().no_content_profile_response_when_unauthenticated(true));
    assert_eq!(b.get("/auth/profile").await.status, StatusCode::NO_CONTENT);
    let r = b.get("/api/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "not_authenticated");
}

#[tokio::test]
async fn access_token_route_returns_and_refreshes_tokens() {
    let (mut b, _) = browser(idp_config());
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "missing_session");

    b.login("/auth/login").await;
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    let first = j["token"].as_str().unwrap().to_owned();
    assert!(j["expires_in"].as_i64().unwrap() > 3000);
    assert_eq!(j["token_type"], "Bearer");
    assert!(j["scope"].as_str().unwrap().contains("openid"));
    assert!(
        r.set_cookie("__session").is_none(),
        "no refresh, no new cookie"
    );

    let stale_cookie = b.jar["__session"].clone();
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = r.json()["token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert!(
        r.set_cookie("__session").is_some(),
        "refreshed tokens are saved"
    );
    let rotated = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    let old = open_session_cookie(&stale_cookie, SECRET).unwrap();
    assert_ne!(
        rotated.token_set.refresh_token.as_ref().map(|t| t.secret()),
        old.token_set.refresh_token.as_ref().map(|t| t.secret()),
        "refresh token rotated"
    );

    // A request that still carries the old cookie gets the rotated tokens
    // instead of redeeming the old refresh token (which the provider would
    // treat as reuse and revoke).
    b.jar.insert("__session".into(), stale_cookie);
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["token"], second.as_str());
    assert!(
        r.set_cookie("__session").is_some(),
        "the stale cookie is replaced"
    );
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn concurrent_refreshes_share_one_provider_call() {
    let (mut b, auth0) = browser(idp_config());
    b.login("/auth/login").await;
    let cookie = b.cookie_header();
    let router = app(&auth0);
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let router = router.clone();
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::get("/auth/access-token?refresh=true")
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
                status,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        }));
    }
    let mut tokens = std::collections::BTreeSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.insert(body["token"].as_str().unwrap().to_owned());
    }
    // With rotation, a second redemption of the same refresh token would
    // fail (and revoke the grant); all requests got the one refreshed token.
    assert_eq!(tokens.len(), 1);
}

#[tokio::test]
async fn api_audience_tokens_are_jwts_for_that_audience() {
    let (mut b, _) = browser(idp_config().audience("https://api.example.test/"));
    b.login("/auth/login").await;
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let payload = token.split('.').nth(1).expect("a JWT");
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], "https://api.example.test/");
    assert_eq!(claims["sub"], "auth0|test-user");
    // And it refreshes for the same audience.
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.json()["token"], token.as_str());
}

#[tokio::test]
async fn server_side_get_access_token_persists_refreshes() {
    let (mut b, auth0) = browser(idp_config());
    b.login("/auth/login").await;
    // Make the stored access token expired.
    let mut data = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    data.token_set.expires_at = 1;
    b.jar.insert("__session".into(), auth0.seal_session(&data));
    let r = b.get("/server-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.set_cookie("__session").is_some());
    let saved = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    assert!(saved.token_set.expires_at > 1000);
    assert_eq!(saved.token_set.access_token.secret(), r.body);
}

#[tokio::test]
async fn expired_token_without_refresh_token_is_missing_refresh_token() {
    let (mut b, auth0) = browser(idp_config());
    let user = auth0_leptos::User {
        sub: "auth0|x".into(),
        ..Default::default()
    };
    let ts = TokenSet {
        access_token: "at".into(),
        expires_at: 1,
        ..Default::default()
    };
    let data = auth0_leptos::server::SessionData::new(user, ts, None, now());
    b.jar.insert("__session".into(), auth0.seal_session(&data));
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "missing_refresh_token");
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn logout_ends_the_session_here_and_at_the_provider() {
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let before = b.jar["__session"].clone();
    let data = open_session_cookie(&before, SECRET).unwrap();
    b.get("/auth/login").await; // a pending transaction, cleared by logout
    let r = b.get("/auth/logout").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(
        r.location()
            .starts_with(&format!("{}/oidc/logout?", idp().url)),
        "{}",
        r.location()
    );
    let q = query(r.location());
    assert_eq!(q["client_id"], "test-client-post");
    assert_eq!(q["post_logout_redirect_uri"], format!("{APP}/"));
    assert_eq!(q["logout_hint"], data.internal.sid);
    assert_eq!(
        q["id_token_hint"],
        data.token_set.id_token.as_ref().unwrap().secret()
    );
    assert!(r.set_cookie("__session").unwrap().contains("Max-Age=0"));
    assert!(!b.jar.contains_key("__session") && !b.jar.keys().any(|k| k.starts_with("__txn_")));
    assert_eq!(
        b.get("/auth/profile").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The refresh token was revoked: a copy of the old cookie cannot mint tokens.
    b.jar.insert("__session".into(), before);
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "failed_to_refresh_token");
}

#[tokio::test]
async fn logout_strategies_return_to_and_federated() {
    let (mut b, _) = browser(idp_config().logout_strategy(LogoutStrategy::V2));
    b.login("/auth/login").await;
    let r = b.get("/auth/logout?returnTo=/bye&federated").await;
    assert!(
        r.location()
            .starts_with(&format!("{}/v2/logout?", idp().url)),
        "{}",
        r.location()
    );
    let q = query(r.location());
    assert_eq!(q["returnTo"], format!("{APP}/bye"));
    assert_eq!(q["client_id"], "test-client-post");
    assert!(q.contains_key("federated"));

    let (mut b, _) = browser(idp_config().include_id_token_hint_in_oidc_logout_url(false));
    b.login("/auth/login").await;
    let r = b
        .get("/auth/logout?returnTo=https%3A%2F%2Fevil.test%2F")
        .await;
    let q = query(r.location());
    assert_eq!(
        q["post_logout_redirect_uri"],
        format!("{APP}/"),
        "off-site returnTo is replaced"
    );
    assert!(!q.contains_key("id_token_hint"));
    assert!(q.contains_key("logout_hint"));

    let (mut b, _) = browser(idp_config().logout_return_to_allow("https://partner.test/"));
    let r = b
        .get("/auth/logout?returnTo=https%3A%2F%2Fpartner.test%2Fdone")
        .await;
    assert_eq!(
        query(r.location())["post_logout_redirect_uri"],
        "https://partner.test/done"
    );
}

#[tokio::test]
async fn rolling_sessions_reissue_at_most_once_per_interval() {
    let (mut b, auth0) = browser(idp_config());
    b.login("/auth/login").await;
    // Just issued: the next requests send no Set-Cookie.
    for _ in 0..3 {
        let r = b.get("/").await;
        assert_eq!(r.body, "Welcome, Test User");
        assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    }
    // A cookie issued an hour ago (expires in 1 h, idle timeout 1 day) rolls.
    let data = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    b.jar
        .insert("__session".into(), generate_session_cookie(&data, SECRET));
    let r = b.get("/").await;
    let c = r.set_cookie("__session").expect("rolled");
    assert!(
        c.contains("Max-Age=8640") || c.contains("Max-Age=86399"),
        "{c}"
    );
    assert!(r.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    assert!(b.get("/").await.set_cookies().is_empty());

    // Past the absolute duration the session is gone.
    let mut old = data.clone();
    old.internal.created_at = now() - 4 * 24 * 3600;
    b.jar
        .insert("__session".into(), generate_session_cookie(&old, SECRET));
    assert_eq!(b.get("/").await.body, "anonymous");
    let _ = auth0;
}

#[tokio::test]
async fn non_rolling_sessions_never_extend() {
    let cfg = SessionConfig {
        rolling: false,
        absolute_duration: Duration::from_secs(7200),
        ..Default::default()
    };
    let (mut b, _) = browser(idp_config().session(cfg));
    b.login("/auth/login").await;
    let data = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    b.jar
        .insert("__session".into(), generate_session_cookie(&data, SECRET));
    assert!(b.get("/").await.set_cookies().is_empty());
}

#[tokio::test]
async fn large_sessions_are_chunked_and_chunks_cleaned_up() {
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let r = b.get("/update?size=6000").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.set_cookie("__session__0").is_some() && r.set_cookie("__session__1").is_some(),
        "{:?}",
        r.set_cookies()
    );
    assert!(
        r.set_cookie("__session").unwrap().contains("Max-Age=0"),
        "plain cookie deleted"
    );
    for c in r.set_cookies() {
        assert!(c.len() < 4096, "every cookie fits a browser's limit");
    }
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
    let r = b.get("/update?size=10").await;
    assert!(r.set_cookie("__session").is_some());
    assert!(r.set_cookie("__session__0").unwrap().contains("Max-Age=0"));
    assert!(r.set_cookie("__session__1").unwrap().contains("Max-Age=0"));
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
    assert!(!b.jar.keys().any(|k| k.starts_with("__session__")));
}

#[tokio::test]
async fn hostile_cookies_mean_no_session_never_an_error() {
    let (mut b, auth0) = browser(idp_config());
    b.login("/auth/login").await;
    let good = b.jar["__session"].clone();
    let half = good.len() / 2;
    let cases = vec![
        ("__session", "garbage".to_owned()),
        ("__session", good[..good.len() - 3].to_owned()),
        ("__session", good.replacen('.', "..", 1)),
        (
            "__session",
            generate_session_cookie(
                &open_session_cookie(&good, SECRET).unwrap(),
                "another-secret-another-secret-another",
            ),
        ),
        ("__session__1", good[half..].to_owned()),
        ("__session", "x".repeat(100_000)),
    ];
    for (name, value) in cases {
        b.jar.clear();
        b.jar.insert(name.to_owned(), value);
        let r = b.get("/auth/profile").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(b.get("/").await.body, "anonymous");
    }
    // Chunks out of order still open; a gap does not.
    b.jar.clear();
    b.jar.insert("__session__1".into(), good[half..].to_owned());
    b.jar.insert("__session__0".into(), good[..half].to_owned());
    assert_eq!(b.get("/").await.body, "Welcome, Test User");
    b.jar.insert("__session__3".into(), "x".into());
    assert_eq!(b.get("/").await.body, "anonymous");
    let _ = auth0;
}

#[tokio::test]
async fn rotated_secrets_still_open_and_are_reissued_with_the_new_one() {
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let data = open_session_cookie(&b.jar["__session"], SECRET).unwrap();
    let new_secret = "new-secret-0123456789abcdef0123456789";
    let (mut b2, _) = browser(idp_config_with_secrets(&[new_secret, SECRET]));
    b2.jar
        .insert("__session".into(), generate_session_cookie(&data, SECRET));
    let r = b2.get("/").await;
    assert_eq!(r.body, "Welcome, Test User");
    assert!(r.set_cookie("__session").is_some());
    assert!(open_session_cookie(&b2.jar["__session"], new_secret).is_some());
    assert!(open_session_cookie(&b2.jar["__session"], SECRET).is_none());
}

#[tokio::test]
async fn inferred_base_url_and_allow_list() {
    let builder = || {
        auth0_leptos::server::Auth0Config::builder()
            .domain(idp().url.clone())
            .client_id("test-client-post")
            .client_secret(CLIENT_SECRET)
            .secret(SECRET)
            .allow_insecure_requests(true)
            .production(false)
            // The tests stand in for a proxy that sets X-Forwarded-*.
            .trust_proxy(true)
    };
    let (mut b, _) = browser(builder());
    b.headers
        .push(("x-forwarded-host".into(), "app.example.test".into()));
    b.headers.push(("x-forwarded-proto".into(), "https".into()));
    let r = b.get("/auth/login").await;
    assert_eq!(
        query(r.location())["redirect_uri"],
        "https://app.example.test/auth/callback"
    );
    assert!(
        r.set_cookies()[0].contains("Secure"),
        "https origin: Secure cookies"
    );

    let (mut b, _) =
        browser(builder().app_base_url("https://a.example.test,https://b.example.test"));
    b.headers
        .push(("x-forwarded-host".into(), "b.example.test".into()));
    b.headers.push(("x-forwarded-proto".into(), "https".into()));
    let r = b.get("/auth/login").await;
    assert_eq!(
        query(r.location())["redirect_uri"],
        "https://b.example.test/auth/callback"
    );
    b.headers.clear();
    b.headers
        .push(("x-forwarded-host".into(), "evil.test".into()));
    let r = b.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn custom_routes_and_base_path() {
    let routes = auth0_leptos::server::Routes {
        login: "/login".into(),
        ..Default::default()
    };
    let (mut b, _) = browser(
        idp_config()
            .base_path("/app")
            .routes(routes)
            .enable_access_token_endpoint(false),
    );
    let r = b.get("/app/login").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(
        query(r.location())["redirect_uri"],
        format!("{APP}/app/auth/callback")
    );
    assert_eq!(b.get("/auth/login").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get("/app/auth/access-token").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn backchannel_logout_without_a_store_answers_as_the_seeds_say() {
    let (mut b, _) = browser(idp_config());
    let r = b
        .send(
            "POST",
            "/auth/backchannel-logout",
            Some(("application/x-www-form-urlencoded", "logout_token=x".into())),
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, "A session data store is not configured.");
}

#[tokio::test]
async fn single_transaction_mode_uses_one_cookie() {
    let (mut b, _) = browser(idp_config().enable_parallel_transactions(false));
    let first = b.get("/auth/login").await;
    assert!(
        first.set_cookie("__txn_").is_some(),
        "{:?}",
        first.set_cookies()
    );
    let second = b.get("/auth/login?returnTo=/second").await;
    assert_eq!(b.jar.keys().filter(|k| k.starts_with("__txn_")).count(), 1);
    // The earlier login's state no longer matches the one transaction.
    let old_state = query(first.location())["state"].clone();
    let r = b
        .get(&format!("/auth/callback?state={old_state}&code=x"))
        .await;
    assert_eq!(r.body, "The state parameter is invalid.");
    let back = b.through_provider(second.location()).await;
    let done = b.get(&back).await;
    assert_eq!(done.location(), format!("{APP}/second"));
}

#[tokio::test]
async fn every_response_to_a_logged_in_request_is_uncacheable() {
    let (mut b, _auth0) = browser(idp_config());
    // Anonymous: the app's caching is left alone.
    let r = b.get("/").await;
    assert!(r.headers.get("cache-control").is_none(), "{:?}", r.headers);
    b.login("/auth/login").await;
    // Logged in, no cookie rewritten (the common case): still private.
    for path in ["/", "/api/me"] {
        let r = b.get(path).await;
        assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
        let cc = r.headers["cache-control"].to_str().unwrap();
        assert!(
            cc.contains("private") && cc.contains("no-store"),
            "{path}: {cc}"
        );
        assert_eq!(r.headers["vary"], "Cookie", "{path}");
    }
    // An explicit Cache-Control set by the app is kept; Vary still says Cookie.
    let r = b.get("/public-asset").await;
    assert_eq!(r.headers["cache-control"], "public, max-age=60");
    assert_eq!(r.headers["vary"], "Cookie");
}

/// Finding: a stale cookie obtained the newest tokens (and a fresh cookie)
/// for ten minutes, even after logout. Adoption is now bound to the session,
/// limited to a short race window, and dropped at logout.
#[tokio::test]
async fn stale_cookies_take_over_rotated_tokens_only_in_the_race_window_of_their_own_session() {
    // Logout drops the chain: the old cookie adopts nothing.
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let c0 = b.jar["__session"].clone();
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    b.get("/auth/logout").await;
    b.jar.insert("__session".into(), c0);
    let r = b.get("/").await;
    assert!(
        r.set_cookie("__session").is_none(),
        "after logout an old cookie gets no new cookie: {:?}",
        r.set_cookies()
    );
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_ne!(r.status, StatusCode::OK, "{}", r.body);

    // Past the race window: nothing is adopted, the old cookie keeps its own token.
    let (mut b, _) = browser(idp_config().rotation_race_window(Duration::from_secs(1)));
    b.login("/auth/login").await;
    let c0 = b.jar["__session"].clone();
    let own = open_session_cookie(&c0, SECRET).unwrap();
    let r = b.get("/auth/access-token?refresh=true").await;
    let rotated = r.json()["token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.jar.insert("__session".into(), c0.clone());
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(
        r.json()["token"],
        rotated.as_str(),
        "no takeover past the window"
    );
    assert_eq!(r.json()["token"], own.token_set.access_token.secret());
    assert!(r.set_cookie("__session").is_none());

    // Another session holding the same refresh token (a forged cookie) adopts nothing.
    let (mut b, _) = browser(idp_config());
    b.login("/auth/login").await;
    let c0 = b.jar["__session"].clone();
    let r = b.get("/auth/access-token?refresh=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rotated = r.json()["token"].as_str().unwrap().to_owned();
    let mut forged = open_session_cookie(&c0, SECRET).unwrap();
    forged.user.sub = "someone-else".into();
    b.jar
        .insert("__session".into(), generate_session_cookie(&forged, SECRET));
    let r = b.get("/auth/access-token").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(
        r.json()["token"],
        rotated.as_str(),
        "no takeover by another session"
    );
    assert_eq!(r.json()["token"], forged.token_set.access_token.secret());
}

/// Finding: every junk `__txn_*` cookie a request carried was echoed back as
/// a `Set-Cookie` deletion (a 0.5 MB request got a 4.3 MB response). Only
/// transaction cookies this app could have set are looked at, and few.
#[tokio::test]
async fn junk_transaction_cookies_are_not_echoed_back() {
    let (mut b, _) = browser(idp_config());
    for i in 0..300 {
        b.jar.insert(format!("__txn_junk{i}"), "x".repeat(100));
    }
    for path in ["/auth/login", "/auth/logout"] {
        let r = b.get(path).await;
        let deletions = r
            .set_cookies()
            .iter()
            .filter(|c| c.starts_with("__txn_junk") && c.contains("Max-Age=0"))
            .count();
        assert_eq!(deletions, 0, "{path}: {deletions} junk cookies echoed");
    }
    // Real pending logins are still capped and cleaned up.
    let (mut b, _) = browser(idp_config());
    for _ in 0..7 {
        b.get("/auth/login").await;
    }
    assert_eq!(b.jar.keys().filter(|k| k.starts_with("__txn_")).count(), 5);
    let r = b.get("/auth/logout").await;
    let deleted = r
        .set_cookies()
        .iter()
        .filter(|c| c.starts_with("__txn_") && c.contains("Max-Age=0"))
        .count();
    assert_eq!(deleted, 5, "logout deletes this app's pending logins");
}
