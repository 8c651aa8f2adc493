//! [`ConfigError`]: every [`ConfigProblem`] found in the configuration, each
//! naming the [`ConfigSetting`] it concerns.

use std::fmt;

/// A setting of the configuration: its environment variable (when it has
/// one) and its builder option. Problems name settings by both, e.g.
/// `AUTH0_COOKIE_SECURE (cookie_secure)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigSetting {
    /// `AUTH0_DOMAIN` / `domain`.
    Domain,
    /// `AUTH0_CLIENT_ID` / `client_id`.
    ClientId,
    /// `AUTH0_CLIENT_SECRET` / `client_secret`.
    ClientSecret,
    /// `AUTH0_SECRET` / `secret`.
    Secret,
    /// `APP_BASE_URL` / `app_base_url`.
    AppBaseUrl,
    /// `AUTH0_SCOPE` / `scope`.
    Scope,
    /// `AUTH0_AUDIENCE` / `audience`.
    Audience,
    /// `AUTH0_CLIENT_AUTH_METHOD` / `client_auth_method`.
    ClientAuthMethod,
    /// `AUTH0_CLIENT_ASSERTION_SIGNING_KEY` / `client_assertion_signing_key`.
    ClientAssertionSigningKey,
    /// `AUTH0_CLIENT_ASSERTION_SIGNING_ALG` / `client_assertion_signing_alg`.
    ClientAssertionSigningAlg,
    /// `AUTH0_CLIENT_ASSERTION_KEY_ID` / `client_assertion_key_id`.
    ClientAssertionKeyId,
    /// `AUTH0_PUSHED_AUTHORIZATION_REQUESTS` / `pushed_authorization_requests`.
    PushedAuthorizationRequests,
    /// `AUTH0_USE_DPOP` / `use_dpop`.
    UseDpop,
    /// `AUTH0_DPOP_PUBLIC_KEY` / `dpop_key_pair`.
    DpopPublicKey,
    /// `AUTH0_DPOP_PRIVATE_KEY` / `dpop_key_pair`.
    DpopPrivateKey,
    /// `AUTH0_DPOP_CLOCK_SKEW` / `dpop_clock_skew`.
    DpopClockSkew,
    /// `AUTH0_DPOP_CLOCK_TOLERANCE` / `dpop_clock_tolerance`.
    DpopClockTolerance,
    /// `AUTH0_RETRY_DELAY` / `retry_delay`.
    RetryDelay,
    /// `AUTH0_RETRY_JITTER` / `retry_jitter`.
    RetryJitter,
    /// `AUTH0_MFA_TOKEN_TTL` (seconds) / `mfa_token_ttl`.
    MfaTokenTtl,
    /// `AUTH0_MFA_CONTEXT_TTL` (seconds) / `mfa_context_ttl`.
    MfaContextTtl,
    /// `AUTH0_ENABLE_CONNECT_ACCOUNT_ENDPOINT` / `enable_connect_account_endpoint`.
    EnableConnectAccountEndpoint,
    /// `AUTH0_ENABLE_MY_ACCOUNT_PROXY` / `enable_my_account_proxy`.
    EnableMyAccountProxy,
    /// `AUTH0_ENABLE_MY_ORG_PROXY` / `enable_my_org_proxy`.
    EnableMyOrgProxy,
    /// `AUTH0_LOGOUT_STRATEGY` / `logout_strategy`.
    LogoutStrategy,
    /// `AUTH0_ID_TOKEN_SIGNING_ALG` / `id_token_signing_alg`.
    IdTokenSigningAlg,
    /// `AUTH0_BASE_PATH` / `base_path`.
    BasePath,
    /// `AUTH0_COOKIE_DOMAIN` / `cookie_domain`.
    CookieDomain,
    /// `AUTH0_COOKIE_PATH` / `cookie_path`.
    CookiePath,
    /// `AUTH0_COOKIE_SECURE` / `cookie_secure`.
    CookieSecure,
    /// `AUTH0_COOKIE_SAME_SITE` / `cookie_same_site`.
    CookieSameSite,
    /// `AUTH0_COOKIE_TRANSIENT` / `cookie_transient`.
    CookieTransient,
    /// `AUTH0_HTTP_TIMEOUT` (milliseconds) / `http_timeout`.
    HttpTimeout,
    /// `AUTH0_ENABLE_TELEMETRY` / `enable_telemetry`.
    EnableTelemetry,
    /// `AUTH0_ALLOW_INSECURE_REQUESTS` / `allow_insecure_requests`.
    AllowInsecureRequests,
    /// `AUTH0_PRODUCTION` / `production`.
    Production,
    /// `AUTH0_TRUST_PROXY` / `trust_proxy`.
    TrustProxy,
    /// `session.absolute_duration`.
    SessionAbsoluteDuration,
    /// `session.inactivity_duration`.
    SessionInactivityDuration,
    /// `session.cookie.name`.
    SessionCookieName,
    /// `transaction_cookie.prefix`.
    TransactionCookiePrefix,
    /// `transaction_cookie.max_pending`.
    TransactionCookieMaxPending,
    /// `logout_return_to_allow`.
    LogoutReturnToAllow,
    /// `sign_in_return_to_path`.
    SignInReturnToPath,
    /// `authorization_param("max_age", ..)`.
    MaxAge,
    /// `routes.login`.
    RouteLogin,
    /// `routes.logout`.
    RouteLogout,
    /// `routes.callback`.
    RouteCallback,
    /// `routes.profile`.
    RouteProfile,
    /// `routes.access_token`.
    RouteAccessToken,
    /// `routes.backchannel_logout`.
    RouteBackchannelLogout,
    /// `routes.connect_account`.
    RouteConnectAccount,
    /// `routes.mfa`.
    RouteMfa,
    /// `routes.my_account`.
    RouteMyAccount,
    /// `routes.my_org`.
    RouteMyOrg,
}

