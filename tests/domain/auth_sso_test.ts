/** Host-application sign-in: the JWT checks (HS256, RS256/ES256 through a JWKS URL) and user provisioning. */
import assert from "node:assert/strict";
import * as jose from "jose";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as auth from "../../domain/auth.ts";
import type { Config } from "../../config.ts";
import type { Db } from "../../db/client.ts";

const SECRET = "a-shared-secret-of-enough-length-0123456789";
const ctx = { ip: "10.0.0.1", userAgent: "test" };
const now = () => Math.floor(Date.now() / 1000);

const sso = (over: Partial<Config["sso"]>): Partial<Config> => ({
  sso: { maxLifetimeSeconds: 600, ...over },
});

function hs256(
  claims: jose.JWTPayload,
  secret = SECRET,
  header: jose.JWTHeaderParameters = { alg: "HS256" },
) {
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
}

const claims = (extra: jose.JWTPayload = {}): jose.JWTPayload => ({
  sub: "host-42",
  name: "Jane Smith",
  email: "jane@host.example",
  roles: ["staff"],
  iat: now(),
  exp: now() + 300,
  jti: crypto.randomUUID(),
  ...extra,
});

/** An unsigned token, `alg: none`. */
function unsigned(payload: jose.JWTPayload) {
  const b64 = (o: unknown) => jose.base64url.encode(JSON.stringify(o));
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
}

