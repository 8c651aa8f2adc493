import { defineConfig } from "@playwright/test";

// The release build of the demo against the local OpenID provider, on ports
// of their own so a running `scripts/demo.sh` does not interfere.
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3600);
const IDP_PORT = Number(process.env.E2E_IDP_PORT ?? 4600);
const APP = `http://127.0.0.1:${APP_PORT}`;
// A second demo, mounted under a base path (AUTH0_BASE_PATH=/app), with a
// provider of its own whose redirect URIs live under that path.
const BASE_APP_PORT = Number(process.env.E2E_BASE_APP_PORT ?? 3601);
const BASE_IDP_PORT = Number(process.env.E2E_BASE_IDP_PORT ?? 4601);
const BASE_APP = `http://127.0.0.1:${BASE_APP_PORT}`;

/** The local provider on `port`, for an app whose routes start at `appUrl`. */
function provider(port: number, appUrl: string, env: Record<string, string> = {}) {
  return {
    command: "node idp-server.mjs",
    cwd: "../dev-idp",
    url: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { IDP_PORT: String(port), APP_BASE_URL: appUrl, ...env },
  };
}

/** The release demo on `port`, logging in at the provider on `idpPort`. */
function demo(port: number, idpPort: number, env: Record<string, string> = {}) {
  const url = `http://127.0.0.1:${port}`;
  return {
    command: "target/release/demo-app",
    cwd: "..",
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      AUTH0_DOMAIN: `http://127.0.0.1:${idpPort}`,
      AUTH0_CLIENT_ID: "test-client-post",
      AUTH0_CLIENT_SECRET: "test-client-secret-0123456789abcdef",
      AUTH0_SECRET: "end-to-end-secret-0123456789abcdef0123",
      AUTH0_ALLOW_INSECURE_REQUESTS: "true",
      AUTH0_AUDIENCE: "https://api.example.test/",
      APP_BASE_URL: url,
      RUST_LOG: "warn",
      ...env,
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: APP,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      ],
    },
  },
  webServer: [
    // DPoP on, against a provider that demands DPoP nonces.
    provider(IDP_PORT, APP, { IDP_ACCESS_TOKEN_TTL: "6", IDP_DPOP_NONCE: "1" }),
    demo(APP_PORT, IDP_PORT, { AUTH0_USE_DPOP: "true" }),
    provider(BASE_IDP_PORT, `${BASE_APP}/app`),
    demo(BASE_APP_PORT, BASE_IDP_PORT, { AUTH0_BASE_PATH: "/app" }),
  ],
});
