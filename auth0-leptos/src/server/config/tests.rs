//! The precedence rule, variable by variable: the default when neither the
//! builder nor the environment sets it, the variable when only it is set,
//! the builder's value when both are (also when that value equals the
//! default), and a typed problem for a variable that does not parse.
//!
//! Variables are injected through `from_env_with`, so tests never touch the
//! process environment (which every test of the binary shares); the one test
//! of the real `from_env` runs in a child process with its own environment.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const OLD_SECRET: &str = "fedcba9876543210fedcba9876543210";

/// Every variable `from_env` reads.
const VARIABLES: [&str; 37] = [
    "AUTH0_DOMAIN",
    "AUTH0_CLIENT_ID",
    "AUTH0_CLIENT_SECRET",
    "AUTH0_SECRET",
    "APP_BASE_URL",
    "AUTH0_SCOPE",
    "AUTH0_AUDIENCE",
    "AUTH0_CLIENT_AUTH_METHOD",
    "AUTH0_CLIENT_ASSERTION_SIGNING_KEY",
    "AUTH0_CLIENT_ASSERTION_SIGNING_ALG",
    "AUTH0_CLIENT_ASSERTION_KEY_ID",
    "AUTH0_PUSHED_AUTHORIZATION_REQUESTS",
    "AUTH0_USE_DPOP",
    "AUTH0_DPOP_PUBLIC_KEY",
    "AUTH0_DPOP_PRIVATE_KEY",
    "AUTH0_DPOP_CLOCK_SKEW",
    "AUTH0_DPOP_CLOCK_TOLERANCE",
    "AUTH0_RETRY_DELAY",
    "AUTH0_RETRY_JITTER",
    "AUTH0_MFA_TOKEN_TTL",
    "AUTH0_MFA_CONTEXT_TTL",
    "AUTH0_ENABLE_CONNECT_ACCOUNT_ENDPOINT",
    "AUTH0_ENABLE_MY_ACCOUNT_PROXY",
    "AUTH0_ENABLE_MY_ORG_PROXY",
    "AUTH0_LOGOUT_STRATEGY",
    "AUTH0_ID_TOKEN_SIGNING_ALG",
    "AUTH0_BASE_PATH",
    "AUTH0_COOKIE_DOMAIN",
    "AUTH0_COOKIE_PATH",
    "AUTH0_COOKIE_SECURE",
    "AUTH0_COOKIE_SAME_SITE",
    "AUTH0_COOKIE_TRANSIENT",
    "AUTH0_HTTP_TIMEOUT",
    "AUTH0_ENABLE_TELEMETRY",
    "AUTH0_ALLOW_INSECURE_REQUESTS",
    "AUTH0_PRODUCTION",
    "AUTH0_TRUST_PROXY",
];

type Vars<'a> = &'a [(&'a str, &'a str)];

fn lookup<'a>(vars: Vars<'a>) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// The required settings, set on the builder, so a test can vary one other.
fn required() -> Auth0ConfigBuilder {
    Auth0Config::builder()
        .domain("example.us.auth0.com")
        .client_id("cid")
        .client_secret("csecret")
        .secret(SECRET)
}

/// Builds from `base` and `vars` with `setters` applied after `from_env`,
/// and again with them applied before; both orders must agree.
fn build_both(
    base: fn() -> Auth0ConfigBuilder,
    vars: Vars<'_>,
    setters: impl Fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder,
) -> Result<Auth0Config, ConfigError> {
    let after = setters(base().from_env_with(lookup(vars))).build();
    let before = setters(base()).from_env_with(lookup(vars)).build();
    match (&after, &before) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("from_env before and after the setters disagree: {after:?} / {before:?}"),
    }
    after
}

/// The value `get` reads from a configuration built from [`required`].
fn value<T>(
    vars: Vars<'_>,
    setters: impl Fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder,
    get: impl Fn(&Auth0Config) -> T,
) -> T {
    get(&build_both(required, vars, setters).unwrap())
}

/// The problems building from `base` reports.
fn problems_from(
    base: fn() -> Auth0ConfigBuilder,
    vars: Vars<'_>,
    setters: impl Fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder,
) -> Vec<ConfigProblem> {
    build_both(base, vars, setters)
        .unwrap_err()
        .problems()
        .to_vec()
}

/// The problems building from [`required`] reports.
fn problems(
    vars: Vars<'_>,
    setters: impl Fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder,
) -> Vec<ConfigProblem> {
    problems_from(required, vars, setters)
}

fn unset(b: Auth0ConfigBuilder) -> Auth0ConfigBuilder {
    b
}

fn invalid(setting: ConfigSetting, value: &str, expected: &'static str) -> ConfigProblem {
    ConfigProblem::Invalid {
        setting,
        value: Some(value.into()),
        expected,
    }
}

// ---- one test per variable ------------------------------------------------

#[test]
fn rule_auth0_domain() {
    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .client_id("cid")
            .client_secret("csecret")
            .secret(SECRET)
    }
    let issuer = |vars, setters: fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder| {
        build_both(base, vars, setters)
            .unwrap()
            .issuer
            .as_str()
            .to_owned()
    };
    assert_eq!(
        problems_from(base, &[], unset),
        [ConfigProblem::Missing {
            setting: ConfigSetting::Domain
        }]
    );
    let env = [("AUTH0_DOMAIN", "env.example.com")];
    assert_eq!(issuer(&env, unset), "https://env.example.com/");
    assert_eq!(
        issuer(&env, |b| b.domain("explicit.example.com")),
        "https://explicit.example.com/"
    );
    let bad = [("AUTH0_DOMAIN", "ftp://env.example.com")];
    assert!(matches!(
        &problems_from(base, &bad, unset)[..],
        [ConfigProblem::Invalid { setting: ConfigSetting::Domain, value: Some(v), .. }]
            if v == "ftp://env.example.com"
    ));
    assert_eq!(
        issuer(&bad, |b| b.domain("explicit.example.com")),
        "https://explicit.example.com/"
    );
}

