import { expect, type Page } from "@playwright/test";

// Every test starts logged out (a fresh browser context). The local provider
// logs the user in without a form (user "Test User").

/** Logs in from Home and waits for the greeting. */
export async function logIn(page: Page) {
  await page.goto("/");
  await page.locator("main").getByRole("link", { name: "Log in" }).click();
  await expect(page.locator(".welcome")).toHaveText("Welcome, Test User!");
}

/** Waits until the WASM bundle has hydrated the page. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__leptos_hydrated === true || document.readyState === "complete");
  await page.waitForLoadState("networkidle");
}
