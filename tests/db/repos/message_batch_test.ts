/**
 * Contract: db/repos/message_batch.ts. The statement has two shapes, one for a lone send and one for many
 * (arrays); each guarantee below is checked for a lone send and inside a batch of three, so neither shape can
 * drop one (and in a pair or three to distinct channels, the small statement): who may post (member, can post, not archived, read-only only for moderators or the channel's
 * own moderators, the channel in the sender's workspace), the maintenance pause (exempt senders only), the
 * retry key (a stored key is left out), the broad-mention flag as given, the read position, the event, and
 * the permission check re-run on the channel row as locked (a channel archived while the statement waits
 * for its row stores nothing).
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as channelsRepo from "../../../db/repos/channels.ts";
import * as messagesRepo from "../../../db/repos/messages.ts";
import { type BatchSend, insertBatch } from "../../../db/repos/message_batch.ts";
import type { Db } from "../../../db/client.ts";

const PAUSE = "control.maintenance";

async function setup(db: Db) {
  const w = await workspacesRepo.insert(db, "a", "A");
  const other = await workspacesRepo.insert(db, "b", "B");
  const u = await usersRepo.insert(db, { workspaceId: w.id, username: "u", displayName: "U" });
  const v = await usersRepo.insert(db, { workspaceId: w.id, username: "v", displayName: "V" });
  const channel = async (name: string, workspaceId = w.id) => {
    const c = await channelsRepo.insert(db, { workspaceId, kind: "public_channel", name, createdBy: null });
    await channelsRepo.addMember(db, { channelId: c.id, userId: u.id, workspaceId });
    return c.id;
  };
  // `pad`: a channel of its own for the batch's other two sends, which are always stored (exempt).
  const pad = await channel("pad");
  let n = 0;
  const send = (channelId: number, extra: Partial<BatchSend> = {}): BatchSend => ({
    workspaceId: w.id,
    channelId,
    senderId: u.id,
    clientId: `k${++n}`,
    type: "text",
    body: `body ${n}`,
    moderator: false,
    maintenanceExempt: false,
    ...extra,
  });
  const pass = { maintenanceExempt: true };
  // `pad2`: a second channel, created before the channels under test (a lower id), so in a pair the send
  // under test is second in lock order though first in input order.
  const pad2 = await channel("pad2");
  /**
   * The send alone, first in a pair to distinct channels (the small statement) and in the middle of a batch
   * of three sharing a channel (the grouped statement): what each stored of it (null: left out).
   */
  const both = async (s: () => BatchSend) => {
    const lone = await insertBatch(db, [s()], PAUSE);
    const pair = await insertBatch(db, [s(), send(pad2, pass)], PAUSE);
    const three = await insertBatch(db, [send(pad, pass), s(), send(pad, pass)], PAUSE);
    assert.ok(lone.length <= 1);
    assert.deepEqual(pair.filter((r) => r.index !== 0).map((r) => r.message.channelId), [pad2]);
    assert.deepEqual(three.filter((r) => r.index !== 1).map((r) => r.message.channelId), [pad, pad]);
    return [
      lone[0]?.message ?? null,
      pair.find((r) => r.index === 0)?.message ?? null,
      three.find((r) => r.index === 1)?.message ?? null,
    ];
  };
  return { w, other, u, v, channel, send, both, pass };
}

dbTest(
  "insertBatch, alone and in a batch: stores the message, its event and the read position",
  async (db) => {
    const { u, channel, send, both } = await setup(db);
    const ch = await channel("c");
    const [one, inPair, inThree] = await both(() => send(ch, { body: "hello" }));
    assert.deepEqual([one!.seq, inPair!.seq, inThree!.seq], [1, 2, 3]);
    assert.deepEqual([one!.channelId, one!.senderId, one!.body, one!.type], [ch, u.id, "hello", "text"]);
    const log = await db.query<{ seq: number; message_id: number }>(
      "SELECT seq, message_id FROM channel_events WHERE channel_id = $1 ORDER BY seq",
      [ch],
    );
    assert.deepEqual(log.map((r) => [Number(r.seq), Number(r.message_id)]), [
      [1, one!.id],
      [2, inPair!.id],
      [3, inThree!.id],
    ]);
    const read = await channelsRepo.member(db, ch, u.id);
    assert.equal(Number(read!.lastReadSeq), 3);
    const last = await db.query<{ s: number }>("SELECT last_seq AS s FROM channels WHERE id = $1", [ch]);
    assert.equal(Number(last[0].s), 3);
  },
);