impl ConfigSetting {
    /// The environment variable that sets it, if any.
    pub fn env_var(self) -> Option<&'static str> {
        use ConfigSetting::*;
        Some(match self {
            Domain => "AUTH0_DOMAIN",
            ClientId => "AUTH0_CLIENT_ID",
            ClientSecret => "AUTH0_CLIENT_SECRET",
            Secret => "AUTH0_SECRET",
            AppBaseUrl => "APP_BASE_URL",
            Scope => "AUTH0_SCOPE",
            Audience => "AUTH0_AUDIENCE",
            ClientAuthMethod => "AUTH0_CLIENT_AUTH_METHOD",
            ClientAssertionSigningKey => "AUTH0_CLIENT_ASSERTION_SIGNING_KEY",
            ClientAssertionSigningAlg => "AUTH0_CLIENT_ASSERTION_SIGNING_ALG",
            ClientAssertionKeyId => "AUTH0_CLIENT_ASSERTION_KEY_ID",
            PushedAuthorizationRequests => "AUTH0_PUSHED_AUTHORIZATION_REQUESTS",
            UseDpop => "AUTH0_USE_DPOP",
            DpopPublicKey => "AUTH0_DPOP_PUBLIC_KEY",
            DpopPrivateKey => "AUTH0_DPOP_PRIVATE_KEY",
            DpopClockSkew => "AUTH0_DPOP_CLOCK_SKEW",
            DpopClockTolerance => "AUTH0_DPOP_CLOCK_TOLERANCE",
            RetryDelay => "AUTH0_RETRY_DELAY",
            RetryJitter => "AUTH0_RETRY_JITTER",
            MfaTokenTtl => "AUTH0_MFA_TOKEN_TTL",
            MfaContextTtl => "AUTH0_MFA_CONTEXT_TTL",
            EnableConnectAccountEndpoint => "AUTH0_ENABLE_CONNECT_ACCOUNT_ENDPOINT",
            EnableMyAccountProxy => "AUTH0_ENABLE_MY_ACCOUNT_PROXY",
            EnableMyOrgProxy => "AUTH0_ENABLE_MY_ORG_PROXY",
            LogoutStrategy => "AUTH0_LOGOUT_STRATEGY",
            IdTokenSigningAlg => "AUTH0_ID_TOKEN_SIGNING_ALG",
            BasePath => "AUTH0_BASE_PATH",
            CookieDomain => "AUTH0_COOKIE_DOMAIN",
            CookiePath => "AUTH0_COOKIE_PATH",
            CookieSecure => "AUTH0_COOKIE_SECURE",
            CookieSameSite => "AUTH0_COOKIE_SAME_SITE",
            CookieTransient => "AUTH0_COOKIE_TRANSIENT",
            HttpTimeout => "AUTH0_HTTP_TIMEOUT",
            EnableTelemetry => "AUTH0_ENABLE_TELEMETRY",
            AllowInsecureRequests => "AUTH0_ALLOW_INSECURE_REQUESTS",
            Production => "AUTH0_PRODUCTION",
            TrustProxy => "AUTH0_TRUST_PROXY",
            _ => return None,
        })
    }

    /// The builder option that sets it (a setter, or a field of the
    /// struct a whole-struct setter takes).
    pub fn option(self) -> &'static str {
        use ConfigSetting::*;
        match self {
            Domain => "domain",
            ClientId => "client_id",
            ClientSecret => "client_secret",
            Secret => "secret",
            AppBaseUrl => "app_base_url",
            Scope => "scope",
            Audience => "audience",
            ClientAuthMethod => "client_auth_method",
            ClientAssertionSigningKey => "client_assertion_signing_key",
            ClientAssertionSigningAlg => "client_assertion_signing_alg",
            ClientAssertionKeyId => "client_assertion_key_id",
            PushedAuthorizationRequests => "pushed_authorization_requests",
            UseDpop => "use_dpop",
            DpopPublicKey | DpopPrivateKey => "dpop_key_pair",
            DpopClockSkew => "dpop_clock_skew",
            DpopClockTolerance => "dpop_clock_tolerance",
            RetryDelay => "retry_delay",
            RetryJitter => "retry_jitter",
            MfaTokenTtl => "mfa_token_ttl",
            MfaContextTtl => "mfa_context_ttl",
            EnableConnectAccountEndpoint => "enable_connect_account_endpoint",
            EnableMyAccountProxy => "enable_my_account_proxy",
            EnableMyOrgProxy => "enable_my_org_proxy",
            LogoutStrategy => "logout_strategy",
            IdTokenSigningAlg => "id_token_signing_alg",
            BasePath => "base_path",
            CookieDomain => "cookie_domain",
            CookiePath => "cookie_path",
            CookieSecure => "cookie_secure",
            CookieSameSite => "cookie_same_site",
            CookieTransient => "cookie_transient",
            HttpTimeout => "http_timeout",
            EnableTelemetry => "enable_telemetry",
            AllowInsecureRequests => "allow_insecure_requests",
            Production => "production",
            TrustProxy => "trust_proxy",
            SessionAbsoluteDuration => "session.absolute_duration",
            SessionInactivityDuration => "session.inactivity_duration",
            SessionCookieName => "session.cookie.name",
            TransactionCookiePrefix => "transaction_cookie.prefix",
            TransactionCookieMaxPending => "transaction_cookie.max_pending",
            LogoutReturnToAllow => "logout_return_to_allow",
            SignInReturnToPath => "sign_in_return_to_path",
            MaxAge => "authorization_param(\"max_age\")",
            RouteLogin => "routes.login",
            RouteLogout => "routes.logout",
            RouteCallback => "routes.callback",
            RouteProfile => "routes.profile",
            RouteAccessToken => "routes.access_token",
            RouteBackchannelLogout => "routes.backchannel_logout",
            RouteConnectAccount => "routes.connect_account",
            RouteMfa => "routes.mfa",
            RouteMyAccount => "routes.my_account",
            RouteMyOrg => "routes.my_org",
        }
    }

    /// Whether its value is a secret, which no problem ever repeats.
    pub(crate) fn is_secret(self) -> bool {
        matches!(
            self,
            ConfigSetting::ClientSecret
                | ConfigSetting::Secret
                | ConfigSetting::ClientAssertionSigningKey
                | ConfigSetting::DpopPrivateKey
        )
    }
}

