/**
 * What member and people lists show (issue 9, item 15): read positions only where receipts are shown (DMs
 * and groups), who is blocked and by whom only to moderators, email addresses only to admins (or to
 * everyone when the workspace turns `directory.show_emails` on), and guests see and join only the
 * channels they were invited to.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import { updateSettings } from "../../domain/settings/workspace.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";
import * as users from "../../domain/users.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";

dbTest(
  "member lists: read positions only in DMs and groups, blocking details only to moderators",
  async (db) => {
    const f = await fixture(db);
    const ch = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id],
    });
    await members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.bob.id, true);
    for (const who of ["alice", "carol"] as const) { // a member, and a non-member of the public channel
      const list = await members.list(f.deps, f.actor(who), ch.id);
      assert.equal(list.length, 3);
      for (const m of list) {
        for (const hidden of ["lastReadSeq", "canPost", "blockedBy", "blockedAt"]) {
          assert.ok(!(hidden in m), `${who} sees ${hidden} of ${m.username}`);
        }
      }
    }
    const seenByMod = await members.list(f.deps, f.actor("mod"), ch.id);
    const bob = seenByMod.find((m) => m.id === f.users.bob.id)!;
    assert.deepEqual([bob.canPost, bob.blockedBy], [false, f.users.mod.id]);
    assert.ok(!("lastReadSeq" in bob));

    const g = await channels.openGroup(f.deps, f.actor("alice"), {
      userIds: [f.users.bob.id, f.users.carol.id],
    });
    await messages.send(f.deps, f.actor("alice"), { channelId: g.id, clientId: "g", body: "hi" });
    const inGroup = await members.list(f.deps, f.actor("carol"), g.id);
    assert.deepEqual(inGroup.map((m) => [m.username, m.lastReadSeq]), [["alice", 1], ["bob", 0], [
      "carol",
      0,
    ]]);
    assert.ok(inGroup.every((m) => !("blockedBy" in m)));
  },
);

dbTest("email addresses only to admins, oneself, or everyone when the workspace says so", async (db) => {
  const f = await fixture(db);
  for (const u of Object.values(f.users)) {
    await db.query("UPDATE users SET email = $2 WHERE id = $1", [u.id, `${u.username}@example.com`]);
  }
  const emails = async (who: "admin" | "mod" | "alice") =>
    Object.fromEntries((await users.search(f.deps, f.actor(who), {})).map((u) => [u.username, u.email]));
  const alice = await emails("alice");
  assert.equal(alice.alice, "alice@example.com");
  assert.deepEqual([alice.bob, alice.admin, alice.mod], [null, null, null]);
  assert.equal((await users.get(f.deps, f.actor("alice"), f.users.bob.id)).email, null);
  assert.equal((await emails("mod")).bob, null);
  assert.equal((await emails("admin")).bob, "bob@example.com");
  assert.equal((await users.get(f.deps, f.actor("admin"), f.users.bob.id)).email, "bob@example.com");
  await updateSettings(f.deps, f.actor("admin"), { "directory.show_emails": true });
  assert.equal((await emails("alice")).bob, "bob@example.com");
});

dbTest("guests see, read and join only the channels they were invited to", async (db) => {
  const f = await fixture(db);
  const guestRow = await usersRepo.insert(db, {
    workspaceId: f.ws,
    username: "gina",
    displayName: "Gina",
    role: "guest",
  });
  const guest = actorFromUser(guestRow, null);
  const invited = await channels.create(f.deps, f.actor("mod"), {
    name: "project",
    memberIds: [guestRow.id],
  });
  const other = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  });
  const { message } = await messages.send(f.deps, f.actor("alice"), {
    channelId: other.id,
    clientId: "a",
    body: "staff only",
  });
  await refused(channels.join(f.deps, guest, other.id), 404, "not_found");
  await refused(channels.get(f.deps, guest, other.id), 404, "not_found");
  await refused(messages.history(f.deps, guest, other.id, {}), 404, "not_found");
  await refused(members.list(f.deps, guest, other.id), 404, "not_found");
  await refused(messages.get(f.deps, guest, message.id), 404, "not_found");
  assert.deepEqual((await channels.browsePublic(f.deps, guest, {})).map((c) => c.name), ["project"]);
  assert.equal((await messages.history(f.deps, guest, invited.id, {})).messages.length, 0);
  // Members still browse and join every public channel.
  assert.deepEqual((await channels.browsePublic(f.deps, f.actor("bob"), {})).map((c) => c.name), [
    "general",
    "project",
  ]);
  await channels.join(f.deps, f.actor("bob"), other.id);
});
