//! [`Auth0ConfigBuilder::build`]: applies the precedence rule to every
//! setting, checks the result and assembles the [`Auth0Config`].

use std::time::Duration;

use base64::Engine;
use url::Url;

use super::builder::Auth0ConfigBuilder;
use super::env::Parsed;
use super::error::{ConfigError, ConfigProblem, ConfigSetting, HostCookieConflict};
use super::types::*;
use super::{Auth0Config, ClientAssertion};

/// The problems found so far, and the precedence rule.
#[derive(Default)]
struct Checks(Vec<ConfigProblem>);

impl Checks {
    /// The explicit value, else the environment's, else `None` (the
    /// caller's default). An environment value that did not parse records
    /// its problems here, but only when it is used.
    fn pick<T>(&mut self, explicit: Option<T>, env: Option<Parsed<T>>) -> Option<T> {
        self.pick_parsed(explicit.map(Ok), env)
    }

    /// [`pick`](Self::pick) for an explicit value that was parsed too.
    fn pick_parsed<T>(&mut self, explicit: Option<Parsed<T>>, env: Option<Parsed<T>>) -> Option<T> {
        match explicit.or(env)? {
            Ok(v) => Some(v),
            Err(problems) => {
                self.0.extend(problems);
                None
            }
        }
    }

    fn push(&mut self, problem: ConfigProblem) {
        self.0.push(problem);
    }

    fn missing(&mut self, setting: ConfigSetting) {
        self.push(ConfigProblem::Missing { setting });
    }

    fn invalid(&mut self, setting: ConfigSetting, value: Option<&str>, expected: &'static str) {
        self.push(ConfigProblem::invalid(setting, value, expected));
    }
}

/// The DPoP key pair and whether it was generated: the explicit one, else
/// the environment's, else, with DPoP on, a new one (the engine warns).
/// `None` when DPoP is off and no key is configured (a fetcher may turn
/// DPoP on for itself only with a configured key), or the key is unusable.
fn dpop_key(
    c: &mut Checks,
    use_dpop: bool,
    explicit_key: Option<crate::server::crypto::dpop_key::DpopKeyPair>,
    (env_private, env_public): (Option<SigningKeySource>, Option<String>),
) -> Option<(crate::server::crypto::dpop_key::DpopKeyPair, bool)> {
    use crate::server::crypto::dpop_key::{DpopKeyPair, KeyFault};
    let key = match explicit_key {
        Some(k) => Some(k),
        None => match (env_private, env_public) {
            (None, None) => None,
            (None, Some(_)) => {
                c.push(ConfigProblem::Missing {
                    setting: ConfigSetting::DpopPrivateKey,
                });
                return None;
            }
            (Some(private), public) => {
                let read = private
                    .pem_text()
                    .map_err(|_| KeyFault::PrivateKey)
                    .and_then(|pem| {
                        let public = match public.map(|p| SigningKeySource::new(p).pem_text()) {
                            Some(Err(_)) => return Err(KeyFault::PublicKey),
                            Some(Ok(p)) => Some(p),
                            None => None,
                        };
                        DpopKeyPair::read(&pem, public.as_deref())
                    });
                match read {
                    Ok(k) => Some(k),
                    Err(KeyFault::PublicKey) => {
                        c.invalid(
                            ConfigSetting::DpopPublicKey,
                            None,
                            "a P-256 public key in PEM (SPKI), or the path of one",
                        );
                        return None;
                    }
                    Err(KeyFault::Mismatch) => {
                        c.invalid(
                            ConfigSetting::DpopPublicKey,
                            None,
                            "the public key of AUTH0_DPOP_PRIVATE_KEY",
                        );
                        return None;
                    }
                    Err(_) => {
                        c.invalid(
                            ConfigSetting::DpopPrivateKey,
                            None,
                            "a P-256 private key in PEM (PKCS#8 or SEC1), or the path of one",
                        );
                        return None;
                    }
                }
            }
        },
    };
    match key {
        Some(k) => Some((k, false)),
        None if use_dpop => Some((DpopKeyPair::generate(), true)),
        None => None,
    }
}