dbTest("insertBatch, alone and in a batch: leaves out who may not post there", async (db) => {
  const { w, other, v, channel, send, both } = await setup(db);
  const ch = await channel("c");
  const ro = await channel("ro");
  await channelsRepo.update(db, ro, { readOnly: true });
  const closed = await channel("closed");
  await channelsRepo.update(db, closed, { allowPosting: false });
  const archived = await channel("old");
  await channelsRepo.update(db, archived, { archived: true });
  const foreign = await channel("foreign", other.id);
  const blocked = await channel("blocked");
  await db.query("UPDATE members SET can_post = false WHERE channel_id = $1", [blocked]);
  const cases: [string, () => BatchSend][] = [
    ["not a member", () => send(ch, { senderId: v.id })],
    ["read-only", () => send(ro)],
    ["posting closed", () => send(closed)],
    ["archived", () => send(archived)],
    ["another workspace's channel", () => send(foreign, { workspaceId: w.id })],
    ["the channel under another workspace", () => send(ch, { workspaceId: other.id })],
    ["cannot post", () => send(blocked)],
  ];
  for (const [why, s] of cases) assert.deepEqual(await both(s), [null, null, null], why);
  // Read-only: a moderator (permission) or the channel's own moderator may post.
  assert.ok((await both(() => send(ro, { moderator: true }))).every((m) => m));
  await db.query("UPDATE members SET role = 'moderator' WHERE channel_id = $1", [ro]);
  assert.ok((await both(() => send(ro))).every((m) => m));
});

dbTest(
  "insertBatch, alone and in a batch: the maintenance pause lets only exempt senders through",
  async (db) => {
    const { w, channel, send, both } = await setup(db);
    const ch = await channel("c");
    await workspacesRepo.putSetting(db, w.id, PAUSE, true);
    assert.deepEqual(await both(() => send(ch)), [null, null, null]);
    assert.ok((await both(() => send(ch, { maintenanceExempt: true }))).every((m) => m));
    await workspacesRepo.putSetting(db, w.id, PAUSE, false);
    assert.ok((await both(() => send(ch))).every((m) => m));
  },
);

dbTest(
  "insertBatch, alone and in a batch: a stored key is left out; the flag is stored as given",
  async (db) => {
    const { channel, send, both } = await setup(db);
    const ch = await channel("c");
    const first = send(ch);
    const [stored] = await insertBatch(db, [first], PAUSE);
    assert.ok(stored);
    assert.deepEqual(await both(() => ({ ...first })), [null, null, null]);
    for (const [flag, want] of [[true, true], [false, false], [undefined, null]] as const) {
      const ms = await both(() => send(ch, { broadMention: flag }));
      const rows = await db.query<{ b: boolean | null }>(
        "SELECT broad_mention AS b FROM messages WHERE id = ANY($1::bigint[]) ORDER BY id",
        [ms.map((m) => m!.id)],
      );
      assert.deepEqual(rows.map((r) => r.b), [want, want, want], `broadMention ${flag}`);
    }
  },
);

dbTest(
  "insertBatch, alone and in a batch: a channel archived while the statement waits for its row stores nothing",
  async (db) => {
    const { channel, send } = await setup(db);
    for (const n of [1, 2, 3]) {
      const ch = await channel(`c${n}`);
      let waiting: Promise<unknown> | null = null;
      await db.tx(async (tx) => {
        // Holds the channel's row until this transaction commits; the statement waits for it (on Postgres;
        // PGlite runs it after the commit).
        await channelsRepo.update(tx, ch, { archived: true });
        waiting = insertBatch(db, Array.from({ length: n }, () => send(ch)), PAUSE);
        await new Promise((r) => setTimeout(r, 150));
      });
      assert.deepEqual(await waiting, [], `${n} per statement`);
      const stored = await db.query("SELECT 1 FROM messages WHERE channel_id = $1", [ch]);
      assert.equal(stored.length, 0);
      const last = await db.query<{ s: number }>("SELECT last_seq AS s FROM channels WHERE id = $1", [ch]);
      assert.equal(Number(last[0].s), 0);
    }
  },
);