#[test]
fn rule_auth0_client_id() {
    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain("example.us.auth0.com")
            .client_secret("csecret")
            .secret(SECRET)
    }
    let client_id = |vars, setters: fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder| {
        build_both(base, vars, setters).unwrap().client_id
    };
    assert_eq!(
        problems_from(base, &[], unset),
        [ConfigProblem::Missing {
            setting: ConfigSetting::ClientId
        }]
    );
    let env = [("AUTH0_CLIENT_ID", "env-id")];
    assert_eq!(client_id(&env, unset), "env-id");
    assert_eq!(
        client_id(&env, |b| b.client_id("explicit-id")),
        "explicit-id"
    );
    // An explicit empty value wins too, and is missing.
    assert_eq!(
        problems_from(base, &env, |b| b.client_id("")),
        [ConfigProblem::Missing {
            setting: ConfigSetting::ClientId
        }]
    );
}

#[test]
fn rule_auth0_client_secret() {
    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain("example.us.auth0.com")
            .client_id("cid")
            .secret(SECRET)
    }
    let client_secret = |vars, setters: fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder| {
        build_both(base, vars, setters)
            .unwrap()
            .client_secret
            .secret()
            .to_owned()
    };
    assert_eq!(
        problems_from(base, &[], unset),
        [ConfigProblem::ClientCredentialsMissing]
    );
    let env = [("AUTH0_CLIENT_SECRET", "env-secret")];
    assert_eq!(client_secret(&env, unset), "env-secret");
    assert_eq!(
        client_secret(&env, |b| b.client_secret("explicit-secret")),
        "explicit-secret"
    );
}

#[test]
fn rule_auth0_secret() {
    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain("example.us.auth0.com")
            .client_id("cid")
            .client_secret("csecret")
    }
    let secrets = |vars, setters: fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder| {
        build_both(base, vars, setters)
            .unwrap()
            .secrets
            .iter()
            .map(|s| s.secret().to_owned())
            .collect::<Vec<_>>()
    };
    let missing = [ConfigProblem::Missing {
        setting: ConfigSetting::Secret,
    }];
    assert_eq!(problems_from(base, &[], unset), missing);
    assert_eq!(
        problems_from(base, &[("AUTH0_SECRET", " , ")], unset),
        missing
    );
    // Comma-separated rotation list, newest first.
    let both = format!("{SECRET}, {OLD_SECRET}");
    let env = [("AUTH0_SECRET", both.as_str())];
    assert_eq!(secrets(&env, unset), [SECRET, OLD_SECRET]);
    // Any explicit secret replaces the whole list.
    assert_eq!(secrets(&env, |b| b.secret(OLD_SECRET)), [OLD_SECRET]);
    // A short one is a problem that names its position, not its value.
    let short = format!("{SECRET},too-short-value");
    let p = problems_from(base, &[("AUTH0_SECRET", short.as_str())], unset);
    assert_eq!(p, [ConfigProblem::SecretTooShort { index: 1 }]);
    assert!(p[0].to_string().contains("#2"));
    assert!(!p[0].to_string().contains("too-short-value"));
    assert_eq!(
        secrets(&[("AUTH0_SECRET", "too-short-value")], |b| b.secret(SECRET)),
        [SECRET]
    );
}

#[test]
fn rule_app_base_url() {
    let get = |c: &Auth0Config| c.app_base_url.clone();
    let url = |s: &str| Url::parse(s).unwrap();
    assert_eq!(value(&[], unset, get), AppBaseUrl::Inferred);
    let one = [("APP_BASE_URL", "https://env.example.com")];
    assert_eq!(
        value(&one, unset, get),
        AppBaseUrl::Static(url("https://env.example.com"))
    );
    let list = [(
        "APP_BASE_URL",
        "https://a.example.com, https://b.example.com",
    )];
    assert_eq!(
        value(&list, unset, get),
        AppBaseUrl::AllowList(vec![
            url("https://a.example.com"),
            url("https://b.example.com")
        ])
    );
    assert_eq!(
        value(
            &list,
            |b| b.app_base_url("https://explicit.example.com"),
            get
        ),
        AppBaseUrl::Static(url("https://explicit.example.com"))
    );
    let bad = [("APP_BASE_URL", "https://a.example.com,not a url")];
    let expected = "an absolute http(s) URL (or a comma-separated list of them)";
    assert_eq!(
        problems(&bad, unset),
        [invalid(ConfigSetting::AppBaseUrl, "not a url", expected)]
    );
    assert_eq!(
        problems(&[], |b| b.app_base_url("not a url")),
        [invalid(ConfigSetting::AppBaseUrl, "not a url", expected)]
    );
    assert_eq!(
        value(
            &bad,
            |b| b.app_base_url("https://explicit.example.com"),
            get
        ),
        AppBaseUrl::Static(url("https://explicit.example.com"))
    );
}

#[test]
fn rule_auth0_scope() {
    let get = |c: &Auth0Config| c.authorization_parameters.login_scope().to_owned();
    assert_eq!(value(&[], unset, get), DEFAULT_SCOPE);
    let env = [("AUTH0_SCOPE", "email")];
    assert_eq!(value(&env, unset, get), "openid email");
    assert_eq!(value(&env, |b| b.scope(DEFAULT_SCOPE), get), DEFAULT_SCOPE);
    // The authorization parameter is explicit too; `scope()` wins over it.
    let c = build_both(required, &env, |b| {
        b.authorization_param("scope", "openid profile")
    })
    .unwrap();
    assert_eq!(c.authorization_parameters.login_scope(), "openid profile");
    assert!(!c.authorization_parameters.extra.contains_key("scope"));
    assert_eq!(
        value(
            &env,
            |b| b.authorization_param("scope", "profile").scope("openid"),
            get
        ),
        "openid"
    );
}

