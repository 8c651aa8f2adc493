//! The option types of the configuration.

use std::collections::BTreeMap;
use std::time::Duration;

use url::Url;

use super::error::{ConfigProblem, ConfigSetting};

/// Default scope requested at login.
pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";

/// `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// `SameSite=Lax` (default): sent on top-level navigations, which the
    /// callback from the provider is.
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None` (requires `Secure`).
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }

    /// `lax`, `strict` or `none`, in any case.
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Some(Self::Lax),
            "strict" => Some(Self::Strict),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// Which logout endpoint to send the user to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogoutStrategy {
    /// OIDC RP-initiated logout when the provider advertises an
    /// `end_session_endpoint`, else Auth0's `/v2/logout`.
    #[default]
    Auto,
    /// Always OIDC RP-initiated logout (an error when not available).
    Oidc,
    /// Always Auth0's `/v2/logout` (supports wildcard logout URLs).
    V2,
}

impl LogoutStrategy {
    /// `auto`, `oidc` or `v2`, in any case.
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "oidc" => Some(Self::Oidc),
            "v2" => Some(Self::V2),
            _ => None,
        }
    }
}

/// The algorithm ID tokens and logout tokens must be signed with
/// (`id_token_signing_alg`, `AUTH0_ID_TOKEN_SIGNING_ALG`; default `RS256`,
/// which Auth0 issues). Tokens in any other algorithm are refused, even
/// when the provider's key set has a key for it; `none` is never accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdTokenSigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Auth0's default).
    #[default]
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// HMAC with SHA-256, keyed with the client secret (an Auth0 application
    /// set to HS256). Only ever accepted when configured explicitly.
    HS256,
}

impl IdTokenSigningAlg {
    /// The algorithm's JOSE name, in any case.
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            "HS256" => Self::HS256,
            _ => return None,
        })
    }

    /// The JOSE name (`RS256`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::HS256 => "HS256",
        }
    }
}

/// The algorithm client assertions are signed with (private_key_jwt;
/// `client_assertion_signing_alg`, `AUTH0_CLIENT_ASSERTION_SIGNING_ALG`;
/// default `RS256`). It must suit the key (RSA for `RS*` / `PS*`, P-256
/// for `ES256`, P-384 for `ES384`) and be one the provider lists in
/// `token_endpoint_auth_signing_alg_values_supported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAssertionSigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[default]
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
}

impl ClientAssertionSigningAlg {
    /// The algorithm's JOSE name, in any case.
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            _ => return None,
        })
    }

    /// The JOSE name (`RS256`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
        }
    }

    pub(crate) fn jwt(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            Self::RS256 => A::RS256,
            Self::RS384 => A::RS384,
            Self::RS512 => A::RS512,
            Self::PS256 => A::PS256,
            Self::PS384 => A::PS384,
            Self::PS512 => A::PS512,
            Self::ES256 => A::ES256,
            Self::ES384 => A::ES384,
        }
    }

    fn is_ec(self) -> bool {
        matches!(self, Self::ES256 | Self::ES384)
    }
}

/// A client assertion signing key as configured: PEM text, or the path of
/// a PEM file. `Debug` never prints it.
#[derive(Clone, Default)]
pub(crate) struct SigningKeySource(String);

impl std::fmt::Debug for SigningKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeySource(redacted)")
    }
}

impl SigningKeySource {
    pub(crate) fn new(v: String) -> Self {
        Self(v)
    }

