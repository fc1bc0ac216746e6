/** The Origin check compares scheme, host and port; X-Forwarded-Proto counts only from trusted proxies. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../http.ts";
import { ipInList, normaliseOrigin, parseIp } from "../../../routes/middleware/client_address.ts";

const write = { status: "away" };

dbTest("cookie writes: only the exact scheme://host:port of the server passes", async (db) => {
  const h = await httpFixture(db);
  const put = (origin: string, extra: Record<string, string> = {}) =>
    h.call("PUT", "/api/chat/me/status", { as: "alice", via: "cookie", origin, body: write, headers: extra });
  assert.equal((await put("http://localhost")).status, 200);
  assert.equal((await put("http://LOCALHOST:80")).status, 200);
  for (
    const o of ["https://localhost", "ws://localhost", "wss://localhost", "http://localhost:8080", "null"]
  ) {
    const r = await put(o);
    assert.equal(r.status, 403, o);
    assert.equal(r.json.error.code, "csrf", o);
  }
  // The Referer fallback is held to the same rule.
  const viaReferer = await h.call("PUT", "/api/chat/me/status", {
    as: "alice",
    via: "cookie",
    origin: null,
    body: write,
    headers: { referer: "https://localhost/chat" },
  });
  assert.equal(viaReferer.status, 403);
  // Login (no session yet) too.
  const login = await h.call("POST", "/api/auth/login", {
    origin: "https://localhost",
    body: { username: "alice", password: "pw" },
  });
  assert.equal(login.status, 403);
});

dbTest(
  "behind a trusted TLS proxy the https origin passes; X-Forwarded-Proto from anyone else is ignored",
  async (db) => {
    const h = await httpFixture(db, { config: { trustedProxies: ["10.1.0.0/16"] } });
    const put = (peer: string, origin: string) =>
      h.call("PUT", "/api/chat/me/status", {
        as: "alice",
        via: "cookie",
        origin,
        body: write,
        headers: { "x-forwarded-proto": "https" },
        env: { remoteAddr: { hostname: peer } },
      });
    assert.equal((await put("10.1.2.3", "https://localhost")).status, 200);
    assert.equal((await put("10.1.2.3", "http://localhost")).status, 403);
    assert.equal((await put("192.0.2.7", "https://localhost")).status, 403);
    assert.equal((await put("192.0.2.7", "http://localhost")).status, 200);
  },
);

Deno.test("addresses and ranges: IPv4, IPv6, mapped IPv4", () => {
  assert.equal(parseIp("1.2.3.4"), parseIp("::ffff:1.2.3.4"));
  assert.equal(parseIp("::1"), 1n);
  assert.equal(parseIp("1.2.3"), null);
  assert.equal(parseIp("1:2:3:4:5:6:7:8:9"), null);
  assert.equal(parseIp("evil"), null);
  assert.ok(ipInList("10.0.255.1", ["10.0.0.0/16"]));
  assert.ok(!ipInList("10.1.0.1", ["10.0.0.0/16"]));
  assert.ok(ipInList("::ffff:10.0.0.9", ["10.0.0.9"]));
  assert.ok(ipInList("2001:db8::5", ["2001:db8::/32"]));
  assert.ok(!ipInList("2001:db9::5", ["2001:db8::/32"]));
  assert.ok(!ipInList("unknown", ["0.0.0.0/0"]));
  assert.equal(normaliseOrigin("HTTPS://Example.com:443"), "https://example.com");
  assert.equal(normaliseOrigin("ws://example.com"), null);
});
