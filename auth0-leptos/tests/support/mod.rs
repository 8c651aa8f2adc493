//! Test support: the local OpenID provider as a child process, a cookie jar
//! that drives the real router with `oneshot`, and a client that walks the
//! provider's redirects like a browser.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use auth0_leptos::server::{Auth0, Auth0ConfigBuilder, Auth0Session, RequireUser};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const APP: &str = "http://127.0.0.1:3000";
pub const SECRET: &str = "test-secret-0123456789abcdef0123456789";
pub const CLIENT_SECRET: &str = "test-client-secret-0123456789abcdef";

pub struct Idp {
    pub url: String,
    _child: Child,
}

/// The local OpenID provider (dev-idp/), started once per test binary. It
/// exits when this process does (its stdin closes).
pub fn idp() -> &'static Idp {
    idp_with_env(&[])
}

/// The local provider started with extra environment variables (only the
/// first call of a test binary starts it: call this before anything that
/// calls [`idp`]).
pub fn idp_with_env(extra_env: &[(&str, &str)]) -> &'static Idp {
    static IDP: OnceLock<Idp> = OnceLock::new();
    IDP.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dev-idp");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "the local provider's packages are missing: run `npm ci` in dev-idp/ (scripts/test.sh does)"
        );
        let port = free_port();
        let mut child = Command::new("node")
            .arg("idp-server.mjs")
            .current_dir(&dir)
            .env("IDP_PORT", port.to_string())
            .env("APP_BASE_URL", APP)
            .env("IDP_EXIT_ON_STDIN_CLOSE", "1")
            // The private_key_jwt client's keys (the tests sign with the private halves).
            .env("IDP_CLIENT_KEYS", format!("{},{}", fixture(RSA_CLIENT_KEY), fixture(EC_CLIENT_KEY)))
            .envs(extra_env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node dev-idp/idp-server.mjs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                if line.contains("listening") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(30)).expect("local provider did not start");
        Idp { url: format!("http://127.0.0.1:{port}"), _child: child }
    })
}

/// The private_key_jwt client's RSA key (PEM file in `tests/fixtures/`).
pub const RSA_CLIENT_KEY: &str = "test-rsa-key-1.pem";
/// The private_key_jwt client's P-256 key (PKCS#8 PEM file in `tests/fixtures/`).
pub const EC_CLIENT_KEY: &str = "test-ec-p256-key.pem";

