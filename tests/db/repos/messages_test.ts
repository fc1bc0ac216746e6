/** Contract: db/repos/messages.ts (messages, reactions, the event log). */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as channelsRepo from "../../../db/repos/channels.ts";
import * as messagesRepo from "../../../db/repos/messages.ts";
import type { Db } from "../../../db/client.ts";

async function setup(db: Db) {
  const w = await workspacesRepo.insert(db, "a", "A");
  const other = await workspacesRepo.insert(db, "b", "B");
  const u = await usersRepo.insert(db, { workspaceId: w.id, username: "u", displayName: "U" });
  const v = await usersRepo.insert(db, { workspaceId: w.id, username: "v", displayName: "V" });
  const c = await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "public_channel",
    name: "c",
    createdBy: u.id,
  });
  let n = 0;
  const post = async (body: string, extra: Partial<messagesRepo.NewMessage> = {}) => {
    const seq = await channelsRepo.nextSeq(db, c.id, true);
    return (await messagesRepo.insert(db, {
      workspaceId: w.id,
      channelId: c.id,
      senderId: u.id,
      clientId: `k${++n}`,
      seq,
      type: "text",
      body,
      replyTo: null,
      mentions: [],
      ...extra,
    }))!;
  };
  return { w, other, u, v, c, post };
}

dbTest("insert returns the message; the same (sender, client id) is stored once", async (db) => {
  const { w, other, u, v, c, post } = await setup(db);
  const m = await post("hello", { mentions: [v.id], clientId: "same" });
  assert.deepEqual(
    [
      m.channelId,
      m.seq,
      m.senderId,
      m.clientId,
      m.type,
      m.body,
      m.replyTo,
      m.replyCount,
      m.mentions,
      m.reactions,
    ],
    [c.id, 1, u.id, "same", "text", "hello", null, 0, [v.id], []],
  );
  assert.equal(m.editedAt, null);
  const dup = await messagesRepo.insert(db, {
    workspaceId: w.id,
    channelId: c.id,
    senderId: u.id,
    clientId: "same",
    seq: 2,
    type: "text",
    body: "other",
    replyTo: null,
    mentions: [],
  });
  assert.equal(dup, null);
  assert.deepEqual(await messagesRepo.byClientId(db, u.id, "same", "hello"), {
    id: m.id,
    channelId: c.id,
    replyTo: null,
    sameBody: true,
  });
  assert.equal((await messagesRepo.byClientId(db, u.id, "same", "other"))?.sameBody, false);
  // The key remembers what was first sent: an edit does not change what a retry is compared with.
  await messagesRepo.edit(db, m.id, "hello, edited", [v.id]);
  assert.equal((await messagesRepo.byClientId(db, u.id, "same", "hello"))?.sameBody, true);
  assert.equal((await messagesRepo.byClientId(db, u.id, "same", "hello, edited"))?.sameBody, false);
  await messagesRepo.edit(db, m.id, "hello", [v.id]);
  assert.equal(await messagesRepo.byClientId(db, v.id, "same", "hello"), null);
  assert.deepEqual(await messagesRepo.byId(db, w.id, m.id), {
    ...m,
    editedAt: (await messagesRepo.byId(db, w.id, m.id))!.editedAt,
  });
  assert.equal(await messagesRepo.byId(db, other.id, m.id), null);
});

dbTest("edit, reply counts and soft delete (body hidden, reactions gone, time kept)", async (db) => {
  const { w, u, v, post } = await setup(db);
  const m = await post("draft");
  await messagesRepo.edit(db, m.id, "final @v", [v.id]);
  await messagesRepo.bumpReplyCount(db, m.id);
  await messagesRepo.addReaction(db, { messageId: m.id, userId: u.id, workspaceId: w.id, emoji: "👍" });
  let got = (await messagesRepo.byId(db, w.id, m.id))!;
  assert.deepEqual([got.body, got.mentions, got.replyCount, got.reactions.length], [
    "final @v",
    [v.id],
    1,
    1,
  ]);
  assert.ok(got.editedAt);
  const at = await messagesRepo.softDelete(db, m.id);
  assert.equal(await messagesRepo.softDelete(db, m.id), at, "deleting again keeps the first time");
  got = (await messagesRepo.byId(db, w.id, m.id))!;
  assert.deepEqual([got.body, got.mentions, got.deletedAt, got.reactions], ["", [], at, []]);
  // Erased in storage too, not only hidden.
  const [row] = await db.query<{ body: string; n: number }>(
    "SELECT body, cardinality(mentions) AS n FROM messages WHERE id = $1",
    [m.id],
  );
  assert.deepEqual([row.body, row.n], ["", 0]);
});

