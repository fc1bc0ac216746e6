/** History pages in both directions and around a message; threads; reactions. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as files from "../../domain/files.ts";
import type { Db } from "../../db/client.ts";
import type { Message } from "../../realtime/protocol.ts";

/** A channel with `n` messages "m1".."mn" by alice and bob in turn. */
async function channelWith(db: Db, n: number) {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await messages.send(f.deps, f.actor(i % 2 ? "alice" : "bob"), {
      channelId: ch.id,
      clientId: `c${i}`,
      body: `m${i}`,
    });
    ids.push(r.message.id);
  }
  return { f, ch, ids };
}

const page = (f: Fixture, channelId: number, q: Record<string, string>) =>
  messages.history(f.deps, f.actor("alice"), channelId, q);
const bodies = (p: { messages: { body: string }[] }) => p.messages.map((m) => m.body);

dbTest("history: newest page first, then older pages until the start", async (db) => {
  const { f, ch } = await channelWith(db, 7);
  const p1 = await page(f, ch.id, { limit: "3" });
  assert.deepEqual(bodies(p1), ["m5", "m6", "m7"]);
  assert.equal(p1.newerCursor, null);
  assert.equal(p1.lastSeq, 7);
  const p2 = await page(f, ch.id, { limit: "3", before: String(p1.olderCursor) });
  assert.deepEqual(bodies(p2), ["m2", "m3", "m4"]);
  assert.notEqual(p2.newerCursor, null);
  const p3 = await page(f, ch.id, { limit: "3", before: String(p2.olderCursor) });
  assert.deepEqual(bodies(p3), ["m1"]);
  assert.equal(p3.olderCursor, null);
});

dbTest("history: newer pages with after, until the newest", async (db) => {
  const { f, ch } = await channelWith(db, 7);
  const p1 = await page(f, ch.id, { limit: "3", after: "0" });
  assert.deepEqual(bodies(p1), ["m1", "m2", "m3"]);
  const p2 = await page(f, ch.id, { limit: "3", after: String(p1.newerCursor) });
  assert.deepEqual(bodies(p2), ["m4", "m5", "m6"]);
  const p3 = await page(f, ch.id, { limit: "3", after: String(p2.newerCursor) });
  assert.deepEqual(bodies(p3), ["m7"]);
  assert.equal(p3.newerCursor, null);
});

dbTest("history: around a message gives both sides and cursors to go on", async (db) => {
  const { f, ch, ids } = await channelWith(db, 9);
  const p = await page(f, ch.id, { limit: "4", around: String(ids[4]) });
  assert.deepEqual(bodies(p), ["m4", "m5", "m6", "m7"]);
  assert.deepEqual(bodies(await page(f, ch.id, { limit: "4", before: String(p.olderCursor) })), [
    "m1",
    "m2",
    "m3",
  ]);
  assert.deepEqual(bodies(await page(f, ch.id, { limit: "4", after: String(p.newerCursor) })), ["m8", "m9"]);
  const edge = await page(f, ch.id, { limit: "4", around: String(ids[0]) });
  assert.deepEqual(bodies(edge), ["m1", "m2", "m3"]);
  assert.equal(edge.olderCursor, null);
});

dbTest(
  "history pages show every message as reading it alone does, and send that as their text",
  async (db) => {
    // Pages are built by Postgres as JSON (`messagesRepo.pageWithAccess`), one message by `toMessage`: an
    // edited, deleted, reacted-to, replied-to, mentioning and file-carrying message, and timestamps with
    // microseconds, must come out the same both ways, in every direction of paging and in the route's text.
    const { f, ch, ids } = await channelWith(db, 6);
    const alice = f.actor("alice");
    const [plain, edited, deleted, reacted, threaded, mentioning] = ids;
    await messages.edit(f.deps, f.actor("bob"), edited, { body: "m2, edited" });
    await messages.react(f.deps, f.actor("bob"), deleted, { emoji: "👍" }, true);
    await messages.remove(f.deps, alice, deleted);
    await messages.react(f.deps, alice, reacted, { emoji: "👍" }, true);
    await messages.react(f.deps, f.actor("bob"), reacted, { emoji: ":tada:" }, true);
    await messages.react(f.deps, f.actor("bob"), reacted, { emoji: "👍" }, true);
    await messages.send(f.deps, alice, {
      channelId: ch.id,
      clientId: "r1",
      body: "reply",
      replyTo: threaded,
    });
    await messages.edit(f.deps, f.actor("bob"), mentioning, { body: 'hi @alice "quoted" \\ \t ✓ 🎉' });
    const up = await files.upload(f.deps, alice, ch.id, {
      name: "notes.txt",
      size: 5,
      body: new Blob(["hello"]).stream(),
    });
    const sent = await messages.send(f.deps, alice, {
      channelId: ch.id,
      clientId: "with-file",
      body: "see file",
      attachments: [up.id],
    });
    const all = [...ids, sent.message.id];
    await db.query("UPDATE messages SET created_at = '2026-01-02 03:04:05.999999+00' WHERE id = $1", [plain]);
    await db.query("UPDATE messages SET edited_at = '2026-01-02 03:04:06.0004+00' WHERE id = $1", [edited]);
    const alone: Message[] = [];
    for (const id of all) alone.push(await messages.get(f.deps, alice, id));
    assert.equal(alone[0].createdAt, "2026-01-02T03:04:05.999Z");
    assert.equal(alone[1].editedAt, "2026-01-02T03:04:06.000Z");
    assert.equal(alone[2].body, "");
    assert.deepEqual(alone[2].reactions, []);
    assert.equal(alone[4].replyCount, 1);
    assert.deepEqual(alone[5].mentions, [f.users.alice.id]);
    assert.equal(alone[6].attachments?.length, 1);
    const queries: Record<string, string>[] = [{}, { limit: "3" }, { before: String(all[5]), limit: "4" }, {
      after: "0",
    }, {
      after: String(plain),
      limit: "2",
    }];
    for (const q of queries) {
      const p = await page(f, ch.id, q);
      const text = await messages.historyResponse(f.deps, alice, ch.id, q);
      assert.deepEqual(JSON.parse(text), p, JSON.stringify(q));
      assert.deepEqual(Object.keys(JSON.parse(text)), ["messages", "olderCursor", "newerCursor", "lastSeq"]);
      for (const m of p.messages) {
        const one = alone[all.indexOf(m.id)];
        assert.deepEqual(m, one, `message ${m.id} in page ${JSON.stringify(q)}`);
        assert.deepEqual(Object.keys(m), Object.keys(one));
      }
    }
    assert.deepEqual((await page(f, ch.id, {})).messages.map((m) => m.id), all);
  },
);

