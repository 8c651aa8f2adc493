//! A background worker with no user: it gets a client-credentials token
//! for the API (`AUTH0_DOMAIN`, `AUTH0_M2M_CLIENT_ID`,
//! `AUTH0_M2M_CLIENT_SECRET`, `API_AUDIENCE`), cached and shared by its
//! calls, and calls `API_URL/messages` a few times. Exits non-zero when a
//! call fails.
//!
//! ```sh
//! AUTH0_DOMAIN=example.us.auth0.com AUTH0_M2M_CLIENT_ID=... AUTH0_M2M_CLIENT_SECRET=... \
//! API_AUDIENCE=https://api.example.com/ API_URL=http://127.0.0.1:3100 cargo run -p example-worker
//! ```

use auth0_leptos::server::ClientCredentials;

#[tokio::main]
async fn main() {
    let m2m = ClientCredentials::from_env().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let audience =
        std::env::var("API_AUDIENCE").unwrap_or_else(|_| "https://api.example.com/".into());
    let url = format!(
        "{}/messages",
        std::env::var("API_URL").unwrap_or_else(|_| "http://127.0.0.1:3100".into())
    );
    let http = reqwest::Client::new();
    for i in 1..=3 {
        match m2m.send_with_token(http.get(&url), &audience).await {
            Ok(r) if r.status().is_success() => {
                println!("call {i}: {}", r.text().await.unwrap_or_default());
            }
            Ok(r) => {
                eprintln!("call {i}: the API answered {}", r.status());
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("call {i}: {e}");
                std::process::exit(1);
            }
        }
    }
}
