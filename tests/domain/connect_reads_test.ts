/**
 * The gateway's connect reads (domain/connect_reads.ts), read for many sockets in one statement: each socket
 * gets exactly what a read of its own would give (its session, its unread counts, its workspace's presence),
 * ended sessions and deactivated people get nothing, and workspaces stay apart inside one batch.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as auth from "../../domain/auth.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as presence from "../../domain/presence.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import { connectReads } from "../../domain/connect_reads.ts";

const ctx = { ip: "10.0.0.1", userAgent: "test" };

dbTest("connect reads: sessions read together, each answered as if read alone", async (db) => {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const login = async (username: string, workspace?: string) =>
    (await auth.login(f.deps, { username, password: "pw", ...workspace ? { workspace } : {} }, ctx)).token;
  const alice = await login("alice"), bob = await login("bob"), carol = await login("carol");
  const eve = await login("eve", "other");
  const loggedOut = await login("bob");
  await auth.logout(f.deps, (await auth.authenticate(f.deps, loggedOut))!);
  await db.query("UPDATE users SET deactivated_at = now() WHERE id = $1", [f.users.carol.id]);

  const reads = connectReads(f.deps);
  const got = await Promise.all(
    [alice, eve, carol, "no-such-token", loggedOut, bob, alice, "", "x".repeat(500)].map((t) =>
      reads.session(t)
    ),
  );
  assert.equal(got[0]?.actor.userId, f.users.alice.id);
  assert.equal(got[0]?.actor.workspaceId, f.ws);
  assert.deepEqual(got[0]?.channelIds, [general.id]);
  assert.equal(got[1]?.actor.userId, f.users.eve.id);
  assert.equal(got[1]?.actor.workspaceId, f.otherWs);
  assert.deepEqual(got[1]?.channelIds, []);
  assert.equal(got[2], null, "deactivated");
  assert.equal(got[3], null, "unknown token");
  assert.equal(got[4], null, "logged out");
  assert.equal(got[5]?.actor.userId, f.users.bob.id);
  assert.equal(got[6]?.actor.userId, f.users.alice.id);
  assert.equal(got[7], null);
  assert.equal(got[8], null);
  // Each actor is what `authenticate` gives for its token; the same role shares one permission set.
  for (const [i, token] of [[0, alice], [1, eve], [5, bob]] as const) {
    const one = (await auth.authenticate(f.deps, token))!;
    assert.deepEqual({ ...got[i]!.actor, permissions: [...got[i]!.actor.permissions].sort() }, {
      ...one,
      permissions: [...one.permissions].sort(),
    });
  }
  assert.equal(got[0]!.actor.permissions, got[5]!.actor.permissions);
  // Revocation stays immediate: nothing is cached between upgrades.
  await auth.logout(f.deps, got[5]!.actor);
  assert.equal(await reads.session(bob), null);
});

dbTest(
  "connect reads: unread counts and presence of many sockets, each its own and its workspace's",
  async (db) => {
    const f = await fixture(db);
    const general = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id, f.users.carol.id],
    });
    const side = await channels.create(f.deps, f.actor("mod"), { name: "side", memberIds: [f.users.bob.id] });
    let n = 0;
    const say = (who: "alice" | "bob" | "mod", channelId: number, body: string) =>
      messages.send(f.deps, f.actor(who), { channelId, clientId: `c${++n}`, body });
    await say("bob", general.id, "hello @alice");
    await say("bob", general.id, "and everyone");
    await say("alice", general.id, "hi bob");
    await say("mod", side.id, "bob only");

    const reads = connectReads(f.deps);
    const who = ["alice", "bob", "carol", "eve", "alice", "mod"] as const;
    const counts = await Promise.all(who.map((w) => reads.unreadCounts(f.actor(w))));
    for (const [i, w] of who.entries()) {
      const a = f.actor(w);
      assert.deepEqual(counts[i], await channelsRepo.unreadCounts(db, a.workspaceId, a.userId), w);
    }
    // Carol read nothing: three messages in general, none mentioning her; Bob's side channel is not hers.
    assert.deepEqual(counts[2].map((c) => [c.channelId, c.unread, c.mentions]), [[general.id, 3, 0]]);
    assert.deepEqual(counts[3], []);

    const { alice, bob, carol, eve } = f.users;
    const asked: [keyof typeof f.users, number[]][] = [
      ["alice", [bob.id, eve.id, alice.id, 999_999, bob.id]],
      ["eve", [alice.id, eve.id]],
      ["bob", []],
      ["carol", [carol.id, alice.id]],
    ];
    const got = await Promise.all(asked.map(([w, ids]) => reads.presence(f.actor(w), ids)));
    for (const [i, [w, ids]] of asked.entries()) {
      assert.deepEqual(got[i], await presence.ofSubscription(f.deps, f.actor(w), [...new Set(ids)]), w);
    }
    assert.deepEqual(got[0].map((p) => p.userId), [alice.id, bob.id].sort((x, y) => x - y));
    assert.deepEqual(got[1].map((p) => p.userId), [eve.id], "another workspace's people are left out");
    assert.deepEqual(got[2], []);
  },
);

dbTest(
  "connect reads: rows stored with each socket's own unread counts in shared statements",
  async (db) => {
    const f = await fixture(db);
    const general = await channels.create(f.deps, f.actor("mod"), {
      name: "general",
      memberIds: [f.users.alice.id, f.users.bob.id],
    });
    await messages.send(f.deps, f.actor("bob"), { channelId: general.id, clientId: "c1", body: "hi @alice" });
    const reads = connectReads(f.deps);
    const row = (w: "alice" | "bob" | "eve", id: string) =>
      presence.connectionRow(f.deps, f.actor(w), id, "", "ua");
    // Submitted together: the first goes out alone, the rest share the next statement.
    const got = await Promise.all([
      reads.opened(f.actor("alice"), row("alice", "a1")),
      reads.opened(f.actor("bob"), row("bob", "b1")),
      reads.opened(f.actor("eve"), row("eve", "e1")),
      reads.opened(f.actor("alice"), row("alice", "a2")),
    ]);
    for (const [i, w] of [[0, "alice"], [1, "bob"], [2, "eve"], [3, "alice"]] as const) {
      const who = f.actor(w);
      assert.deepEqual(got[i], await channelsRepo.unreadCounts(db, who.workspaceId, who.userId), w);
    }
    assert.deepEqual(got[0].map((c) => [c.channelId, c.unread, c.mentions]), [[general.id, 1, 1]]);
    assert.deepEqual(got[2], [], "workspaces stay apart");
    const stored = await db.query<{ id: string; userId: number }>(
      `SELECT id, user_id AS "userId" FROM connections ORDER BY id`,
    );
    assert.deepEqual(stored.map((r) => [r.id, r.userId]), [
      ["a1", f.users.alice.id],
      ["a2", f.users.alice.id],
      ["b1", f.users.bob.id],
      ["e1", f.users.eve.id],
    ]);
    // A row stored again (the same id) is one row; its counts are still read.
    assert.deepEqual(await reads.opened(f.actor("alice"), row("alice", "a1")), got[0]);
    assert.equal((await db.query("SELECT 1 FROM connections")).length, 4);
  },
);