    /// The private key for `alg`: the PEM text itself when it starts with
    /// `-----BEGIN`, else the file it names. `Err` says what is wrong,
    /// without any of the key.
    /// The PEM text itself, or the text of the file it names (literal
    /// `\\n` escapes, as some `.env` files hold, become line breaks).
    pub(super) fn pem_text(&self) -> Result<String, &'static str> {
        let text = self.0.trim();
        let text = if text.starts_with("-----BEGIN") {
            text.to_owned()
        } else {
            std::fs::read_to_string(text)
                .map_err(|_| "PEM text, or the path of a readable PEM file")?
        };
        Ok(text.replace("\\n", "\n"))
    }

    pub(super) fn load(
        &self,
        alg: ClientAssertionSigningAlg,
    ) -> Result<jsonwebtoken::EncodingKey, &'static str> {
        let text = self.0.trim();
        let pem = if text.starts_with("-----BEGIN") {
            std::borrow::Cow::Borrowed(text)
        } else {
            std::borrow::Cow::Owned(
                std::fs::read_to_string(text)
                    .map_err(|_| "PEM text, or the path of a readable PEM file")?,
            )
        };
        let key = if alg.is_ec() {
            jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes())
        } else {
            jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        };
        let wrong = if alg.is_ec() {
            "an EC private key in PEM (PKCS#8) on the curve of the ES* signing algorithm"
        } else {
            "an RSA private key in PEM for the RS*/PS* signing algorithm"
        };
        let key = key.map_err(|_| wrong)?;
        // A key of the wrong type or curve only fails when used: sign once now.
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(alg.jwt()),
            &serde_json::json!({}),
            &key,
        )
        .map_err(|_| wrong)?;
        Ok(key)
    }
}

/// How the client authenticates at the token endpoint with its secret
/// (with a client assertion signing key it is always `private_key_jwt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` in the form body (nextjs-auth0's default).
    #[default]
    ClientSecretPost,
    /// HTTP Basic authentication.
    ClientSecretBasic,
}

impl ClientAuthMethod {
    /// `client_secret_post` or `client_secret_basic`, in any case.
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "client_secret_post" => Some(Self::ClientSecretPost),
            "client_secret_basic" => Some(Self::ClientSecretBasic),
            _ => None,
        }
    }
}

/// Where the application's base URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppBaseUrl {
    /// Inferred from `Host`, or from the last value of `X-Forwarded-Host` /
    /// `X-Forwarded-Proto` when `trust_proxy` is set.
    Inferred,
    /// One fixed URL.
    Static(Url),
    /// Several allowed origins; the request's origin must match one.
    AllowList(Vec<Url>),
}

impl AppBaseUrl {
    /// One absolute http(s) URL, or a comma-separated list of them (an
    /// allow-list); nothing at all means inferred. Every bad entry is a
    /// problem.
    pub(super) fn parse(raw: &str) -> Result<Self, Vec<ConfigProblem>> {
        let mut urls = Vec::new();
        let mut problems = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Url::parse(part) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    urls.push(u)
                }
                _ => problems.push(ConfigProblem::invalid(
                    ConfigSetting::AppBaseUrl,
                    Some(part),
                    "an absolute http(s) URL (or a comma-separated list of them)",
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(match urls.len() {
            0 => AppBaseUrl::Inferred,
            1 => AppBaseUrl::Static(urls.remove(0)),
            _ => AppBaseUrl::AllowList(urls),
        })
    }
}

/// The scope the app asks for: one string for every audience, or a scope
/// per API audience (the seeds' `authorizationParameters.scope` as a string
/// or as a map, for multi-resource refresh tokens).
///
/// ```
/// use auth0_leptos::server::Scope;
///
/// let one: Scope = "openid profile read:data".into();
/// assert_eq!(one.for_audience(Some("https://any.example.com/")), Some("openid profile read:data"));
///
/// let per_api: Scope = [
///     ("https://api.example.com/", "openid profile offline_access read:products"),
///     ("https://analytics.example.com/", "read:analytics"),
/// ]
/// .into();
/// assert_eq!(per_api.for_audience(Some("https://analytics.example.com/")), Some("read:analytics"));
/// assert_eq!(per_api.for_audience(Some("https://elsewhere.example.com/")), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The same scope for every audience (what `AUTH0_SCOPE` sets).
    All(String),
    /// A scope per audience identifier. The configured (default) audience's
    /// entry is the login's scope ([`DEFAULT_SCOPE`] when it has none); an
    /// access token for another audience asks for that audience's entry
    /// plus what the call asks for.
    PerAudience(BTreeMap<String, String>),
}

impl Scope {
    /// The configured scope for `audience`: the one string, or the map's
    /// entry (`None` for an audience the map does not name).
    pub fn for_audience(&self, audience: Option<&str>) -> Option<&str> {
        match self {
            Self::All(s) => Some(s),
            Self::PerAudience(map) => map.get(audience?).map(String::as_str),
        }
    }
}

