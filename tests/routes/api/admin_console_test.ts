/**
 * The admin console's API: members are refused everything (pages too) and change nothing, rank holds
 * (a moderator cannot act on an admin), every action lands in the audit log with its address, invitation
 * links work once, maintenance pauses sends for everyone but admins, broadcasts are acknowledged.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture, snapshot } from "../http.ts";
import { world } from "../world.ts";
import { ADMIN_CASES } from "./admin_cases.ts";
import { method } from "./cases.ts";
import { TABS } from "../../../islands/admin/tabs.ts";

dbTest("a member is refused every admin endpoint and page, and nothing changes", async (db) => {
  const h = await httpFixture(db, { pages: true });
  const w = await world(h.f);
  const before = await snapshot(db);
  for (const c of ADMIN_CASES.filter((c) => c.route.includes("/api/admin/"))) {
    const r = await h.call(method(c), c.path(w), { as: "alice", body: c.body?.(w) });
    assert.equal(r.status, 403, `${c.route}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json.error.code, "forbidden", c.route);
  }
  for (const path of ["/admin", ...TABS.map((t) => `/admin/${t.id}`)]) {
    const r = await h.call("GET", path, { as: "alice", via: "cookie" });
    assert.equal(r.status, 403, path);
    assert.match(r.text, /Not allowed/);
  }
  const anon = await h.call("GET", "/admin/people");
  assert.equal(anon.status, 302);
  assert.match(anon.headers.get("location")!, /^\/login\?next=%2Fadmin%2Fpeople/);
  assert.equal(await snapshot(db), before);
});

dbTest("a moderator opens People but no admin-only tab, and cannot act on an admin", async (db) => {
  const h = await httpFixture(db, { pages: true });
  await world(h.f);
  const admin = h.f.users.admin.id;
  assert.equal((await h.call("GET", "/admin/people", { as: "mod", via: "cookie" })).status, 200);
  assert.equal((await h.call("GET", "/admin/control", { as: "mod", via: "cookie" })).status, 403);
  assert.equal(
    (await h.call("GET", "/admin", { as: "mod", via: "cookie" })).headers.get("location"),
    "/admin/people",
  );
  const before = await snapshot(db);
  for (
    const [m, path, body] of [
      ["PUT", `/api/admin/people/${admin}/role`, { role: "member" }],
      ["POST", `/api/admin/people/${admin}/deactivate`, { reason: "no" }],
      ["POST", `/api/admin/people/${admin}/password-reset`, undefined],
      ["POST", `/api/admin/people/${admin}/sign-out`, undefined],
      ["PUT", `/api/admin/people/${h.f.users.alice.id}/role`, { role: "admin" }],
      ["PUT", `/api/admin/people/${h.f.users.alice.id}/role`, { role: "moderator" }],
      ["POST", "/api/admin/people", { username: "boss", displayName: "Boss", role: "admin" }],
    ] as const
  ) {
    const r = await h.call(m, path, { as: "mod", body });
    assert.equal(r.status, 403, `${m} ${path} ${JSON.stringify(body)}: ${r.text}`);
  }
  assert.equal(await snapshot(db), before);
  // Lower rank is fine.
  const r = await h.call("POST", `/api/admin/people/${h.f.users.alice.id}/deactivate`, {
    as: "mod",
    body: { reason: "left" },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.deactivated, true);
});

dbTest(
  "every admin action is in the audit log, with who, target and address; search and export",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const env = { remoteAddr: { hostname: "203.0.113.7" } };
    const as = "admin" as const;
    const bob = w.users.bob;
    const calls: [string, string, unknown, string][] = [
      ["POST", "/api/admin/people", { username: "newbie", displayName: "New" }, "user_created"],
      ["PUT", `/api/admin/people/${bob}/role`, { role: "moderator" }, "role_changed"],
      ["POST", `/api/admin/people/${bob}/deactivate`, { reason: "holiday" }, "user_deactivated"],
      ["POST", `/api/admin/people/${bob}/reactivate`, { reason: "back" }, "user_reactivated"],
      ["POST", `/api/admin/people/${bob}/password-reset`, undefined, "password_reset"],
      ["POST", `/api/admin/people/${bob}/sign-out`, undefined, "user_signed_out"],
      ["POST", `/api/admin/channels/${w.secret}/archive`, undefined, "admin_channel_archived"],
      ["POST", `/api/admin/channels/${w.secret}/unarchive`, undefined, "admin_channel_unarchived"],
      ["POST", `/api/admin/channels/${w.secret}/delete`, { confirm: "secret" }, "admin_channel_deleted"],
      ["PUT", "/api/admin/maintenance", { on: true }, "maintenance_on"],
      ["PUT", "/api/admin/maintenance", { on: false }, "maintenance_off"],
      ["POST", "/api/admin/broadcasts", { body: "Drill" }, "broadcast_sent"],
      ["POST", "/api/admin/sign-out-everyone", undefined, "everyone_signed_out"],
    ];
    for (const [m, path, body] of calls) {
      const r = await h.call(m, path, { as, body, env });
      assert.ok(r.status < 300, `${m} ${path}: ${r.status} ${r.text}`);
    }
    const log = await h.call("GET", "/api/admin/audit?limit=200", { as });
    assert.equal(log.status, 200, log.text);
    for (const [, , , action] of calls) {
      const e = log.json.entries.find((x: { action: string }) => x.action === action);
      assert.ok(e, `${action} is not in the audit log`);
      assert.equal(e.actor, "admin", action);
      assert.equal(e.ip, "203.0.113.7", action);
    }
    assert.equal(
      log.json.entries.find((x: { action: string }) => x.action === "user_deactivated").detail.reason,
      "holiday",
    );
    const filtered = await h.call("GET", "/api/admin/audit?action=role_changed", { as });
    assert.deepEqual(filtered.json.entries.map((e: { action: string }) => e.action), ["role_changed"]);
    const searched = await h.call("GET", "/api/admin/audit?q=holiday", { as });
    assert.deepEqual(searched.json.entries.map((e: { action: string }) => e.action), ["user_deactivated"]);
    const csv = await h.call("GET", "/api/admin/audit/export?q=holiday", { as, env });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    const lines = csv.text.trim().split("\r\n");
    assert.equal(lines[0], "id,when,who,action,target,detail,from");
    // The deactivation, and the export itself (recorded first: its filter says "holiday").
    assert.equal(lines.length, 3);
    assert.match(lines[1], /audit_exported/);
    assert.match(lines[2], /user_deactivated.*203\.0\.113\.7/);
    const after = await h.call("GET", "/api/admin/audit?action=audit_exported", { as });
    assert.equal(after.json.total, 1, "the export itself is audited");
  },
);

dbTest("an invitation link sets the password once; a reset link ends sessions", async (db) => {
  const h = await httpFixture(db);
  const r = await h.call("POST", "/api/admin/people", {
    as: "admin",
    body: { username: "Newbie", displayName: "New Person", email: "new@example.com" },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.username, "newbie");
  const token = r.json.link.replace("/invite/", "");
  const login = () =>
    h.call("POST", "/api/auth/login", { body: { username: "newbie", password: "a-good-password" } });
  assert.equal((await login()).status, 401);
  const short = await h.call("POST", "/api/invitations/accept", { body: { token, password: "short" } });
  assert.equal(short.status, 400);
  const ok = await h.call("POST", "/api/invitations/accept", {
    body: { token, password: "a-good-password" },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await login()).status, 200);
  const again = await h.call("POST", "/api/invitations/accept", {
    body: { token, password: "another-password" },
  });
  assert.equal(again.status, 400);
  assert.equal(
    (await h.call("POST", "/api/admin/people", {
      as: "admin",
      body: { username: "newbie", displayName: "x" },
    })).status,
    409,
  );

  const reset = await h.call("POST", `/api/admin/people/${h.f.users.bob.id}/password-reset`, { as: "admin" });
  assert.equal(reset.status, 200);
  assert.equal((await h.call("GET", "/api/auth/me", { as: "bob" })).status, 401, "bob's sessions ended");
});

dbTest("maintenance pauses sends for everyone but admins, and lifts", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const send = (as: "alice" | "admin", clientId: string) =>
    h.call("POST", `/api/chat/channels/${w.general}/messages`, { as, body: { clientId, body: "hi" } });
  assert.equal(
    (await h.call("PUT", "/api/admin/maintenance", { as: "admin", body: { on: true } })).status,
    200,
  );
  const refused = await send("alice", "m1");
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.json.error.code, "maintenance");
  assert.equal(
    h.f.published.filter((e) => e.event.type === "settings_updated").at(-1)?.event.type,
    "settings_updated",
  );
  await h.call("POST", `/api/chat/channels/${w.general}/join`, { as: "admin" });
  assert.equal((await send("admin", "m2")).status, 201);
  assert.equal(
    (await h.call("PUT", "/api/admin/maintenance", { as: "admin", body: { on: false } })).status,
    200,
  );
  assert.equal((await send("alice", "m3")).status, 201);
});

dbTest("a broadcast reaches everyone, is acknowledged, and the report counts it", async (db) => {
  const h = await httpFixture(db);
  const sent = await h.call("POST", "/api/admin/broadcasts", { as: "admin", body: { body: "Fire drill" } });
  assert.equal(sent.status, 201, sent.text);
  const id = sent.json.broadcast.id;
  const ev = h.f.published.find((e) => e.event.type === "system_broadcast")!;
  assert.deepEqual(ev.audience, { kind: "workspace", workspaceId: h.f.ws });
  const pending = await h.call("GET", "/api/broadcasts/pending", { as: "alice" });
  assert.deepEqual(pending.json.broadcasts.map((b: { id: number }) => b.id), [id]);
  assert.equal((await h.call("POST", `/api/broadcasts/${id}/ack`, { as: "alice" })).status, 200);
  assert.equal((await h.call("POST", `/api/broadcasts/${id}/ack`, { as: "alice" })).status, 200);
  assert.deepEqual((await h.call("GET", "/api/broadcasts/pending", { as: "alice" })).json.broadcasts, []);
  const report = await h.call("GET", `/api/admin/broadcasts/${id}`, { as: "admin" });
  assert.equal(report.json.acknowledged, 1);
  assert.equal(report.json.total, 5);
  assert.equal(
    report.json.people.find((p: { displayName: string }) => p.displayName === "Alice").ackedAt !== null,
    true,
  );
  assert.equal((await h.call("POST", `/api/broadcasts/${id}/ack`, { as: "eve" })).status, 404);
  assert.equal((await h.call("GET", `/api/admin/broadcasts/${id}`, { as: "mod" })).status, 403);
});

dbTest("people are paged and counted on the server; channels include private ones", async (db) => {
  const h = await httpFixture(db);
  await world(h.f);
  const p = await h.call("GET", "/api/admin/people?limit=2&page=2", { as: "admin" });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.people.length, 2);
  assert.equal(p.json.counts.total, 5);
  assert.equal(p.json.pages, 3);
  const members = await h.call("GET", "/api/admin/people?role=member&q=a", { as: "admin" });
  assert.deepEqual(members.json.people.map((x: { username: string }) => x.username).sort(), [
    "alice",
    "carol",
  ]);
  const ch = await h.call("GET", "/api/admin/channels?kind=private_channel", { as: "admin" });
  assert.deepEqual(ch.json.channels.map((c: { name: string }) => c.name), ["secret"]);
  assert.equal(ch.json.channels[0].owners[0].displayName, "Mod");
  const wrong = await h.call("POST", `/api/admin/channels/${ch.json.channels[0].id}/delete`, {
    as: "admin",
    body: { confirm: "general" },
  });
  assert.equal(wrong.status, 400);
});
