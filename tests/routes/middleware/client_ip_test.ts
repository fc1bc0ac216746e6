/** TRUSTED_PROXIES: X-Forwarded-For decides the client address only when the peer is a trusted proxy. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../http.ts";

const wrong = { username: "bob", password: "wrong" };
const right = { username: "bob", password: "pw" };

dbTest("behind a trusted proxy, one client's failures lock only that client", async (db) => {
  const h = await httpFixture(db, { config: { trustedProxies: ["10.0.0.1"] } });
  const viaProxy = (xff: string, body: unknown) =>
    h.call("POST", "/api/auth/login", {
      body,
      headers: { "x-forwarded-for": xff },
      env: { remoteAddr: { hostname: "10.0.0.1" } },
    });
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await viaProxy("203.0.113.5", wrong)).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  // Another client behind the same proxy is not locked out (before, the proxy's address locked everybody).
  assert.equal((await viaProxy("203.0.113.6", right)).status, 200);
  // A client-written entry to the left of the proxy's own is not believed.
  assert.equal((await viaProxy("198.51.100.1, 203.0.113.5", right)).status, 429);
  const ips = await db.query<{ ip: string }>("SELECT DISTINCT ip FROM audit_log ORDER BY ip");
  assert.deepEqual(ips.map((r) => r.ip), ["203.0.113.5", "203.0.113.6"]);
});

dbTest("from an untrusted peer, X-Forwarded-For is ignored and cannot dodge the lock", async (db) => {
  const h = await httpFixture(db, { config: { trustedProxies: ["10.0.0.1"] } });
  const direct = (xff: string, body: unknown) =>
    h.call("POST", "/api/auth/login", {
      body,
      headers: { "x-forwarded-for": xff },
      env: { remoteAddr: { hostname: "192.0.2.9" } },
    });
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await direct(`203.0.113.${i}`, wrong)).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  const ips = await db.query<{ ip: string }>("SELECT DISTINCT ip FROM audit_log");
  assert.deepEqual(ips.map((r) => r.ip), ["192.0.2.9"]);
});