#[test]
fn rule_auth0_audience() {
    let get = |c: &Auth0Config| c.authorization_parameters.audience.clone();
    assert_eq!(value(&[], unset, get), None);
    let env = [("AUTH0_AUDIENCE", "https://env-api")];
    assert_eq!(value(&env, unset, get).as_deref(), Some("https://env-api"));
    assert_eq!(
        value(&env, |b| b.audience("https://explicit-api"), get).as_deref(),
        Some("https://explicit-api")
    );
    assert_eq!(
        value(
            &env,
            |b| b.authorization_param("audience", "https://param-api"),
            get
        )
        .as_deref(),
        Some("https://param-api")
    );
}

#[test]
fn rule_auth0_client_auth_method() {
    let get = |c: &Auth0Config| c.client_auth_method;
    assert_eq!(value(&[], unset, get), ClientAuthMethod::ClientSecretPost);
    let env = [("AUTH0_CLIENT_AUTH_METHOD", "client_secret_basic")];
    assert_eq!(value(&env, unset, get), ClientAuthMethod::ClientSecretBasic);
    assert_eq!(
        value(
            &env,
            |b| b.client_auth_method(ClientAuthMethod::ClientSecretPost),
            get
        ),
        ClientAuthMethod::ClientSecretPost
    );
    let bad = [("AUTH0_CLIENT_AUTH_METHOD", "private_key_jwt")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::ClientAuthMethod,
            "private_key_jwt",
            "client_secret_post or client_secret_basic"
        )]
    );
    assert_eq!(
        value(
            &bad,
            |b| b.client_auth_method(ClientAuthMethod::ClientSecretPost),
            get
        ),
        ClientAuthMethod::ClientSecretPost
    );
}

#[test]
fn rule_auth0_logout_strategy() {
    let get = |c: &Auth0Config| c.logout_strategy;
    assert_eq!(value(&[], unset, get), LogoutStrategy::Auto);
    let env = [("AUTH0_LOGOUT_STRATEGY", "v2")];
    assert_eq!(value(&env, unset, get), LogoutStrategy::V2);
    assert_eq!(
        value(&env, |b| b.logout_strategy(LogoutStrategy::Auto), get),
        LogoutStrategy::Auto
    );
    let bad = [("AUTH0_LOGOUT_STRATEGY", "everywhere")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::LogoutStrategy,
            "everywhere",
            "auto, oidc or v2"
        )]
    );
    assert_eq!(
        value(&bad, |b| b.logout_strategy(LogoutStrategy::Oidc), get),
        LogoutStrategy::Oidc
    );
}

#[test]
fn rule_auth0_id_token_signing_alg() {
    let get = |c: &Auth0Config| c.id_token_signing_alg;
    assert_eq!(value(&[], unset, get), IdTokenSigningAlg::RS256);
    let env = [("AUTH0_ID_TOKEN_SIGNING_ALG", "hs256")];
    assert_eq!(value(&env, unset, get), IdTokenSigningAlg::HS256);
    assert_eq!(
        value(
            &env,
            |b| b.id_token_signing_alg(IdTokenSigningAlg::ES256),
            get
        ),
        IdTokenSigningAlg::ES256
    );
    let bad = [("AUTH0_ID_TOKEN_SIGNING_ALG", "none")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::IdTokenSigningAlg,
            "none",
            "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or HS256"
        )]
    );
    assert_eq!(
        value(
            &bad,
            |b| b.id_token_signing_alg(IdTokenSigningAlg::PS256),
            get
        ),
        IdTokenSigningAlg::PS256
    );
}

#[test]
fn host_prefixed_session_cookies_must_be_secure_at_the_root_without_domain() {
    let host = |b: Auth0ConfigBuilder| {
        let mut s = SessionConfig::default();
        s.cookie.name = "__Host-session".into();
        b.session(s).app_base_url("https://app.example.com")
    };
    assert!(build_both(required, &[], host).is_ok());
    assert_eq!(
        problems(&[], move |b| host(b).cookie_domain("example.com")),
        [ConfigProblem::HostCookie {
            conflict: HostCookieConflict::Domain
        }]
    );
    assert_eq!(
        problems(&[], move |b| host(b).cookie_path("/app")),
        [ConfigProblem::HostCookie {
            conflict: HostCookieConflict::Path
        }]
    );
    assert_eq!(
        problems(&[], move |b| host(b).cookie_secure(false)),
        [ConfigProblem::HostCookie {
            conflict: HostCookieConflict::NotSecure
        }]
    );
    // Secure by scheme: an http base URL would make it not Secure.
    assert_eq!(
        problems(&[], move |b| host(b).app_base_url("http://app.example.com")),
        [ConfigProblem::HostCookie {
            conflict: HostCookieConflict::NotSecure
        }]
    );
    let p = &problems(&[], move |b| host(b).cookie_domain("example.com"))[0];
    assert!(p.to_string().contains("__Host-"), "{p}");
}

#[test]
fn rule_auth0_base_path() {
    let get = |c: &Auth0Config| c.base_path.clone();
    assert_eq!(value(&[], unset, get), "");
    let env = [("AUTH0_BASE_PATH", "/app/")];
    assert_eq!(value(&env, unset, get), "/app");
    assert_eq!(value(&env, unset, |c| c.routes().login), "/app/auth/login");
    assert_eq!(value(&env, |b| b.base_path(""), get), "");
    let bad = [("AUTH0_BASE_PATH", "app")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::BasePath,
            "app",
            "empty or a path starting with /"
        )]
    );
    assert_eq!(value(&bad, |b| b.base_path("/x"), get), "/x");
}

#[test]
fn rule_auth0_cookie_domain() {
    let get = |c: &Auth0Config| c.session.cookie.domain.clone();
    assert_eq!(value(&[], unset, get), None);
    let env = [("AUTH0_COOKIE_DOMAIN", "env.example.com")];
    assert_eq!(value(&env, unset, get).as_deref(), Some("env.example.com"));
    assert_eq!(
        value(&env, |b| b.cookie_domain("explicit.example.com"), get).as_deref(),
        Some("explicit.example.com")
    );
    // `session(..)` sets the domain too, here to "none".
    assert_eq!(
        value(&env, |b| b.session(SessionConfig::default()), get),
        None
    );
}