impl Default for Scope {
    fn default() -> Self {
        Self::All(DEFAULT_SCOPE.into())
    }
}

impl From<&str> for Scope {
    fn from(s: &str) -> Self {
        Self::All(s.into())
    }
}

impl From<String> for Scope {
    fn from(s: String) -> Self {
        Self::All(s)
    }
}

impl From<BTreeMap<String, String>> for Scope {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self::PerAudience(map)
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Scope {
    fn from(entries: [(K, V); N]) -> Self {
        Self::PerAudience(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// Parameters sent to `/authorize`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationParameters {
    /// Scope (default [`DEFAULT_SCOPE`]); `openid` is always added to the
    /// login's scope.
    pub scope: Scope,
    /// API audience for the access token.
    pub audience: Option<String>,
    /// Any other parameter (`connection`, `organization`, `max_age`, ...).
    pub extra: BTreeMap<String, String>,
}

impl AuthorizationParameters {
    /// The scope asked for at login: the configured audience's scope (or
    /// the one string), with `openid`.
    pub fn login_scope(&self) -> &str {
        self.scope
            .for_audience(self.audience.as_deref())
            .unwrap_or(DEFAULT_SCOPE)
    }
}

/// Attributes of the session cookie. Each attribute that has a variable
/// also has its own builder setter (named in brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookieConfig {
    /// Cookie name (default `__session`). For https apps `__Host-session`
    /// is recommended: it must then be `Secure`, at `Path=/`, without `Domain`
    /// (checked when the configuration is built).
    pub name: String,
    /// `Domain` attribute (default none; `AUTH0_COOKIE_DOMAIN`,
    /// [`cookie_domain`](super::Auth0ConfigBuilder::cookie_domain)).
    pub domain: Option<String>,
    /// `Path` attribute (default `/`; `AUTH0_COOKIE_PATH`,
    /// [`cookie_path`](super::Auth0ConfigBuilder::cookie_path)).
    pub path: String,
    /// `Secure` attribute; `None` (default) = from the base URL's scheme
    /// (`AUTH0_COOKIE_SECURE`, [`cookie_secure`](super::Auth0ConfigBuilder::cookie_secure)).
    pub secure: Option<bool>,
    /// `SameSite` (default `Lax`; `AUTH0_COOKIE_SAME_SITE`,
    /// [`cookie_same_site`](super::Auth0ConfigBuilder::cookie_same_site)).
    pub same_site: SameSite,
    /// No `Max-Age`: the cookie ends with the browser session (default
    /// `false`; `AUTH0_COOKIE_TRANSIENT`,
    /// [`cookie_transient`](super::Auth0ConfigBuilder::cookie_transient)).
    pub transient: bool,
}

impl Default for SessionCookieConfig {
    fn default() -> Self {
        Self {
            name: "__session".into(),
            domain: None,
            path: "/".into(),
            secure: None,
            same_site: SameSite::Lax,
            transient: false,
        }
    }
}

/// Session lifetime and cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Extend the session on use, up to the absolute duration (default `true`).
    pub rolling: bool,
    /// Maximum session lifetime (default 3 days).
    pub absolute_duration: Duration,
    /// Idle time after which the session ends (default 1 day).
    pub inactivity_duration: Duration,
    /// A rolling session's cookie is re-issued at most this often (default
    /// 60 s): a request within this time of the last write sends no
    /// `Set-Cookie`, which saves re-sending ~1-4 kB per response. The idle
    /// timeout is therefore honoured to within this interval.
    pub rolling_interval: Duration,
    /// Cookie attributes.
    pub cookie: SessionCookieConfig,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            rolling: true,
            absolute_duration: Duration::from_secs(3 * 24 * 3600),
            inactivity_duration: Duration::from_secs(24 * 3600),
            rolling_interval: Duration::from_secs(60),
            cookie: SessionCookieConfig::default(),
        }
    }
}

