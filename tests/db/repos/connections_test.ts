/** Contract: db/repos/connections.ts (live WebSocket connections across instances). */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";
import type { Db } from "../../../db/client.ts";

const live = async (db: Db, workspaceId: number, userId: number) =>
  (await connectionsRepo.presenceOf(db, workspaceId, [userId]))[0]?.connections;

dbTest("connections count while fresh, per user and workspace; stale ones are purged", async (db) => {
  const w = await workspacesRepo.insert(db, "a", "A");
  const u = await usersRepo.insert(db, { workspaceId: w.id, username: "u", displayName: "U" });
  const v = await usersRepo.insert(db, { workspaceId: w.id, username: "v", displayName: "V" });
  const conn = (id: string, userId: number) =>
    connectionsRepo.insertMany(db, [{
      id,
      userId,
      workspaceId: w.id,
      instanceId: "i1",
      page: "/chat",
      userAgent: "ua",
    }]);
  await conn("c1", u.id);
  await conn("c1", u.id); // the same id twice is one connection
  await conn("c2", u.id);
  await conn("c3", v.id);
  // Presence rows: status and live connections, of some users or of everyone active.
  assert.deepEqual(
    (await connectionsRepo.presenceOf(db, w.id, [u.id])).map((p) => [p.userId, p.connections]),
    [[u.id, 2]],
  );
  assert.deepEqual(
    (await connectionsRepo.presenceOf(db, w.id, null)).map((p) => [p.userId, p.connections]),
    [[u.id, 2], [v.id, 1]],
  );
  await connectionsRepo.setPage(db, "c2", "/chat/7");
  // Ordered by connection time; these three may share one instant, so compare by id.
  const list = (await connectionsRepo.listLive(db, w.id)).sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(list.map((c) => [c.id, c.userId, c.page]), [
    ["c1", u.id, "/chat"],
    ["c2", u.id, "/chat/7"],
    ["c3", v.id, "/chat"],
  ]);
  // Not refreshed for longer than LIVE_SECONDS: not live any more; much longer: purged.
  await db.query("UPDATE connections SET seen_at = now() - interval '100 seconds' WHERE id = 'c1'");
  await db.query("UPDATE connections SET seen_at = now() - interval '1 hour' WHERE id = 'c3'");
  assert.equal(await live(db, w.id, u.id), 1);
  await connectionsRepo.touch(db, ["c1"]);
  await connectionsRepo.touch(db, []);
  assert.equal(await live(db, w.id, u.id), 2);
  await connectionsRepo.purgeStale(db);
  assert.deepEqual(
    (await db.query<{ id: string }>("SELECT id FROM connections ORDER BY id")).map((r) => r.id),
    ["c1", "c2"],
  );
  await connectionsRepo.removeMany(db, ["c1"]);
  assert.equal(await live(db, w.id, u.id), 1);
});

dbTest(
  "insertManyWithCounts: rows stored and the people's unread counts read in one statement",
  async (db) => {
    const w = await workspacesRepo.insert(db, "a", "A");
    const u = await usersRepo.insert(db, { workspaceId: w.id, username: "u", displayName: "U" });
    const row = (id: string) => ({
      id,
      userId: u.id,
      workspaceId: w.id,
      instanceId: "i1",
      page: "",
      userAgent: "ua",
    });
    // No channels yet: no counts, the rows stored all the same (an id already there stays one row).
    assert.deepEqual(
      await connectionsRepo.insertManyWithCounts(db, [row("c1"), row("c1")], [{
        workspaceId: w.id,
        userId: u.id,
      }]),
      [],
    );
    assert.equal(await live(db, w.id, u.id), 1);
    assert.deepEqual(await connectionsRepo.insertManyWithCounts(db, [row("c2")], []), []);
    assert.equal(await live(db, w.id, u.id), 2);
  },
);