impl fmt::Display for ConfigSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.env_var() {
            Some(var) => write!(f, "{var} ({})", self.option()),
            None => f.write_str(self.option()),
        }
    }
}

/// The attribute that makes a `__Host-` session cookie impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostCookieConflict {
    /// A `Domain` is set.
    Domain,
    /// The `Path` is not `/`.
    Path,
    /// The cookie would not be `Secure` (`cookie_secure(false)`, or secure
    /// by scheme with an http base URL).
    NotSecure,
}

/// One thing wrong with the configuration. `Display` is one line that names
/// the variable and builder option concerned and never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// A required setting has no value (neither set on the builder nor in
    /// the environment).
    Missing {
        /// The setting.
        setting: ConfigSetting,
    },
    /// A setting has a value that cannot be used.
    Invalid {
        /// The setting.
        setting: ConfigSetting,
        /// The offending value, as given; always `None` for secrets.
        value: Option<String>,
        /// What the value must be, e.g. `"true or false"`.
        expected: &'static str,
    },
    /// The provider is reached over plain `http` without
    /// `AUTH0_ALLOW_INSECURE_REQUESTS=true`.
    InsecureProvider {
        /// The domain or issuer URL as given.
        domain: String,
    },
    /// A cookie secret is shorter than 32 characters.
    SecretTooShort {
        /// Position in the rotation list (0 = the newest, which encrypts).
        index: usize,
    },
    /// A cookie is explicitly not `Secure` in production while the base URL
    /// is inferred from the request.
    InsecureCookiesInProduction,
    /// `SameSite=None` on a session cookie that is explicitly not `Secure`.
    SameSiteNoneWithoutSecure,
    /// A `__Host-` session cookie name with an attribute that prefix
    /// forbids: browsers drop such a cookie unless it is `Secure`, has
    /// `Path=/` and no `Domain`.
    HostCookie {
        /// Which attribute conflicts.
        conflict: HostCookieConflict,
    },
    /// Neither a client secret nor a client assertion signing key is set:
    /// the application cannot authenticate to the provider.
    ClientCredentialsMissing,
    /// Both a client secret and a client assertion signing key are set:
    /// which one authenticates the application would be ambiguous.
    ClientCredentialsConflict,
    /// The HTTP client for the provider could not be built.
    HttpClient {
        /// Why, as reported by the HTTP library.
        reason: String,
    },
}