#[test]
fn rule_auth0_cookie_path() {
    let get = |c: &Auth0Config| c.session.cookie.path.clone();
    assert_eq!(value(&[], unset, get), "/");
    let env = [("AUTH0_COOKIE_PATH", "/app")];
    assert_eq!(value(&env, unset, get), "/app");
    assert_eq!(value(&env, |b| b.cookie_path("/"), get), "/");
    assert_eq!(value(&env, |b| b.cookie_path("/other"), get), "/other");
}

#[test]
fn rule_auth0_cookie_secure() {
    let get = |c: &Auth0Config| c.session.cookie.secure;
    assert_eq!(value(&[], unset, get), None);
    let env = [("AUTH0_COOKIE_SECURE", "true")];
    assert_eq!(value(&env, unset, get), Some(true));
    assert_eq!(
        value(&[("AUTH0_COOKIE_SECURE", "false")], unset, get),
        Some(false)
    );
    assert_eq!(value(&env, |b| b.cookie_secure(false), get), Some(false));
    let bad = [("AUTH0_COOKIE_SECURE", "maybe")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::CookieSecure,
            "maybe",
            "true or false"
        )]
    );
    assert_eq!(value(&bad, |b| b.cookie_secure(true), get), Some(true));
}

#[test]
fn rule_auth0_cookie_same_site() {
    let get = |c: &Auth0Config| c.session.cookie.same_site;
    assert_eq!(value(&[], unset, get), SameSite::Lax);
    let env = [("AUTH0_COOKIE_SAME_SITE", "strict")];
    assert_eq!(value(&env, unset, get), SameSite::Strict);
    assert_eq!(
        value(&env, |b| b.cookie_same_site(SameSite::Lax), get),
        SameSite::Lax
    );
    assert_eq!(
        value(
            &[("AUTH0_COOKIE_SAME_SITE", "lax")],
            |b| b.cookie_same_site(SameSite::Strict),
            get
        ),
        SameSite::Strict
    );
    let bad = [("AUTH0_COOKIE_SAME_SITE", "sideways")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::CookieSameSite,
            "sideways",
            "lax, strict or none"
        )]
    );
    assert_eq!(
        value(&bad, |b| b.cookie_same_site(SameSite::Strict), get),
        SameSite::Strict
    );
}

#[test]
fn rule_auth0_cookie_transient() {
    let get = |c: &Auth0Config| c.session.cookie.transient;
    assert!(!value(&[], unset, get));
    let env = [("AUTH0_COOKIE_TRANSIENT", "true")];
    assert!(value(&env, unset, get));
    assert!(!value(&env, |b| b.cookie_transient(false), get));
    let bad = [("AUTH0_COOKIE_TRANSIENT", "sometimes")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::CookieTransient,
            "sometimes",
            "true or false"
        )]
    );
    assert!(value(&bad, |b| b.cookie_transient(true), get));
}

#[test]
fn rule_auth0_http_timeout() {
    let get = |c: &Auth0Config| c.http_timeout;
    assert_eq!(value(&[], unset, get), Duration::from_secs(5));
    let env = [("AUTH0_HTTP_TIMEOUT", "1500")];
    assert_eq!(value(&env, unset, get), Duration::from_millis(1500));
    assert_eq!(
        value(&env, |b| b.http_timeout(Duration::from_secs(5)), get),
        Duration::from_secs(5)
    );
    for bad in ["0", "-5", "soon", "1.5"] {
        assert_eq!(
            problems(&[("AUTH0_HTTP_TIMEOUT", bad)], unset),
            [invalid(
                ConfigSetting::HttpTimeout,
                bad,
                "a positive number of milliseconds"
            )]
        );
    }
    assert_eq!(
        value(
            &[("AUTH0_HTTP_TIMEOUT", "soon")],
            |b| b.http_timeout(Duration::from_secs(1)),
            get
        ),
        Duration::from_secs(1)
    );
    assert_eq!(
        problems(&[], |b| b.http_timeout(Duration::ZERO)),
        [ConfigProblem::Invalid {
            setting: ConfigSetting::HttpTimeout,
            value: None,
            expected: "greater than zero"
        }]
    );
}

#[test]
fn rule_auth0_enable_telemetry() {
    let get = |c: &Auth0Config| c.enable_telemetry;
    assert!(value(&[], unset, get));
    let env = [("AUTH0_ENABLE_TELEMETRY", "false")];
    assert!(!value(&env, unset, get));
    assert!(value(&env, |b| b.enable_telemetry(true), get));
    let bad = [("AUTH0_ENABLE_TELEMETRY", "nope")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::EnableTelemetry,
            "nope",
            "true or false"
        )]
    );
    assert!(!value(&bad, |b| b.enable_telemetry(false), get));
}

#[test]
fn rule_auth0_mfa_token_ttl() {
    let get = |c: &Auth0Config| c.mfa_token_ttl;
    assert_eq!(value(&[], unset, get), Duration::from_secs(300));
    let env = [("AUTH0_MFA_TOKEN_TTL", "600")];
    assert_eq!(value(&env, unset, get), Duration::from_secs(600));
    assert_eq!(
        value(&env, |b| b.mfa_token_ttl(Duration::from_secs(300)), get),
        Duration::from_secs(300)
    );
    let bad = [("AUTH0_MFA_TOKEN_TTL", "0")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::MfaTokenTtl,
            "0",
            "a whole number of seconds (1 to 86400)"
        )]
    );
}

