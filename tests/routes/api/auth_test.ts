/** /api/auth over HTTP: cookie and bearer sessions, logout, the throttle, login CSRF, host sign-in. */
import assert from "node:assert/strict";
import * as jose from "jose";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import { expectBody, httpFixture, ORIGIN } from "../http.ts";

const login = { username: "alice", password: "pw" };

dbTest("login sets an HttpOnly SameSite=Lax cookie and returns a bearer token; both work", async (db) => {
  const h = await httpFixture(db);
  const r = await h.call("POST", "/api/auth/login", { body: login });
  const s = expectBody(r, 200, R.Session);
  assert.equal(s.user.username, "alice");
  const cookie = r.headers.get("set-cookie")!;
  assert.match(cookie, new RegExp(`^parley_session=${s.token};`));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  assert.doesNotMatch(cookie, /Secure/); // SECURE_COOKIES is off in tests
  const viaCookie = await h.call("GET", "/api/auth/me", { token: s.token, via: "cookie" });
  assert.equal(expectBody(viaCookie, 200, R.MeResponse).user.id, h.f.users.alice.id);
  const viaBearer = await h.call("GET", "/api/auth/me", { token: s.token });
  assert.equal(expectBody(viaBearer, 200, R.MeResponse).user.username, "alice");
});

dbTest("the session cookie is Secure when SECURE_COOKIES is on", async (db) => {
  const h = await httpFixture(db, { config: { secureCookies: true } });
  const r = await h.call("POST", "/api/auth/login", { body: login });
  assert.match(r.headers.get("set-cookie")!, /Secure/);
});

dbTest("logout ends the session for real, by bearer or by cookie", async (db) => {
  const h = await httpFixture(db);
  const a = expectBody(await h.call("POST", "/api/auth/login", { body: login }), 200, R.Session);
  const b = expectBody(await h.call("POST", "/api/auth/login", { body: login }), 200, R.Session);
  expectBody(await h.call("POST", "/api/auth/logout", { token: a.token }), 200, R.Ok);
  assert.equal((await h.call("GET", "/api/auth/me", { token: a.token })).status, 401);
  assert.equal((await h.call("GET", "/api/auth/me", { token: a.token, via: "cookie" })).status, 401);
  assert.equal((await h.call("GET", "/api/auth/me", { token: b.token })).status, 200);
  const out = await h.call("POST", "/api/auth/logout", { token: b.token, via: "cookie" });
  assert.equal(out.status, 200);
  assert.match(out.headers.get("set-cookie")!, /parley_session=;.*Max-Age=0/);
  assert.equal((await h.call("GET", "/api/auth/me", { token: b.token })).status, 401);
  assert.equal((await h.call("POST", "/api/auth/logout", { token: b.token })).status, 401);
});

dbTest("wrong passwords are 401 and set no cookie; a success clears the failures", async (db) => {
  const h = await httpFixture(db);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++) {
      const r = await h.call("POST", "/api/auth/login", { body: { username: "bob", password: "wrong" } });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, "bad_credentials");
      assert.equal(r.headers.get("set-cookie"), null);
    }
    const ok = await h.call("POST", "/api/auth/login", { body: { username: "bob", password: "pw" } });
    assert.equal(ok.status, 200, `round ${round}: ${ok.text}`);
  }
});

dbTest("five failures lock the account: 429, Retry-After and the unlock time", async (db) => {
  const h = await httpFixture(db);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    statuses.push(
      (await h.call("POST", "/api/auth/login", { body: { username: "bob", password: "no" } })).status,
    );
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  const r = await h.call("POST", "/api/auth/login", { body: { username: "bob", password: "pw" } });
  const e = expectBody(r, 429, R.ErrorBody).error;
  assert.equal(e.code, "locked");
  const retry = Number(r.headers.get("retry-after"));
  assert.ok(retry > 29 * 60 && retry <= 30 * 60, `Retry-After ${retry}`);
  assert.equal(e.retryAfter, retry);
  assert.ok(Date.parse(e.lockedUntil!) > Date.now() + 29 * 60_000);
});

dbTest("login is protected against cross-site requests from browsers", async (db) => {
  const h = await httpFixture(db);
  const evil = await h.call("POST", "/api/auth/login", { body: login, origin: "https://evil.example" });
  assert.equal(evil.status, 403);
  assert.equal(evil.json.error.code, "csrf");
  assert.equal(evil.headers.get("set-cookie"), null);
  const fetchSite = await h.call("POST", "/api/auth/login", {
    body: login,
    headers: { "sec-fetch-site": "cross-site" },
  });
  assert.equal(fetchSite.status, 403);
  assert.equal((await h.call("POST", "/api/auth/login", { body: login, origin: ORIGIN })).status, 200);
  // Scripts send no Origin at all.
  assert.equal((await h.call("POST", "/api/auth/login", { body: login })).status, 200);
});

dbTest("login input is validated", async (db) => {
  const h = await httpFixture(db);
  for (
    const body of ["{", "[]", { username: "alice" }, { username: 5, password: "pw" }, { ...login, x: 1 }]
  ) {
    const r = await h.call("POST", "/api/auth/login", { body });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  assert.equal(
    (await h.call("POST", "/api/auth/login", { body: { ...login, username: "x".repeat(65) } })).status,
    400,
  );
});

dbTest("host sign-in over HTTP: a good JWT is a session, a forged or expired one 401", async (db) => {
  const secret = "http-test-secret-http-test-secret-0123";
  const h = await httpFixture(db, { config: { sso: { hsSecret: secret, maxLifetimeSeconds: 600 } } });
  const now = Math.floor(Date.now() / 1000);
  const sign = (c: jose.JWTPayload, key = secret) =>
    new jose.SignJWT(c).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(key));
  const good = await sign({ sub: "ext-1", name: "Host User", iat: now, exp: now + 120, jti: "h1" });
  const s = expectBody(await h.call("POST", "/api/auth/sso", { body: { token: good } }), 200, R.Session);
  assert.equal(s.user.displayName, "Host User");
  assert.equal((await h.call("GET", "/api/auth/me", { token: s.token })).status, 200);
  const forged = await sign({ sub: "ext-1", iat: now, exp: now + 120 }, "not-the-secret-not-the-secret-00");
  const expired = await sign({ sub: "ext-1", iat: now - 500, exp: now - 100 });
  for (const token of [forged, expired, good.replace(/\.[^.]+$/, ".")]) {
    const r = await h.call("POST", "/api/auth/sso", { body: { token } });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.code, "unauthenticated");
  }
  assert.equal(
    (await h.call("POST", "/api/auth/sso", { body: { token: good }, origin: "https://evil.example" })).status,
    403,
  );
});
