/**
 * The shared protocol: the pure `applyEvent` reducer and gap detection, and the verify-action check that
 * ties them to the server: for each domain action, the events it publishes, applied to a snapshot taken
 * before it, give exactly a fresh snapshot taken after it; and replaying the whole event log from zero
 * rebuilds the channel.
 */
import assert from "node:assert/strict";
import type { Db } from "../../db/client.ts";
import * as messagesRepo from "../../db/repos/messages.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as presence from "../../domain/presence.ts";
import {
  addReaction,
  applyEvent,
  type ChatState,
  isSequenced,
  type Message,
  needsReplay,
  removeReaction,
  type SequencedEvent,
} from "../../realtime/protocol.ts";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { textMessage } from "../helpers/message.ts";

const msg = (id: number, seq: number, extra: Partial<Message> = {}): Message =>
  textMessage(seq, {
    id,
    senderId: 7,
    clientId: `k${id}`,
    body: `m${id}`,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  });

Deno.test("applyEvent applies each sequenced event once, in order, without mutating the old state", () => {
  const s0: ChatState = {};
  const s1 = applyEvent(s0, { type: "message_received", channelId: 1, seq: 1, message: msg(10, 1) });
  const s2 = applyEvent(s1, {
    type: "message_received",
    channelId: 1,
    seq: 2,
    message: msg(11, 2, { replyTo: 10 }),
  });
  const s3 = applyEvent(s2, {
    type: "reaction_added",
    channelId: 1,
    seq: 3,
    messageId: 10,
    userId: 5,
    emoji: "👍",
  });
  const s4 = applyEvent(s3, {
    type: "message_updated",
    channelId: 1,
    seq: 4,
    message: { ...s3[1].messages[0], body: "edited", editedAt: "2026-01-01T00:01:00.000Z" },
  });
  const s5 = applyEvent(s4, { type: "message_deleted", channelId: 1, seq: 5, messageId: 11, deletedAt: "x" });
  assert.deepEqual(s0, {});
  assert.equal(s1[1].messages.length, 1);
  assert.equal(s2[1].messages[0].replyCount, 1, "a reply bumps its parent's count");
  assert.deepEqual(s3[1].messages[0].reactions, [{ emoji: "👍", userIds: [5] }]);
  assert.equal(s4[1].messages[0].body, "edited");
  assert.deepEqual(s5[1].messages[1], { ...s4[1].messages[1], body: "", deletedAt: "x", reactions: [] });
  assert.equal(s5[1].lastSeq, 5);
  // Old and repeated events change nothing and return the very same object.
  assert.equal(applyEvent(s5, { type: "message_received", channelId: 1, seq: 2, message: msg(11, 2) }), s5);
  assert.equal(
    applyEvent(s5, { type: "reaction_added", channelId: 1, seq: 5, messageId: 10, userId: 6, emoji: "x" }),
    s5,
  );
  // Ephemeral events are not the reducer's business.
  assert.equal(applyEvent(s5, { type: "user_typing", channelId: 1, userId: 5, typing: true }), s5);
  // A message delivered twice with different sequence numbers is still listed once.
  const again = applyEvent(s5, { type: "message_received", channelId: 1, seq: 6, message: msg(10, 1) });
  assert.equal(again[1].messages.length, 2);
  assert.equal(again[1].lastSeq, 6);
});

Deno.test("needsReplay detects a hole in a channel's sequence, and only then", () => {
  const s = applyEvent({}, { type: "message_received", channelId: 1, seq: 3, message: msg(1, 3) });
  const at = (seq: number, channelId = 1): SequencedEvent => ({
    type: "message_deleted",
    channelId,
    seq,
    messageId: 1,
    deletedAt: "x",
  });
  assert.equal(needsReplay(s, at(4)), false);
  assert.equal(needsReplay(s, at(3)), false);
  assert.equal(needsReplay(s, at(6)), true);
  assert.equal(needsReplay(s, at(9, 2)), false, "a channel the client has no state for");
  assert.equal(needsReplay(s, { type: "read_receipt", channelId: 1, userId: 1, seq: 99 }), false);
  assert.equal(isSequenced(at(1)), true);
});

