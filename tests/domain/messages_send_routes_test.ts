/**
 * One suite for the send path's two routes (issue 10): the grouped route (`send_batch.ts`, one statement
 * for many sends) and the one-at-a-time route (`messages.sendOne`). Both store through the shared message
 * columns and the same event log, so each case runs against both and must come out the same: the stored
 * message, its logged event (what happened and the message id, no copy), the sender's read position, the
 * published event, retries (compared with what was first sent, also after an edit: issue 9, item 18),
 * and refusals that change nothing.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";
import * as messagesRepo from "../../db/repos/messages.ts";
import { SendBatcher } from "../../domain/send_batch.ts";
import { watchStatements } from "../helpers/send_statements.ts";
import type { Actor } from "../../domain/deps.ts";
import type { Message } from "../../realtime/protocol.ts";

type Route = (
  f: Fixture,
  actor: Actor,
  input: { channelId: number; clientId: string; body: string },
) => Promise<
  Message | null
>;

/** Each route stores a plain send, or answers null when it leaves it out (refused). */
const ROUTES: Record<string, Route> = {
  grouped: async (f, actor, input) => {
    const o = await f.deps.sendBatcher.submit(actor, { ...input, type: "text" });
    return o.stored ? o.message : null;
  },
  "one at a time": async (f, actor, input) => {
    try {
      return (await messages.sendOne(f.deps, actor, input)).message;
    } catch {
      return null;
    }
  },
};

async function setup(f: Fixture) {
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  return ch.id;
}

