//! Reading the `AUTH0_*` and `APP_BASE_URL` variables.

use std::time::Duration;

use super::builder::Auth0ConfigBuilder;
use crate::server::secret::Secret;

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Auth0ConfigBuilder {
    /// Fills every option not set yet from the environment:
    /// `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`, `AUTH0_SECRET`
    /// (several secrets may be given comma-separated, newest first),
    /// `APP_BASE_URL` (one URL or a comma-separated allow-list),
    /// `AUTH0_SCOPE`, `AUTH0_AUDIENCE`, `AUTH0_COOKIE_DOMAIN`, `AUTH0_COOKIE_PATH`,
    /// `AUTH0_COOKIE_TRANSIENT`, `AUTH0_COOKIE_SECURE`, `AUTH0_COOKIE_SAME_SITE`,
    /// `AUTH0_CLIENT_AUTH_METHOD` (`client_secret_post` | `client_secret_basic`),
    /// `AUTH0_LOGOUT_STRATEGY`, `AUTH0_BASE_PATH`, `AUTH0_HTTP_TIMEOUT` (ms),
    /// `AUTH0_ENABLE_TELEMETRY`, `AUTH0_ALLOW_INSECURE_REQUESTS`,
    /// `AUTH0_PRODUCTION` (default: release builds are production).
    pub fn from_env(mut self) -> Self {
        macro_rules! fill {
            ($field:expr, $var:literal) => {
                if $field.is_none() {
                    $field = env($var).map(Into::into);
                }
            };
        }
        fill!(self.domain, "AUTH0_DOMAIN");
        fill!(self.client_id, "AUTH0_CLIENT_ID");
        fill!(self.client_secret, "AUTH0_CLIENT_SECRET");
        fill!(self.app_base_url, "APP_BASE_URL");
        fill!(self.scope, "AUTH0_SCOPE");
        fill!(self.audience, "AUTH0_AUDIENCE");
        fill!(self.client_auth_method, "AUTH0_CLIENT_AUTH_METHOD");
        fill!(self.logout_strategy, "AUTH0_LOGOUT_STRATEGY");
        fill!(self.base_path, "AUTH0_BASE_PATH");
        fill!(self.cookie_secure_raw, "AUTH0_COOKIE_SECURE");
        fill!(self.cookie_same_site_raw, "AUTH0_COOKIE_SAME_SITE");
        fill!(self.cookie_transient_raw, "AUTH0_COOKIE_TRANSIENT");
        if self.secrets.is_empty() {
            if let Some(s) = env("AUTH0_SECRET") {
                self.secrets = s
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Secret::from)
                    .collect();
            }
        }
        if self.session.cookie.domain.is_none() {
            self.session.cookie.domain = env("AUTH0_COOKIE_DOMAIN");
        }
        if let Some(p) = env("AUTH0_COOKIE_PATH") {
            if self.session.cookie.path == "/" {
                self.session.cookie.path = p;
            }
        }
        let bools: [(&str, &mut Option<bool>); 3] = [
            ("AUTH0_ENABLE_TELEMETRY", &mut self.enable_telemetry),
            (
                "AUTH0_ALLOW_INSECURE_REQUESTS",
                &mut self.allow_insecure_requests,
            ),
            ("AUTH0_PRODUCTION", &mut self.production),
        ];
        for (var, slot) in bools {
            if slot.is_none() {
                if let Some(v) = env(var) {
                    match parse_bool(&v) {
                        Some(b) => *slot = Some(b),
                        None => self
                            .env_problems
                            .push(format!("{var} must be true or false, got {v:?}")),
                    }
                }
            }
        }
        if self.http_timeout.is_none() {
            if let Some(v) = env("AUTH0_HTTP_TIMEOUT") {
                match v.parse::<u64>() {
                    Ok(ms) if ms > 0 => self.http_timeout = Some(Duration::from_millis(ms)),
                    _ => self.env_problems.push(format!(
                        "AUTH0_HTTP_TIMEOUT must be a positive number of milliseconds, got {v:?}"
                    )),
                }
            }
        }
        self
    }
}
