import { test, expect, Page } from "@playwright/test";

// The demo mounted under a base path (AUTH0_BASE_PATH=/app): pages, the
// /auth routes, the callback and logout all live under /app.
const APP = `http://127.0.0.1:${Number(process.env.E2E_BASE_APP_PORT ?? 3601)}`;
test.use({ baseURL: APP });

async function hydrated(page: Page) {
  await page.waitForFunction(() => document.readyState === "complete");
  await page.waitForLoadState("networkidle");
}

test("under a base path: login, callback, a token in the browser, logout", async ({ page, context }) => {
  await page.goto("/app");
  await hydrated(page);
  const login = page.locator("main").getByRole("link", { name: "Log in" });
  await expect(login).toHaveAttribute("href", /^\/app\/auth\/login/);
  await login.click();
  // The callback is /app/auth/callback; the default landing page is /app.
  await expect(page).toHaveURL(`${APP}/app`);
  await expect(page.locator(".welcome")).toHaveText("Welcome, Test User!");

  // A protected page under the base path, and an access token in the browser.
  await page.goto("/app/api");
  await hydrated(page);
  await page.locator("#call-api").click();
  await expect(page.locator("#api-result")).toContainText("HTTP 200");
  await expect(page.locator("#token-error")).toHaveCount(0);

  // Logged out, a protected page under the base path goes through login.
  await page.goto("/app/auth/logout?returnTo=/app");
  await expect(page).toHaveURL(`${APP}/app`);
  await expect(page.locator("main").getByRole("link", { name: "Log in" })).toBeVisible();
  expect((await context.cookies()).filter((c) => c.name.startsWith("__session"))).toEqual([]);
  const res = await page.request.get("/app/profile", { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  expect(res.headers()["location"]).toBe("/app/auth/login?returnTo=/app/profile");
});
