import { expect, test } from "@playwright/test";
// The helper ships with the local provider's folder (its package's ./testing export).
import { sessionCookies } from "../../../../dev-idp/testing.mjs";
import { APP, SECRET } from "../playwright.config";

test("logged in by a session cookie: the protected page and its server function", async ({ context, page }) => {
  await context.addCookies(
    sessionCookies({
      secret: SECRET,
      url: APP,
      user: { sub: "auth0|cookie-user", name: "Cookie User", email: "cookie@example.test" },
    }),
  );
  await page.goto("/private");
  await expect(page.locator("h1")).toHaveText("Private: Cookie User");
  await expect(page.locator("body")).toContainText("A secret for Cookie User");
  const r = await page.request.post("/api/secret");
  expect(r.status()).toBe(200);
  expect(await r.json()).toBe("A secret for Cookie User");
});

test("through the local provider: login, the protected page and its server function", async ({ page }) => {
  // Not logged in: the protected page sends the browser to the provider,
  // which logs the test user in (login_hint picks another one).
  await page.goto("/private");
  await expect(page.locator("h1")).toHaveText("Private: Test User");
  await expect(page.locator("body")).toContainText("A secret for Test User");
  const r = await page.request.post("/api/secret");
  expect(await r.json()).toBe("A secret for Test User");
});

test("the provider logs in the app's own test user that a login_hint names", async ({ page }) => {
  await page.goto(`/auth/login?login_hint=${encodeURIComponent("auth0|alice")}&returnTo=/private`);
  await expect(page.locator("h1")).toHaveText("Private: Alice");
  await expect(page.locator("body")).toContainText("A secret for Alice");
});

test("without a session the server function refuses", async ({ request }) => {
  const r = await request.post("/api/secret");
  expect(r.status()).not.toBe(200);
  expect(JSON.stringify(await r.json())).toContain("NotAuthenticated");
});