dbTest(
  "insertBatch, sends to distinct channels (the small statement): each in its channel, indexes as given",
  async (db) => {
    const { u, v, channel, send } = await setup(db);
    const [a, b, c] = [await channel("a"), await channel("b"), await channel("c")];
    await channelsRepo.addMember(db, {
      channelId: b,
      userId: v.id,
      workspaceId: (await send(b)).workspaceId,
    });
    for (const n of [2, 3]) {
      // Input order against channel order: the statement runs them in channel order.
      const sends = [send(c), send(b, { senderId: v.id }), send(a)].slice(3 - n);
      const rows = await insertBatch(db, sends, PAUSE);
      assert.equal(rows.length, n);
      for (const r of rows) {
        assert.equal(r.message.clientId, sends[r.index].clientId, `${n}: index of ${r.message.channelId}`);
        assert.equal(r.message.channelId, sends[r.index].channelId);
        assert.equal(r.message.senderId, sends[r.index].senderId);
      }
    }
    // c: 1 (the three), b: 1, 2; a: 1, 2. Every send's event in its channel; each sender's read position.
    const seqs = await db.query<{ channel_id: number; seq: number; sender_id: number; ev: number }>(
      `SELECT m.channel_id, m.seq, m.sender_id, e.seq AS ev FROM messages m
       JOIN channel_events e ON e.message_id = m.id AND e.channel_id = m.channel_id
       WHERE m.channel_id = ANY($1::bigint[]) ORDER BY m.channel_id, m.seq`,
      [[a, b, c]],
    );
    assert.deepEqual(seqs.map((r) => [Number(r.channel_id), Number(r.seq), Number(r.ev)]), [
      [a, 1, 1],
      [a, 2, 2],
      [b, 1, 1],
      [b, 2, 2],
      [c, 1, 1],
    ]);
    const last = await db.query<{ id: number; s: number }>(
      "SELECT id, last_seq AS s FROM channels WHERE id = ANY($1::bigint[]) ORDER BY id",
      [[a, b, c]],
    );
    assert.deepEqual(last.map((r) => Number(r.s)), [2, 2, 1]);
    assert.equal(Number((await channelsRepo.member(db, b, v.id))!.lastReadSeq), 2);
    assert.equal(Number((await channelsRepo.member(db, b, u.id))!.lastReadSeq), 0);
    assert.equal(Number((await channelsRepo.member(db, a, u.id))!.lastReadSeq), 2);
  },
);

dbTest("insertBatch, two sends to one channel: numbered in input order", async (db) => {
  const { channel, send } = await setup(db);
  const ch = await channel("c");
  const sends = [send(ch, { body: "first" }), send(ch, { body: "second" })];
  const rows = await insertBatch(db, sends, PAUSE);
  assert.deepEqual(rows.map((r) => [r.index, r.message.seq, r.message.body]).sort(), [
    [0, 1, "first"],
    [1, 2, "second"],
  ]);
});

dbTest(
  "insertBatch, sends to distinct channels: a channel archived while waiting stores nothing, the other is stored",
  async (db) => {
    const { channel, send } = await setup(db);
    const [a, b] = [await channel("a"), await channel("b")];
    for (const archived of [a, b]) {
      let waiting: Promise<{ index: number; message: { channelId: number } }[]> | null = null;
      await db.tx(async (tx) => {
        await channelsRepo.update(tx, archived, { archived: true });
        waiting = insertBatch(db, [send(b), send(a)], PAUSE);
        await new Promise((r) => setTimeout(r, 150));
      });
      const rows = await waiting!;
      const kept = archived === a ? b : a;
      assert.deepEqual(rows.map((r) => [r.index, r.message.channelId]), [[kept === b ? 0 : 1, kept]]);
      const stored = await db.query("SELECT 1 FROM messages WHERE channel_id = $1", [archived]);
      assert.equal(stored.length, 0);
      const last = await db.query<{ s: number }>("SELECT last_seq AS s FROM channels WHERE id = $1", [
        archived,
      ]);
      assert.equal(Number(last[0].s), 0);
      await channelsRepo.update(db, archived, { archived: false });
      await db.query("UPDATE channels SET last_seq = 0 WHERE id = $1", [kept]);
      await db.query("DELETE FROM channel_events WHERE channel_id = $1", [kept]);
      await db.query("DELETE FROM messages WHERE channel_id = $1", [kept]);
    }
  },
);