/// Transaction cookies (`__txn_{state}`), which carry PKCE verifier, nonce and
/// returnTo from `/auth/login` to `/auth/callback`. No variable applies to
/// them (the `AUTH0_COOKIE_*` variables are for the session cookie only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionCookieConfig {
    /// Name prefix (default `__txn_`).
    pub prefix: String,
    /// Lifetime (default 1 hour).
    pub max_age: Duration,
    /// `SameSite` (default `Lax`; the callback is a cross-site top-level GET).
    pub same_site: SameSite,
    /// `Secure`; `None` = from the base URL's scheme.
    pub secure: Option<bool>,
    /// `Path` (default `/`).
    pub path: String,
    /// At most this many pending login transactions per browser (default 5):
    /// the oldest are deleted when a new login starts, so abandoned logins
    /// cannot grow the `Cookie` header until the server answers 431.
    pub max_pending: usize,
}

impl Default for TransactionCookieConfig {
    fn default() -> Self {
        Self {
            prefix: "__txn_".into(),
            max_age: Duration::from_secs(3600),
            same_site: SameSite::Lax,
            secure: None,
            path: "/".into(),
            max_pending: 5,
        }
    }
}

/// Paths of the authentication routes (before the base path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    /// Default `/auth/login`.
    pub login: String,
    /// Default `/auth/logout`.
    pub logout: String,
    /// Default `/auth/callback`.
    pub callback: String,
    /// Default `/auth/profile`.
    pub profile: String,
    /// Default `/auth/access-token`.
    pub access_token: String,
    /// Default `/auth/backchannel-logout`.
    pub backchannel_logout: String,
    /// Default `/auth/connect` (mounted with
    /// [`enable_connect_account_endpoint`](crate::server::Auth0ConfigBuilder::enable_connect_account_endpoint)).
    pub connect_account: String,
    /// Default `/auth/mfa`: the MFA routes are `{mfa}/authenticators`,
    /// `{mfa}/associate`, `{mfa}/challenge`, `{mfa}/verify`.
    pub mfa: String,
    /// Default `/me` (the My Account proxy, when enabled).
    pub my_account: String,
    /// Default `/my-org` (the My Organization proxy, when enabled).
    pub my_org: String,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            login: "/auth/login".into(),
            logout: "/auth/logout".into(),
            callback: "/auth/callback".into(),
            profile: "/auth/profile".into(),
            access_token: "/auth/access-token".into(),
            backchannel_logout: "/auth/backchannel-logout".into(),
            connect_account: "/auth/connect".into(),
            mfa: "/auth/mfa".into(),
            my_account: "/me".into(),
            my_org: "/my-org".into(),
        }
    }
}

/// The private_key_jwt credentials: the key, its algorithm, its `kid`.
/// `Debug` never prints the key.
#[derive(Clone)]
pub(crate) struct ClientAssertion {
    pub(crate) key: std::sync::Arc<jsonwebtoken::EncodingKey>,
    pub(crate) alg: ClientAssertionSigningAlg,
    pub(crate) kid: Option<String>,
}

impl std::fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAssertion")
            .field("key", &"redacted")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
    }
}

/// DPoP: the key pair and the timing settings. `Debug` shows only the
/// configured key's thumbprint (a generated key shows as such).
#[derive(Clone)]
pub(crate) struct DpopSettings {
    pub(crate) key: crate::server::crypto::dpop_key::DpopKeyPair,
    /// The key was generated at start-up (not configured).
    pub(crate) generated: bool,
    /// Seconds added to the clock in proofs' `iat`.
    pub(crate) clock_skew: i64,
    /// Clock difference tolerated when checking proofs' times.
    pub(crate) clock_tolerance: std::time::Duration,
    pub(crate) retry_delay: std::time::Duration,
    pub(crate) retry_jitter: bool,
}

impl std::fmt::Debug for DpopSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("DpopSettings");
        if self.generated {
            d.field("key", &"generated at start-up");
        } else {
            d.field("key", &self.key);
        }
        d.field("clock_skew", &self.clock_skew)
            .field("clock_tolerance", &self.clock_tolerance)
            .field("retry_delay", &self.retry_delay)
            .field("retry_jitter", &self.retry_jitter)
            .finish()
    }
}