#[test]
fn rule_auth0_mfa_context_ttl() {
    let get = |c: &Auth0Config| c.mfa_context_ttl;
    // Defaults to the token's TTL.
    assert_eq!(value(&[], unset, get), Duration::from_secs(300));
    assert_eq!(
        value(&[("AUTH0_MFA_TOKEN_TTL", "120")], unset, get),
        Duration::from_secs(120)
    );
    let env = [("AUTH0_MFA_CONTEXT_TTL", "900")];
    assert_eq!(value(&env, unset, get), Duration::from_secs(900));
    assert_eq!(
        value(&env, |b| b.mfa_context_ttl(Duration::from_secs(60)), get),
        Duration::from_secs(60)
    );
    let bad = [("AUTH0_MFA_CONTEXT_TTL", "soon")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::MfaContextTtl,
            "soon",
            "a whole number of seconds (1 to 86400)"
        )]
    );
}

fn flag_rule(
    var: &str,
    setting: ConfigSetting,
    set: fn(Auth0ConfigBuilder, bool) -> Auth0ConfigBuilder,
    get: fn(&Auth0Config) -> bool,
) {
    assert!(!value(&[], unset, get), "{var} defaults to off");
    let env = [(var, "true")];
    assert!(value(&env, unset, get));
    assert!(!value(&env, |b| set(b, false), get));
    let bad = [(var, "maybe")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(setting, "maybe", "true or false")]
    );
}

#[test]
fn rule_auth0_enable_connect_account_endpoint() {
    flag_rule(
        "AUTH0_ENABLE_CONNECT_ACCOUNT_ENDPOINT",
        ConfigSetting::EnableConnectAccountEndpoint,
        |b, v| b.enable_connect_account_endpoint(v),
        |c| c.enable_connect_account_endpoint,
    );
}

#[test]
fn rule_auth0_enable_my_account_proxy() {
    flag_rule(
        "AUTH0_ENABLE_MY_ACCOUNT_PROXY",
        ConfigSetting::EnableMyAccountProxy,
        |b, v| b.enable_my_account_proxy(v),
        |c| c.enable_my_account_proxy,
    );
}

#[test]
fn rule_auth0_enable_my_org_proxy() {
    flag_rule(
        "AUTH0_ENABLE_MY_ORG_PROXY",
        ConfigSetting::EnableMyOrgProxy,
        |b, v| b.enable_my_org_proxy(v),
        |c| c.enable_my_org_proxy,
    );
}

#[test]
fn rule_auth0_allow_insecure_requests() {
    let get = |c: &Auth0Config| c.allow_insecure_requests;
    assert!(!value(&[], unset, get));
    let env = [("AUTH0_ALLOW_INSECURE_REQUESTS", "true")];
    assert!(value(&env, unset, get));
    assert!(!value(&env, |b| b.allow_insecure_requests(false), get));
    // What it allows: a plain-http provider.
    let local = |b: Auth0ConfigBuilder| b.domain("http://127.0.0.1:4400");
    assert!(build_both(required, &env, local).is_ok());
    assert_eq!(
        problems(&env, |b| local(b).allow_insecure_requests(false)),
        [ConfigProblem::InsecureProvider {
            domain: "http://127.0.0.1:4400".into()
        }]
    );
    let bad = [("AUTH0_ALLOW_INSECURE_REQUESTS", "please")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::AllowInsecureRequests,
            "please",
            "true or false"
        )]
    );
    assert!(value(&bad, |b| b.allow_insecure_requests(true), get));
}

#[test]
fn rule_auth0_production() {
    let get = |c: &Auth0Config| c.production;
    assert_eq!(value(&[], unset, get), cfg!(not(debug_assertions)));
    let env = [("AUTH0_PRODUCTION", "true")];
    assert!(value(&env, unset, get));
    assert!(!value(&[("AUTH0_PRODUCTION", "false")], unset, get));
    assert!(!value(&env, |b| b.production(false), get));
    // What it enforces: secure cookies when the base URL is inferred.
    let insecure = |b: Auth0ConfigBuilder| b.cookie_secure(false);
    assert_eq!(
        problems(&env, insecure),
        [ConfigProblem::InsecureCookiesInProduction]
    );
    assert!(build_both(required, &env, |b| insecure(b).production(false)).is_ok());
    let bad = [("AUTH0_PRODUCTION", "prod")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(ConfigSetting::Production, "prod", "true or false")]
    );
    assert!(value(&bad, |b| b.production(true), get));
}

#[test]
fn rule_auth0_trust_proxy() {
    let get = |c: &Auth0Config| c.trust_proxy;
    assert!(!value(&[], unset, get), "off by default");
    let env = [("AUTH0_TRUST_PROXY", "true")];
    assert!(value(&env, unset, get));
    assert!(!value(&[("AUTH0_TRUST_PROXY", "off")], unset, get));
    assert!(!value(&env, |b| b.trust_proxy(false), get));
    assert!(value(&[], |b| b.trust_proxy(true), get));
    let bad = [("AUTH0_TRUST_PROXY", "the-lb")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::TrustProxy,
            "the-lb",
            "true or false"
        )]
    );
    assert!(value(&bad, |b| b.trust_proxy(true), get));
}

#[test]
fn rule_auth0_use_dpop() {
    let get = |c: &Auth0Config| (c.use_dpop, c.dpop.as_ref().map(|d| d.generated));
    assert_eq!(value(&[], unset, get), (false, None));
    let env = [("AUTH0_USE_DPOP", "true")];
    // On without a key: one is generated (and the engine warns).
    assert_eq!(value(&env, unset, get), (true, Some(true)));
    assert_eq!(value(&env, |b| b.use_dpop(false), get), (false, None));
    let bad = [("AUTH0_USE_DPOP", "maybe")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(ConfigSetting::UseDpop, "maybe", "true or false")]
    );
    assert_eq!(value(&bad, |b| b.use_dpop(true), get), (true, Some(true)));
}