for (const [name, route] of Object.entries(ROUTES)) {
  dbTest(
    `send route "${name}": stores the message, its event (id only) and the read position`,
    async (db) => {
      const f = await fixture(db);
      const ch = await setup(f);
      const alice = f.actor("alice");
      const before = f.published.length;
      const m = (await route(f, alice, { channelId: ch, clientId: "k1", body: "hello there" }))!;
      assert.ok(m, "stored");
      // The same shape as every other read of the message (one list of columns).
      assert.deepEqual(m, await messagesRepo.byId(db, f.ws, m.id));
      assert.deepEqual(
        [m.channelId, m.seq, m.senderId, m.clientId, m.type, m.body, m.replyTo, m.replyCount, m.mentions],
        [ch, 1, f.users.alice.id, "k1", "text", "hello there", null, 0, []],
      );
      assert.deepEqual(m.reactions, []);
      assert.match(m.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const log = await db.query<Record<string, unknown>>(
        'SELECT seq, type, message_id AS "messageId", data FROM channel_events WHERE channel_id = $1',
        [ch],
      );
      assert.deepEqual(log, [{ seq: 1, type: "message_received", messageId: m.id, data: null }]);
      assert.deepEqual(await messagesRepo.eventsAfter(db, ch, 0, 10), [
        { type: "message_received", channelId: ch, seq: 1, message: m },
      ]);
      const read = await db.query<{ s: number }>(
        "SELECT last_read_seq AS s FROM members WHERE channel_id = $1 AND user_id = $2",
        [ch, f.users.alice.id],
      );
      assert.equal(read[0].s, 1);
      const published = f.published.slice(before).filter((e) => e.event.type === "message_received");
      assert.deepEqual(published.map((e) => e.event), [{
        type: "message_received",
        channelId: ch,
        seq: 1,
        message: m,
      }]);
      assert.deepEqual(published[0].audience, { kind: "channel", channelId: ch });
    },
  );

  dbTest(`send route "${name}": a retry returns the stored message, also after an edit`, async (db) => {
    const f = await fixture(db);
    const ch = await setup(f);
    const alice = f.actor("alice");
    const m = (await route(f, alice, { channelId: ch, clientId: "k1", body: "first words" }))!;
    // Edited since (say in another tab); the retry of the original send still gets the stored message.
    await messages.edit(f.deps, alice, m.id, { body: "better words" });
    for (const retry of [messages.send, messages.sendOne]) {
      const again = await retry(f.deps, alice, { channelId: ch, clientId: "k1", body: "first words" });
      assert.equal(again.created, false);
      assert.equal(again.message.id, m.id);
      assert.equal(again.message.body, "better words");
      // The same key for something else is still a conflict, the edited text included.
      for (const body of ["other words", "better words"]) {
        await refused(retry(f.deps, alice, { channelId: ch, clientId: "k1", body }), 409, "conflict");
      }
    }
    // Deleted since: the retry gets the placeholder, not a second message.
    await messages.remove(f.deps, alice, m.id);
    const gone = await messages.send(f.deps, alice, { channelId: ch, clientId: "k1", body: "first words" });
    assert.deepEqual([gone.created, gone.message.id, gone.message.body], [false, m.id, ""]);
    assert.equal((await db.query("SELECT 1 FROM messages")).length, 1);
  });

  dbTest(`send route "${name}": refuses who may not post, and stores nothing`, async (db) => {
    const f = await fixture(db);
    const ch = await setup(f);
    await members.setBlocked(f.deps, f.actor("mod"), ch, f.users.bob.id, true);
    const ro = await channels.create(f.deps, f.actor("mod"), {
      name: "news",
      readOnly: true,
      memberIds: [f.users.alice.id],
    });
    const archived = await channels.create(f.deps, f.actor("mod"), {
      name: "old",
      memberIds: [f.users.alice.id],
    });
    await channels.update(f.deps, f.actor("mod"), archived.id, { archived: true });
    const cases: [Actor, number][] = [
      [f.actor("carol"), ch], // not a member
      [f.actor("eve"), ch], // another workspace
      [f.actor("bob"), ch], // blocked
      [f.actor("alice"), ro.id], // read-only
      [f.actor("alice"), archived.id], // archived
    ];
    let i = 0;
    for (const [actor, channelId] of cases) {
      assert.equal(await route(f, actor, { channelId, clientId: `x${i++}`, body: "let me in" }), null);
    }
    assert.equal((await db.query("SELECT 1 FROM messages")).length, 0);
    assert.equal((await db.query("SELECT 1 FROM channel_events")).length, 0);
    // A moderator may post in the read-only channel by either route.
    assert.ok(await route(f, f.actor("mod"), { channelId: ro.id, clientId: "m1", body: "news" }));
  });
}

dbTest(
  "grouped route: while a statement runs within its hold, the sends arriving meanwhile go out together after it",
  async (db) => {
    const f = await fixture(db);
    const a = await setup(f);
    const b =
      (await channels.create(f.deps, f.actor("mod"), { name: "random", memberIds: [f.users.alice.id] })).id;
    const { watched, statements } = watchStatements(db);
    // A hold longer than any statement here: the four slots stay with the running batch until it commits.
    const limits = { ...f.deps.config.limits, sendBatchesInFlight: 4, sendBatchHoldMs: 60_000 };
    const batcher = new SendBatcher({ ...f.deps, db: watched, config: { ...f.deps.config, limits } });
    const alice = f.actor("alice");
    const send = (channelId: number, i: number) =>
      batcher.submit(alice, { channelId, clientId: `h${channelId}-${i}`, body: `m${i}`, type: "text" });
    const all = await Promise.all([send(a, 0), send(a, 1), send(b, 1), send(a, 2)]);
    assert.ok(all.every((o) => o.stored), "all stored");
    assert.deepEqual(
      statements,
      [[a], [a, b, a]],
      "one statement for the lone send, one for the three after it",
    );
    const seqs = all.flatMap((o) => o.stored && o.message.channelId === a ? [o.message.seq] : []);
    assert.deepEqual(seqs, seqs.toSorted((x, y) => x - y), "channel a's sends numbered in submit order");
  },
);

dbTest(
  "grouped route: a send within the pace of the latest statement's start waits, and goes with what follows",
  async (db) => {
    const f = await fixture(db);
    const a = await setup(f);
    const b =
      (await channels.create(f.deps, f.actor("mod"), { name: "random", memberIds: [f.users.alice.id] })).id;
    const { watched, statements } = watchStatements(db);
    // A pace longer than the first statement takes: the sends after its commit wait for the pace's end.
    const limits = {
      ...f.deps.config.limits,
      sendBatchesInFlight: 4,
      sendBatchHoldMs: 5,
      sendBatchPaceMs: 500,
    };
    const batcher = new SendBatcher({ ...f.deps, db: watched, config: { ...f.deps.config, limits } });
    const alice = f.actor("alice");
    const send = (channelId: number, i: number) =>
      batcher.submit(alice, { channelId, clientId: `p${channelId}-${i}`, body: `m${i}`, type: "text" });
    assert.ok((await send(a, 0)).stored);
    const after = [send(a, 1), send(b, 1)];
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(statements, [[a]], "no statement runs, yet the next sends wait for the pace");
    assert.ok((await Promise.all(after)).every((o) => o.stored), "then stored");
    assert.deepEqual(statements, [[a], [a, b]], "one statement for the lone send, one for the two after it");
  },
);

dbTest(
  "grouped route: with one batch per channel, batches in flight never share a channel, so each channel is published in order",
  async (db) => {
    const f = await fixture(db);
    const a = await setup(f);
    const b =
      (await channels.create(f.deps, f.actor("mod"), { name: "random", memberIds: [f.users.alice.id] })).id;
    // Watch the grouped statements: which channels each one stores into while it runs.
    const { watched, overlaps, statements } = watchStatements(db);
    // No hold and no pace: a free slot starts a batch at once (the hold is tested below, the pace in
    // group_commit_test.ts); one batch per channel in flight (two: see "a channel's next batch waits on its row
    // lock" below).
    const limits = {
      ...f.deps.config.limits,
      sendBatchHoldMs: 0,
      sendBatchPaceMs: 0,
      sendBatchesPerChannel: 1,
    };
    const batcher = new SendBatcher({ ...f.deps, db: watched, config: { ...f.deps.config, limits } });
    const alice = f.actor("alice");
    const send = (channelId: number, i: number) =>
      batcher.submit(alice, { channelId, clientId: `k${channelId}-${i}`, body: `m${i}`, type: "text" });
    // One send to a goes out at once; what comes while it runs: more for a (must wait) and one for b (need not).
    const first = send(a, 0);
    const more = [send(a, 1), send(b, 1), send(a, 2)];
    const all = await Promise.all([first, ...more]);
    assert.ok(all.every((o) => o.stored), "all stored");
    assert.deepEqual(overlaps, [], "no channel in two statements at once");
    assert.deepEqual(
      statements,
      [[a], [b], [a, a]],
      "b did not wait for a's commit; a's next two waited together",
    );
    for (const ch of [a, b]) {
      const seqs = f.published.filter((e) => e.event.type === "message_received" && e.event.channelId === ch)
        .map((e) => (e.event as { seq: number }).seq);
      assert.deepEqual(seqs, seqs.toSorted((x, y) => x - y), "published in sequence order");
    }
  },
);