impl ConfigProblem {
    /// An [`Invalid`](Self::Invalid) problem; the value is dropped for secrets.
    pub(crate) fn invalid(
        setting: ConfigSetting,
        value: Option<&str>,
        expected: &'static str,
    ) -> Self {
        ConfigProblem::Invalid {
            setting,
            value: value
                .filter(|_| !setting.is_secret())
                .map(ToOwned::to_owned),
            expected,
        }
    }

    /// The setting the problem is about, when it is about one.
    pub fn setting(&self) -> Option<ConfigSetting> {
        match self {
            ConfigProblem::Missing { setting } | ConfigProblem::Invalid { setting, .. } => {
                Some(*setting)
            }
            ConfigProblem::InsecureProvider { .. } => Some(ConfigSetting::Domain),
            ConfigProblem::SecretTooShort { .. } => Some(ConfigSetting::Secret),
            ConfigProblem::InsecureCookiesInProduction => Some(ConfigSetting::CookieSecure),
            ConfigProblem::SameSiteNoneWithoutSecure => Some(ConfigSetting::CookieSameSite),
            ConfigProblem::HostCookie { conflict } => Some(match conflict {
                HostCookieConflict::Domain => ConfigSetting::CookieDomain,
                HostCookieConflict::Path => ConfigSetting::CookiePath,
                HostCookieConflict::NotSecure => ConfigSetting::CookieSecure,
            }),
            ConfigProblem::ClientCredentialsMissing | ConfigProblem::ClientCredentialsConflict => {
                Some(ConfigSetting::ClientSecret)
            }
            ConfigProblem::HttpClient { .. } => None,
        }
    }
}

