/**
 * The server process is killed (SIGKILL: no shutdown, no flush) in the middle of a burst of keyed sends
 * from many clients that retry until acknowledged, then started again on the same Postgres. Afterwards
 * every acknowledged message is stored exactly once with the sequence its ack gave, the channel's
 * sequence has no hole, and every client, having resumed with its last sequence, holds the same ordered
 * history as the database.
 */
import assert from "node:assert/strict";
import {
  ChildServer,
  dbHistory,
  expectConverged,
  KeyedSender,
  runSenders,
  sessionFor,
  until,
  withServerProcesses,
} from "../helpers.ts";

const USERS = 12;
const TABS = 2;
const PER_CLIENT = 50;

Deno.test({
  name:
    "SIGKILL mid-burst: acknowledged messages stored exactly once, every client converges on the database",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServerProcesses(
      { users: USERS, channel: "burst" },
      async ({ db, users, ch, env, servers, stops }) => {
        servers.push(await ChildServer.start({ ...env, INSTANCE_ID: "first" }));
        let current = servers[0].url;
        const clients: KeyedSender[] = [];
        for (const [i, u] of users.entries()) {
          for (let tab = 0; tab < TABS; tab++) {
            const name = `u${i}t${tab}`;
            const keys = Array.from({ length: PER_CLIENT }, (_, n) => `${name}-${n}`);
            clients.push(new KeyedSender(name, await sessionFor(db, u), ch, () => current, keys));
          }
        }
        const total = clients.length * PER_CLIENT;
        const senders = runSenders(clients, 180_000);
        stops.push(senders.stop);
        const acked = () => clients.reduce((n, c) => n + c.acked.size, 0);

        // Killed twice: after a third and after two thirds of the burst were acknowledged.
        const kills: { acked: number; inFlight: number }[] = [];
        for (const share of [1 / 3, 2 / 3]) {
          await until(
            `${Math.round(share * 100)}% of the burst acknowledged`,
            () => acked() >= total * share,
            90_000,
            2,
          );
          const inFlight = clients.reduce((n, c) => n + c.inFlight, 0);
          const ackedNow = acked();
          await servers.at(-1)!.kill("SIGKILL");
          assert.ok(ackedNow < total, "killed before the burst was over");
          assert.ok(inFlight > 0, "sends were in flight when the process died");
          kills.push({ acked: ackedNow, inFlight });
          servers.push(await ChildServer.start({ ...env, INSTANCE_ID: `restart-${kills.length}` }));
          current = servers.at(-1)!.url;
        }
        await senders.acked;

        // The database: every key once, sequences 1..total without a hole, one event per message.
        const rows = await db.query<{ clientId: string; id: number; seq: number }>(
          `SELECT client_id AS "clientId", id, seq FROM messages WHERE channel_id = $1 ORDER BY seq`,
          [ch],
        );
        assert.equal(rows.length, total, "each message stored once");
        assert.equal(new Set(rows.map((r) => r.clientId)).size, total);
        assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: total }, (_, i) => i + 1));
        const [{ n: logged }] = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM channel_events WHERE channel_id = $1",
          [ch],
        );
        assert.equal(logged, total);
        const byKey = new Map(rows.map((r) => [r.clientId, r]));
        for (const c of clients) {
          for (const [key, a] of c.acked) {
            const row = byKey.get(key);
            assert.ok(row, `acknowledged ${key} is stored`);
            assert.equal(row.id, a.id, `${key}: the ack named the stored message`);
            assert.equal(row.seq, a.seq, `${key}: the ack carried its sequence`);
          }
        }

        // Every client: the same ordered history as the database, and never a duplicate event.
        const history = await dbHistory(db, ch);
        await expectConverged(clients, ch, total, history);
        const resent = clients.reduce((n, c) => n + c.resentAcks, 0);
        const gapReplays = clients.reduce((n, c) => n + c.store.gapReplays, 0);
        const liveGaps = clients.reduce((n, c) => n + c.store.liveGaps, 0);
        const connects = clients.reduce((n, c) => n + c.connects, 0);
        console.log(
          `restart: ${clients.length} clients (${USERS} users x ${TABS} tabs), ${total} messages; killed at ` +
            kills.map((k) => `${k.acked} acked/${k.inFlight} in flight`).join(", then ") +
            `; ${resent} resent after a kill and answered from the database (committed, ack lost); ${connects} connections; ${liveGaps} live gaps, ${gapReplays} gap replays`,
        );
      },
    );
  },
});