dbTest("pages of top-level messages: newest, before, after; threads separately", async (db) => {
  const { c, post } = await setup(db);
  const ms = [];
  for (let i = 1; i <= 5; i++) ms.push(await post(`m${i}`));
  const r1 = await post("r1", { replyTo: ms[0].id });
  await post("r2", { replyTo: ms[0].id });
  const bodies = (xs: { body: string }[]) => xs.map((x) => x.body);
  assert.deepEqual(bodies(await messagesRepo.page(db, c.id, { limit: 2 })), ["m4", "m5"]);
  assert.deepEqual(bodies(await messagesRepo.page(db, c.id, { before: ms[3].id, limit: 2 })), ["m2", "m3"]);
  assert.deepEqual(bodies(await messagesRepo.page(db, c.id, { after: ms[1].id, limit: 2 })), ["m3", "m4"]);
  assert.deepEqual(bodies(await messagesRepo.page(db, c.id, { after: ms[4].id, limit: 2 })), []);
  assert.deepEqual(bodies(await messagesRepo.thread(db, ms[0].id, 10)), ["r1", "r2"]);
  assert.deepEqual(bodies(await messagesRepo.thread(db, ms[0].id, 1)), ["r1"]);
  assert.deepEqual(await messagesRepo.thread(db, r1.id, 10), []);
});

dbTest("reactions are unique per (message, user, emoji) and grouped in first-use order", async (db) => {
  const { w, u, v, post } = await setup(db);
  const m = await post("x");
  const add = (userId: number, emoji: string) =>
    messagesRepo.addReaction(db, { messageId: m.id, userId, workspaceId: w.id, emoji });
  assert.equal(await add(u.id, "🎉"), true);
  assert.equal(await add(u.id, "🎉"), false);
  assert.equal(await add(v.id, "👍"), true);
  assert.equal(await add(v.id, "🎉"), true);
  assert.deepEqual((await messagesRepo.byId(db, w.id, m.id))!.reactions, [
    { emoji: "🎉", userIds: [u.id, v.id] },
    { emoji: "👍", userIds: [v.id] },
  ]);
  assert.equal(await messagesRepo.removeReaction(db, m.id, u.id, "🎉"), true);
  assert.equal(await messagesRepo.removeReaction(db, m.id, u.id, "🎉"), false);
  assert.equal((await db.query("SELECT 1 FROM reactions")).length, 2);
});