dbTest(
  "insertBatch, sends to distinct channels: channel rows locked in id order (waiting on the lower, the higher is free)",
  async (db, engine) => {
    const { channel, send } = await setup(db);
    const [a, b, c] = [await channel("a"), await channel("b"), await channel("c")];
    for (const [held, free] of [[a, [b, c]], [b, [c]]] as const) {
      let waiting: Promise<unknown[]> | null = null;
      let taken: number[] = [];
      await db.tx(async (tx) => {
        // The statement waits for `held` (on Postgres; PGlite runs it after the commit). Sends in reverse
        // channel order: had it locked in input order, it would hold the higher channels while it waits.
        await tx.query("SELECT 1 FROM channels WHERE id = $1 FOR UPDATE", [held]);
        waiting = insertBatch(db, [send(c), send(b), send(a)], PAUSE);
        await new Promise((r) => setTimeout(r, 150));
        if (engine !== "postgres") return;
        for (const ch of free) {
          const got = await db.tx((t) =>
            t.query("SELECT 1 FROM channels WHERE id = $1 FOR UPDATE NOWAIT", [ch]).then(
              () => true,
              () => false,
            )
          );
          if (!got) taken.push(ch);
        }
      });
      assert.equal((await waiting!).length, 3);
      assert.deepEqual(taken, [], `waiting for ${held}, it held none above it`);
      taken = [];
    }
  },
);

/** Bodies the statements must store and give back exactly (the array literal's specials, text of every kind). */
const ODD_BODIES = [
  'say "hi"',
  'back\\slash \\\\ \\" and \\',
  "C:\\path\\to\\file \\n \\\\ \\",
  "a, b, {c}, {}, {,}",
  "NULL",
  "null",
  "",
  "  spaces at both ends  ",
  "line\nbreak\ttab\r",
  "naïve café — ünïcödé ß",
  "emoji 🎉 👩‍👩‍👧 🇫🇷 ✌🏽",
  "lone \ud83d surrogate and \udc00 another",
  "'single' `back` $1 ::text",
  `${'long "quoted" \\ {body}, '.repeat(700)}end`,
];

dbTest(
  "insertBatch, every shape: the message returned is the stored row as read back, bodies of every kind",
  async (db) => {
    const { w, u, v, channel, send } = await setup(db);
    const chs: number[] = [];
    for (let i = 0; i < 9; i++) chs.push(await channel(`odd${i}`));
    for (const ch of chs) {
      await channelsRepo.addMember(db, { channelId: ch, userId: v.id, workspaceId: w.id });
    }
    const flags = [undefined, true, false] as const;
    let k = 0;
    const next = (ch: number): BatchSend =>
      send(ch, {
        body: ODD_BODIES[k % ODD_BODIES.length],
        senderId: k % 2 ? v.id : u.id,
        broadMention: flags[k++ % 3],
        type: k % 5 ? "text" : "ticket_link",
      });
    // Alone, a pair and three to distinct channels (small statement), three to one channel and nine to
    // distinct ones (grouped), twice over so every body takes every shape.
    const shapes = [[0], [0, 1], [2, 1, 0], [3, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]];
    for (let round = 0; round < ODD_BODIES.length; round++) {
      for (const shape of shapes) {
        const sends = shape.map((i) => next(chs[i]));
        const rows = await insertBatch(db, sends, PAUSE);
        assert.equal(rows.length, sends.length);
        assert.deepEqual(rows.map((r) => r.index).sort(), sends.map((_, i) => i));
        for (const { index, message } of rows) {
          const s = sends[index];
          const read = await messagesRepo.byId(db, w.id, message.id);
          // The same fields in the same order: the event's JSON is the same text.
          assert.equal(
            JSON.stringify(message),
            JSON.stringify(read),
            `${shape.length} sends: ${s.body.slice(0, 30)}`,
          );
          assert.deepEqual(message, read);
          assert.equal(message.body, s.body.toWellFormed());
          assert.equal(message.clientId, s.clientId);
          const [b] = await db.query<{ b: boolean | null }>(
            "SELECT broad_mention AS b FROM messages WHERE id = $1",
            [message.id],
          );
          assert.equal(b.b, s.broadMention ?? null);
        }
        // Numbered in input order within each channel.
        const byChannel = new Map<number, number[]>();
        for (const r of rows.toSorted((a, b) => a.index - b.index)) {
          byChannel.set(r.message.channelId, [...byChannel.get(r.message.channelId) ?? [], r.message.seq]);
        }
        for (const seqs of byChannel.values()) assert.deepEqual(seqs, seqs.toSorted((a, b) => a - b));
      }
    }
  },
);
