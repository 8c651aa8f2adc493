import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { hydrated } from "./pages";

// Step-up on the demo's MFA page: the provider (its MFA stand-in) answers
// mfa_required for https://mfa.example.test/ until the user verifies a
// second factor. Each run logs in as a user of its own, who has none yet.

/** RFC 6238 (HMAC-SHA1, 6 digits, 30 s) for a base32 secret. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, "0");
}

test("a user enrolls an authenticator app, verifies, and gets the step-up token", async ({ page }) => {
  const user = `mfa-e2e-${Date.now()}@example.test`;
  await page.goto(`/auth/login?login_hint=${encodeURIComponent(user)}&returnTo=/mfa`);
  await expect(page).toHaveURL(/\/mfa$/);
  await hydrated(page);

  await page.locator("#mfa-get-token").click();
  await expect(page.locator("#mfa-required")).toBeVisible();
  // The browser holds only the encrypted token: no provider token in the page.
  expect(await page.content()).not.toMatch(/mfa_[A-Za-z0-9_-]{20,}/);

  await page.locator("#mfa-enroll").click();
  const secret = (await page.locator("#mfa-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);

  // A wrong code is refused with the provider's reason.
  await page.locator("#mfa-code").fill("000000");
  await page.locator("#mfa-verify").click();
  await expect(page.locator("#mfa-error")).toContainText("mfa_verify_error");

  await page.locator("#mfa-code").fill(totp(secret));
  await page.locator("#mfa-verify").click();
  await expect(page.locator("#mfa-result")).toHaveText(
    /token for https:\/\/mfa\.example\.test\/ with scope .*read:secrets/,
  );

  // The token is in the session: the seeds' route hands it out now.
  const r = await page.request.get(`/auth/access-token?audience=${encodeURIComponent("https://mfa.example.test/")}&scope=read:secrets`);
  expect(r.status()).toBe(200);
  const claims = JSON.parse(Buffer.from((await r.json()).token.split(".")[1], "base64url").toString());
  expect(claims.aud).toContain("https://mfa.example.test/");
});

test("the access-token route answers a step-up with the seeds' 403 body", async ({ page }) => {
  const user = `mfa-route-${Date.now()}@example.test`;
  await page.goto(`/auth/login?login_hint=${encodeURIComponent(user)}`);
  const r = await page.request.get(`/auth/access-token?audience=${encodeURIComponent("https://mfa.example.test/")}`);
  expect(r.status()).toBe(403);
  const body = await r.json();
  expect(body.error).toBe("mfa_required");
  expect(body.mfa_token.split(".")).toHaveLength(5);
  expect(body.mfa_requirements.enroll[0].type).toBe("otp");
  const list = await page.request.get("/auth/mfa/authenticators", { headers: { authorization: `Bearer ${body.mfa_token}` } });
  expect(list.status()).toBe(200);
  expect(await list.json()).toEqual([]);
});
