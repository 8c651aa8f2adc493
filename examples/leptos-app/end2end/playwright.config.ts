import { defineConfig } from "@playwright/test";

// The app's own end-to-end tests, the way an app that uses auth0-leptos
// sets them up: the local OpenID provider (the repository's dev-idp/
// folder, an npm package of its own) and the app's server, on ports of
// their own, with the environment the app reads.
const APP_PORT = Number(process.env.EXAMPLE_APP_PORT ?? 3700);
const IDP_PORT = Number(process.env.EXAMPLE_IDP_PORT ?? 4700);
export const APP = `http://127.0.0.1:${APP_PORT}`;
export const SECRET = "example-app-secret-0123456789abcdef0123";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: APP,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    },
  },
  webServer: [
    {
      // One command, a port, the app's callback URL. Short API token
      // lifetimes (IDP_ACCESS_TOKEN_TTL) would exercise refreshes.
      command: "node idp-server.mjs",
      cwd: "../../../dev-idp",
      url: `http://127.0.0.1:${IDP_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      // The app's own test users and their claims (IDP_USERS, JSON or a file).
      env: {
        IDP_PORT: String(IDP_PORT),
        APP_BASE_URL: APP,
        IDP_USERS: JSON.stringify({ "auth0|alice": { name: "Alice", email: "alice@example.test", "https://example.com/roles": ["admin"] } }),
      },
    },
    {
      command: process.env.EXAMPLE_APP_BIN ?? "../../../target/debug/example-leptos",
      url: `${APP}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        AUTH0_DOMAIN: `http://127.0.0.1:${IDP_PORT}`,
        AUTH0_ALLOW_INSECURE_REQUESTS: "true", // the local provider is plain http: tests only
        AUTH0_CLIENT_ID: "test-client-post",
        AUTH0_CLIENT_SECRET: "test-client-secret-0123456789abcdef",
        AUTH0_SECRET: SECRET,
        APP_BASE_URL: APP,
        LEPTOS_SITE_ADDR: `127.0.0.1:${APP_PORT}`,
        LEPTOS_OUTPUT_NAME: "example-leptos",
        RUST_LOG: "warn",
      },
    },
  ],
});