const GENERATE_SECRET: &str = "generate one with `openssl rand -hex 32`";

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::Missing { setting } => {
                write!(f, "{setting} is required")?;
                if *setting == ConfigSetting::Secret {
                    write!(f, ": {GENERATE_SECRET}")?;
                }
                Ok(())
            }
            ConfigProblem::Invalid {
                setting,
                value,
                expected,
            } => {
                write!(f, "{setting} must be {expected}")?;
                match value {
                    Some(v) if !setting.is_secret() => write!(f, ", got {v:?}"),
                    _ => Ok(()),
                }
            }
            ConfigProblem::InsecureProvider { domain } => write!(
                f,
                "{} {domain:?} uses plain http; set {}=true only for a local test provider",
                ConfigSetting::Domain,
                ConfigSetting::AllowInsecureRequests
            ),
            ConfigProblem::SecretTooShort { index } => {
                write!(f, "{}", ConfigSetting::Secret)?;
                if *index > 0 {
                    write!(f, " #{}", index + 1)?;
                }
                write!(f, " must be at least 32 characters ({GENERATE_SECRET})")
            }
            ConfigProblem::InsecureCookiesInProduction => f.write_str(
                "insecure cookies (AUTH0_COOKIE_SECURE=false) are not allowed in production \
                 when APP_BASE_URL is inferred from the request",
            ),
            ConfigProblem::SameSiteNoneWithoutSecure => write!(
                f,
                "{}=none requires secure cookies",
                ConfigSetting::CookieSameSite
            ),
            ConfigProblem::HostCookie { conflict } => {
                let what = match conflict {
                    HostCookieConflict::Domain => format!("has {}", ConfigSetting::CookieDomain),
                    HostCookieConflict::Path => {
                        format!("has a {} other than /", ConfigSetting::CookiePath)
                    }
                    HostCookieConflict::NotSecure => format!(
                        "is not Secure ({} is false, or APP_BASE_URL is http)",
                        ConfigSetting::CookieSecure
                    ),
                };
                write!(
                    f,
                    "a __Host- session cookie (session.cookie.name) must be Secure with \
                     Path=/ and no Domain, and this one {what}"
                )
            }
            ConfigProblem::ClientCredentialsMissing => write!(
                f,
                "{} or {} is required",
                ConfigSetting::ClientSecret,
                ConfigSetting::ClientAssertionSigningKey
            ),
            ConfigProblem::ClientCredentialsConflict => write!(
                f,
                "{} and {} are both set; set only one (the signing key for private_key_jwt)",
                ConfigSetting::ClientSecret,
                ConfigSetting::ClientAssertionSigningKey
            ),
            ConfigProblem::HttpClient { reason } => {
                write!(
                    f,
                    "the HTTP client for the provider cannot be built: {reason}"
                )
            }
        }
    }
}

/// Every problem found in the configuration, reported together.
/// [`Display`](fmt::Display) prints one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    pub(crate) fn new(problems: Vec<ConfigProblem>) -> Self {
        Self { problems }
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        "invalid_configuration"
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid_configuration: auth0-leptos cannot start:")?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}
