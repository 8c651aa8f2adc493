import { expect, test } from "@playwright/test";
import { hydrated, logIn } from "./pages";

test("login from Home returns to Home and shows the user's name", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("main").getByRole("link", { name: "Sign up" })).toHaveAttribute("href", /screen_hint=signup/);
  await logIn(page);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator(".nav .who")).toHaveText("Test User");
});

test("login returns to the page that asked for it", async ({ page }) => {
  await page.goto("/server");
  await hydrated(page);
  await page.locator("#ask").click();
  await expect(page.locator("#answer .error")).toContainText("not_authenticated");
  await page.locator("#answer").getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/server$/);
  await page.locator("#ask").click();
  await expect(page.locator("#answer .ok")).toHaveText("Hello Test User, this message comes from a server function.");
});

test("a protected page is server-rendered with the user and hydrates", async ({ page }) => {
  await logIn(page);
  // The HTML as the server sends it already has the name: no loading flash.
  const html = await (await page.request.get("/profile")).text();
  expect(html).toContain("Test User");
  expect(html).toContain("test@example.test");
  // No extra profile request after hydration: the user came in the SSR payload.
  const profileRequests: string[] = [];
  page.on("request", (r) => { if (r.url().includes("/auth/profile")) profileRequests.push(r.url()); });
  await page.goto("/profile");
  await hydrated(page);
  await expect(page.locator("h1.name")).toHaveText("Test User");
  await page.locator("#toggle-claims").click();
  await expect(page.locator("#claims")).toContainText('"sub": "auth0|test-user"');
  expect(profileRequests).toEqual([]);
});

test("a protected page redirects through login and back to the same page and query", async ({ page }) => {
  const res = await page.request.get("/profile?tab=claims", { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  expect(res.headers()["location"]).toBe("/auth/login?returnTo=/profile%3Ftab%3Dclaims");
  await page.goto("/profile?tab=claims");
  await expect(page).toHaveURL(/\/profile\?tab=claims$/);
  await expect(page.locator("h1.name")).toHaveText("Test User");
});

test("client-side navigation to a protected page while logged out is a full-page login", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.locator(".nav").getByRole("link", { name: "Profile" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("h1.name")).toHaveText("Test User");
});

test("get_access_token in the browser returns a token the API accepts, and refreshes after expiry", async ({ page }) => {
  await logIn(page);
  await page.goto("/api");
  await hydrated(page);
  await page.locator("#call-api").click();
  await expect(page.locator("#api-result")).toContainText("HTTP 200");
  await expect(page.locator("#api-result")).toContainText("auth0|test-user");
  const first = await page.locator("#expires-at").getAttribute("data-token");
  expect(first).toBeTruthy();
  // The provider issues API tokens for 6 s in this run; wait past expiry.
  await page.waitForTimeout(7_000);
  await page.locator("#call-api").click();
  await expect(page.locator("#expires-at")).not.toHaveAttribute("data-token", first!);
  await expect(page.locator("#api-result")).toContainText("HTTP 200");
  await expect(page.locator("#token-error")).toHaveCount(0);
  // An explicit refresh works too.
  const second = await page.locator("#expires-at").getAttribute("data-token");
  await page.locator("#refresh-token").click();
  await expect(page.locator("#expires-at")).not.toHaveAttribute("data-token", second!);
  await expect(page.locator("#token-error")).toHaveCount(0);
});

test("one login gets tokens for two APIs (multi-resource refresh token)", async ({ page }) => {
  await logIn(page);
  await page.goto("/api");
  await hydrated(page);
  await page.locator("#call-api").click();
  await expect(page.locator("#api-result")).toContainText("HTTP 200");
  await page.locator("#call-reports").click();
  await expect(page.locator("#reports-result")).toContainText("HTTP 200");
  await expect(page.locator("#reports-result")).toContainText("https://reports.example.test/");
  await expect(page.locator("#reports-result")).toContainText("read:reports");
  // Each API still accepts only its own token.
  await page.locator("#call-api").click();
  await expect(page.locator("#api-result")).toContainText("HTTP 200");
});

test("logout clears the session and lands on the post-logout page", async ({ page, context }) => {
  await logIn(page);
  await page.locator("main").getByRole("link", { name: "Log out" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  await expect(page.locator("main").getByRole("link", { name: "Log in" })).toBeVisible();
  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.name.startsWith("__session"))).toEqual([]);
  const res = await page.request.get("/profile", { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  expect((await page.request.get("/auth/profile")).status()).toBe(401);
});

test("a server function that requires a user fails cleanly when logged out", async ({ page }) => {
  await page.goto("/server");
  await hydrated(page);
  await page.locator("#ask").click();
  await expect(page.locator("#answer .error")).toContainText("not_authenticated");
  await expect(page.locator("#answer .ok")).toHaveCount(0);
});

test("the server function's typed error reaches the browser as AuthError::NotAuthenticated", async ({ page }) => {
  await page.goto("/server");
  await hydrated(page);
  await page.locator("#ask").click();
  // Rendered only by the `Err(AuthError::NotAuthenticated)` match arm, not by
  // the generic error arm: the enum variant itself crossed the wire.
  await expect(page.locator("#not-authenticated")).toHaveAttribute("data-code", "not_authenticated");
  await logIn(page);
  await page.goto("/server");
  await hydrated(page);
  await page.locator("#ask").click();
  await expect(page.locator("#answer .ok")).toContainText("Hello Test User");
  await expect(page.locator("#not-authenticated")).toHaveCount(0);
});

test("nested pages of a protected parent route are guarded too", async ({ page }) => {
  const res = await page.request.get("/account/email", { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  expect(res.headers()["location"]).toBe("/auth/login?returnTo=/account/email");
  await page.goto("/account/email");
  await expect(page.locator("#account-email")).toHaveText("test@example.test (verified)");
  await page.getByRole("link", { name: "Summary" }).click();
  await expect(page.locator("#account-summary")).toHaveText("Signed in as Test User (auth0|test-user)");
});

test("use_user revalidates when the window regains focus", async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await expect(page.locator(".nav .who")).toHaveText("Test User");
  // The session ends elsewhere (another tab logs out).
  const other = await page.context().newPage();
  await other.goto("/auth/logout");
  await other.close();
  // Back on this tab: focus brings the state up to date without a reload.
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(page.locator(".nav").getByRole("link", { name: "Log in" })).toBeVisible();
});