#[test]
fn rule_auth0_dpop_private_key() {
    use crate::server::crypto::dpop_key::DpopKeyPair;
    let key = DpopKeyPair::generate();
    let private = key.private_key_pem().unwrap();
    let get = |c: &Auth0Config| {
        c.dpop
            .as_ref()
            .map(|d| (d.key.thumbprint().to_owned(), d.generated))
    };
    assert_eq!(value(&[], unset, get), None);
    let env = [("AUTH0_DPOP_PRIVATE_KEY", private.as_str())];
    // A key alone configures DPoP for fetchers that ask for it; it stays off globally.
    assert_eq!(
        value(&env, unset, get),
        Some((key.thumbprint().to_owned(), false))
    );
    assert!(!value(&env, unset, |c| c.use_dpop));
    // Escaped line breaks, as in some .env files.
    let escaped = private.replace('\n', "\\n");
    let env_escaped = [("AUTH0_DPOP_PRIVATE_KEY", escaped.as_str())];
    assert_eq!(value(&env_escaped, unset, get).unwrap().0, key.thumbprint());
    // The builder's key pair wins.
    let other = DpopKeyPair::generate();
    let t = other.thumbprint().to_owned();
    assert_eq!(
        value(&env, |b| b.dpop_key_pair(other.clone()), get)
            .unwrap()
            .0,
        t
    );
    let bad = [(
        "AUTH0_DPOP_PRIVATE_KEY",
        "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
    )];
    assert!(matches!(
        problems(&bad, unset).as_slice(),
        [ConfigProblem::Invalid {
            setting: ConfigSetting::DpopPrivateKey,
            value: None,
            ..
        }]
    ));
    let debug = format!("{:?}", build_both(required, &env, unset).unwrap());
    assert!(!debug.contains(&private[30..60]), "{debug}");
}

#[test]
fn rule_auth0_dpop_public_key() {
    use crate::server::crypto::dpop_key::DpopKeyPair;
    let key = DpopKeyPair::generate();
    let private = key.private_key_pem().unwrap();
    let public = key.public_key_pem().unwrap();
    let other_public = DpopKeyPair::generate().public_key_pem().unwrap();
    let get = |c: &Auth0Config| c.dpop.as_ref().map(|d| d.key.thumbprint().to_owned());
    let both = [
        ("AUTH0_DPOP_PRIVATE_KEY", private.as_str()),
        ("AUTH0_DPOP_PUBLIC_KEY", public.as_str()),
    ];
    assert_eq!(value(&both, unset, get).as_deref(), Some(key.thumbprint()));
    let mismatch = [
        ("AUTH0_DPOP_PRIVATE_KEY", private.as_str()),
        ("AUTH0_DPOP_PUBLIC_KEY", other_public.as_str()),
    ];
    assert!(matches!(
        problems(&mismatch, unset).as_slice(),
        [ConfigProblem::Invalid {
            setting: ConfigSetting::DpopPublicKey,
            ..
        }]
    ));
    let alone = [("AUTH0_DPOP_PUBLIC_KEY", public.as_str())];
    assert_eq!(
        problems(&alone, unset),
        [ConfigProblem::Missing {
            setting: ConfigSetting::DpopPrivateKey
        }]
    );
    let garbage = [
        ("AUTH0_DPOP_PRIVATE_KEY", private.as_str()),
        (
            "AUTH0_DPOP_PUBLIC_KEY",
            "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----",
        ),
    ];
    assert!(matches!(
        problems(&garbage, unset).as_slice(),
        [ConfigProblem::Invalid {
            setting: ConfigSetting::DpopPublicKey,
            ..
        }]
    ));
    // The builder's key pair wins over the variables, even broken ones.
    assert!(value(&garbage, |b| b.dpop_key_pair(key.clone()), get).is_some());
}

#[test]
fn rule_auth0_dpop_clock_skew() {
    let on = ("AUTH0_USE_DPOP", "true");
    let get = |c: &Auth0Config| c.dpop.as_ref().unwrap().clock_skew;
    assert_eq!(value(&[on], unset, get), 0);
    let env = [on, ("AUTH0_DPOP_CLOCK_SKEW", "-5")];
    assert_eq!(value(&env, unset, get), -5);
    assert_eq!(value(&env, |b| b.dpop_clock_skew(0), get), 0);
    let bad = [on, ("AUTH0_DPOP_CLOCK_SKEW", "soon")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::DpopClockSkew,
            "soon",
            "a whole number of seconds (-86400 to 86400)"
        )]
    );
}

#[test]
fn rule_auth0_dpop_clock_tolerance() {
    let on = ("AUTH0_USE_DPOP", "true");
    let get = |c: &Auth0Config| c.dpop.as_ref().unwrap().clock_tolerance;
    assert_eq!(value(&[on], unset, get), Duration::from_secs(30));
    let env = [on, ("AUTH0_DPOP_CLOCK_TOLERANCE", "60")];
    assert_eq!(value(&env, unset, get), Duration::from_secs(60));
    assert_eq!(
        value(
            &env,
            |b| b.dpop_clock_tolerance(Duration::from_secs(30)),
            get
        ),
        Duration::from_secs(30)
    );
    let bad = [on, ("AUTH0_DPOP_CLOCK_TOLERANCE", "-1")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::DpopClockTolerance,
            "-1",
            "a whole number of seconds (0 to 86400)"
        )]
    );
}

#[test]
fn rule_auth0_retry_delay() {
    let on = ("AUTH0_USE_DPOP", "true");
    let get = |c: &Auth0Config| c.dpop.as_ref().unwrap().retry_delay;
    assert_eq!(value(&[on], unset, get), Duration::from_millis(100));
    let env = [on, ("AUTH0_RETRY_DELAY", "0")];
    assert_eq!(value(&env, unset, get), Duration::ZERO);
    assert_eq!(
        value(&env, |b| b.retry_delay(Duration::from_millis(100)), get),
        Duration::from_millis(100)
    );
    let bad = [on, ("AUTH0_RETRY_DELAY", "fast")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(
            ConfigSetting::RetryDelay,
            "fast",
            "a number of milliseconds (0 to 60000)"
        )]
    );
}

