/** Edit and delete: authors within the window, moderators any time, placeholders stay. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import type { Db } from "../../db/client.ts";

/** A fixture whose clock the test moves, a channel with alice and bob, and a message by alice. */
async function setup(db: Db) {
  let clock = Date.now();
  const f = await fixture(db, { now: () => new Date(clock) });
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const { message } = await messages.send(f.deps, f.actor("alice"), {
    channelId: ch.id,
    clientId: "a1",
    body: "first",
  });
  // The window counts from the stored time (the database's clock), however long the setup took.
  clock = new Date(message.createdAt).getTime();
  return { f, ch, message, advance: (seconds: number) => (clock += seconds * 1000) };
}

const history = async (f: Fixture, channelId: number) =>
  (await messages.history(f.deps, f.actor("alice"), channelId, {})).messages;

dbTest("authors edit their messages within 3 minutes by default", async (db) => {
  const { f, message, advance } = await setup(db);
  advance(170);
  const edited = await messages.edit(f.deps, f.actor("alice"), message.id, { body: "first, fixed" });
  assert.equal(edited.body, "first, fixed");
  assert.ok(edited.editedAt);
  await refused(messages.edit(f.deps, f.actor("bob"), message.id, { body: "mine" }), 403, "forbidden");
  await refused(messages.edit(f.deps, f.actor("mod"), message.id, { body: "mod" }), 403, "forbidden");
  await refused(messages.edit(f.deps, f.actor("alice"), message.id, { body: " " }), 400);
  advance(15);
  await refused(
    messages.edit(f.deps, f.actor("alice"), message.id, { body: "too late" }),
    403,
    "edit_window_passed",
  );
  assert.equal((await messages.get(f.deps, f.actor("bob"), message.id)).body, "first, fixed");
});

dbTest("the window is the workspace setting messages.edit_window_seconds", async (db) => {
  const { f, message, advance } = await setup(db);
  await workspacesRepo.putSetting(db, f.ws, "messages.edit_window_seconds", 600);
  advance(500);
  await messages.edit(f.deps, f.actor("alice"), message.id, { body: "still fine" });
  await messages.remove(f.deps, f.actor("alice"), message.id);
  await workspacesRepo.putSetting(db, f.ws, "messages.edit_window_seconds", 10);
  const { message: m2 } = await messages.send(f.deps, f.actor("alice"), {
    channelId: message.channelId,
    clientId: "a2",
    body: "second",
  });
  advance(11);
  await refused(messages.remove(f.deps, f.actor("alice"), m2.id), 403, "edit_window_passed");
});

dbTest("authors delete within the window; others never; moderators any time", async (db) => {
  const { f, ch, message, advance } = await setup(db);
  const { message: m2 } = await messages.send(f.deps, f.actor("alice"), {
    channelId: ch.id,
    clientId: "a2",
    body: "second",
  });
  const { message: m3 } = await messages.send(f.deps, f.actor("alice"), {
    channelId: ch.id,
    clientId: "a3",
    body: "third",
  });
  await refused(messages.remove(f.deps, f.actor("bob"), message.id), 403, "forbidden");
  await messages.remove(f.deps, f.actor("alice"), message.id);
  advance(3600);
  await refused(messages.remove(f.deps, f.actor("alice"), m2.id), 403, "edit_window_passed");
  // chat.delete_messages (workspace moderators) may delete any time…
  await messages.remove(f.deps, f.actor("mod"), m2.id);
  // …and so may a channel moderator.
  await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.bob.id, { role: "moderator" });
  await messages.remove(f.deps, f.actor("bob"), m3.id);
  assert.deepEqual((await history(f, ch.id)).map((m) => !!m.deletedAt), [true, true, true]);
});

dbTest("deleted messages stay as placeholders without body or reactions", async (db) => {
  const { f, ch, message } = await setup(db);
  await messages.react(f.deps, f.actor("bob"), message.id, { emoji: "👍" }, true);
  await messages.remove(f.deps, f.actor("alice"), message.id);
  await messages.remove(f.deps, f.actor("alice"), message.id); // twice is harmless
  const [m] = await history(f, ch.id);
  assert.equal(m.id, message.id);
  assert.equal(m.body, "");
  assert.ok(m.deletedAt);
  assert.deepEqual(m.reactions, []);
  assert.equal((await messages.get(f.deps, f.actor("bob"), message.id)).body, "");
  await refused(messages.edit(f.deps, f.actor("alice"), message.id, { body: "back" }), 409, "deleted");
  await refused(messages.react(f.deps, f.actor("bob"), message.id, { emoji: "👍" }, true), 409, "deleted");
  const deletions = f.published.filter((e) => e.event.type === "message_deleted");
  assert.equal(deletions.length, 1);
});

dbTest("edits and deletes take the channel's next sequence numbers", async (db) => {
  const { f, ch, message } = await setup(db);
  await messages.edit(f.deps, f.actor("alice"), message.id, { body: "edited" });
  await messages.remove(f.deps, f.actor("alice"), message.id);
  const seqs = f.published.filter((e) => "seq" in e.event).map((
    e,
  ) => [e.event.type, (e.event as { seq: number }).seq]);
  assert.deepEqual(seqs, [["message_received", 1], ["message_updated", 2], ["message_deleted", 3]]);
  assert.equal((await channels.get(f.deps, f.actor("alice"), ch.id)).lastSeq, 3);
  const replay = await messages.eventsSince(f.deps, f.actor("bob"), ch.id, 1);
  assert.deepEqual(replay!.map((e) => e.type), ["message_updated", "message_deleted"]);
});

dbTest("archived channels refuse edits", async (db) => {
  const { f, ch, message } = await setup(db);
  await channels.update(f.deps, f.actor("mod"), ch.id, { archived: true });
  await refused(messages.edit(f.deps, f.actor("alice"), message.id, { body: "x" }), 403, "archived");
  await refused(messages.react(f.deps, f.actor("bob"), message.id, { emoji: "👍" }, true), 403, "archived");
});
