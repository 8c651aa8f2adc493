import { expect, test, type Page } from "@playwright/test";
import { hydrated, logIn } from "./pages";

// The demo runs with AUTH0_USE_DPOP=true against a provider that demands
// DPoP nonces: its access tokens are bound to the server's key.

async function callDpopApi(page: Page) {
  await page.goto("/dpop");
  await hydrated(page);
  await page.locator("#call-dpop").click();
  const result = page.locator("#dpop-result");
  await expect(result).toContainText("HTTP 200");
  await expect(result).toContainText("Hello from a DPoP-protected API route.");
  return JSON.parse((await result.textContent())!.split("\n").slice(1).join("\n"));
}

test("the DPoP page calls its API with a bound token, also after the token is refreshed", async ({ page }) => {
  await logIn(page);
  const first = await callDpopApi(page);
  expect(first.sub).toBe("auth0|test-user");
  expect(first.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // The session's token is DPoP-bound to the same key.
  const token = await (await page.request.get("/auth/access-token")).json();
  expect(token.token_type).toBe("DPoP");
  const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
  expect(claims.cnf.jkt).toBe(first.jkt);

  // A refresh (with a proof, through the provider's nonce) keeps the binding.
  const refreshed = await (await page.request.get("/auth/access-token?refresh=true")).json();
  expect(refreshed.token).not.toBe(token.token);
  expect(refreshed.token_type).toBe("DPoP");
  await page.reload();
  const second = await callDpopApi(page);
  expect(second.jkt).toBe(first.jkt);
});

test("the DPoP API refuses a bearer token and a token without a proof", async ({ page }) => {
  await logIn(page);
  const token = await (await page.request.get("/auth/access-token")).json();
  const bearer = await page.request.get("/api/dpop/messages", { headers: { authorization: `Bearer ${token.token}` } });
  expect(bearer.status()).toBe(401);
  // The token without the server's key: no proof can be made for it.
  const noProof = await page.request.get("/api/dpop/messages", { headers: { authorization: `DPoP ${token.token}` } });
  expect(noProof.status()).toBe(401);
  expect((await noProof.json()).code).toBe("dpop_proof_missing");
  // The demo's other API, behind the bearer guard, refuses the bound token as Bearer too.
  const messages = await page.request.get("/api/messages", { headers: { authorization: `Bearer ${token.token}` } });
  expect(messages.status()).toBe(401);
  expect((await messages.json()).error).toBe("invalid_token");
  expect(messages.headers()["www-authenticate"]).toContain('error="invalid_token"');
});
