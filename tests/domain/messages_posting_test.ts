/** Who may post where, and what a message may contain. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";

const general = (f: Fixture, extra: Record<string, unknown> = {}) =>
  channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
    ...extra,
  });

const count = async (f: Fixture, channelId: number) =>
  (await messages.history(f.deps, f.actor("mod"), channelId, {})).messages.length;

dbTest("read-only channels accept posts from moderators only", async (db) => {
  const f = await fixture(db);
  const ch = await general(f, { name: "announcements", readOnly: true });
  assert.equal((await channels.get(f.deps, f.actor("alice"), ch.id)).canPost, false);
  await refused(
    messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a", body: "hi" }),
    403,
    "read_only",
  );
  await messages.send(f.deps, f.actor("mod"), { channelId: ch.id, clientId: "m", body: "News" });
  // A channel-level moderator may post too.
  await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.bob.id, { role: "moderator" });
  await messages.send(f.deps, f.actor("bob"), { channelId: ch.id, clientId: "b", body: "More news" });
  assert.equal(await count(f, ch.id), 2);
});

dbTest("turning posting off works like read-only", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await channels.update(f.deps, f.actor("mod"), ch.id, { allowPosting: false });
  await refused(
    messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a", body: "hi" }),
    403,
    "read_only",
  );
  await messages.send(f.deps, f.actor("mod"), { channelId: ch.id, clientId: "m", body: "ok" });
});

dbTest("non-members read public channels but cannot post; other workspaces see nothing", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a", body: "hello" });
  assert.equal((await messages.history(f.deps, f.actor("carol"), ch.id, {})).messages.length, 1);
  await refused(
    messages.send(f.deps, f.actor("carol"), { channelId: ch.id, clientId: "c", body: "me too" }),
    403,
    "not_member",
  );
  await refused(messages.history(f.deps, f.actor("eve"), ch.id, {}), 404);
  await refused(
    messages.send(f.deps, f.actor("eve"), { channelId: ch.id, clientId: "e", body: "hi" }),
    404,
  );
  const [m] = (await messages.history(f.deps, f.actor("alice"), ch.id, {})).messages;
  await refused(messages.get(f.deps, f.actor("eve"), m.id), 404);
  await refused(messages.edit(f.deps, f.actor("eve"), m.id, { body: "x" }), 404);
  await refused(messages.remove(f.deps, f.actor("eve"), m.id), 404);
  await refused(messages.react(f.deps, f.actor("eve"), m.id, { emoji: "👍" }, true), 404);
  await refused(messages.thread(f.deps, f.actor("eve"), m.id), 404);
  assert.equal(await count(f, ch.id), 1);
});

dbTest("message bodies: 16,000 characters at most, not empty, strict fields", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  const a = f.actor("alice");
  const max = f.deps.config.limits.messageChars;
  assert.equal(max, 16_000);
  const ok = await messages.send(f.deps, a, { channelId: ch.id, clientId: "max", body: "x".repeat(max) });
  assert.equal(ok.message.body.length, max);
  await refused(
    messages.send(f.deps, a, { channelId: ch.id, clientId: "over", body: "x".repeat(max + 1) }),
    400,
    "invalid_input",
  );
  for (
    const bad of [
      { channelId: ch.id, clientId: "e", body: "   " },
      { channelId: ch.id, clientId: "", body: "x" },
      { channelId: ch.id, clientId: "has space", body: "x" },
      { channelId: ch.id, clientId: "t", body: 5 },
      { channelId: String(ch.id), clientId: "t", body: "x" },
      { channelId: ch.id, clientId: "t", body: "x", admin: true },
      { channelId: ch.id, clientId: "t", body: "x", type: "system" },
      null,
      "hello",
    ]
  ) {
    await refused(messages.send(f.deps, a, bad), 400, "invalid_input");
  }
  assert.equal(await count(f, ch.id), 1);
});

dbTest("broadcast messages need chat.system_broadcast", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await refused(
    messages.send(f.deps, f.actor("mod"), {
      channelId: ch.id,
      clientId: "b",
      body: "All!",
      type: "broadcast",
    }),
    403,
  );
  await channels.join(f.deps, f.actor("admin"), ch.id);
  const r = await messages.send(f.deps, f.actor("admin"), {
    channelId: ch.id,
    clientId: "b",
    body: "All!",
    type: "broadcast",
  });
  assert.equal(r.message.type, "broadcast");
});

dbTest("a retried send in another channel or thread is a conflict, not a second message", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  const other = await channels.create(f.deps, f.actor("mod"), {
    name: "other",
    memberIds: [f.users.alice.id],
  });
  const a = f.actor("alice");
  await messages.send(f.deps, a, { channelId: ch.id, clientId: "k", body: "hi" });
  await refused(
    messages.send(f.deps, a, { channelId: other.id, clientId: "k", body: "hi" }),
    409,
    "conflict",
  );
  // Client ids are per sender: bob may use the same one.
  const b = await messages.send(f.deps, f.actor("bob"), { channelId: ch.id, clientId: "k", body: "hi" });
  assert.equal(b.created, true);
  assert.equal(await count(f, ch.id), 2);
  assert.equal(await count(f, other.id), 0);
});

dbTest("every stored message publishes one message_received after commit, in sequence", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  f.published.length = 0;
  const r = await messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a", body: "one" });
  await messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a", body: "one" });
  await refused(messages.send(f.deps, f.actor("carol"), { channelId: ch.id, clientId: "c", body: "x" }), 403);
  const events = f.published.filter((e) => e.event.type === "message_received");
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].audience, { kind: "channel", channelId: ch.id });
  assert.equal(r.message.seq, 1);
  assert.equal((await channels.get(f.deps, f.actor("alice"), ch.id)).lastSeq, 1);
});