Deno.test("reactions: one entry per emoji, users once each, empty entries removed", () => {
  let r = addReaction([], "👍", 1);
  r = addReaction(r, "👍", 2);
  r = addReaction(r, "👍", 2);
  r = addReaction(r, "🎉", 1);
  assert.deepEqual(r, [{ emoji: "👍", userIds: [1, 2] }, { emoji: "🎉", userIds: [1] }]);
  r = removeReaction(r, "🎉", 1);
  r = removeReaction(r, "👍", 3);
  assert.deepEqual(r, [{ emoji: "👍", userIds: [1, 2] }]);
});

/** What a client would hold for the channel, read fresh from the database. */
async function snapshot(db: Db, workspaceId: number, channelId: number): Promise<ChatState> {
  const [c] = await db.query<{ lastSeq: number }>(
    'SELECT last_seq AS "lastSeq" FROM channels WHERE id = $1',
    [
      channelId,
    ],
  );
  const ids = await db.query<{ id: number }>("SELECT id FROM messages WHERE channel_id = $1 ORDER BY seq", [
    channelId,
  ]);
  const list: Message[] = [];
  for (const { id } of ids) list.push((await messagesRepo.byId(db, workspaceId, id))!);
  return { [channelId]: { lastSeq: c.lastSeq, messages: list } };
}

dbTest("verify action: published events applied to the old snapshot give the fresh snapshot", async (db) => {
  const f = await fixture(db);
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id, f.users.carol.id],
  })).id;
  const alice = f.actor("alice");
  const bob = f.actor("bob");
  const ids: Record<string, number> = {};
  const send = (who: "alice" | "bob" | "carol", key: string, body: string, replyTo?: number) => async () => {
    ids[key] =
      (await messages.send(f.deps, f.actor(who), { channelId: ch, clientId: key, body, replyTo })).message.id;
  };
  const actions: [string, () => Promise<unknown>][] = [
    ["send", send("alice", "a1", "hello")],
    ["send with a mention", send("bob", "b1", "hi @alice and @carol")],
    ["retry of a send (publishes nothing)", send("bob", "b1", "hi @alice and @carol")],
    ["thread reply", async () => await send("carol", "c1", "replying", ids.a1)()],
    ["second reply", async () => await send("bob", "b2", "me too", ids.a1)()],
    ["react", () => messages.react(f.deps, alice, ids.b1, { emoji: "👍" }, true)],
    ["same emoji, another user", () => messages.react(f.deps, bob, ids.b1, { emoji: "👍" }, true)],
    ["another emoji", () => messages.react(f.deps, alice, ids.b1, { emoji: ":tada:" }, true)],
    ["same reaction again (no-op)", () => messages.react(f.deps, alice, ids.b1, { emoji: "👍" }, true)],
    ["unreact", () => messages.react(f.deps, alice, ids.b1, { emoji: "👍" }, false)],
    ["edit with a new mention", () => messages.edit(f.deps, bob, ids.b1, { body: "edited, @bob" })],
    ["delete a message with reactions", () => messages.remove(f.deps, bob, ids.b1)],
    ["delete a reply", () => messages.remove(f.deps, f.actor("carol"), ids.c1)],
    ["read receipt (no history change)", () => messages.markRead(f.deps, alice, ch, { seq: 3 })],
    ["presence (no history change)", () => presence.update(f.deps, alice, "conn-1", { status: "away" })],
  ];
  for (const [name, run] of actions) {
    const before = await snapshot(db, f.ws, ch);
    const from = f.published.length;
    await run();
    let state = before;
    for (const env of f.published.slice(from)) state = applyEvent(state, env.event);
    assert.deepEqual(state, await snapshot(db, f.ws, ch), name);
  }
  // The event log alone, replayed from sequence 0, rebuilds the same channel.
  const log = await messagesRepo.eventsAfter(db, ch, 0, 10_000);
  let rebuilt: ChatState = { [ch]: { lastSeq: 0, messages: [] } };
  for (const e of log) rebuilt = applyEvent(rebuilt, e);
  assert.deepEqual(rebuilt, await snapshot(db, f.ws, ch));
  assert.deepEqual(log.map((e) => e.seq), Array.from({ length: log.length }, (_, i) => i + 1));
});
