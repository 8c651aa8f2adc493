//! Reading the `AUTH0_*` and `APP_BASE_URL` variables into typed values.
//! Nothing here decides anything: [`EnvValues`] records what the environment
//! says, and `Auth0ConfigBuilder::build` applies the precedence rule.

use std::time::Duration;

use super::error::{ConfigProblem, ConfigSetting};
use super::types::{
    AppBaseUrl, ClientAssertionSigningAlg, ClientAuthMethod, IdTokenSigningAlg, LogoutStrategy,
    SameSite, SigningKeySource,
};
use crate::secret::{ClientSecret, CookieSecret};

/// A value read from one variable: parsed, or the problems found in it.
pub(super) type Parsed<T> = Result<T, Vec<ConfigProblem>>;

/// What the environment says. `None` = the variable is unset or empty.
/// A variable that does not parse keeps its problems until `build`, which
/// reports them only when the builder has no value for that setting.
#[derive(Debug, Clone, Default)]
pub(crate) struct EnvValues {
    pub(super) domain: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<ClientSecret>,
    pub(super) secrets: Option<Vec<CookieSecret>>,
    pub(super) app_base_url: Option<Parsed<AppBaseUrl>>,
    pub(super) scope: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) client_auth_method: Option<Parsed<ClientAuthMethod>>,
    pub(super) client_assertion_signing_key: Option<SigningKeySource>,
    pub(super) client_assertion_signing_alg: Option<Parsed<ClientAssertionSigningAlg>>,
    pub(super) client_assertion_key_id: Option<String>,
    pub(super) pushed_authorization_requests: Option<Parsed<bool>>,
    pub(super) use_dpop: Option<Parsed<bool>>,
    pub(super) dpop_public_key: Option<String>,
    pub(super) dpop_private_key: Option<SigningKeySource>,
    pub(super) dpop_clock_skew: Option<Parsed<i64>>,
    pub(super) dpop_clock_tolerance: Option<Parsed<Duration>>,
    pub(super) retry_delay: Option<Parsed<Duration>>,
    pub(super) retry_jitter: Option<Parsed<bool>>,
    pub(super) mfa_token_ttl: Option<Parsed<Duration>>,
    pub(super) mfa_context_ttl: Option<Parsed<Duration>>,
    pub(super) enable_connect_account_endpoint: Option<Parsed<bool>>,
    pub(super) enable_my_account_proxy: Option<Parsed<bool>>,
    pub(super) enable_my_org_proxy: Option<Parsed<bool>>,
    pub(super) logout_strategy: Option<Parsed<LogoutStrategy>>,
    pub(super) id_token_signing_alg: Option<Parsed<IdTokenSigningAlg>>,
    pub(super) base_path: Option<String>,
    pub(super) cookie_domain: Option<String>,
    pub(super) cookie_path: Option<String>,
    pub(super) cookie_secure: Option<Parsed<bool>>,
    pub(super) cookie_same_site: Option<Parsed<SameSite>>,
    pub(super) cookie_transient: Option<Parsed<bool>>,
    pub(super) http_timeout: Option<Parsed<Duration>>,
    pub(super) enable_telemetry: Option<Parsed<bool>>,
    pub(super) allow_insecure_requests: Option<Parsed<bool>>,
    pub(super) production: Option<Parsed<bool>>,
    pub(super) trust_proxy: Option<Parsed<bool>>,
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), in any case.
fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A positive number of milliseconds.
fn parse_millis(v: &str) -> Option<Duration> {
    v.parse::<u64>()
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
}

/// A whole number of seconds, possibly negative.
fn parse_signed_seconds(v: &str) -> Option<i64> {
    v.parse::<i64>().ok().filter(|s| s.abs() <= 86_400)
}

/// A non-negative whole number of seconds.
fn parse_seconds(v: &str) -> Option<Duration> {
    v.parse::<u64>()
        .ok()
        .filter(|s| *s <= 86_400)
        .map(Duration::from_secs)
}

/// A positive whole number of seconds.
fn parse_positive_seconds(v: &str) -> Option<Duration> {
    parse_seconds(v).filter(|d| !d.is_zero())
}

/// A non-negative number of milliseconds.
fn parse_millis_or_zero(v: &str) -> Option<Duration> {
    v.parse::<u64>()
        .ok()
        .filter(|ms| *ms <= 60_000)
        .map(Duration::from_millis)
}