impl Auth0ConfigBuilder {
    /// Applies the precedence rule to every setting (the value set on the
    /// builder, else the variable read by [`from_env`](Self::from_env), else
    /// the default), validates the result, and builds the HTTP client for
    /// the provider. Every problem is reported together.
    pub fn build(self) -> Result<Auth0Config, ConfigError> {
        let Auth0ConfigBuilder {
            domain,
            client_id,
            client_secret,
            client_auth_method,
            client_assertion_signing_key,
            client_assertion_signing_alg,
            client_assertion_key_id,
            pushed_authorization_requests,
            use_dpop,
            dpop_key_pair,
            dpop_clock_skew,
            dpop_clock_tolerance,
            retry_delay,
            retry_jitter,
            mfa_token_ttl,
            mfa_context_ttl,
            enable_connect_account_endpoint,
            enable_my_account_proxy,
            enable_my_org_proxy,
            secrets,
            app_base_url,
            scope,
            audience,
            extra_params,
            sign_in_return_to_path,
            session,
            cookie,
            transaction_cookie,
            enable_parallel_transactions,
            logout_strategy,
            id_token_signing_alg,
            include_id_token_hint,
            logout_return_to_allow_list,
            http_timeout,
            enable_telemetry,
            enable_access_token_endpoint,
            token_refresh_buffer,
            rotation_race_window,
            no_content_profile,
            fetch_user_info,
            routes,
            base_path,
            allow_insecure_requests,
            production,
            trust_proxy,
            before_session_saved,
            on_callback,
            session_store,
            env,
        } = self;
        let mut c = Checks::default();

        let production = c
            .pick(production, env.production)
            .unwrap_or(cfg!(not(debug_assertions)));
        let trust_proxy = c.pick(trust_proxy, env.trust_proxy).unwrap_or(false);
        let allow_insecure = c
            .pick(allow_insecure_requests, env.allow_insecure_requests)
            .unwrap_or(false);

        let domain = c.pick(domain, env.domain.map(Ok)).unwrap_or_default();
        let issuer = if domain.is_empty() {
            c.missing(ConfigSetting::Domain);
            None
        } else {
            match parse_issuer(&domain) {
                Ok(u) => {
                    if u.scheme() == "http" && !allow_insecure {
                        c.push(ConfigProblem::InsecureProvider {
                            domain: domain.clone(),
                        });
                    }
                    Some(u)
                }
                Err(_) => {
                    c.invalid(
                        ConfigSetting::Domain,
                        Some(&domain),
                        "a tenant domain or an absolute http(s) URL without query, fragment or credentials",
                    );
                    None
                }
            }
        };
        let client_id = c.pick(client_id, env.client_id.map(Ok)).unwrap_or_default();
        if client_id.is_empty() {
            c.missing(ConfigSetting::ClientId);
        }
        let client_secret = c
            .pick(client_secret, env.client_secret.map(Ok))
            .unwrap_or_default();
        let signing_key = c.pick(
            client_assertion_signing_key,
            env.client_assertion_signing_key.map(Ok),
        );
        let assertion_alg = c
            .pick(
                client_assertion_signing_alg,
                env.client_assertion_signing_alg,
            )
            .unwrap_or_default();
        let assertion_kid = c.pick(client_assertion_key_id, env.client_assertion_key_id.map(Ok));
        let client_assertion = match (client_secret.secret().is_empty(), signing_key) {
            (true, None) => {
                c.push(ConfigProblem::ClientCredentialsMissing);
                None
            }
            (false, Some(_)) => {
                c.push(ConfigProblem::ClientCredentialsConflict);
                None
            }
            (false, None) => None,
            (true, Some(source)) => match source.load(assertion_alg) {
                Ok(key) => Some(ClientAssertion {
                    key: std::sync::Arc::new(key),
                    alg: assertion_alg,
                    kid: assertion_kid,
                }),
                Err(expected) => {
                    c.invalid(ConfigSetting::ClientAssertionSigningKey, None, expected);
                    None
                }
            },
        };
        let pushed_authorization_requests = c
            .pick(
                pushed_authorization_requests,
                env.pushed_authorization_requests,
            )
            .unwrap_or(false);
        let use_dpop = c.pick(use_dpop, env.use_dpop).unwrap_or(false);
        let clock_skew = c.pick(dpop_clock_skew, env.dpop_clock_skew).unwrap_or(0);
        let clock_tolerance = c
            .pick(dpop_clock_tolerance, env.dpop_clock_tolerance)
            .unwrap_or(Duration::from_secs(30));
        let retry_delay = c
            .pick(retry_delay, env.retry_delay)
            .unwrap_or(Duration::from_millis(100));
        let retry_jitter = c.pick(retry_jitter, env.retry_jitter).unwrap_or(true);
        let mfa_token_ttl = c
            .pick(mfa_token_ttl, env.mfa_token_ttl)
            .unwrap_or(DEFAULT_MFA_TOKEN_TTL);
        let mfa_context_ttl = c
            .pick(mfa_context_ttl, env.mfa_context_ttl)
            .unwrap_or(mfa_token_ttl);
        for (setting, ttl) in [
            (ConfigSetting::MfaTokenTtl, mfa_token_ttl),
            (ConfigSetting::MfaContextTtl, mfa_context_ttl),
        ] {
            if ttl.is_zero() || ttl > Duration::from_secs(86_400) {
                c.invalid(setting, None, "between 1 second and 1 day");
            }
        }
        let enable_connect_account_endpoint = c
            .pick(
                enable_connect_account_endpoint,
                env.enable_connect_account_endpoint,
            )
            .unwrap_or(false);
        let enable_my_account_proxy = c
            .pick(enable_my_account_proxy, env.enable_my_account_proxy)
            .unwrap_or(false);
        let enable_my_org_proxy = c
            .pick(enable_my_org_proxy, env.enable_my_org_proxy)
            .unwrap_or(false);
        let dpop = dpop_key(
            &mut c,
            use_dpop,
            dpop_key_pair,
            (env.dpop_private_key, env.dpop_public_key),
        )
        .map(|(key, generated)| DpopSettings {
            key,
            generated,
            clock_skew,
            clock_tolerance,
            retry_delay,
            retry_jitter,
        });
        let explicit_secrets = (!secrets.is_empty()).then_some(secrets);
        let secrets = c
            .pick(explicit_secrets, env.secrets.map(Ok))
            .unwrap_or_default();
        if secrets.is_empty() {
            c.missing(ConfigSetting::Secret);
        }
        for (index, s) in secrets.iter().enumerate() {
            if s.secret().len() < 32 {
                c.push(ConfigProblem::SecretTooShort { index });
            }
        }
        let client_auth_method = c
            .pick(client_auth_method, env.client_auth_method)
            .unwrap_or_default();
        let app_base_url = c
            .pick_parsed(app_base_url, env.app_base_url)
            .unwrap_or(AppBaseUrl::Inferred);

        let mut session = session;
        session.cookie.domain = c
            .pick(cookie.domain, env.cookie_domain.map(|d| Ok(Some(d))))
            .flatten();
        session.cookie.path = c
            .pick(cookie.path, env.cookie_path.map(Ok))
            .unwrap_or_else(|| "/".into());
        session.cookie.secure = c
            .pick(cookie.secure, env.cookie_secure.map(|r| r.map(Some)))
            .flatten();
        session.cookie.same_site = c
            .pick(cookie.same_site, env.cookie_same_site)
            .unwrap_or_default();
        session.cookie.transient = c
            .pick(cookie.transient, env.cookie_transient)
            .unwrap_or(false);
        if session.absolute_duration.is_zero() {
            c.invalid(
                ConfigSetting::SessionAbsoluteDuration,
                None,
                "greater than zero",
            );
        }
        if session.inactivity_duration.is_zero() {
            c.invalid(
                ConfigSetting::SessionInactivityDuration,
                None,
                "greater than zero",
            );
        }
        if !is_cookie_name(&session.cookie.name) {
            c.invalid(
                ConfigSetting::SessionCookieName,
                Some(&session.cookie.name),
                "a valid cookie name",
            );
        }
        if session.cookie.name.starts_with("__Host-") {
            let http_base = match &app_base_url {
                AppBaseUrl::Inferred => false,
                AppBaseUrl::Static(u) => u.scheme() == "http",
                AppBaseUrl::AllowList(us) => us.iter().any(|u| u.scheme() == "http"),
            };
            let conflict = if session.cookie.domain.is_some() {
                Some(HostCookieConflict::Domain)
            } else if session.cookie.path != "/" {
                Some(HostCookieConflict::Path)
            } else if session.cookie.secure == Some(false)
                || (session.cookie.secure.is_none() && http_base)
            {
                Some(HostCookieConflict::NotSecure)
            } else {
                None
            };
            if let Some(conflict) = conflict {
                c.push(ConfigProblem::HostCookie { conflict });
            }
        }
        if !is_cookie_name(&transaction_cookie.prefix) {
            c.invalid(
                ConfigSetting::TransactionCookiePrefix,
                Some(&transaction_cookie.prefix),
                "a valid cookie name",
            );
        }
        if transaction_cookie.max_pending == 0 {
            c.invalid(
                ConfigSetting::TransactionCookieMaxPending,
                None,
                "at least 1",
            );
        }
        if matches!(app_base_url, AppBaseUrl::Inferred)
            && production
            && (session.cookie.secure == Some(false) || transaction_cookie.secure == Some(false))
        {
            c.push(ConfigProblem::InsecureCookiesInProduction);
        }
        if session.cookie.same_site == SameSite::None && session.cookie.secure == Some(false) {
            c.push(ConfigProblem::SameSiteNoneWithoutSecure);
        }

        let logout_strategy = c
            .pick(logout_strategy, env.logout_strategy)
            .unwrap_or_default();
        let id_token_signing_alg = c
            .pick(id_token_signing_alg, env.id_token_signing_alg)
            .unwrap_or_default();
        if id_token_signing_alg == IdTokenSigningAlg::HS256 && client_secret.secret().is_empty() {
            c.invalid(
                ConfigSetting::IdTokenSigningAlg,
                Some("HS256"),
                "an asymmetric algorithm without a client secret (HS256 is verified with the secret)",
            );
        }
        let mut logout_return_to_allow = Vec::new();
        for entry in logout_return_to_allow_list {
            match entry {
                Ok(u) => logout_return_to_allow.push(u),
                Err(p) => c.push(p),
            }
        }

        let raw_base_path = c.pick(base_path, env.base_path.map(Ok)).unwrap_or_default();
        let base_path = raw_base_path.trim_end_matches('/').to_owned();
        if !base_path.is_empty() && !base_path.starts_with('/') {
            c.invalid(
                ConfigSetting::BasePath,
                Some(&raw_base_path),
                "empty or a path starting with /",
            );
        }
        for (setting, path) in [
            (ConfigSetting::RouteLogin, &routes.login),
            (ConfigSetting::RouteLogout, &routes.logout),
            (ConfigSetting::RouteCallback, &routes.callback),
            (ConfigSetting::RouteProfile, &routes.profile),
            (ConfigSetting::RouteAccessToken, &routes.access_token),
            (
                ConfigSetting::RouteBackchannelLogout,
                &routes.backchannel_logout,
            ),
            (ConfigSetting::RouteConnectAccount, &routes.connect_account),
            (ConfigSetting::RouteMfa, &routes.mfa),
            (ConfigSetting::RouteMyAccount, &routes.my_account),
            (ConfigSetting::RouteMyOrg, &routes.my_org),
        ] {
            if !path.starts_with('/') || path.len() < 2 {
                c.invalid(setting, Some(path), "a path starting with /");
            }
        }
        // Default: the app's home, under the base path.
        let sign_in_return_to_path = sign_in_return_to_path.unwrap_or_else(|| {
            if base_path.starts_with('/') {
                base_path.clone()
            } else {
                "/".into()
            }
        });
        if !sign_in_return_to_path.starts_with('/') || sign_in_return_to_path.starts_with("//") {
            c.invalid(
                ConfigSetting::SignInReturnToPath,
                Some(&sign_in_return_to_path),
                "a path starting with a single /",
            );
        }

        // `scope()` / `audience()` win over the same-named authorization
        // parameter; both are explicit and win over the variable.
        let mut extra = extra_params;
        let scope_param = extra.remove("scope");
        let scope = c
            .pick(
                scope.or(scope_param.map(Scope::All)),
                env.scope.map(|s| Ok(Scope::All(s))),
            )
            .unwrap_or_default();
        let audience_param = extra.remove("audience");
        let audience = c.pick(audience.or(audience_param), env.audience.map(Ok));
        let scope = match scope {
            Scope::All(s) => Scope::All(ensure_openid(&s)),
            Scope::PerAudience(mut map) => {
                match &audience {
                    // The login's scope: the default audience's entry, with openid.
                    Some(a) => {
                        let login = map.get(a).map_or(DEFAULT_SCOPE, String::as_str);
                        let login = ensure_openid(login);
                        map.insert(a.clone(), login);
                    }
                    None => c.invalid(
                        ConfigSetting::Scope,
                        None,
                        "a single scope, or a scope per audience together with an audience",
                    ),
                }
                Scope::PerAudience(map)
            }
        };
        if let Some(ma) = extra.get("max_age") {
            if ma.parse::<u64>().is_err() {
                c.invalid(ConfigSetting::MaxAge, Some(ma), "a non-negative integer");
            }
        }

        let http_timeout = c
            .pick(http_timeout, env.http_timeout)
            .unwrap_or(Duration::from_secs(5));
        let enable_telemetry = c
            .pick(enable_telemetry, env.enable_telemetry)
            .unwrap_or(true);
        let http_client = if http_timeout.is_zero() {
            c.invalid(ConfigSetting::HttpTimeout, None, "greater than zero");
            None
        } else {
            match provider_http_client(http_timeout, enable_telemetry) {
                Ok(client) => Some(client),
                Err(p) => {
                    c.push(p);
                    None
                }
            }
        };

        let (Some(issuer), Some(http_client), true) = (issuer, http_client, c.0.is_empty()) else {
            return Err(ConfigError::new(c.0));
        };
        Ok(Auth0Config {
            domain,
            issuer,
            client_id,
            client_secret,
            client_auth_method,
            client_assertion,
            pushed_authorization_requests,
            use_dpop,
            dpop,
            secrets,
            app_base_url,
            authorization_parameters: AuthorizationParameters {
                scope,
                audience,
                extra,
            },
            sign_in_return_to_path,
            session,
            transaction_cookie,
            enable_parallel_transactions: enable_parallel_transactions.unwrap_or(true),
            logout_strategy,
            id_token_signing_alg,
            include_id_token_hint_in_oidc_logout_url: include_id_token_hint.unwrap_or(true),
            logout_return_to_allow_list: logout_return_to_allow,
            http_timeout,
            http_client,
            enable_telemetry,
            enable_access_token_endpoint: enable_access_token_endpoint.unwrap_or(true),
            mfa_token_ttl,
            mfa_context_ttl,
            enable_connect_account_endpoint,
            enable_my_account_proxy,
            enable_my_org_proxy,
            token_refresh_buffer: token_refresh_buffer.unwrap_or_default(),
            rotation_race_window: rotation_race_window.unwrap_or(DEFAULT_ROTATION_RACE_WINDOW),
            no_content_profile_response_when_unauthenticated: no_content_profile.unwrap_or(false),
            fetch_user_info: fetch_user_info.unwrap_or(false),
            routes,
            base_path,
            allow_insecure_requests: allow_insecure,
            production,
            trust_proxy,
            before_session_saved,
            on_callback,
            session_store,
        })
    }
}

