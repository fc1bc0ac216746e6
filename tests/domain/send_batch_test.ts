/**
 * domain/send_batch.ts: how a committed batch reaches the bus (in 2 ms slices per turn of the event loop) and
 * a channel's second batch in flight (it waits on the channel's row lock in the database, not here). The
 * statement itself, retries and refusals: messages_send_routes_test.ts.
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import { SendBatcher } from "../../domain/send_batch.ts";
import { watchStatements } from "../helpers/send_statements.ts";

/** The fixture and a channel "general" of alice and bob. */
async function generalChannel(db: Parameters<typeof fixture>[0]) {
  const f = await fixture(db);
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  return { f, ch };
}

dbTest(
  "a committed batch's long fan-outs are published one per turn of the event loop, in order",
  async (db) => {
    const { f, ch } = await generalChannel(db);
    const { watched, statements } = watchStatements(db);
    // A hold longer than any statement here: the three sends after the first go out in one batch.
    const limits = { ...f.deps.config.limits, sendBatchHoldMs: 60_000 };
    const batcher = new SendBatcher({ ...f.deps, db: watched, config: { ...f.deps.config, limits } });
    // What the fan-out of each message lets run before the next one: here, a mark one turn later.
    const log: string[] = [];
    f.deps.bus.subscribe((env) => {
      if (env.event.type !== "message_received") return;
      log.push(`message ${env.event.message.body}`);
      setImmediate(() => log.push("a turn"));
      // A fan-out longer than the publishing slice (a channel of 1,000 is ~10 ms of socket writes).
      const end = performance.now() + 3;
      while (performance.now() < end) { /* the hub writing */ }
    });
    const alice = f.actor("alice");
    // Each send is answered once its own message is published (never before: an ack does not precede its
    // event), and the batch's later messages go in the turns after that.
    const early: string[] = [];
    const send = (i: number) =>
      batcher.submit(alice, { channelId: ch, clientId: `t${i}`, body: `m${i}`, type: "text" }).then((o) => {
        if (!log.includes(`message m${i}`)) early.push(`m${i}`);
        return o;
      });
    const all = await Promise.all([send(0), send(1), send(2), send(3)]);
    assert.ok(all.every((o) => o.stored), "all stored");
    assert.deepEqual(statements, [[ch], [ch, ch, ch]], "one batch of three after the lone first");
    assert.deepEqual(early, [], "no send answered before its message was published");
    const at = [1, 2, 3].map((i) => log.indexOf(`message m${i}`));
    assert.ok(at[0] < at[1] && at[1] < at[2], "published in order");
    assert.ok(log.slice(at[0], at[1]).includes("a turn"), "the runtime had a turn between m1 and m2");
    assert.ok(log.slice(at[1], at[2]).includes("a turn"), "and between m2 and m3");
  },
);

dbTest(
  "with two batches per channel, the next one starts beside the running one; the channel's sequence stays gap-free",
  async (db) => {
    const { f, ch } = await generalChannel(db);
    const { watched, overlaps, statements, most } = watchStatements(db);
    const limits = {
      ...f.deps.config.limits,
      sendBatchHoldMs: 0,
      sendBatchPaceMs: 0,
      sendBatchesPerChannel: 2,
    };
    const batcher = new SendBatcher({ ...f.deps, db: watched, config: { ...f.deps.config, limits } });
    const alice = f.actor("alice");
    const send = (i: number) =>
      batcher.submit(alice, { channelId: ch, clientId: `p${i}`, body: `m${i}`, type: "text" });
    // m0 goes out at once, m1 beside it (not held here for m0's commit), m2 waits until one of them ends.
    const all = await Promise.all([send(0), send(1), send(2)]);
    assert.ok(all.every((o) => o.stored), "all stored");
    assert.deepEqual(statements, [[ch], [ch], [ch]]);
    assert.ok(overlaps.length >= 1, "the second batch ran beside the first");
    assert.equal(most.running, 2, "never three of one channel at once");
    const seqs = all.map((o) => o.stored ? o.message.seq : -1).toSorted((a, b) => a - b);
    assert.deepEqual(seqs, [seqs[0], seqs[0] + 1, seqs[0] + 2], "gap-free, each once");
    assert.equal(
      all[0].stored && all[0].message.seq,
      seqs[0],
      "the first batch, which held the row lock first, numbered first",
    );
  },
);

dbTest("a bus that throws on publish leaves no send unanswered: all stored, all answered", async (db) => {
  const f = await fixture(db);
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  })).id;
  const bus: typeof f.deps.bus = Object.assign(Object.create(f.deps.bus), {
    publish: () => {
      throw new Error("bus down");
    },
  });
  const limits = { ...f.deps.config.limits, sendBatchHoldMs: 60_000 };
  const batcher = new SendBatcher({ ...f.deps, bus, config: { ...f.deps.config, limits } });
  const alice = f.actor("alice");
  const all = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      batcher.submit(alice, { channelId: ch, clientId: `b${i}`, body: `m${i}`, type: "text" })
    ),
  );
  assert.ok(all.every((o) => o.stored), "every send answered as stored");
  assert.equal((await db.query("SELECT 1 FROM messages WHERE channel_id = $1", [ch])).length, 4);
});