dbTest("history input is validated", async (db) => {
  const { f, ch } = await channelWith(db, 1);
  const bad: Record<string, string>[] = [{ limit: "0" }, { limit: "201" }, { limit: "x" }, { before: "-1" }, {
    around: "1.5",
  }];
  for (const q of bad) {
    await refused(page(f, ch.id, q), 400, "invalid_input");
  }
  assert.equal((await page(f, ch.id, { limit: "200" })).messages.length, 1);
});

dbTest("threads: replies count on the parent and stay out of the channel's pages", async (db) => {
  const { f, ch, ids } = await channelWith(db, 2);
  const parent = ids[0];
  const r1 = await messages.send(f.deps, f.actor("bob"), {
    channelId: ch.id,
    clientId: "r1",
    body: "reply 1",
    replyTo: parent,
  });
  await messages.send(f.deps, f.actor("alice"), {
    channelId: ch.id,
    clientId: "r2",
    body: "reply 2",
    replyTo: parent,
  });
  const t = await messages.thread(f.deps, f.actor("alice"), parent);
  assert.equal(t.parent.replyCount, 2);
  assert.deepEqual(t.replies.map((m) => m.body), ["reply 1", "reply 2"]);
  assert.deepEqual(bodies(await page(f, ch.id, {})), ["m1", "m2"]);
  assert.equal((await page(f, ch.id, {})).messages[0].replyCount, 2);
  await refused(
    messages.send(f.deps, f.actor("bob"), {
      channelId: ch.id,
      clientId: "r3",
      body: "x",
      replyTo: r1.message.id,
    }),
    400,
  );
  const other = await channels.create(f.deps, f.actor("mod"), { name: "other", memberIds: [f.users.bob.id] });
  await refused(
    messages.send(f.deps, f.actor("bob"), {
      channelId: other.id,
      clientId: "r4",
      body: "x",
      replyTo: parent,
    }),
    400,
  );
  await refused(
    messages.send(f.deps, f.actor("bob"), { channelId: ch.id, clientId: "r5", body: "x", replyTo: 99999 }),
    400,
  );
  assert.equal((await messages.thread(f.deps, f.actor("alice"), parent)).replies.length, 2);
});

dbTest("reactions are unique per message, person and emoji", async (db) => {
  const { f, ids } = await channelWith(db, 1);
  const id = ids[0];
  await messages.react(f.deps, f.actor("alice"), id, { emoji: "👍" }, true);
  await messages.react(f.deps, f.actor("alice"), id, { emoji: "👍" }, true);
  await messages.react(f.deps, f.actor("bob"), id, { emoji: "👍" }, true);
  await messages.react(f.deps, f.actor("bob"), id, { emoji: ":tada:" }, true);
  let m = await messages.get(f.deps, f.actor("alice"), id);
  assert.deepEqual(m.reactions, [
    { emoji: "👍", userIds: [f.users.alice.id, f.users.bob.id] },
    { emoji: ":tada:", userIds: [f.users.bob.id] },
  ]);
  await messages.react(f.deps, f.actor("alice"), id, { emoji: "👍" }, false);
  await messages.react(f.deps, f.actor("alice"), id, { emoji: "👍" }, false);
  m = await messages.get(f.deps, f.actor("alice"), id);
  assert.deepEqual(m.reactions.map((r) => [r.emoji, r.userIds]), [["👍", [f.users.bob.id]], [":tada:", [
    f.users.bob.id,
  ]]]);
  // Only changes are sequenced events.
  const kinds = f.published.filter((e) => e.event.type.startsWith("reaction_")).map((e) => e.event.type);
  assert.deepEqual(kinds, ["reaction_added", "reaction_added", "reaction_added", "reaction_removed"]);
  for (const emoji of ["", "two words", "<b>", "x".repeat(65)]) {
    await refused(messages.react(f.deps, f.actor("alice"), id, { emoji }, true), 400);
  }
  await refused(messages.react(f.deps, f.actor("carol"), id, { emoji: "👍" }, true), 403, "not_member");
});