/// The path of a file in `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Configuration for the local provider's private_key_jwt client (no secret).
pub fn pkjwt_config() -> Auth0ConfigBuilder {
    auth0_leptos::server::Auth0Config::builder()
        .domain(idp().url.clone())
        .client_id("test-client-pkjwt")
        .client_assertion_signing_key(fixture(RSA_CLIENT_KEY))
        .secret(SECRET)
        .app_base_url(APP)
        .allow_insecure_requests(true)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Configuration for the local provider's `client_secret_post` client.
pub fn idp_config() -> Auth0ConfigBuilder {
    idp_config_with_secrets(&[SECRET])
}

/// The same, with these cookie secrets (the first one seals).
pub fn idp_config_with_secrets(secrets: &[&str]) -> Auth0ConfigBuilder {
    secrets.iter().fold(
        auth0_leptos::server::Auth0Config::builder()
            .domain(idp().url.clone())
            .client_id("test-client-post")
            .client_secret(CLIENT_SECRET)
            .app_base_url(APP)
            .allow_insecure_requests(true),
        |b, s| b.secret(*s),
    )
}

/// The app the tests drive: the SDK's routes plus a few pages of our own.
pub fn app(auth0: &Auth0) -> Router {
    Router::new()
        .route(
            "/",
            get(|s: Auth0Session| async move {
                match s.user() {
                    Some(u) => format!("Welcome, {}", u.display_name()),
                    None => "anonymous".to_owned(),
                }
            }),
        )
        .route("/api/me", get(|RequireUser(u): RequireUser| async move { Json(u) }))
        .route(
            "/public-asset",
            get(|| async { ([("cache-control", "public, max-age=60")], "asset") }),
        )
        .route(
            "/update",
            get(|s: Auth0Session, axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>| async move {
                let Some(mut data) = s.get() else { return StatusCode::UNAUTHORIZED };
                let size: usize = q.get("size").and_then(|v| v.parse().ok()).unwrap_or(10);
                data.extra.insert("note".into(), serde_json::Value::String("n".repeat(size)));
                s.update(data).unwrap();
                StatusCode::OK
            }),
        )
        .route(
            "/server-token",
            get(|s: Auth0Session| async move {
                match s.access_token(Default::default()).await {
                    Ok(t) => (StatusCode::OK, t.token.secret().to_owned()),
                    Err(e) => (StatusCode::UNAUTHORIZED, e.code().to_owned()),
                }
            }),
        )
        .merge(auth0.router())
        .layer(auth0.layer())
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The Set-Cookie line for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// A browser for the app: keeps cookies, sends requests through the router.
pub struct Browser {
    pub router: Router,
    pub jar: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
    idp: reqwest::Client,
}

impl Browser {
    pub fn new(router: Router) -> Self {
        let idp = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Self {
            router,
            jar: BTreeMap::new(),
            headers: Vec::new(),
            idp,
        }
    }

    /// Forgets the provider's cookies (its login session), like another browser profile.
    pub fn forget_provider_session(&mut self) {
        self.idp = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
    }

    pub fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<(&str, String)>,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:3000");
        if !self.jar.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = match body {
            Some((ct, b)) => req.header("content-type", ct).body(Body::from(b)).unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        let r = TestResponse {
            status,
            headers,
            body,
        };
        self.store(&r);
        r
    }

    /// The session in this browser's jar (whole or chunked), opened with [`SECRET`].
    pub fn session(&self) -> auth0_leptos::server::SessionData {
        let value = match self.jar.get("__session") {
            Some(v) => v.clone(),
            None => (0..)
                .map_while(|i| self.jar.get(&format!("__session__{i}")).cloned())
                .collect(),
        };
        auth0_leptos::server::testing::open_session_cookie(&value, SECRET)
            .expect("a session cookie")
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send("GET", path, None).await
    }

    pub fn store(&mut self, r: &TestResponse) {
        for c in r.set_cookies() {
            let first = c.split(';').next().unwrap();
            let (name, value) = first.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    /// Follows the provider's redirects from `authorize_url` until it sends
    /// the browser back to the app; returns that URL's path and query.
    pub async fn through_provider(&self, authorize_url: &str) -> String {
        let mut url = authorize_url.to_owned();
        for _ in 0..20 {
            if let Some(rest) = url.strip_prefix(APP) {
                return rest.to_owned();
            }
            let res = self.idp.get(&url).send().await.unwrap();
            let status = res.status();
            let loc = res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned());
            match loc {
                Some(l) if status.is_redirection() => {
                    url = reqwest::Url::parse(&url)
                        .unwrap()
                        .join(&l)
                        .unwrap()
                        .to_string();
                }
                _ => panic!(
                    "provider answered {status} at {url}: {}",
                    res.text().await.unwrap_or_default()
                ),
            }
        }
        panic!("too many redirects at the provider");
    }

    /// Logs in through `login_path` (e.g. `/auth/login?returnTo=/x`) and
    /// returns the callback's response.
    pub async fn login(&mut self, login_path: &str) -> TestResponse {
        let r = self.get(login_path).await;
        assert_eq!(
            r.status,
            StatusCode::FOUND,
            "login answered {}: {}",
            r.status,
            r.body
        );
        let back = self.through_provider(r.location()).await;
        self.get(&back).await
    }
}

/// Query parameters of a URL.
pub fn query(url: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// A `redis-server` of the test's own on a free loopback port; stopped when dropped.
pub struct RedisServer {
    child: Child,
    pub url: String,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/install-tools.sh installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}/0"),
        }
    }

    /// Freezes the server (SIGSTOP): it stops answering but keeps its data,
    /// an outage the store comes back from with every record intact.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a server frozen by [`Self::pause`].
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig} redis-server");
    }

    /// Stops the server now (an outage).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The claims of a JWT, read without checking it (for asserting on tokens
/// the tests received).
pub fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}