/// Looks variables up by setting.
struct Reader<F>(F);

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    /// The trimmed value of `setting`'s variable; empty means unset.
    fn string(&self, setting: ConfigSetting) -> Option<String> {
        let name = setting.env_var().expect("a setting with a variable");
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The value of `setting`'s variable parsed by `parse`; a value it
    /// rejects is an `Invalid` problem saying what was `expected`.
    fn typed<T>(
        &self,
        setting: ConfigSetting,
        expected: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Parsed<T>> {
        self.string(setting).map(|v| {
            parse(&v).ok_or_else(|| vec![ConfigProblem::invalid(setting, Some(&v), expected)])
        })
    }

    fn boolean(&self, setting: ConfigSetting) -> Option<Parsed<bool>> {
        self.typed(setting, "true or false", parse_bool)
    }
}

impl EnvValues {
    /// Reads every variable through `lookup` (values are trimmed; empty
    /// means unset).
    pub(crate) fn read(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let env = Reader(lookup);
        Self {
            domain: env.string(ConfigSetting::Domain),
            client_id: env.string(ConfigSetting::ClientId),
            client_secret: env
                .string(ConfigSetting::ClientSecret)
                .map(ClientSecret::from),
            secrets: env
                .string(ConfigSetting::Secret)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(CookieSecret::from)
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty()),
            app_base_url: env
                .string(ConfigSetting::AppBaseUrl)
                .map(|v| AppBaseUrl::parse(&v)),
            scope: env.string(ConfigSetting::Scope),
            audience: env.string(ConfigSetting::Audience),
            client_auth_method: env.typed(
                ConfigSetting::ClientAuthMethod,
                "client_secret_post or client_secret_basic",
                ClientAuthMethod::parse,
            ),
            client_assertion_signing_key: env
                .string(ConfigSetting::ClientAssertionSigningKey)
                .map(SigningKeySource::new),
            client_assertion_signing_alg: env.typed(
                ConfigSetting::ClientAssertionSigningAlg,
                "RS256, RS384, RS512, PS256, PS384, PS512, ES256 or ES384",
                ClientAssertionSigningAlg::parse,
            ),
            client_assertion_key_id: env.string(ConfigSetting::ClientAssertionKeyId),
            pushed_authorization_requests: env.boolean(ConfigSetting::PushedAuthorizationRequests),
            use_dpop: env.boolean(ConfigSetting::UseDpop),
            dpop_public_key: env.string(ConfigSetting::DpopPublicKey),
            dpop_private_key: env
                .string(ConfigSetting::DpopPrivateKey)
                .map(SigningKeySource::new),
            dpop_clock_skew: env.typed(
                ConfigSetting::DpopClockSkew,
                "a whole number of seconds (-86400 to 86400)",
                parse_signed_seconds,
            ),
            dpop_clock_tolerance: env.typed(
                ConfigSetting::DpopClockTolerance,
                "a whole number of seconds (0 to 86400)",
                parse_seconds,
            ),
            retry_delay: env.typed(
                ConfigSetting::RetryDelay,
                "a number of milliseconds (0 to 60000)",
                parse_millis_or_zero,
            ),
            retry_jitter: env.boolean(ConfigSetting::RetryJitter),
            mfa_token_ttl: env.typed(
                ConfigSetting::MfaTokenTtl,
                "a whole number of seconds (1 to 86400)",
                parse_positive_seconds,
            ),
            mfa_context_ttl: env.typed(
                ConfigSetting::MfaContextTtl,
                "a whole number of seconds (1 to 86400)",
                parse_positive_seconds,
            ),
            enable_connect_account_endpoint: env
                .boolean(ConfigSetting::EnableConnectAccountEndpoint),
            enable_my_account_proxy: env.boolean(ConfigSetting::EnableMyAccountProxy),
            enable_my_org_proxy: env.boolean(ConfigSetting::EnableMyOrgProxy),
            logout_strategy: env.typed(
                ConfigSetting::LogoutStrategy,
                "auto, oidc or v2",
                LogoutStrategy::parse,
            ),
            id_token_signing_alg: env.typed(
                ConfigSetting::IdTokenSigningAlg,
                "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or HS256",
                IdTokenSigningAlg::parse,
            ),
            base_path: env.string(ConfigSetting::BasePath),
            cookie_domain: env.string(ConfigSetting::CookieDomain),
            cookie_path: env.string(ConfigSetting::CookiePath),
            cookie_secure: env.boolean(ConfigSetting::CookieSecure),
            cookie_same_site: env.typed(
                ConfigSetting::CookieSameSite,
                "lax, strict or none",
                SameSite::parse,
            ),
            cookie_transient: env.boolean(ConfigSetting::CookieTransient),
            http_timeout: env.typed(
                ConfigSetting::HttpTimeout,
                "a positive number of milliseconds",
                parse_millis,
            ),
            enable_telemetry: env.boolean(ConfigSetting::EnableTelemetry),
            allow_insecure_requests: env.boolean(ConfigSetting::AllowInsecureRequests),
            production: env.boolean(ConfigSetting::Production),
            trust_proxy: env.boolean(ConfigSetting::TrustProxy),
        }
    }
}
