/** Membership: listing, adding, removing, roles, blocking from posting. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";

const general = (f: Fixture) =>
  channels.create(f.deps, f.actor("mod"), { name: "general", memberIds: [f.users.alice.id, f.users.bob.id] });

dbTest("members are listed with their roles and posting state", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  // Posting state is a moderation detail: listed for the channel's moderators (member_privacy_test.ts).
  const list = await members.list(f.deps, f.actor("mod"), ch.id);
  assert.deepEqual(list.map((m) => [m.username, m.role, m.canPost]), [
    ["mod", "owner", true],
    ["alice", "member", true],
    ["bob", "member", true],
  ]);
  await refused(members.list(f.deps, f.actor("eve"), ch.id), 404);
});

dbTest("blocked members cannot post until unblocked", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  const bob = f.actor("bob");
  await refused(members.setBlocked(f.deps, f.actor("alice"), ch.id, f.users.bob.id, true), 403);
  const after = await members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.bob.id, true);
  const b = after.find((m) => m.id === f.users.bob.id)!;
  assert.equal(b.canPost, false);
  assert.equal(b.blockedBy, f.users.mod.id);
  assert.ok(b.blockedAt);
  assert.equal((await channels.get(f.deps, bob, ch.id)).canPost, false);
  await refused(messages.send(f.deps, bob, { channelId: ch.id, clientId: "b1", body: "hi" }), 403, "blocked");
  // Still a reader.
  assert.equal((await messages.history(f.deps, bob, ch.id, {})).messages.length, 0);
  const unblocked = await members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.bob.id, false);
  assert.equal(unblocked.find((m) => m.id === f.users.bob.id)!.blockedBy, null);
  await messages.send(f.deps, bob, { channelId: ch.id, clientId: "b1", body: "hi" });
});

dbTest("moderators cannot block owners or themselves", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("admin"), { name: "team", memberIds: [f.users.mod.id] });
  await refused(members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.admin.id, true), 403);
  await refused(members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.mod.id, true), 400);
  await refused(members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.carol.id, true), 404);
});

dbTest(
  "adding members: moderators for channels, any member for groups, never across workspaces",
  async (db) => {
    const f = await fixture(db);
    const ch = await general(f);
    await refused(members.add(f.deps, f.actor("carol"), ch.id, { userIds: [f.users.carol.id] }), 403);
    const list = await members.add(f.deps, f.actor("mod"), ch.id, { userIds: [f.users.carol.id] });
    assert.equal(list.length, 4);
    await refused(members.add(f.deps, f.actor("mod"), ch.id, { userIds: [f.users.eve.id] }), 400);
    await refused(members.add(f.deps, f.actor("mod"), ch.id, { userIds: [] }), 400);
    const g = await channels.openGroup(f.deps, f.actor("alice"), {
      userIds: [f.users.bob.id, f.users.carol.id],
    });
    assert.equal((await members.add(f.deps, f.actor("bob"), g.id, { userIds: [f.users.mod.id] })).length, 4);
    const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
    await refused(members.add(f.deps, f.actor("alice"), dm.id, { userIds: [f.users.carol.id] }), 400);
  },
);

dbTest("removing members and changing roles", async (db) => {
  const f = await fixture(db);
  const ch = await general(f);
  await refused(members.remove(f.deps, f.actor("alice"), ch.id, f.users.bob.id), 403);
  await members.remove(f.deps, f.actor("bob"), ch.id, f.users.bob.id); // leaving is allowed
  await refused(members.remove(f.deps, f.actor("mod"), ch.id, f.users.bob.id), 404);
  await refused(members.setRole(f.deps, f.actor("alice"), ch.id, f.users.alice.id, { role: "owner" }), 403);
  await refused(members.setRole(f.deps, f.actor("mod"), ch.id, f.users.alice.id, { role: "king" }), 400);
  const list = await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.alice.id, { role: "moderator" });
  assert.equal(list.find((m) => m.id === f.users.alice.id)!.role, "moderator");
  // A channel moderator may now block, but not remove the owner.
  await members.setBlocked(f.deps, f.actor("alice"), ch.id, f.users.mod.id, false).catch(() => {});
  await refused(members.remove(f.deps, f.actor("alice"), ch.id, f.users.mod.id), 403);
});