dbTest(
  "the event log keeps what happened and the message id, in order, and loads exact envelopes",
  async (db) => {
    const { w, c, post } = await setup(db);
    for (let i = 1; i <= 4; i++) {
      const m = await post(`m${i}`);
      await messagesRepo.appendEvent(db, w.id, {
        type: "message_received",
        channelId: c.id,
        seq: m.seq,
        message: m,
      });
    }
    await assert.rejects(
      messagesRepo.appendEvent(db, w.id, {
        type: "message_deleted",
        channelId: c.id,
        seq: 2,
        messageId: 1,
        deletedAt: "",
      }),
      /duplicate key|unique/i,
      "one event per sequence number",
    );
    // No copy of the message in the log: only its id.
    const cols = await db.query<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'channel_events' ORDER BY 1`,
    );
    assert.deepEqual(cols.map((x) => x.c), [
      "channel_id",
      "created_at",
      "data",
      "message_id",
      "seq",
      "type",
      "workspace_id",
    ]);
    const stored = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM channel_events WHERE data IS NULL AND message_id IS NOT NULL",
    );
    assert.equal(stored[0].n, 4);
    const after = await messagesRepo.eventsAfter(db, c.id, 1, 2);
    assert.deepEqual(after.map((e) => e.seq), [2, 3]);
    assert.equal(after[0].type === "message_received" && after[0].message.body, "m2");
    assert.deepEqual(await messagesRepo.eventsAfter(db, c.id, 4, 10), []);
    const envs = await messagesRepo.envelopes(db, c.id, [4, 2]);
    assert.deepEqual(
      envs.map((e) => [e.event.type, (e.event as { seq: number }).seq, e.workspaceId, e.audience]),
      [
        ["message_received", 2, w.id, { kind: "channel", channelId: c.id }],
        ["message_received", 4, w.id, { kind: "channel", channelId: c.id }],
      ],
    );
  },
);

dbTest(
  "replay builds messages as they are now: edits replace, deletions leave a bare placeholder",
  async (db) => {
    const { w, u, v, c, post } = await setup(db);
    const log = async (e: Parameters<typeof messagesRepo.appendEvent>[2]) =>
      await messagesRepo.appendEvent(db, w.id, e);
    const a = await post("secret @v", { mentions: [v.id] });
    await log({ type: "message_received", channelId: c.id, seq: a.seq, message: a });
    const b = await post("first draft");
    await log({ type: "message_received", channelId: c.id, seq: b.seq, message: b });
    // A reply to b, then b edited: the edit's replay carries the reply count as it was then (1).
    const r = await post("reply", { replyTo: b.id });
    await messagesRepo.bumpReplyCount(db, b.id);
    await log({ type: "message_received", channelId: c.id, seq: r.seq, message: r });
    let seq = await channelsRepo.nextSeq(db, c.id, false);
    await messagesRepo.addReaction(db, { messageId: a.id, userId: v.id, workspaceId: w.id, emoji: "👍" });
    await log({ type: "reaction_added", channelId: c.id, seq, messageId: a.id, userId: v.id, emoji: "👍" });
    await messagesRepo.edit(db, b.id, "final text", []);
    seq = await channelsRepo.nextSeq(db, c.id, false);
    const edited = (await messagesRepo.byId(db, w.id, b.id))!;
    await log({ type: "message_updated", channelId: c.id, seq, message: edited });
    const r2 = await post("reply 2", { replyTo: b.id });
    await messagesRepo.bumpReplyCount(db, b.id);
    await log({ type: "message_received", channelId: c.id, seq: r2.seq, message: r2 });
    const deletedAt = await messagesRepo.softDelete(db, a.id);
    seq = await channelsRepo.nextSeq(db, c.id, false);
    await log({ type: "message_deleted", channelId: c.id, seq, messageId: a.id, deletedAt });

    const events = await messagesRepo.eventsAfter(db, c.id, 0, 100);
    assert.deepEqual(events.map((e) => [e.seq, e.type]), [
      [1, "message_received"],
      [2, "message_received"],
      [3, "message_received"],
      [4, "message_updated"], // the reaction to a message deleted since: only its placeholder
      [5, "message_updated"],
      [6, "message_received"],
      [7, "message_deleted"],
    ]);
    const text = JSON.stringify(events);
    for (const gone of ["secret", "first draft", "👍"]) assert.ok(!text.includes(gone), `${gone} came back`);
    const e1 = events[0] as { message: { body: string; mentions: number[]; reactions: unknown[] } };
    assert.deepEqual([e1.message.body, e1.message.mentions, e1.message.reactions], ["", [], []]);
    const e2 = events[1] as { message: { body: string; replyCount: number; editedAt: string | null } };
    assert.deepEqual([e2.message.body, e2.message.replyCount], ["final text", 0]);
    assert.ok(e2.message.editedAt);
    const e5 = events[4] as { message: { body: string; replyCount: number } };
    assert.deepEqual([e5.message.body, e5.message.replyCount], ["final text", 1]);
    assert.deepEqual(events[6], {
      type: "message_deleted",
      channelId: c.id,
      seq: 7,
      messageId: a.id,
      deletedAt,
    });
    // The same through the other two readers.
    const many = await messagesRepo.eventsAfterMany(db, w.id, u.id, [{ channelId: c.id, after: 0 }], 100);
    assert.deepEqual(many, []); // u is not a member of c
    await channelsRepo.addMember(db, { channelId: c.id, userId: u.id, workspaceId: w.id });
    const many2 = await messagesRepo.eventsAfterMany(db, w.id, u.id, [{ channelId: c.id, after: 0 }], 100);
    assert.deepEqual(many2.map((x) => x.event), events);
    const envs = await messagesRepo.envelopes(db, c.id, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(envs.map((x) => x.event), events);
  },
);