#[test]
fn rule_auth0_retry_jitter() {
    let on = ("AUTH0_USE_DPOP", "true");
    let get = |c: &Auth0Config| c.dpop.as_ref().unwrap().retry_jitter;
    assert!(value(&[on], unset, get));
    let env = [on, ("AUTH0_RETRY_JITTER", "false")];
    assert!(!value(&env, unset, get));
    assert!(value(&env, |b| b.retry_jitter(true), get));
    let bad = [on, ("AUTH0_RETRY_JITTER", "some")];
    assert_eq!(
        problems(&bad, unset),
        [invalid(ConfigSetting::RetryJitter, "some", "true or false")]
    );
}

// ---- the rule in general -----------------------------------------------

#[test]
fn from_env_reads_exactly_the_documented_variables() {
    let asked = RefCell::new(Vec::new());
    let _ = Auth0Config::builder().from_env_with(|name| {
        asked.borrow_mut().push(name.to_owned());
        None
    });
    let mut asked = asked.into_inner();
    asked.sort();
    let mut expected = VARIABLES.map(String::from).to_vec();
    expected.sort();
    assert_eq!(asked, expected);
}

#[test]
fn variables_are_trimmed_and_empty_ones_are_unset() {
    let get = |c: &Auth0Config| c.session.cookie.path.clone();
    assert_eq!(value(&[("AUTH0_COOKIE_PATH", "   ")], unset, get), "/");
    assert_eq!(
        value(&[("AUTH0_COOKIE_PATH", " /app ")], unset, get),
        "/app"
    );
    assert_eq!(
        value(&[("AUTH0_COOKIE_SAME_SITE", " STRICT ")], unset, |c| c
            .session
            .cookie
            .same_site),
        SameSite::Strict
    );
}

#[test]
fn session_setter_sets_every_cookie_attribute_explicitly() {
    let env = [
        ("AUTH0_COOKIE_DOMAIN", "env.example.com"),
        ("AUTH0_COOKIE_PATH", "/env"),
        ("AUTH0_COOKIE_SECURE", "true"),
        ("AUTH0_COOKIE_SAME_SITE", "strict"),
        ("AUTH0_COOKIE_TRANSIENT", "true"),
    ];
    let cookie = |setters: fn(Auth0ConfigBuilder) -> Auth0ConfigBuilder| {
        build_both(required, &env, setters).unwrap().session.cookie
    };
    // Without it, every variable applies.
    let from_env = cookie(unset);
    assert_eq!(from_env.domain.as_deref(), Some("env.example.com"));
    assert_eq!(from_env.path, "/env");
    assert_eq!(from_env.secure, Some(true));
    assert_eq!(from_env.same_site, SameSite::Strict);
    assert!(from_env.transient);
    // With it, none does: the struct's values win, defaults included.
    assert_eq!(
        cookie(|b| b.session(SessionConfig::default())),
        SessionCookieConfig::default()
    );
    // A later per-field setter changes one field ...
    let c = cookie(|b| b.session(SessionConfig::default()).cookie_path("/later"));
    assert_eq!(c.path, "/later");
    assert_eq!(c.same_site, SameSite::Lax);
    // ... and a later whole-struct setter replaces earlier per-field ones.
    let c = cookie(|b| b.cookie_path("/earlier").session(SessionConfig::default()));
    assert_eq!(c.path, "/");
    // Settings without a variable come from the struct as before.
    let s = build_both(required, &env, |b| {
        b.session(SessionConfig {
            rolling: false,
            ..SessionConfig::default()
        })
    })
    .unwrap()
    .session;
    assert!(!s.rolling);
}

#[test]
fn cookie_variables_do_not_apply_to_transaction_cookies() {
    let env = [
        ("AUTH0_COOKIE_PATH", "/env"),
        ("AUTH0_COOKIE_SECURE", "false"),
        ("AUTH0_COOKIE_SAME_SITE", "strict"),
    ];
    assert_eq!(
        value(&env, unset, |c| c.transaction_cookie.clone()),
        TransactionCookieConfig::default()
    );
    let custom = TransactionCookieConfig {
        path: "/custom".into(),
        ..TransactionCookieConfig::default()
    };
    let t = custom.clone();
    assert_eq!(
        value(
            &env,
            move |b| b.transaction_cookie(t.clone()),
            |c| c.transaction_cookie.clone()
        ),
        custom
    );
}

#[test]
fn every_invalid_variable_is_reported_together() {
    let env = [
        ("AUTH0_COOKIE_SECURE", "maybe"),
        ("AUTH0_HTTP_TIMEOUT", "soon"),
        ("AUTH0_PRODUCTION", "prod"),
    ];
    let p = problems(&env, unset);
    assert_eq!(p.len(), 3, "{p:?}");
    let mut settings: Vec<_> = p.iter().filter_map(ConfigProblem::setting).collect();
    settings.sort_by_key(|s| s.option());
    assert_eq!(
        settings,
        [
            ConfigSetting::CookieSecure,
            ConfigSetting::HttpTimeout,
            ConfigSetting::Production
        ]
    );
}

// ---- problems --------------------------------------------------------

#[test]
fn problems_are_typed() {
    let err = Auth0Config::builder()
        .secret("short")
        .domain("http://127.0.0.1:4400")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "invalid_configuration");
    assert_eq!(
        err.problems(),
        [
            ConfigProblem::InsecureProvider {
                domain: "http://127.0.0.1:4400".into()
            },
            ConfigProblem::Missing {
                setting: ConfigSetting::ClientId
            },
            ConfigProblem::ClientCredentialsMissing,
            ConfigProblem::SecretTooShort { index: 0 },
        ]
    );
    // One line per problem, after the heading.
    assert_eq!(err.to_string().lines().count(), 1 + err.problems().len());
}