async function withJwks<T>(keys: jose.JWK[], fn: (url: string) => Promise<T>): Promise<T> {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ keys }),
  );
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}/jwks.json`);
  } finally {
    await server.shutdown();
  }
}

async function keyPair(alg: "RS256" | "ES256", kid: string) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" };
  return { privateKey, publicKey, jwk };
}

const signWith = (key: CryptoKey, alg: string, kid: string, c = claims()) =>
  new jose.SignJWT(c).setProtectedHeader({ alg, kid }).sign(key);

async function hsFixture(db: Db) {
  return await fixture(db, { config: sso({ hsSecret: SECRET }) });
}

dbTest("an HS256 token creates the user on first sight and updates it later", async (db) => {
  const f = await hsFixture(db);
  const s = await auth.ssoExchange(f.deps, { token: await hs256(claims()) }, ctx);
  assert.equal(s.user.displayName, "Jane Smith");
  assert.equal(s.user.username, "jane");
  assert.equal(s.user.role, "member");
  assert.equal((await auth.authenticate(f.deps, s.token))?.userId, s.user.id);
  const again = await auth.ssoExchange(
    f.deps,
    { token: await hs256(claims({ name: "Jane Wilson", roles: ["moderator"] })) },
    ctx,
  );
  assert.equal(again.user.id, s.user.id);
  assert.equal(again.user.displayName, "Jane Wilson");
  assert.equal(again.user.role, "moderator");
  // A different host user with a clashing username gets a distinct one.
  const other = await auth.ssoExchange(f.deps, { token: await hs256(claims({ sub: "host-43" })) }, ctx);
  assert.notEqual(other.user.id, s.user.id);
  assert.notEqual(other.user.username, "jane");
});

dbTest("alg none, a wrong secret, and tampering are rejected", async (db) => {
  const f = await hsFixture(db);
  await refused(auth.ssoExchange(f.deps, { token: unsigned(claims()) }, ctx), 401, "unauthenticated");
  await refused(
    auth.ssoExchange(f.deps, { token: await hs256(claims(), "another-secret-another-secret-000") }, ctx),
    401,
  );
  const good = await hs256(claims());
  const [h, , sig] = good.split(".");
  const forged = `${h}.${jose.base64url.encode(JSON.stringify(claims({ roles: ["admin"] })))}.${sig}`;
  await refused(auth.ssoExchange(f.deps, { token: forged }, ctx), 401);
  await refused(auth.ssoExchange(f.deps, { token: "not-a-jwt-at-all" }, ctx), 401);
  await refused(auth.ssoExchange(f.deps, { token: 42 }, ctx), 400, "invalid_input");
  assert.equal((await db.query("SELECT 1 FROM users WHERE external_id IS NOT NULL")).length, 0);
});

dbTest("expired, too long-lived and subject-less tokens are rejected", async (db) => {
  const f = await hsFixture(db);
  const exchange = async (c: jose.JWTPayload) => auth.ssoExchange(f.deps, { token: await hs256(c) }, ctx);
  await refused(exchange(claims({ iat: now() - 400, exp: now() - 60 })), 401);
  await refused(exchange(claims({ exp: now() + 3600 })), 401);
  await refused(exchange(claims({ iat: undefined, exp: now() + 3600 })), 401);
  await refused(exchange(claims({ sub: undefined })), 401);
  await refused(exchange(claims({ exp: undefined })), 401);
  await refused(exchange(claims({ nbf: now() + 600 })), 401);
  assert.ok(await exchange(claims({ iat: undefined, exp: now() + 500 })));
});

dbTest("issuer and audience must match when configured", async (db) => {
  const f = await fixture(db, {
    config: sso({ hsSecret: SECRET, issuer: "https://host", audience: "parley" }),
  });
  await refused(auth.ssoExchange(f.deps, { token: await hs256(claims()) }, ctx), 401);
  const ok = await hs256(claims({ iss: "https://host", aud: "parley" }));
  assert.ok(await auth.ssoExchange(f.deps, { token: ok }, ctx));
  const wrong = await hs256(claims({ iss: "https://evil", aud: "parley" }));
  await refused(auth.ssoExchange(f.deps, { token: wrong }, ctx), 401);
});

dbTest("the workspace claim picks the workspace; sign-in off when nothing is configured", async (db) => {
  const f = await hsFixture(db);
  const s = await auth.ssoExchange(f.deps, { token: await hs256(claims({ workspace: "other" })) }, ctx);
  assert.equal((await auth.authenticate(f.deps, s.token))?.workspaceId, f.otherWs);
  await refused(auth.ssoExchange(f.deps, { token: await hs256(claims({ workspace: "nope" })) }, ctx), 400);
  const deps = { ...f.deps, config: { ...f.deps.config, sso: { maxLifetimeSeconds: 600 } } };
  await refused(auth.ssoExchange(deps, { token: await hs256(claims()) }, ctx), 400, "sso_disabled");
});

dbTest("RS256 and ES256 tokens verify against the JWKS URL", async (db) => {
  const rsa = await keyPair("RS256", "rsa-1");
  const ec = await keyPair("ES256", "ec-1");
  await withJwks([rsa.jwk, ec.jwk], async (jwksUrl) => {
    const f = await fixture(db, { config: sso({ jwksUrl }) });
    const a = await auth.ssoExchange(
      f.deps,
      { token: await signWith(rsa.privateKey, "RS256", "rsa-1") },
      ctx,
    );
    const b = await auth.ssoExchange(
      f.deps,
      { token: await signWith(ec.privateKey, "ES256", "ec-1", claims({ sub: "host-7", name: "Bob" })) },
      ctx,
    );
    assert.equal(a.user.displayName, "Jane Smith");
    assert.equal(b.user.displayName, "Bob");
    // A key that is not in the set.
    const stranger = await keyPair("RS256", "rsa-1");
    await refused(
      auth.ssoExchange(f.deps, { token: await signWith(stranger.privateKey, "RS256", "rsa-1") }, ctx),
      401,
    );
    // An expired RS256 token.
    const expired = claims({ iat: now() - 400, exp: now() - 100 });
    await refused(
      auth.ssoExchange(f.deps, { token: await signWith(rsa.privateKey, "RS256", "rsa-1", expired) }, ctx),
      401,
    );
    // alg none is no better with a JWKS.
    await refused(auth.ssoExchange(f.deps, { token: unsigned(claims()) }, ctx), 401);
  });
});

dbTest("algorithm confusion: an HS256 token keyed with the public key is rejected", async (db) => {
  const rsa = await keyPair("RS256", "rsa-1");
  await withJwks([rsa.jwk], async (jwksUrl) => {
    const f = await fixture(db, { config: sso({ jwksUrl }) });
    const spki = await jose.exportSPKI(rsa.publicKey);
    for (const secret of [spki, JSON.stringify(rsa.jwk), rsa.jwk.n!]) {
      const token = await hs256(claims({ roles: ["admin"] }), secret, { alg: "HS256", kid: "rsa-1" });
      await refused(auth.ssoExchange(f.deps, { token }, ctx), 401);
    }
    assert.equal((await db.query("SELECT 1 FROM users WHERE external_id IS NOT NULL")).length, 0);
  });
});

dbTest("with a secret and a JWKS both configured, each verifies its own algorithm", async (db) => {
  const rsa = await keyPair("RS256", "rsa-1");
  await withJwks([rsa.jwk], async (jwksUrl) => {
    const f = await fixture(db, { config: sso({ jwksUrl, hsSecret: SECRET }) });
    assert.ok(await auth.ssoExchange(f.deps, { token: await hs256(claims()) }, ctx));
    assert.ok(
      await auth.ssoExchange(f.deps, { token: await signWith(rsa.privateKey, "RS256", "rsa-1") }, ctx),
    );
    const confused = await hs256(claims(), await jose.exportSPKI(rsa.publicKey));
    await refused(auth.ssoExchange(f.deps, { token: confused }, ctx), 401);
  });
});

dbTest("a token issued in the future is refused; the lifetime counts from now", async (db) => {
  const f = await hsFixture(db);
  const exchange = async (c: jose.JWTPayload) => auth.ssoExchange(f.deps, { token: await hs256(c) }, ctx);
  const fiveYears = 5 * 365 * 86400;
  // exp - iat is short, but iat (and so exp) lies years ahead: before, this token lived five years.
  await refused(exchange(claims({ iat: now() + fiveYears, exp: now() + fiveYears + 300 })), 401);
  await refused(exchange(claims({ iat: now() + 120, exp: now() + 400 })), 401);
  // An old iat does not stretch the lifetime from now either.
  await refused(exchange(claims({ iat: now() - 3000, exp: now() + 3000 })), 401);
  // Small clock skew is fine.
  assert.ok(await exchange(claims({ iat: now() + 20, exp: now() + 320 })));
  assert.ok(await exchange(claims({ iat: now() - 20, exp: now() + 580 })));
});

dbTest("a sign-in token works once: a second use of its jti (or of the token) is refused", async (db) => {
  const f = await hsFixture(db);
  const token = await hs256(claims({ jti: "one-time-1" }));
  await auth.ssoExchange(f.deps, { token }, ctx);
  await refused(auth.ssoExchange(f.deps, { token }, ctx), 401, "unauthenticated");
  // Same jti, differently signed content: still the same token id.
  await refused(
    auth.ssoExchange(f.deps, { token: await hs256(claims({ jti: "one-time-1", name: "Other" })) }, ctx),
    401,
  );
  // Without a jti the token itself is remembered.
  const bare = await hs256(claims({ jti: undefined }));
  await auth.ssoExchange(f.deps, { token: bare }, ctx);
  await refused(auth.ssoExchange(f.deps, { token: bare }, ctx), 401);
  // Remembered in the database (shared by every instance), not in this process.
  const rows = await db.query<{ key: string }>("SELECT key FROM sso_used_tokens ORDER BY key");
  assert.equal(rows.length, 2);
});
