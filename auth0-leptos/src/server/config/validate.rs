//! [`Auth0ConfigBuilder::build`]: checks every setting and assembles the
//! [`Auth0Config`].

use std::time::Duration;

use url::Url;

use super::builder::Auth0ConfigBuilder;
use super::env::parse_bool;
use super::error::ConfigError;
use super::types::*;
use super::Auth0Config;

impl Auth0ConfigBuilder {
    /// Validates every setting and reports all problems together.
    pub fn build(self) -> Result<Auth0Config, ConfigError> {
        let mut problems = self.env_problems.clone();
        let production = self.production.unwrap_or(cfg!(not(debug_assertions)));
        let allow_insecure = self.allow_insecure_requests.unwrap_or(false);

        let issuer = match self.domain.as_deref() {
            None => {
                problems.push("AUTH0_DOMAIN (domain) is required".into());
                None
            }
            Some(d) => match parse_issuer(d) {
                Ok(u) => {
                    if u.scheme() == "http" && !allow_insecure {
                        problems.push(format!(
                            "AUTH0_DOMAIN {d:?} uses plain http; set AUTH0_ALLOW_INSECURE_REQUESTS=true only for a local test provider"
                        ));
                    }
                    Some(u)
                }
                Err(e) => {
                    problems.push(format!(
                        "AUTH0_DOMAIN {d:?} is not a valid domain or URL: {e}"
                    ));
                    None
                }
            },
        };
        let client_id = self.client_id.clone().unwrap_or_default();
        if client_id.is_empty() {
            problems.push("AUTH0_CLIENT_ID (client_id) is required".into());
        }
        let client_secret = self.client_secret.clone().unwrap_or_default();
        if client_secret.expose().is_empty() {
            problems.push("AUTH0_CLIENT_SECRET (client_secret) is required".into());
        }
        if self.secrets.is_empty() {
            problems.push(
                "AUTH0_SECRET (secret) is required: generate one with `openssl rand -hex 32`"
                    .into(),
            );
        }
        for (i, s) in self.secrets.iter().enumerate() {
            if s.expose().len() < 32 {
                problems.push(format!(
                    "AUTH0_SECRET{} must be at least 32 characters (generate one with `openssl rand -hex 32`)",
                    if i == 0 { String::new() } else { format!(" #{}", i + 1) }
                ));
            }
        }
        let client_auth_method = match self.client_auth_method.as_deref() {
            None | Some("client_secret_post") => ClientAuthMethod::ClientSecretPost,
            Some("client_secret_basic") => ClientAuthMethod::ClientSecretBasic,
            Some(other) => {
                problems.push(format!("AUTH0_CLIENT_AUTH_METHOD must be client_secret_post or client_secret_basic, got {other:?}"));
                ClientAuthMethod::default()
            }
        };

        let app_base_url = match self.app_base_url.as_deref() {
            None => AppBaseUrl::Inferred,
            Some(raw) => {
                let mut urls = Vec::new();
                for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match Url::parse(part) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                            urls.push(u)
                        }
                        _ => problems.push(format!(
                            "APP_BASE_URL entry {part:?} must be an absolute http(s) URL"
                        )),
                    }
                }
                match urls.len() {
                    0 => AppBaseUrl::Inferred,
                    1 => AppBaseUrl::Static(urls.remove(0)),
                    _ => AppBaseUrl::AllowList(urls),
                }
            }
        };

        let mut session = self.session.clone();
        if let Some(v) = &self.cookie_secure_raw {
            match parse_bool(v) {
                Some(b) => session.cookie.secure = session.cookie.secure.or(Some(b)),
                None => problems.push(format!(
                    "AUTH0_COOKIE_SECURE must be true or false, got {v:?}"
                )),
            }
        }
        if let Some(v) = &self.cookie_transient_raw {
            match parse_bool(v) {
                Some(b) => session.cookie.transient = session.cookie.transient || b,
                None => problems.push(format!(
                    "AUTH0_COOKIE_TRANSIENT must be true or false, got {v:?}"
                )),
            }
        }
        if let Some(v) = &self.cookie_same_site_raw {
            match SameSite::parse(v) {
                Some(s) => session.cookie.same_site = s,
                None => problems.push(format!(
                    "AUTH0_COOKIE_SAME_SITE must be lax, strict or none, got {v:?}"
                )),
            }
        }
        if session.absolute_duration.is_zero() || session.inactivity_duration.is_zero() {
            problems.push("session durations must be greater than zero".into());
        }
        if session.cookie.name.is_empty() || !is_cookie_name(&session.cookie.name) {
            problems.push(format!(
                "session cookie name {:?} is not a valid cookie name",
                session.cookie.name
            ));
        }
        if !is_cookie_name(&self.transaction_cookie.prefix) {
            problems.push(format!(
                "transaction cookie prefix {:?} is not a valid cookie name",
                self.transaction_cookie.prefix
            ));
        }
        if self.transaction_cookie.max_pending == 0 {
            problems.push("transaction_cookie.max_pending must be at least 1".into());
        }
        let inferred = matches!(app_base_url, AppBaseUrl::Inferred);
        if inferred
            && production
            && (session.cookie.secure == Some(false)
                || self.transaction_cookie.secure == Some(false))
        {
            problems.push(
                "insecure cookies (AUTH0_COOKIE_SECURE=false) are not allowed in production when APP_BASE_URL is inferred from the request".into(),
            );
        }
        if session.cookie.same_site == SameSite::None && session.cookie.secure == Some(false) {
            problems.push("AUTH0_COOKIE_SAME_SITE=none requires secure cookies".into());
        }

        let logout_strategy = match self.logout_strategy.as_deref() {
            None | Some("auto") => LogoutStrategy::Auto,
            Some("oidc") => LogoutStrategy::Oidc,
            Some("v2") => LogoutStrategy::V2,
            Some(other) => {
                problems.push(format!(
                    "AUTH0_LOGOUT_STRATEGY must be auto, oidc or v2, got {other:?}"
                ));
                LogoutStrategy::Auto
            }
        };

        let mut logout_allow = Vec::new();
        for raw in &self.logout_return_to_allow_list {
            match Url::parse(raw) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => logout_allow.push(u),
                _ => problems.push(format!(
                    "logout returnTo allow-list entry {raw:?} must be an absolute http(s) URL"
                )),
            }
        }

        let base_path = self.base_path.clone().unwrap_or_default();
        let base_path = base_path.trim_end_matches('/').to_owned();
        if !base_path.is_empty() && !base_path.starts_with('/') {
            problems.push(format!("AUTH0_BASE_PATH {base_path:?} must start with /"));
        }
        for (name, path) in [
            ("login", &self.routes.login),
            ("logout", &self.routes.logout),
            ("callback", &self.routes.callback),
            ("profile", &self.routes.profile),
            ("access_token", &self.routes.access_token),
            ("backchannel_logout", &self.routes.backchannel_logout),
        ] {
            if !path.starts_with('/') || path.len() < 2 {
                problems.push(format!(
                    "route {name} {path:?} must start with / and name a path"
                ));
            }
        }
        let sign_in_return_to_path = self
            .sign_in_return_to_path
            .clone()
            .unwrap_or_else(|| "/".into());
        if !sign_in_return_to_path.starts_with('/') || sign_in_return_to_path.starts_with("//") {
            problems.push(format!(
                "sign_in_return_to_path {sign_in_return_to_path:?} must be a path starting with /"
            ));
        }
        let mut extra = self.extra_params.clone();
        let scope = self
            .scope
            .clone()
            .or_else(|| extra.remove("scope"))
            .unwrap_or_else(|| DEFAULT_SCOPE.into());
        let audience = self.audience.clone().or_else(|| extra.remove("audience"));
        if let Some(ma) = extra.get("max_age") {
            if ma.parse::<u64>().is_err() {
                problems.push(format!(
                    "authorization parameter max_age must be a non-negative integer, got {ma:?}"
                ));
            }
        }

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Auth0Config {
            domain: self.domain.clone().unwrap_or_default(),
            issuer: issuer.expect("checked above"),
            client_id,
            client_secret,
            client_auth_method,
            secrets: self.secrets,
            app_base_url,
            authorization_parameters: AuthorizationParameters {
                scope: ensure_openid(&scope),
                audience,
                extra,
            },
            sign_in_return_to_path,
            session,
            transaction_cookie: self.transaction_cookie,
            enable_parallel_transactions: self.enable_parallel_transactions.unwrap_or(true),
            logout_strategy,
            include_id_token_hint_in_oidc_logout_url: self.include_id_token_hint.unwrap_or(true),
            logout_return_to_allow_list: logout_allow,
            http_timeout: self.http_timeout.unwrap_or(Duration::from_secs(5)),
            enable_telemetry: self.enable_telemetry.unwrap_or(true),
            enable_access_token_endpoint: self.enable_access_token_endpoint.unwrap_or(true),
            token_refresh_buffer: self.token_refresh_buffer.unwrap_or_default(),
            no_content_profile_response_when_unauthenticated: self
                .no_content_profile
                .unwrap_or(false),
            routes: self.routes,
            base_path,
            allow_insecure_requests: allow_insecure,
            production,
            before_session_saved: self.before_session_saved,
            on_callback: self.on_callback,
            session_store: self.session_store,
        })
    }
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
        assert_eq!(c.authorization_parameters.scope, DEFAULT_SCOPE);
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
                .scope,
            "openid email"
        );
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
