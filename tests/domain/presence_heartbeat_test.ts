/**
 * The connection rows are unlogged (migration 0031): after a Postgres crash, or on a promoted standby, the
 * table is empty while the sockets of every instance are still open. The heartbeat stores them again.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { waitFor } from "../helpers/wait.ts";
import { fixture } from "../helpers/fixture.ts";
import * as connectionsRepo from "../../db/repos/connections.ts";
import * as presence from "../../domain/presence.ts";
import type { PresenceInfo } from "../../realtime/protocol.ts";
import type { Db } from "../../db/client.ts";

const ids = async (
  db: Db,
) => (await db.query<{ id: string; instanceId: string; page: string }>(
  `SELECT id, instance_id AS "instanceId", page FROM connections ORDER BY id`,
));

dbTest(
  "the heartbeat stores again the rows of open sockets that have none (the table after a crash)",
  async (db) => {
    const f = await fixture(db);
    const { deps } = f;
    const [persistence] = await db.query<{ p: string }>(
      "SELECT relpersistence AS p FROM pg_class WHERE relname = 'connections'",
    );
    assert.equal(persistence.p, "u", "the connection rows are unlogged");
    const now = Date.now();
    const old = now - presence.REREGISTER_AFTER_MS;
    const alice = f.users.alice.id, bob = f.users.bob.id, carol = f.users.carol.id;
    const sock = (id: string, userId: number, connectedAt = old, page = "") => ({
      id,
      userId,
      workspaceId: f.ws,
      page,
      closed: false,
      connectedAt,
    });
    const a1 = sock("a1", alice, old, "/chat/1"), a2 = sock("a2", alice);
    const b1 = { ...sock("b1", bob), closed: true };
    const c1 = sock("c1", carol, now - 1000); // its own insert may still be queued: left to it
    for (const s of [a1, a2, b1, c1]) {
      await connectionsRepo.insertMany(db, [{
        id: s.id,
        userId: s.userId,
        workspaceId: f.ws,
        instanceId: deps.config.instanceId,
        page: s.page,
        userAgent: "ua",
      }]);
    }
    // Rows present: a refresh only, nothing stored, nobody announced.
    await presence.heartbeat(deps, [a1, a2, c1], now);
    assert.deepEqual((await ids(db)).map((r) => r.id), ["a1", "a2", "b1", "c1"]);
    await new Promise((r) => setTimeout(r, presence.ANNOUNCE_WINDOW_MS * 2));
    assert.equal(f.published.length, 0);

    // What crash recovery does to an unlogged table.
    await db.query("TRUNCATE connections");
    assert.equal((await presence.one(deps, f.actor("bob"), alice))?.status, "offline");
    // A socket that closes while its row is stored again (its own removal may have run before that insert).
    let reads = 0;
    const closing = {
      ...sock("a3", alice),
      get closed() {
        return reads++ > 0;
      },
    };
    await presence.heartbeat(deps, [a1, a2, b1, c1, closing], now);
    assert.deepEqual(await ids(db), [
      { id: "a1", instanceId: deps.config.instanceId, page: "/chat/1" },
      { id: "a2", instanceId: deps.config.instanceId, page: "" },
    ]);
    const p = await presence.one(deps, f.actor("bob"), alice);
    assert.deepEqual([p?.status, p?.connections], ["online", 2]);
    // Her followers hear she is online again.
    const announced = () =>
      f.published.flatMap((e) =>
        e.event.type === "presence_updated"
          ? e.event.users.filter((u: PresenceInfo) => u.userId === alice)
          : []
      );
    await waitFor(() => announced().length > 0, "alice announced", 3000);
    assert.deepEqual(announced().map((u) => [u.status, u.connections]), [["online", 2]]);
    // The young socket's row comes at the next heartbeat if its own insert did not store it.
    await presence.heartbeat(deps, [a1, a2, c1], now + presence.REREGISTER_AFTER_MS);
    assert.deepEqual((await ids(db)).map((r) => r.id), ["a1", "a2", "c1"]);
  },
);
