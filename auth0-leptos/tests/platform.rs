//! Auth0 platform flows through the real router against the local
//! provider's stand-ins: MFA step-up and the MFA API, connected accounts,
//! and the My Account / My Organization proxy.
#![allow(missing_docs)]

mod support;

use auth0_leptos::server::{Auth0, Auth0ConfigBuilder, CallbackContext};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use support::*;

const MFA_API: &str = "https://mfa.example.test/";
const API: &str = "https://api.example.test/";

fn issuer() -> String {
    format!("{}/", idp().url)
}

fn config() -> Auth0ConfigBuilder {
    let me = format!("{}me/", issuer());
    let org = format!("{}my-org/", issuer());
    idp_config().audience(API).scope([
        (API, "openid profile email offline_access read:messages"),
        (MFA_API, "read:secrets"),
        (
            me.as_str(),
            "create:me:connected_accounts read:me:connected_accounts",
        ),
        (org.as_str(), "read:my_org:details update:my_org:details"),
    ])
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn logged_in(builder: Auth0ConfigBuilder, user: &str) -> Browser {
    let auth0 = Auth0::new(builder.build().unwrap());
    let mut b = Browser::new(app(&auth0));
    let r = b
        .login(&format!("/auth/login?login_hint={}", urlencode(user)))
        .await;
    // A redirect, or the answer of an on_callback hook.
    assert!(
        matches!(r.status, StatusCode::FOUND | StatusCode::OK),
        "{}",
        r.body
    );
    assert!(b.jar.keys().any(|k| k.starts_with("__session")));
    b
}

async fn idp_json(path: &str) -> Value {
    reqwest::get(format!("{}{path}", idp().url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Sends a request with these extra headers (then forgets them).
async fn send(
    b: &mut Browser,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> TestResponse {
    b.headers = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let r = b
        .send(
            method,
            path,
            body.map(|v| ("application/json", v.to_string())),
        )
        .await;
    b.headers.clear();
    r
}

/// Asks for the MFA API's token and expects a step-up; returns its token.
async fn step_up(b: &mut Browser) -> (String, Value) {
    let r = b
        .get(&format!(
            "/auth/access-token?audience={}",
            urlencode(MFA_API)
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let body = r.json();
    assert_eq!(body["error"], "mfa_required");
    let token = body["mfa_token"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    // Sealed: the provider's own token (mfa_...) is not in it.
    assert!(!token.starts_with("mfa_") && token.split('.').count() == 5);
    (token, body)
}

/// Headers, body, and the status and code expected.
type Case<'a> = (&'a [(&'a str, &'a str)], Option<Value>, StatusCode, &'a str);

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn otp_enrollment_step_up_saves_the_token_for_the_audience_that_asked() {
    let mut b = logged_in(config(), "mfa-otp@example.test").await;
    let (token, body) = step_up(&mut b).await;
    assert_eq!(body["mfa_requirements"]["enroll"][0]["type"], "otp");
    assert_eq!(
        b.session().mfa.len(),
        1,
        "the step-up is recorded in the session"
    );
    let auth = bearer(&token);

    let r = send(
        &mut b,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!([]));
    assert!(r.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));

    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/associate",
        &[("authorization", &auth)],
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let enrollment = r.json();
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    assert!(enrollment["barcode_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let recovery = enrollment["recovery_codes"][0].as_str().unwrap().to_owned();

    // A wrong code: the provider's refusal as the cause.
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"otp": "000000"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], "mfa_verify_error");
    assert_eq!(r.json()["cause"]["error"], "invalid_grant");

    let code = idp_json(&format!("/__test/totp?secret={secret}")).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"otp": code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!({"success": true}));
    let s = b.session();
    assert!(s.mfa.is_empty(), "the step-up is over");
    let entry = s
        .access_tokens
        .iter()
        .find(|e| e.audience == MFA_API)
        .expect("the verified token is saved for the audience that asked");
    assert_eq!(claims(entry.access_token.secret())["aud"], MFA_API);

    // The token is now served from the session; the spent token is refused.
    let r = b
        .get(&format!(
            "/auth/access-token?audience={}",
            urlencode(MFA_API)
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["token"].as_str(),
        Some(entry.access_token.secret())
    );
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"otp": code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "mfa_token_not_found");

    // A later login of the same user is challenged with what it enrolled.
    let mut again = logged_in(config(), "mfa-otp@example.test").await;
    let (token, body) = step_up(&mut again).await;
    let challenge_types: Vec<&str> = body["mfa_requirements"]["challenge"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert!(challenge_types.contains(&"otp"), "{challenge_types:?}");
    let auth = bearer(&token);
    let r = send(
        &mut again,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    let list = r.json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a["authenticator_type"] == "otp" && a["active"] == true),
        "{list}"
    );
    let r = send(
        &mut again,
        "POST",
        "/auth/mfa/challenge",
        &[],
        Some(json!({"mfa_token": token, "challenge_type": "oob"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "mfa_no_available_factors");
    let r = send(
        &mut again,
        "POST",
        "/auth/mfa/challenge",
        &[],
        Some(json!({"mfa_token": token, "challenge_type": "otp"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["challenge_type"], "otp");
    // The recovery code works once, and a new one replaces it.
    let r = send(
        &mut again,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"recovery_code": recovery})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = r.json()["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(fresh, recovery);
}

#[tokio::test]
async fn out_of_band_factors_verify_with_the_binding_code_or_after_the_push() {
    let mut b = logged_in(config(), "mfa-oob@example.test").await;
    let (token, _) = step_up(&mut b).await;
    let auth = bearer(&token);
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/associate",
        &[("authorization", &auth)],
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "+15551234567"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let oob_code = r.json()["oob_code"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["binding_method"], "prompt");
    let outbox = idp_json("/__test/mfa-outbox?sub=auth0%7Cmfa-oob").await;
    let binding = outbox["messages"].as_array().unwrap().last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"oob_code": oob_code, "binding_code": "999999"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["cause"]["error"], "invalid_grant");
    let r = send(
        &mut b,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"oob_code": oob_code, "binding_code": binding})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(b
        .session()
        .access_tokens
        .iter()
        .any(|e| e.audience == MFA_API));

    // Push, on a new login: pending until the phone approves.
    let mut again = logged_in(config(), "mfa-oob@example.test").await;
    let (token, _) = step_up(&mut again).await;
    let auth = bearer(&token);
    let r = send(
        &mut again,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    let sms = r.json()[0]["id"].as_str().unwrap().to_owned();
    let r = send(
        &mut again,
        "POST",
        "/auth/mfa/challenge",
        &[],
        Some(json!({"mfa_token": token, "challenge_type": "oob", "authenticator_id": sms})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["oob_code"].is_string());
    // Deleting an authenticator.
    let r = send(
        &mut again,
        "DELETE",
        &format!("/auth/mfa/authenticators/{}", urlencode(&sms)),
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = send(
        &mut again,
        "DELETE",
        &format!("/auth/mfa/authenticators/{}", urlencode(&sms)),
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "mfa_delete_authenticator_error");

    let mut push = logged_in(config(), "mfa-push@example.test").await;
    let (token, _) = step_up(&mut push).await;
    let auth = bearer(&token);
    let r = send(
        &mut push,
        "POST",
        "/auth/mfa/associate",
        &[("authorization", &auth)],
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["auth0"]})),
    )
    .await;
    let oob_code = r.json()["oob_code"].as_str().unwrap().to_owned();
    let r = send(
        &mut push,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"oob_code": oob_code})),
    )
    .await;
    assert_eq!(
        r.json()["cause"]["error"],
        "authorization_pending",
        "{}",
        r.body
    );
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let r = send(
        &mut push,
        "POST",
        "/auth/mfa/verify",
        &[("authorization", &auth)],
        Some(json!({"oob_code": oob_code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn mfa_routes_refuse_what_is_not_this_sessions_step_up() {
    let mut b = logged_in(config(), "mfa-refusals@example.test").await;
    let (token, _) = step_up(&mut b).await;
    let auth = bearer(&token);
    let cases: [Case; 5] = [
        (&[], None, StatusCode::BAD_REQUEST, "invalid_request"),
        (&[("authorization", "Bearer garbage")], None, StatusCode::UNAUTHORIZED, "mfa_token_invalid"),
        (
            &[("authorization", "Bearer eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA")],
            None,
            StatusCode::UNAUTHORIZED,
            "mfa_token_invalid",
        ),
        (&[("authorization", &auth)], Some(json!({"otp": "1", "recovery_code": "2"})), StatusCode::BAD_REQUEST, "invalid_request"),
        (&[("authorization", &auth)], Some(json!({"nonsense": true})), StatusCode::BAD_REQUEST, "invalid_request"),
    ];
    for (headers, body, status, code) in cases {
        let (method, path) = match &body {
            Some(_) => ("POST", "/auth/mfa/verify"),
            None => ("GET", "/auth/mfa/authenticators"),
        };
        let r = send(&mut b, method, path, headers, body).await;
        assert_eq!(
            (r.status, r.json()["error"].as_str().unwrap()),
            (status, code),
            "{}",
            r.body
        );
    }
    // Not JSON: a cross-site form cannot drive it.
    let r = b
        .send(
            "POST",
            "/auth/mfa/verify",
            Some(("text/plain", r#"{"otp":"1"}"#.into())),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Another user's session cannot use this session's token.
    let mut other = logged_in(config(), "mfa-other@example.test").await;
    let r = send(
        &mut other,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "mfa_token_not_found");
    // Nobody logged in.
    let auth0 = Auth0::new(config().build().unwrap());
    let mut anonymous = Browser::new(app(&auth0));
    let r = send(
        &mut anonymous,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "missing_session");
    // Another secret cannot open it.
    let auth0 = Auth0::new(
        idp_config_with_secrets(&["another-secret-0123456789abcdef0123"])
            .build()
            .unwrap(),
    );
    let mut foreign = Browser::new(app(&auth0));
    foreign.jar = b.jar.clone();
    let r = send(
        &mut foreign,
        "GET",
        "/auth/mfa/authenticators",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn connect_account_links_a_connection_and_tells_on_callback() {
    let hooked = config()
        .enable_connect_account_endpoint(true)
        .enable_my_account_proxy(true)
        .on_callback(|err, ctx: CallbackContext, _session| async move {
            let body = json!({
                "error": err.map(|e| e.code()),
                "response_type": ctx.response_type.as_str(),
                "return_to": ctx.return_to,
                "connection": ctx.connected_account.as_ref().map(|a| a.connection.clone()),
                "scopes": ctx.connected_account.map(|a| a.scopes),
            });
            axum::Json(body).into_response()
        });
    let mut b = logged_in(hooked.clone(), "connect-1@example.test").await;
    // The login's own callback also went through the hook.
    let r = b
        .get("/auth/connect?connection=slack&returnTo=/after&scopes=channels:read&scopes[]=chat:write&prompt=consent")
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let to = r.location().to_owned();
    assert!(
        to.starts_with(&format!("{}connect?ticket=", issuer())),
        "{to}"
    );
    let upstream = idp_json("/__test/last-upstream-request").await;
    let sent: Value = serde_json::from_str(upstream["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["connection"], "slack");
    assert_eq!(sent["scopes"], json!(["channels:read", "chat:write"]));
    assert_eq!(sent["authorization_params"], json!({"prompt": "consent"}));
    assert_eq!(sent["code_challenge_method"], "S256");
    assert!(upstream["headers"]["authorization"]
        .as_str()
        .unwrap()
        .starts_with("Bearer "));
    let back = b.through_provider(&to).await;
    assert!(back.starts_with("/auth/callback?connect_code="), "{back}");
    let r = b.get(&back).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"error": null, "response_type": "connect_code", "return_to": "/after",
               "connection": "slack", "scopes": ["channels:read", "chat:write"]})
    );
    // My Account lists it now (through the proxy).
    let r = send(
        &mut b,
        "GET",
        "/me/v1/connected-accounts/accounts",
        &[("scope", "read:me:connected_accounts")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.json()["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["connection"] == "slack"),
        "{}",
        r.body
    );

    // Only the parameters My Account takes are passed on.
    let r = b
        .get("/auth/connect?connection=slack&ui_locales=fr&redirect_uri=https://evil.example/")
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let sent: Value = serde_json::from_str(
        idp_json("/__test/last-upstream-request").await["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sent["authorization_params"], json!({"ui_locales": "fr"}));
    assert_ne!(sent["redirect_uri"], "https://evil.example/");
    // A navigation another site started.
    b.headers = vec![("sec-fetch-site".into(), "cross-site".into())];
    let r = b.get("/auth/connect?connection=slack").await;
    b.headers.clear();
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Refusals: no connection; nobody logged in; the user refuses.
    let r = b.get("/auth/connect").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    let auth0 = Auth0::new(hooked.clone().build().unwrap());
    let r = Browser::new(app(&auth0))
        .get("/auth/connect?connection=slack")
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("missing_session"))
    );
    let r = b
        .get("/auth/connect?connection=slack&login_hint=deny")
        .await;
    let back = b.through_provider(r.location()).await;
    let r = b.get(&back).await;
    assert_eq!(r.json()["error"], "authorization_error", "{}", r.body);
    assert_eq!(r.json()["response_type"], "connect_code");
    // Unknown connection: My Account's refusal.
    let r = b.get("/auth/connect?connection=nope").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("failed_to_initiate")),
        "{}",
        r.body
    );

    // Off unless enabled.
    let mut off = logged_in(config(), "connect-2@example.test").await;
    assert_eq!(
        off.get("/auth/connect?connection=slack").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_proxy_forwards_with_the_sessions_token_and_filters_headers() {
    let builder = config()
        .enable_my_account_proxy(true)
        .enable_my_org_proxy(true);
    let auth0 = Auth0::new(builder.clone().build().unwrap());
    let r = Browser::new(app(&auth0))
        .get("/me/v1/connected-accounts/accounts")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "missing_session");

    let mut b = logged_in(builder, "test@example.test").await;
    let r = send(
        &mut b,
        "GET",
        "/me/v1/connected-accounts/accounts?from=0",
        &[
            ("scope", "read:me:connected_accounts"),
            ("authorization", "Bearer not-yours"),
            ("connection", "x-drop"),
            ("x-drop", "1"),
            ("x-custom", "1"),
            ("accept", "application/json"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let accounts = r.json();
    let connections: Vec<&str> = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["connection"].as_str().unwrap())
        .collect();
    assert!(connections.contains(&"google-oauth2"), "{connections:?}");
    assert_eq!(r.headers["x-upstream"], "dev-idp");
    assert!(
        r.set_cookies()
            .iter()
            .all(|c| !c.starts_with("upstream_cookie")),
        "upstream cookies are dropped"
    );
    let cache = r.headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("private") && cache.contains("no-store"),
        "{cache}"
    );
    // The refreshed My Account token is saved into the session.
    assert!(b
        .session()
        .access_tokens
        .iter()
        .any(|e| e.audience.ends_with("/me/")));
    let seen = idp_json("/__test/last-upstream-request").await;
    let h = &seen["headers"];
    assert_eq!(seen["path"], "/me/v1/connected-accounts/accounts");
    assert_eq!(seen["query"], "from=0");
    assert!(
        h["authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer ey"),
        "{h}"
    );
    for dropped in ["cookie", "scope", "x-custom", "x-drop"] {
        assert!(h.get(dropped).is_none(), "{dropped} reached upstream: {h}");
    }
    assert_eq!(h["accept"], "application/json");

    // A scope not configured for the API.
    let r = send(
        &mut b,
        "DELETE",
        "/me/v1/connected-accounts/accounts/x",
        &[("scope", "delete:me:connected_accounts")],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::FORBIDDEN, json!("insufficient_scope"))
    );
    // My Organization, with a body.
    let r = send(
        &mut b,
        "PATCH",
        "/my-org/details",
        &[("scope", "update:my_org:details")],
        Some(json!({"display_name": "Renamed"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["display_name"], "Renamed");
    assert_eq!(
        idp_json("/__test/last-upstream-request").await["method"],
        "PATCH"
    );
    // Upstream errors come back as they are.
    let r = send(
        &mut b,
        "GET",
        "/my-org/unknown",
        &[("scope", "read:my_org:details")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.json()["title"].is_string(), "{}", r.body);
    // Paths that would leave the API.
    for path in ["/me/v1/%2e%2e/%2e%2e/oauth/token", "/me/a//b"] {
        let r = send(
            &mut b,
            "GET",
            path,
            &[("scope", "read:me:connected_accounts")],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
    }
    // Requests that change something must come from the app itself, and only
    // the usual methods are forwarded.
    for headers in [
        [
            ("sec-fetch-site", "cross-site"),
            ("scope", "update:my_org:details"),
        ],
        [
            ("origin", "https://evil.example"),
            ("scope", "update:my_org:details"),
        ],
    ] {
        let r = send(
            &mut b,
            "PATCH",
            "/my-org/details",
            &headers,
            Some(json!({"display_name": "Pwned"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let r = send(
        &mut b,
        "PATCH",
        "/my-org/details",
        &[
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
            ("scope", "update:my_org:details"),
        ],
        Some(json!({"display_name": "Mine"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send(
        &mut b,
        "TRACE",
        "/me/v1/connected-accounts/accounts",
        &[("scope", "read:me:connected_accounts")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // A CORS preflight needs no session and carries no credentials.
    let auth0 = Auth0::new(config().enable_my_account_proxy(true).build().unwrap());
    let mut anonymous = Browser::new(app(&auth0));
    let r = send(
        &mut anonymous,
        "OPTIONS",
        "/me/v1/connected-accounts/accounts",
        &[
            ("origin", "http://127.0.0.1:3000"),
            ("access-control-request-method", "GET"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "http://127.0.0.1:3000"
    );
    assert!(
        r.headers.get("access-control-allow-credentials").is_none(),
        "no upstream CORS policy may expose the user's cookies"
    );
    let seen = idp_json("/__test/last-upstream-request").await;
    assert_eq!(seen["method"], "OPTIONS");
    assert!(seen["headers"].get("authorization").is_none());
}
