#!/usr/bin/env node
// Seals and opens session cookies with the real @auth0/nextjs-auth0 (v4), so
// auth0-leptos/tests/nextjs_compat.rs can check wire compatibility both ways.
//
//   node cookie.mjs seal <secret>         stdin: session JSON  -> stdout: cookie value
//                                         (generateSessionCookie: exp = now + 1 h)
//   node cookie.mjs seal-until <secret> <exp>
//                                         like seal, but with the lower-level
//                                         encrypt(payload, secret, exp) (used to
//                                         mint the committed test fixture)
//   node cookie.mjs open <secret>         stdin: cookie value  -> stdout: payload JSON
//                                         (exit 1 if it does not open)
//
// Needs `npm ci` in this directory first. `next`/`react` are peer
// dependencies that are deliberately not installed (.npmrc legacy-peer-deps);
// the two modules used here only need jose, @panva/hkdf, @edge-runtime/cookies.

const testingEntry = import.meta.resolve("@auth0/nextjs-auth0/testing"); // .../dist/testing/index.js
const { generateSessionCookie } = await import(testingEntry);
// dist/server/cookies.js is not in the package's "exports" map: import it by
// path, relative to the exported testing entry point.
const { encrypt, decrypt } = await import(new URL("../server/cookies.js", testingEntry).href);

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

function usage() {
  process.stderr.write(
    "usage: node cookie.mjs seal <secret> | seal-until <secret> <exp> | open <secret>\n"
  );
  process.exit(2);
}

const [cmd, secret, arg] = process.argv.slice(2);
if (!cmd || !secret) usage();

switch (cmd) {
  case "seal": {
    const session = JSON.parse(await readStdin());
    process.stdout.write(await generateSessionCookie(session, { secret }));
    break;
  }
  case "seal-until": {
    const exp = Number(arg);
    if (!Number.isInteger(exp)) usage();
    const payload = JSON.parse(await readStdin());
    process.stdout.write(await encrypt(payload, secret, exp));
    break;
  }
  case "open": {
    const value = (await readStdin()).trim();
    let result = null;
    try {
      result = await decrypt(value, secret);
    } catch (e) {
      process.stderr.write(`decrypt threw: ${e?.code ?? ""} ${e?.message ?? e}\n`);
      process.exit(1);
    }
    if (!result) {
      process.stderr.write("cookie did not open\n");
      process.exit(1);
    }
    process.stdout.write(
      JSON.stringify({ protectedHeader: result.protectedHeader, payload: result.payload })
    );
    break;
  }
  default:
    usage();
}
