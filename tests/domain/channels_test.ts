/** Channels, DMs and groups: creation rules, visibility, archiving, uniqueness, smart names. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import { refused } from "../helpers/assert.ts";

const general = (f: Fixture, extra: Record<string, unknown> = {}) =>
  channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
    ...extra,
  });

dbTest("creating a channel makes the creator its owner and adds the members", async (db) => {
  const f = await fixture(db);
  const ch = await general(f, { description: "All of us" });
  assert.equal(ch.kind, "public_channel");
  assert.equal(ch.displayName, "# general");
  assert.equal(ch.myRole, "owner");
  assert.equal(ch.memberCount, 3);
  assert.equal((await channels.get(f.deps, f.actor("alice"), ch.id)).myRole, "member");
  assert.deepEqual((await channels.listMine(f.deps, f.actor("bob"))).map((c) => c.id), [ch.id]);
  assert.deepEqual(await channels.listMine(f.deps, f.actor("carol")), []);
});

dbTest("channel creation needs chat.create_channels, private ones chat.access_private", async (db) => {
  const f = await fixture(db);
  await refused(channels.create(f.deps, f.actor("alice"), { name: "mine" }), 403, "forbidden");
  await refused(
    channels.create(f.deps, f.actor("alice"), { name: "secret", kind: "private_channel" }),
    403,
  );
  assert.equal((await channels.listMine(f.deps, f.actor("alice"))).length, 0);
});

dbTest("channel names are validated, lower-cased and unique per workspace", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), { name: "  Dev-Team " });
  assert.equal(ch.name, "dev-team");
  await refused(channels.create(f.deps, f.actor("admin"), { name: "DEV-TEAM" }), 409, "conflict");
  await refused(channels.create(f.deps, f.actor("mod"), { name: "has space" }), 400, "invalid_input");
  await refused(channels.create(f.deps, f.actor("mod"), { name: "-dash" }), 400);
  await refused(channels.create(f.deps, f.actor("mod"), { name: "x".repeat(81) }), 400);
  await refused(channels.create(f.deps, f.actor("mod"), { name: "ok", extra: 1 }), 400);
  // Another workspace may use the same name.
  const eve = f.actor("eve");
  eve.permissions.add("chat.create_channels");
  assert.equal((await channels.create(f.deps, eve, { name: "dev-team" })).name, "dev-team");
});

dbTest("members from another workspace cannot be added to a channel", async (db) => {
  const f = await fixture(db);
  await refused(
    channels.create(f.deps, f.actor("mod"), { name: "mixed", memberIds: [f.users.eve.id] }),
    400,
    "invalid_input",
  );
  assert.equal((await channels.browsePublic(f.deps, f.actor("mod"), {})).length, 0);
});

dbTest("private channels are invisible (404) to non-members", async (db) => {
  const f = await fixture(db);
  const secret = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.alice.id],
  });
  assert.equal((await channels.get(f.deps, f.actor("alice"), secret.id)).name, "secret");
  await refused(channels.get(f.deps, f.actor("bob"), secret.id), 404, "not_found");
  await refused(channels.join(f.deps, f.actor("bob"), secret.id), 404);
  await refused(messages.history(f.deps, f.actor("bob"), secret.id, {}), 404);
  await refused(
    messages.send(f.deps, f.actor("bob"), { channelId: secret.id, clientId: "x", body: "hi" }),
    404,
  );
  assert.deepEqual((await channels.browsePublic(f.deps, f.actor("bob"), {})).map((c) => c.name), []);
  assert.deepEqual(await channels.listMine(f.deps, f.actor("bob")), []);
  // Another workspace's channels do not exist at all, public or not.
  const pub = await channels.create(f.deps, f.actor("mod"), { name: "open" });
  await refused(channels.get(f.deps, f.actor("eve"), pub.id), 404);
  await refused(channels.get(f.deps, f.actor("eve"), secret.id), 404);
  // chat.monitor_all (admins) may look in.
  assert.equal((await channels.get(f.deps, f.actor("admin"), secret.id)).name, "secret");
});

dbTest("archived channels are read-only but stay readable and searchable", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a1", body: "before" });
  await refused(channels.update(f.deps, f.actor("alice"), ch.id, { archived: true }), 403);
  const archived = await channels.update(f.deps, f.actor("mod"), ch.id, { archived: true });
  assert.equal(archived.archived, true);
  assert.equal(archived.canPost, false);
  await refused(
    messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a2", body: "after" }),
    403,
    "archived",
  );
  await refused(
    messages.send(f.deps, f.actor("mod"), { channelId: ch.id, clientId: "m1", body: "after" }),
    403,
    "archived",
  );
  await refused(channels.join(f.deps, f.actor("carol"), ch.id), 403, "archived");
  const page = await messages.history(f.deps, f.actor("alice"), ch.id, {});
  assert.deepEqual(page.messages.map((m) => m.body), ["before"]);
  assert.deepEqual((await channels.browsePublic(f.deps, f.actor("carol"), { q: "gen" })).map((c) => c.id), [
    ch.id,
  ]);
  const back = await channels.update(f.deps, f.actor("mod"), ch.id, { archived: false });
  assert.equal(back.archived, false);
  await messages.send(f.deps, f.actor("alice"), { channelId: ch.id, clientId: "a3", body: "again" });
});

dbTest("channel settings: managers only, names stay unique", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await channels.create(f.deps, f.actor("mod"), { name: "random" });
  await refused(
    channels.update(f.deps, f.actor("bob"), ch.id, { description: "mine now" }),
    403,
    "forbidden",
  );
  await refused(channels.update(f.deps, f.actor("mod"), ch.id, { name: "random" }), 409);
  await refused(channels.update(f.deps, f.actor("mod"), ch.id, { readOnly: "yes" }), 400);
  const u = await channels.update(f.deps, f.actor("mod"), ch.id, { name: "lobby", description: "Hello" });
  assert.equal(u.name, "lobby");
  assert.equal(u.description, "Hello");
  // chat.manage_channels holders manage any channel.
  assert.equal((await channels.update(f.deps, f.actor("admin"), ch.id, { readOnly: true })).readOnly, true);
});

dbTest("only chat.manage_channels holders delete channels", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await refused(channels.remove(f.deps, f.actor("mod"), ch.id), 403);
  await channels.remove(f.deps, f.actor("admin"), ch.id);
  await refused(channels.get(f.deps, f.actor("mod"), ch.id), 404);
});

dbTest("join and leave public channels; the last owner cannot leave others behind", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  const joined = await channels.join(f.deps, f.actor("carol"), ch.id);
  assert.equal(joined.myRole, "member");
  assert.equal(joined.memberCount, 4);
  await channels.join(f.deps, f.actor("carol"), ch.id); // joining twice is harmless
  await channels.leave(f.deps, f.actor("carol"), ch.id);
  await refused(channels.leave(f.deps, f.actor("carol"), ch.id), 400, "not_member");
  await refused(channels.leave(f.deps, f.actor("mod"), ch.id), 400, "last_owner");
});

dbTest("one DM per pair, whoever opens it and however often", async (db) => {
  const f = await fixture(db);
  const a = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  const b = await channels.openDirect(f.deps, f.actor("bob"), { userId: f.users.alice.id });
  const again = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  assert.equal(a.id, b.id);
  assert.equal(a.id, again.id);
  assert.equal(a.kind, "direct_message");
  assert.equal(a.displayName, "Bob");
  assert.equal(b.displayName, "Alice");
  const racing = await Promise.all(
    [1, 2, 3, 4].map((i) =>
      channels.openDirect(f.deps, f.actor(i % 2 ? "carol" : "bob"), {
        userId: i % 2 ? f.users.bob.id : f.users.carol.id,
      })
    ),
  );
  assert.equal(new Set(racing.map((c) => c.id)).size, 1);
  assert.notEqual(racing[0].id, a.id);
  await refused(channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.eve.id }), 400);
  await refused(channels.openDirect(f.deps, f.actor("alice"), { userId: 999 }), 400);
  await refused(channels.openDirect(f.deps, f.actor("alice"), { userId: "2" }), 400);
  await refused(channels.get(f.deps, f.actor("carol"), a.id), 404);
  await refused(channels.leave(f.deps, f.actor("alice"), a.id), 400, "not_supported");
});

dbTest("groups need three or more people and get smart names", async (db) => {
  const f = await fixture(db);
  const alice = f.actor("alice");
  await refused(channels.openGroup(f.deps, alice, { userIds: [f.users.bob.id] }), 400);
  await refused(channels.openGroup(f.deps, alice, { userIds: [f.users.bob.id, f.users.alice.id] }), 400);
  await refused(channels.openGroup(f.deps, alice, { userIds: [f.users.bob.id, f.users.eve.id] }), 400);
  const g = await channels.openGroup(f.deps, alice, { userIds: [f.users.bob.id, f.users.carol.id] });
  assert.equal(g.kind, "group");
  assert.equal(g.memberCount, 3);
  assert.equal(g.displayName, "Bob & Carol");
  assert.equal((await channels.get(f.deps, f.actor("bob"), g.id)).displayName, "Alice & Carol");
  const big = await channels.openGroup(f.deps, alice, {
    userIds: [f.users.bob.id, f.users.carol.id, f.users.mod.id, f.users.admin.id],
  });
  assert.equal(big.displayName.split(", ").length, 3);
  assert.match(big.displayName, /, Person 3$/);
  const named = await channels.openGroup(f.deps, alice, {
    userIds: [f.users.bob.id, f.users.carol.id],
    name: "Lunch",
  });
  assert.equal(named.displayName, "Lunch");
  await refused(channels.get(f.deps, f.actor("mod"), g.id), 404);
  // chat.create_direct is needed for both.
  const guest = { ...f.actor("carol"), permissions: new Set(["chat.access_channels"] as const) };
  await refused(channels.openGroup(f.deps, guest, { userIds: [f.users.bob.id, f.users.alice.id] }), 403);
  await refused(channels.openDirect(f.deps, guest, { userId: f.users.bob.id }), 403);
});
