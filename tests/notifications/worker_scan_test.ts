/**
 * The worker's scan per tick (notifications/worker.ts): it catches up while scans come back full, and stops
 * after a partial one; a message that crosses the grace meanwhile waits for the next tick instead of a
 * transaction right behind the first (under a steady load that was a scan back to back with the next, all
 * the time: bench/notes/steady_tail.md, "The steady tail in time").
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import { scanOnce } from "../../domain/notifications/scan.ts";
import { startNotificationWorker } from "../../notifications/worker.ts";
import type { Db } from "../../db/client.ts";

dbTest(
  "notification worker: one partial scan per tick; what became due meanwhile waits for the next",
  async (db) => {
    const f = await fixture(db);
    const general = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id],
    });
    assert.equal(await scanOnce(f.deps), 0); // the cursor starts at the newest message (none)
    const send = async (clientId: string) =>
      (await messages.send(f.deps, f.actor("alice"), { channelId: general.id, clientId, body: "hi" })).message
        .id;
    const cursor = async () =>
      Number((await db.query<{ id: number }>("SELECT last_message_id AS id FROM notification_cursor"))[0].id);
    const a = await send("a");
    const b = await send("b");
    await db.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = $1", [a]);
    // `b` is younger than the grace when the scan reads; it becomes due while that scan's transaction runs.
    const tx = db.tx.bind(db);
    let scans = 0;
    (db as { tx: Db["tx"] }).tx = (fn) =>
      tx(async (sql) => {
        const r = await fn(sql);
        if (scans++ === 0) {
          await sql.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = $1", [b]);
        }
        return r;
      });
    const worker = startNotificationWorker(f.deps, {
      baseUrl: "http://parley.test",
      linkSecret: "s",
      transports: [],
    }, false);
    try {
      await worker.tick();
      assert.equal(await cursor(), a, "the tick scanned once: b waits for the next tick");
      await worker.tick();
      assert.equal(await cursor(), b, "the next tick scans b");
    } finally {
      await worker.stop();
      (db as { tx: Db["tx"] }).tx = tx;
    }
  },
);
