/** Channel owners from the admin console: the member picker, the change (audited, live), the refusals. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture, snapshot } from "../http.ts";
import { world } from "../world.ts";

dbTest("owners change among members, audited and published to the person at once", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const list = await h.call("GET", `/api/admin/channels/${w.secret}/members`, { as: "admin" });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(
    list.json.members.map((m: { username: string; role: string }) => `${m.username}:${m.role}`),
    [
      "mod:owner",
      "alice:member",
    ],
  );
  const found = await h.call("GET", `/api/admin/channels/${w.secret}/members?q=ALI`, { as: "admin" });
  assert.deepEqual(found.json.members.map((m: { username: string }) => m.username), ["alice"]);

  h.f.published.length = 0;
  const r = await h.call("PUT", `/api/admin/channels/${w.secret}/owners/${w.users.alice}`, {
    as: "admin",
    body: { owner: true },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.channel.owners.map((o: { id: number }) => o.id).sort(),
    [w.users.mod, w.users.alice].sort(),
  );
  const events = h.f.published.flat().map((e) => e.event);
  assert.ok(
    events.some((e) => e.type === "access_changed" && e.userId === w.users.alice),
    JSON.stringify(events),
  );
  const audit = await db.query<{ action: string; target: string }>(
    "SELECT action, target FROM audit_log WHERE action = 'admin_channel_owner_changed'",
  );
  assert.deepEqual(audit.map((a) => a.target), [String(w.secret)]);

  // Not a member: 404 and nothing changes; DMs are not channels here.
  const before = await snapshot(db);
  const bob = await h.call("PUT", `/api/admin/channels/${w.secret}/owners/${w.users.bob}`, {
    as: "admin",
    body: { owner: true },
  });
  assert.equal(bob.status, 404);
  assert.equal((await h.call("GET", `/api/admin/channels/${w.dm}/members`, { as: "admin" })).status, 404);
  // A moderator (no chat.manage_channels) and a member are refused; another workspace's admin sees nothing.
  for (const as of ["mod", "alice"] as const) {
    assert.equal((await h.call("GET", `/api/admin/channels/${w.secret}/members`, { as })).status, 403);
    const put = await h.call("PUT", `/api/admin/channels/${w.general}/owners/${w.users.bob}`, {
      as,
      body: { owner: true },
    });
    assert.equal(put.status, 403);
  }
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
  const mid = await snapshot(db);
  assert.equal((await h.call("GET", `/api/admin/channels/${w.general}/members`, { as: "eve" })).status, 404);
  assert.equal(
    (await h.call("PUT", `/api/admin/channels/${w.general}/owners/${w.users.bob}`, {
      as: "eve",
      body: { owner: true },
    }))
      .status,
    404,
  );
  assert.equal(await snapshot(db), mid);
  assert.notEqual(before, mid);
});
