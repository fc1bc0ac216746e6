/**
 * Role hierarchy (issue 9, item 3): nobody acts on someone of equal or higher rank; DMs and groups have no
 * owners or moderators; a blocked member cannot edit or react; a read-only channel refuses edits by
 * non-moderators.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as people from "../../domain/admin/people.ts";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";

const NO_IP = { ip: "" };

dbTest("a workspace moderator cannot deactivate or reactivate an admin or another moderator", async (db) => {
  const f = await fixture(db);
  const mod2 = await usersRepo.insert(db, {
    workspaceId: f.ws,
    username: "mod2",
    displayName: "Mod 2",
    role: "moderator",
  });
  await refused(
    people.setActive(f.deps, f.actor("mod"), NO_IP, f.users.admin.id, false, {}),
    403,
    "forbidden",
  );
  await refused(people.setActive(f.deps, f.actor("mod"), NO_IP, mod2.id, false, {}), 403, "forbidden");
  assert.equal((await usersRepo.byId(db, f.ws, f.users.admin.id))!.deactivatedAt, null);
  // Downwards it works, both ways; the admin can act on moderators.
  await people.setActive(f.deps, f.actor("mod"), NO_IP, f.users.alice.id, false, {});
  await people.setActive(f.deps, f.actor("mod"), NO_IP, f.users.alice.id, true, {});
  await people.setActive(f.deps, f.actor("admin"), NO_IP, mod2.id, false, {});
  await refused(people.setActive(f.deps, f.actor("mod"), NO_IP, mod2.id, true, {}), 403, "forbidden");
  await people.setActive(f.deps, f.actor("admin"), NO_IP, mod2.id, true, {});
});

dbTest(
  "channel roles act only downwards: a channel moderator cannot remove, block or demote an admin",
  async (db) => {
    const f = await fixture(db);
    const ch = await channels.create(f.deps, f.actor("mod"), {
      name: "team",
      memberIds: [f.users.alice.id, f.users.bob.id, f.users.carol.id],
    });
    await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.alice.id, { role: "admin" });
    await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.bob.id, { role: "moderator" });
    const bob = f.actor("bob");
    await refused(members.remove(f.deps, bob, ch.id, f.users.alice.id), 403, "forbidden");
    await refused(members.setBlocked(f.deps, bob, ch.id, f.users.alice.id, true), 403, "forbidden");
    await refused(members.setRole(f.deps, bob, ch.id, f.users.alice.id, { role: "member" }), 403);
    // Equal rank: a channel admin cannot act on another admin, nor raise anyone above their own role.
    await members.setRole(f.deps, f.actor("mod"), ch.id, f.users.carol.id, { role: "admin" });
    const alice = f.actor("alice");
    await refused(members.remove(f.deps, alice, ch.id, f.users.carol.id), 403, "forbidden");
    await refused(members.setRole(f.deps, alice, ch.id, f.users.bob.id, { role: "owner" }), 403, "forbidden");
    await refused(
      members.setRole(f.deps, alice, ch.id, f.users.alice.id, { role: "owner" }),
      403,
      "forbidden",
    );
    // Downwards: the admin manages the moderator; anyone may step down themselves.
    await members.setBlocked(f.deps, alice, ch.id, f.users.bob.id, true);
    await members.setBlocked(f.deps, alice, ch.id, f.users.bob.id, false);
    await members.setRole(f.deps, alice, ch.id, f.users.bob.id, { role: "member" });
    await members.setRole(f.deps, alice, ch.id, f.users.alice.id, { role: "moderator" });
    await members.remove(f.deps, f.actor("mod"), ch.id, f.users.carol.id);
    const roles = (await members.list(f.deps, f.actor("mod"), ch.id)).map((m) => [m.username, m.role]);
    assert.deepEqual(roles, [["mod", "owner"], ["alice", "moderator"], ["bob", "member"]]);
  },
);

dbTest("moderators delete messages only of people of lower rank", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("admin"), {
    name: "all",
    memberIds: [f.users.mod.id, f.users.alice.id],
  });
  const post = async (who: "admin" | "mod" | "alice", k: string) =>
    (await messages.send(f.deps, f.actor(who), { channelId: ch.id, clientId: k, body: `from ${who}` }))
      .message;
  const fromAdmin = await post("admin", "a");
  const fromMod = await post("mod", "m");
  const fromAlice = await post("alice", "x");
  await refused(messages.remove(f.deps, f.actor("mod"), fromAdmin.id), 403, "forbidden");
  await messages.remove(f.deps, f.actor("mod"), fromAlice.id);
  await messages.remove(f.deps, f.actor("admin"), fromMod.id);
  assert.equal((await messages.get(f.deps, f.actor("alice"), fromAdmin.id)).deletedAt, null);
});

dbTest("DMs and groups have no owners: nobody deletes, removes or blocks the others", async (db) => {
  const f = await fixture(db);
  const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  const g = await channels.openGroup(f.deps, f.actor("alice"), {
    userIds: [f.users.bob.id, f.users.carol.id],
  });
  assert.equal(g.myRole, "member", "starting a group makes nobody its owner");
  const bobs = [];
  for (const c of [dm, g]) {
    bobs.push(
      (await messages.send(f.deps, f.actor("bob"), { channelId: c.id, clientId: `b${c.id}`, body: "mine" }))
        .message,
    );
    // Even a row that says "owner" (older data, the demo seed) gives no power in a conversation.
    await channelsRepo.setRole(db, c.id, f.users.alice.id, "owner");
  }
  const alice = actorFromUser(f.users.alice, null);
  for (const m of bobs) await refused(messages.remove(f.deps, alice, m.id), 403, "forbidden");
  await refused(members.remove(f.deps, alice, g.id, f.users.bob.id), 403, "forbidden");
  await refused(members.setBlocked(f.deps, alice, g.id, f.users.bob.id, true), 403, "forbidden");
  await refused(members.setRole(f.deps, alice, g.id, f.users.alice.id, { role: "owner" }), 400);
  await refused(channels.update(f.deps, alice, g.id, { archived: true }), 403, "forbidden");
  for (const m of bobs) assert.equal((await messages.get(f.deps, f.actor("bob"), m.id)).body, "mine");
  // Leaving a group needs no successor, and its members may still describe it.
  await channels.update(f.deps, f.actor("bob"), g.id, { description: "planning" });
  await channels.leave(f.deps, alice, g.id);
});

dbTest(
  "a blocked member cannot edit or react; a read-only channel refuses edits by non-moderators",
  async (db) => {
    const f = await fixture(db);
    const ch = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id],
    });
    const { message: own } = await messages.send(f.deps, f.actor("bob"), {
      channelId: ch.id,
      clientId: "b",
      body: "hi",
    });
    const { message: other } = await messages.send(f.deps, f.actor("alice"), {
      channelId: ch.id,
      clientId: "a",
      body: "hello",
    });
    await members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.bob.id, true);
    const bob = f.actor("bob");
    await refused(messages.edit(f.deps, bob, own.id, { body: "edited anyway" }), 403, "blocked");
    await refused(messages.react(f.deps, bob, other.id, { emoji: "👍" }, true), 403, "blocked");
    await members.setBlocked(f.deps, f.actor("mod"), ch.id, f.users.bob.id, false);
    await messages.react(f.deps, bob, other.id, { emoji: "👍" }, true);

    const { message: modMsg } = await messages.send(f.deps, f.actor("mod"), {
      channelId: ch.id,
      clientId: "m",
      body: "rules",
    });
    await channels.update(f.deps, f.actor("mod"), ch.id, { readOnly: true });
    await refused(messages.edit(f.deps, f.actor("alice"), other.id, { body: "sneaky" }), 403, "read_only");
    await messages.edit(f.deps, f.actor("mod"), modMsg.id, { body: "rules, updated" });
    assert.equal((await messages.get(f.deps, bob, other.id)).body, "hello");
  },
);

dbTest("workspace roles change only downwards; only admins make admins", async (db) => {
  const f = await fixture(db);
  const mod = f.actor("mod");
  await refused(people.setRole(f.deps, mod, NO_IP, f.users.admin.id, { role: "member" }), 403, "forbidden");
  await refused(
    people.setRole(f.deps, mod, NO_IP, f.users.alice.id, { role: "moderator" }),
    403,
    "forbidden",
  );
  await refused(people.setRole(f.deps, mod, NO_IP, f.users.alice.id, { role: "admin" }), 403, "forbidden");
  await refused(
    people.setRole(f.deps, f.actor("alice"), NO_IP, f.users.bob.id, { role: "guest" }),
    403,
    "forbidden",
  );
  await refused(people.setRole(f.deps, f.actor("admin"), NO_IP, f.users.admin.id, { role: "member" }), 403);
  assert.equal((await people.setRole(f.deps, mod, NO_IP, f.users.alice.id, { role: "guest" })).role, "guest");
  assert.equal(
    (await people.setRole(f.deps, f.actor("admin"), NO_IP, f.users.bob.id, { role: "admin" })).role,
    "admin",
  );
  // Admins are the top rank and manage each other (someone must be able to remove an admin).
  const bob = actorFromUser((await usersRepo.byId(db, f.ws, f.users.bob.id))!, null);
  assert.equal(
    (await people.setRole(f.deps, bob, NO_IP, f.users.admin.id, { role: "moderator" })).role,
    "moderator",
  );
  const changed = f.published.filter((e) => e.event.type === "access_changed").map((e) => e.audience);
  assert.deepEqual(changed, [
    { kind: "users", userIds: [f.users.alice.id] },
    { kind: "users", userIds: [f.users.bob.id] },
    { kind: "users", userIds: [f.users.admin.id] },
  ]);
});