/// The client every request to the provider goes through: the configured
/// timeout, no redirects followed, the SDK's user agent, and the
/// `Auth0-Client` telemetry header when telemetry is on.
fn provider_http_client(
    timeout: Duration,
    telemetry: bool,
) -> Result<reqwest::Client, ConfigProblem> {
    let failed = |e: &dyn std::fmt::Display| ConfigProblem::HttpClient {
        reason: e.to_string(),
    };
    let mut headers = reqwest::header::HeaderMap::new();
    if telemetry {
        let telemetry =
            serde_json::json!({"name": "auth0-leptos", "version": env!("CARGO_PKG_VERSION")});
        let value = base64::engine::general_purpose::STANDARD.encode(telemetry.to_string());
        let value = reqwest::header::HeaderValue::from_str(&value).map_err(|e| failed(&e))?;
        headers.insert("Auth0-Client", value);
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .user_agent(concat!("auth0-leptos/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed(&e))
}

fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Adds `openid` to a scope string when missing.
pub(crate) fn ensure_openid(scope: &str) -> String {
    if scope.split_whitespace().any(|s| s == "openid") {
        scope.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        std::iter::once("openid")
            .chain(scope.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `example.auth0.com` → `https://example.auth0.com/`; full URLs keep scheme,
/// host, port and path (with a trailing `/`).
pub(crate) fn parse_issuer(domain: &str) -> Result<Url, String> {
    let with_scheme = if domain.contains("://") {
        domain.to_owned()
    } else {
        format!("https://{domain}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be https (or http for a local test provider)".into());
    }
    if url.host().is_none() {
        return Err("it has no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("it must not have a query, fragment or credentials".into());
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// Default of `rotation_race_window`.
const DEFAULT_ROTATION_RACE_WINDOW: Duration = Duration::from_secs(10);
/// Auth0's own `mfa_token` lives five minutes.
const DEFAULT_MFA_TOKEN_TTL: Duration = Duration::from_secs(300);

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Auth0ConfigBuilder {
        Auth0Config::builder()
            .domain("example.us.auth0.com")
            .client_id("cid")
            .client_secret("csecret")
            .secret("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn issuer_forms() {
        assert_eq!(
            parse_issuer("example.auth0.com").unwrap().as_str(),
            "https://example.auth0.com/"
        );
        assert_eq!(
            parse_issuer("http://127.0.0.1:4400").unwrap().as_str(),
            "http://127.0.0.1:4400/"
        );
        assert_eq!(
            parse_issuer("https://login.example.com/").unwrap().as_str(),
            "https://login.example.com/"
        );
        assert!(parse_issuer("ftp://x").is_err());
        assert!(parse_issuer("https://x?y=1").is_err());
    }

    #[test]
    fn defaults_match_the_next_js_sdk() {
        let c = base().build().unwrap();
        assert_eq!(c.authorization_parameters.login_scope(), DEFAULT_SCOPE);
        assert_eq!(c.session.absolute_duration, Duration::from_secs(259_200));
        assert_eq!(c.session.inactivity_duration, Duration::from_secs(86_400));
        assert!(c.session.rolling);
        assert_eq!(c.session.cookie.name, "__session");
        assert_eq!(c.transaction_cookie.prefix, "__txn_");
        assert_eq!(c.transaction_cookie.max_age, Duration::from_secs(3600));
        assert_eq!(c.http_timeout, Duration::from_secs(5));
        assert!(
            c.enable_telemetry && c.enable_access_token_endpoint && c.enable_parallel_transactions
        );
        assert_eq!(c.logout_strategy, LogoutStrategy::Auto);
        assert_eq!(c.routes().login, "/auth/login");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = Auth0Config::builder()
            .secret("short")
            .domain("http://127.0.0.1:4400")
            .build()
            .unwrap_err();
        let text = err.to_string();
        for needle in [
            "AUTH0_CLIENT_ID",
            "AUTH0_CLIENT_SECRET",
            "at least 32",
            "plain http",
        ] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
        assert!(!text.contains("short"));
    }

    #[test]
    fn openid_is_enforced() {
        assert_eq!(ensure_openid("profile email"), "openid profile email");
        assert_eq!(
            base()
                .scope("email")
                .build()
                .unwrap()
                .authorization_parameters
                .login_scope(),
            "openid email"
        );
    }

    #[test]
    fn a_client_secret_or_a_signing_key_exactly() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let rsa = format!("{fixtures}test-rsa-key-1.pem");
        let ec = format!("{fixtures}test-ec-p256-key.pem");
        let keyless = || {
            Auth0Config::builder()
                .domain("example.us.auth0.com")
                .client_id("cid")
                .secret("0123456789abcdef0123456789abcdef")
        };
        let problems = |b: Auth0ConfigBuilder| b.build().unwrap_err().problems().to_vec();

        assert_eq!(
            problems(keyless()),
            [ConfigProblem::ClientCredentialsMissing]
        );
        let text = keyless().build().unwrap_err().to_string();
        assert!(
            text.contains("AUTH0_CLIENT_SECRET")
                && text.contains("AUTH0_CLIENT_ASSERTION_SIGNING_KEY"),
            "{text}"
        );
        assert_eq!(
            problems(base().client_assertion_signing_key(&rsa)),
            [ConfigProblem::ClientCredentialsConflict]
        );

        // A path or the PEM text itself; the key never prints.
        let pem = std::fs::read_to_string(&rsa).unwrap();
        for source in [rsa.clone(), pem.clone()] {
            let c = keyless()
                .client_assertion_signing_key(source)
                .build()
                .unwrap();
            let a = c.client_assertion.as_ref().expect("private_key_jwt");
            assert_eq!(a.alg, ClientAssertionSigningAlg::RS256);
            let debug = format!("{c:?}");
            assert!(
                !debug.contains("MII") && !debug.contains(&pem[40..80]),
                "{debug}"
            );
        }
        let c = keyless()
            .client_assertion_signing_key(&ec)
            .client_assertion_signing_alg(ClientAssertionSigningAlg::ES256)
            .client_assertion_key_id("k-1")
            .build()
            .unwrap();
        assert_eq!(c.client_assertion.unwrap().kid.as_deref(), Some("k-1"));

        // Unreadable, not a key, or a key that does not suit the algorithm.
        for (source, alg) in [
            (
                "/nonexistent/key.pem".to_owned(),
                ClientAssertionSigningAlg::RS256,
            ),
            (
                "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----".to_owned(),
                ClientAssertionSigningAlg::RS256,
            ),
            (rsa.clone(), ClientAssertionSigningAlg::ES256),
            (ec.clone(), ClientAssertionSigningAlg::RS256),
            (ec.clone(), ClientAssertionSigningAlg::ES384),
        ] {
            let p = problems(
                keyless()
                    .client_assertion_signing_key(source.clone())
                    .client_assertion_signing_alg(alg),
            );
            assert!(
                matches!(
                    p.as_slice(),
                    [ConfigProblem::Invalid {
                        setting: ConfigSetting::ClientAssertionSigningKey,
                        value: None,
                        ..
                    }]
                ),
                "{source} {alg:?}: {p:?}"
            );
        }

        // HS256 ID tokens are verified with the client secret: not without one.
        let p = problems(
            keyless()
                .client_assertion_signing_key(&rsa)
                .id_token_signing_alg(IdTokenSigningAlg::HS256),
        );
        assert!(
            matches!(
                p.as_slice(),
                [ConfigProblem::Invalid {
                    setting: ConfigSetting::IdTokenSigningAlg,
                    ..
                }]
            ),
            "{p:?}"
        );
    }

    #[test]
    fn client_assertion_and_par_settings_from_the_environment() {
        let rsa = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/test-rsa-key-1.pem"
        );
        let env = [
            ("AUTH0_DOMAIN", "example.us.auth0.com"),
            ("AUTH0_CLIENT_ID", "cid"),
            ("AUTH0_SECRET", "0123456789abcdef0123456789abcdef"),
            ("AUTH0_CLIENT_ASSERTION_SIGNING_KEY", rsa),
            ("AUTH0_CLIENT_ASSERTION_SIGNING_ALG", "ps256"),
            ("AUTH0_CLIENT_ASSERTION_KEY_ID", "kid-7"),
            ("AUTH0_PUSHED_AUTHORIZATION_REQUESTS", "true"),
        ];
        let c = Auth0Config::builder()
            .from_env_with(|k| {
                env.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
            .build()
            .unwrap();
        let a = c.client_assertion.as_ref().unwrap();
        assert_eq!(
            (a.alg, a.kid.as_deref()),
            (ClientAssertionSigningAlg::PS256, Some("kid-7"))
        );
        assert!(c.pushed_authorization_requests);
    }

    #[test]
    fn a_scope_per_audience_gives_the_login_the_default_audience_s_entry() {
        let api = "https://api.example.com/";
        let reports = "https://reports.example.com/";
        let c = base()
            .audience(api)
            .scope([(api, "profile read:data"), (reports, "read:reports")])
            .build()
            .unwrap();
        let ap = &c.authorization_parameters;
        assert_eq!(ap.login_scope(), "openid profile read:data");
        assert_eq!(ap.scope.for_audience(Some(reports)), Some("read:reports"));
        assert_eq!(ap.scope.for_audience(Some("https://other/")), None);

        // No entry for the default audience: the login asks for the default scope.
        let c = base()
            .audience(api)
            .scope([(reports, "read:reports")])
            .build()
            .unwrap();
        assert_eq!(c.authorization_parameters.login_scope(), DEFAULT_SCOPE);

        // A map without an audience cannot say which entry is the login's.
        let err = base()
            .scope([(reports, "read:reports")])
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("AUTH0_SCOPE"), "{err}");
    }

    #[test]
    fn insecure_cookie_with_inferred_base_url_in_production_is_rejected() {
        let mut s = SessionConfig::default();
        s.cookie.secure = Some(false);
        let err = base()
            .session(s.clone())
            .production(true)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("insecure cookies"));
        assert!(base()
            .session(s)
            .production(true)
            .app_base_url("http://localhost:3000")
            .build()
            .is_ok());
    }

    #[test]
    fn debug_hides_secrets() {
        let c = base().build().unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("csecret") && !d.contains("0123456789abcdef"));
    }

    #[test]
    fn allow_list_base_url() {
        let c = base()
            .app_base_url("https://a.example.com, https://b.example.com")
            .build()
            .unwrap();
        assert!(matches!(c.app_base_url, AppBaseUrl::AllowList(ref v) if v.len() == 2));
    }
}