#[test]
fn problems_are_one_line_and_never_contain_secrets() {
    let secret_value = "hunter2-hunter2-hunter2";
    let all = [
        ConfigProblem::Missing {
            setting: ConfigSetting::Secret,
        },
        ConfigProblem::invalid(ConfigSetting::Secret, Some(secret_value), "anything"),
        ConfigProblem::invalid(ConfigSetting::ClientSecret, Some(secret_value), "anything"),
        ConfigProblem::invalid(ConfigSetting::CookiePath, Some("x"), "a path"),
        ConfigProblem::InsecureProvider {
            domain: "http://x".into(),
        },
        ConfigProblem::SecretTooShort { index: 0 },
        ConfigProblem::InsecureCookiesInProduction,
        ConfigProblem::SameSiteNoneWithoutSecure,
        ConfigProblem::HttpClient {
            reason: "no TLS backend".into(),
        },
    ];
    for p in &all {
        let text = p.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(!text.contains(secret_value), "{text}");
        assert!(!format!("{p:?}").contains(secret_value), "{p:?}");
    }
    assert_eq!(
        all[1],
        ConfigProblem::Invalid {
            setting: ConfigSetting::Secret,
            value: None,
            expected: "anything"
        }
    );
    assert_eq!(
        all[3].to_string(),
        r#"AUTH0_COOKIE_PATH (cookie_path) must be a path, got "x""#
    );
    assert!(all[8].to_string().contains("no TLS backend"));
}

#[test]
fn same_site_none_requires_secure_cookies() {
    assert_eq!(
        problems(&[("AUTH0_COOKIE_SAME_SITE", "none")], |b| b
            .cookie_secure(false)),
        [ConfigProblem::SameSiteNoneWithoutSecure]
    );
    assert!(build_both(
        required,
        &[
            ("AUTH0_COOKIE_SAME_SITE", "none"),
            ("AUTH0_COOKIE_SECURE", "true")
        ],
        unset
    )
    .is_ok());
}

// ---- the provider's HTTP client -------------------------------------------

/// Accepts one connection, reads the request head, answers `response`, and
/// returns the request head (lower-cased).
fn one_shot_server(response: &'static str) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut chunk = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        stream.write_all(response.as_bytes()).unwrap();
        String::from_utf8_lossy(&head).to_ascii_lowercase()
    });
    (url, handle)
}

const REDIRECT: &str =
    "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn the_http_client_follows_no_redirects_and_sends_telemetry() {
    let (url, server) = one_shot_server(REDIRECT);
    let client = required().build().unwrap().http_client;
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 302, "redirects are not followed");
    let head = server.join().unwrap();
    assert!(head.contains("\r\nauth0-client: "), "{head}");
    assert!(head.contains("\r\nuser-agent: auth0-leptos/"), "{head}");

    let (url, server) = one_shot_server(REDIRECT);
    let client = required()
        .enable_telemetry(false)
        .build()
        .unwrap()
        .http_client;
    client.get(&url).send().await.unwrap();
    let head = server.join().unwrap();
    assert!(!head.contains("auth0-client"), "{head}");
}

#[tokio::test]
async fn the_http_client_has_the_configured_timeout() {
    // Accepts connections (the backlog does) but never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let client = required()
        .from_env_with(lookup(&[("AUTH0_HTTP_TIMEOUT", "200")]))
        .build()
        .unwrap()
        .http_client;
    let started = std::time::Instant::now();
    let err = client.get(&url).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

// ---- session store ---------------------------------------------------------

#[test]
fn session_store_takes_a_store_or_an_arc_of_one() {
    use std::sync::Arc;

    use crate::server::session::{MemoryStore, SessionStore};

    let data_ptr = |c: &Auth0Config| Arc::as_ptr(c.session_store.as_ref().unwrap()) as *const ();
    assert!(required()
        .session_store(MemoryStore::new())
        .build()
        .unwrap()
        .session_store
        .is_some());
    // An `Arc` is kept as it is, so the caller's handle sees the same store.
    let shared = Arc::new(MemoryStore::new());
    let c = required().session_store(shared.clone()).build().unwrap();
    assert_eq!(data_ptr(&c), Arc::as_ptr(&shared) as *const ());
    let shared: Arc<dyn SessionStore> = Arc::new(MemoryStore::new());
    let c = required().session_store(shared.clone()).build().unwrap();
    assert_eq!(data_ptr(&c), Arc::as_ptr(&shared) as *const ());
}

// ---- the real process environment --------------------------------------

/// Runs in a child process (this test binary again, with only this test
/// selected) so that setting variables cannot race with other tests.
#[test]
fn from_env_reads_the_process_environment() {
    const CHILD: &str = "AUTH0_LEPTOS_CONFIG_ENV_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let c = Auth0Config::from_env().unwrap();
        assert_eq!(c.issuer.as_str(), "https://child.example.com/");
        assert_eq!(c.client_id, "child-id");
        assert_eq!(c.secrets.len(), 2);
        assert_eq!(c.session.cookie.same_site, SameSite::Strict);
        assert_eq!(c.http_timeout, Duration::from_millis(1234));
        // Setters before or after from_env win over the variables.
        for b in [
            Auth0Config::builder()
                .cookie_same_site(SameSite::Lax)
                .from_env(),
            Auth0Config::builder()
                .from_env()
                .cookie_same_site(SameSite::Lax),
        ] {
            let c = b.build().unwrap();
            assert_eq!(c.session.cookie.same_site, SameSite::Lax);
            assert_eq!(c.http_timeout, Duration::from_millis(1234));
        }
        return;
    }
    let module = module_path!().split_once("::").unwrap().1;
    let name = format!("{module}::from_env_reads_the_process_environment");
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([name.as_str(), "--exact", "--test-threads=1", "--nocapture"]);
    for var in VARIABLES {
        cmd.env_remove(var);
    }
    let secrets = format!("{SECRET},{OLD_SECRET}");
    cmd.env(CHILD, "1")
        .env("AUTH0_DOMAIN", "child.example.com")
        .env("AUTH0_CLIENT_ID", "child-id")
        .env("AUTH0_CLIENT_SECRET", "child-secret")
        .env("AUTH0_SECRET", secrets)
        .env("AUTH0_COOKIE_SAME_SITE", "strict")
        .env("AUTH0_HTTP_TIMEOUT", "1234");
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}
