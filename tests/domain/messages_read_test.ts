/** Mentions, read positions and unread counts. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";

const send = (f: Fixture, who: "alice" | "bob" | "mod", channelId: number, body: string) =>
  messages.send(f.deps, f.actor(who), { channelId, clientId: crypto.randomUUID(), body });

const counts = async (f: Fixture, who: "alice" | "bob", channelId: number) => {
  const c = (await channels.listMine(f.deps, f.actor(who))).find((x) => x.id === channelId)!;
  return { unread: c.unread, mentions: c.mentions, lastReadSeq: c.lastReadSeq };
};

dbTest("mentions name members of the channel by @username", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const m = (await send(f, "alice", ch.id, "@bob and @Mod, see this. Not @carol, not @eve, not @nobody"))
    .message;
  assert.deepEqual(m.mentions.sort(), [f.users.mod.id, f.users.bob.id].sort());
  assert.deepEqual((await send(f, "alice", ch.id, "mail bob@example.com")).message.mentions, []);
  assert.deepEqual((await send(f, "alice", ch.id, "(@bob.)")).message.mentions, [f.users.bob.id]);
  const edited = await messages.edit(f.deps, f.actor("alice"), m.id, { body: "only @alice" });
  assert.deepEqual(edited.mentions, [f.users.alice.id]);
});

dbTest("unread and mention counts follow what others post and what I read", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  await send(f, "alice", ch.id, "one");
  await send(f, "alice", ch.id, "two @bob");
  const last = await send(f, "mod", ch.id, "three");
  assert.deepEqual(await counts(f, "bob", ch.id), { unread: 3, mentions: 1, lastReadSeq: 0 });
  // My own messages are read.
  assert.deepEqual(await counts(f, "alice", ch.id), { unread: 1, mentions: 0, lastReadSeq: 2 });
  const r = await messages.markRead(f.deps, f.actor("bob"), ch.id, { seq: 2 });
  assert.equal(r.lastReadSeq, 2);
  assert.deepEqual(await counts(f, "bob", ch.id), { unread: 1, mentions: 0, lastReadSeq: 2 });
  // Read positions only move forward, and never past the channel's end.
  assert.equal((await messages.markRead(f.deps, f.actor("bob"), ch.id, { seq: 1 })).lastReadSeq, 2);
  assert.equal(
    (await messages.markRead(f.deps, f.actor("bob"), ch.id, { seq: 999 })).lastReadSeq,
    last.message.seq,
  );
  assert.deepEqual(await counts(f, "bob", ch.id), { unread: 0, mentions: 0, lastReadSeq: 3 });
  // Thread replies and deleted messages do not count as unread.
  await messages.send(f.deps, f.actor("alice"), {
    channelId: ch.id,
    clientId: "reply",
    body: "in a thread",
    replyTo: last.message.id,
  });
  const gone = await send(f, "alice", ch.id, "oops");
  await messages.remove(f.deps, f.actor("alice"), gone.message.id);
  assert.equal((await counts(f, "bob", ch.id)).unread, 0);
});

dbTest(
  "reading publishes a receipt to the conversation (DMs and groups only) and new counts to my tabs",
  async (db) => {
    const f = await fixture(db);
    const general = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.bob.id],
    });
    await send(f, "mod", general.id, "hello");
    f.published.length = 0;
    await messages.markRead(f.deps, f.actor("bob"), general.id, { seq: 1 });
    // Receipts are shown in DMs and groups only: in a channel, nobody else learns how far bob has read.
    assert.deepEqual(f.published.map((e) => e.event.type), ["unread_counts"]);
    const ch = await channels.openDirect(f.deps, f.actor("mod"), { userId: f.users.bob.id });
    await send(f, "mod", ch.id, "hello");
    f.published.length = 0;
    await messages.markRead(f.deps, f.actor("bob"), ch.id, { seq: 1 });
    assert.deepEqual(f.published.map((e) => e.event.type), ["read_receipt", "unread_counts"]);
    assert.deepEqual(f.published[1].audience, { kind: "users", userIds: [f.users.bob.id] });
    f.published.length = 0;
    await messages.markRead(f.deps, f.actor("bob"), ch.id, { seq: 1 });
    assert.equal(f.published.length, 0, "nothing changed, nothing published");
  },
);

dbTest("only members have read positions", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), { name: "general" });
  await refused(messages.markRead(f.deps, f.actor("alice"), ch.id, { seq: 0 }), 403, "not_member");
  await refused(messages.markRead(f.deps, f.actor("eve"), ch.id, { seq: 0 }), 404);
  await refused(messages.markRead(f.deps, f.actor("mod"), ch.id, { seq: -1 }), 400);
  await refused(messages.markRead(f.deps, f.actor("mod"), ch.id, { seq: "1" }), 400);
});
