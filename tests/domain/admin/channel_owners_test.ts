/** Channel owners changed from the console: members only, audited, refused to lower ranks and other workspaces. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, httpFixture, snapshot } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import * as A from "../../../routes/api/admin_response_schemas.ts";

dbTest("an administrator makes a member an owner and takes it back; others are refused", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const path = (ch: number, user: number) => `/api/admin/channels/${ch}/owners/${user}`;
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
  const before = await snapshot(db);
  for (const who of ["mod", "alice"] as const) {
    const r = await h.call("PUT", path(w.general, w.users.alice), { as: who, body: { owner: true } });
    assert.equal(r.status, 403, who);
  }
  const foreign = await h.call("PUT", path(w.general, w.users.alice), { as: "eve", body: { owner: true } });
  assert.equal(foreign.status, 404, "another workspace's admin does not find the channel");
  const dm = await h.call("PUT", path(w.dm, w.users.alice), { as: "admin", body: { owner: true } });
  assert.equal(dm.status, 404, "direct messages have no owners");
  const stranger = await h.call("PUT", path(w.secret, w.users.bob), { as: "admin", body: { owner: true } });
  assert.equal(stranger.status, 404, "bob is not a member of #secret");
  assert.equal(await snapshot(db), before);

  const env = { remoteAddr: { hostname: "192.0.2.77" } };
  const made = expectBody(
    await h.call("PUT", path(w.secret, w.users.alice), { as: "admin", env, body: { owner: true } }),
    200,
    A.AdminChannelResponse,
  );
  assert.deepEqual(made.channel.owners.map((o) => o.displayName).sort(), ["Alice", "Mod"]);
  const back = expectBody(
    await h.call("PUT", path(w.secret, w.users.mod), { as: "admin", env, body: { owner: false } }),
    200,
    A.AdminChannelResponse,
  );
  assert.deepEqual(back.channel.owners.map((o) => o.displayName), ["Alice"]);
  const roles = await db.query<{ role: string }>(
    "SELECT role FROM members WHERE channel_id = $1 AND user_id = $2",
    [w.secret, w.users.mod],
  );
  assert.equal(roles[0].role, "member");
  const log = await h.call("GET", "/api/admin/audit?action=admin_channel_owner_changed", { as: "admin" });
  assert.deepEqual(
    log.json.entries.map((e: { detail: { from: string; to: string }; ip: string }) => [
      e.detail.from,
      e.detail.to,
      e.ip,
    ]),
    [["owner", "member", "192.0.2.77"], ["member", "owner", "192.0.2.77"]],
  );
});
