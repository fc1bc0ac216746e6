/**
 * Contract: db/repos/message_batch.ts. The statement has two shapes, one for a lone send and one for many
 * (arrays); each guarantee below is checked for a lone send and inside a batch of three, so neither shape can
 * drop one: who may post (member, can post, not archived, read-only only for moderators or the channel's
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
  /** The send alone, and in the middle of a batch of three: what each stored of it (null: left out). */
  const both = async (s: () => BatchSend) => {
    const lone = await insertBatch(db, [s()], PAUSE);
    const three = await insertBatch(db, [send(pad, pass), s(), send(pad, pass)], PAUSE);
    assert.ok(lone.length <= 1);
    assert.deepEqual(three.filter((r) => r.index !== 1).map((r) => r.message.channelId), [pad, pad]);
    return [lone[0]?.message ?? null, three.find((r) => r.index === 1)?.message ?? null];
  };
  return { w, other, u, v, channel, send, both };
}

dbTest(
  "insertBatch, alone and in a batch: stores the message, its event and the read position",
  async (db) => {
    const { u, channel, send, both } = await setup(db);
    const ch = await channel("c");
    const [one, inThree] = await both(() => send(ch, { body: "hello" }));
    assert.deepEqual([one!.seq, inThree!.seq], [1, 2]);
    assert.deepEqual([one!.channelId, one!.senderId, one!.body, one!.type], [ch, u.id, "hello", "text"]);
    const log = await db.query<{ seq: number; message_id: number }>(
      "SELECT seq, message_id FROM channel_events WHERE channel_id = $1 ORDER BY seq",
      [ch],
    );
    assert.deepEqual(log.map((r) => [Number(r.seq), Number(r.message_id)]), [[1, one!.id], [2, inThree!.id]]);
    const read = await channelsRepo.member(db, ch, u.id);
    assert.equal(Number(read!.lastReadSeq), 2);
    const last = await db.query<{ s: number }>("SELECT last_seq AS s FROM channels WHERE id = $1", [ch]);
    assert.equal(Number(last[0].s), 2);
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
  for (const [why, s] of cases) assert.deepEqual(await both(s), [null, null], why);
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
    assert.deepEqual(await both(() => send(ch)), [null, null]);
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
    assert.deepEqual(await both(() => ({ ...first })), [null, null]);
    for (const [flag, want] of [[true, true], [false, false], [undefined, null]] as const) {
      const ms = await both(() => send(ch, { broadMention: flag }));
      const rows = await db.query<{ b: boolean | null }>(
        "SELECT broad_mention AS b FROM messages WHERE id = ANY($1::bigint[]) ORDER BY id",
        [ms.map((m) => m!.id)],
      );
      assert.deepEqual(rows.map((r) => r.b), [want, want], `broadMention ${flag}`);
    }
  },
);

dbTest(
  "insertBatch, alone and in a batch: a channel archived while the statement waits for its row stores nothing",
  async (db) => {
    const { channel, send } = await setup(db);
    for (const n of [1, 3]) {
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
