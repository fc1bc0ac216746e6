/** Contract: db/repos/channels.ts (channels and members). */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as channelsRepo from "../../../db/repos/channels.ts";
import * as messagesRepo from "../../../db/repos/messages.ts";
import type { Db } from "../../../db/client.ts";

async function setup(db: Db) {
  const w = await workspacesRepo.insert(db, "a", "A");
  const other = await workspacesRepo.insert(db, "b", "B");
  const u1 = await usersRepo.insert(db, { workspaceId: w.id, username: "u1", displayName: "U1" });
  const u2 = await usersRepo.insert(db, { workspaceId: w.id, username: "u2", displayName: "U2" });
  const pub = await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "public_channel",
    name: "General",
    description: "all",
    createdBy: u1.id,
  });
  return { w, other, u1, u2, pub };
}

async function post(db: Db, ws: number, channelId: number, senderId: number, body: string, extra = {}) {
  const seq = await channelsRepo.nextSeq(db, channelId, true);
  return (await messagesRepo.insert(db, {
    workspaceId: ws,
    channelId,
    senderId,
    clientId: crypto.randomUUID(),
    seq,
    type: "text",
    body,
    replyTo: null,
    mentions: [],
    ...extra,
  }))!;
}

dbTest("channels by id, name and DM key, scoped to the workspace", async (db) => {
  const { w, other, u1, pub } = await setup(db);
  assert.deepEqual(
    [pub.kind, pub.name, pub.description, pub.readOnly, pub.allowPosting, pub.archivedAt, pub.lastSeq],
    ["public_channel", "General", "all", false, true, null, 0],
  );
  assert.equal((await channelsRepo.byId(db, w.id, pub.id))?.id, pub.id);
  assert.equal(await channelsRepo.byId(db, other.id, pub.id), null);
  assert.equal((await channelsRepo.byName(db, w.id, "general"))?.id, pub.id);
  assert.equal(await channelsRepo.byName(db, other.id, "general"), null);
  const dm = await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "direct_message",
    name: "",
    dmKey: "dm:1:2",
    createdBy: u1.id,
  });
  assert.equal((await channelsRepo.byDmKey(db, w.id, "dm:1:2"))?.id, dm.id);
  assert.equal(await channelsRepo.byDmKey(db, other.id, "dm:1:2"), null);
  await assert.rejects(
    channelsRepo.insert(db, {
      workspaceId: w.id,
      kind: "direct_message",
      name: "",
      dmKey: "dm:1:2",
      createdBy: null,
    }),
  );
  await assert.rejects(
    channelsRepo.insert(db, { workspaceId: w.id, kind: "private_channel", name: "GENERAL", createdBy: null }),
  );
  // DMs and groups have no unique name.
  await channelsRepo.insert(db, { workspaceId: w.id, kind: "group", name: "", createdBy: null });
  await channelsRepo.insert(db, { workspaceId: w.id, kind: "group", name: "", createdBy: null });
  await assert.rejects(
    channelsRepo.insert(db, { workspaceId: w.id, kind: "nope" as never, name: "x", createdBy: null }),
  );
});

dbTest("update changes only what is given; archive sets and clears the time; remove cascades", async (db) => {
  const { w, u1, pub } = await setup(db);
  await channelsRepo.update(db, pub.id, { readOnly: true });
  let c = (await channelsRepo.byId(db, w.id, pub.id))!;
  assert.deepEqual([c.name, c.description, c.readOnly, c.allowPosting], ["General", "all", true, true]);
  await channelsRepo.update(db, pub.id, { archived: true });
  const at = (await channelsRepo.byId(db, w.id, pub.id))!.archivedAt;
  assert.ok(at);
  await channelsRepo.update(db, pub.id, { archived: true, description: "old" });
  c = (await channelsRepo.byId(db, w.id, pub.id))!;
  assert.deepEqual([c.archivedAt, c.description], [at, "old"]);
  await channelsRepo.update(db, pub.id, { archived: false, allowPosting: false });
  c = (await channelsRepo.byId(db, w.id, pub.id))!;
  assert.deepEqual([c.archivedAt, c.allowPosting], [null, false]);
  await channelsRepo.addMember(db, { channelId: pub.id, userId: u1.id, workspaceId: w.id });
  /** A message and its event in the channel's log. */
  const logged = async (channelId: number, body: string) => {
    const m = await post(db, w.id, channelId, u1.id, body);
    await messagesRepo.appendEvent(db, w.id, { type: "message_received", channelId, seq: m.seq, message: m });
  };
  await logged(pub.id, "x");
  // Another channel's log stays (the log's key on channels is a trigger now, migration 0025).
  const other = await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "public_channel",
    name: "Other",
    description: "",
    createdBy: u1.id,
  });
  await channelsRepo.addMember(db, { channelId: other.id, userId: u1.id, workspaceId: w.id });
  await logged(other.id, "y");
  await channelsRepo.remove(db, pub.id);
  assert.equal(await channelsRepo.byId(db, w.id, pub.id), null);
  for (const t of ["members", "messages"]) {
    assert.equal((await db.query(`SELECT 1 FROM ${t} WHERE channel_id = $1`, [pub.id])).length, 0, t);
  }
  for (const t of ["channel_events", "messages"]) {
    // Another channel's log and messages stay (both keys on channels are triggers now, migrations 0025 and 0032).
    assert.deepEqual(
      (await db.query<{ channel_id: number }>(`SELECT channel_id FROM ${t}`)).map((r) =>
        Number(r.channel_id)
      ),
      [other.id],
      t,
    );
  }
  // A workspace deleted takes its channels and so their logs and messages.
  await db.query("DELETE FROM workspaces WHERE id = $1", [w.id]);
  for (const t of ["channel_events", "messages"]) {
    assert.equal((await db.query(`SELECT 1 FROM ${t}`)).length, 0, t);
  }
});

dbTest("nextSeq counts up without gaps and stamps the last message time", async (db) => {
  const { w, pub } = await setup(db);
  assert.deepEqual([
    await channelsRepo.nextSeq(db, pub.id, false),
    await channelsRepo.nextSeq(db, pub.id, false),
  ], [1, 2]);
  assert.equal((await channelsRepo.byId(db, w.id, pub.id))!.lastMessageAt, null);
  const seqs = await Promise.all(
    Array.from({ length: 10 }, () => db.tx((sql) => channelsRepo.nextSeq(sql, pub.id, true))),
  );
  assert.deepEqual(seqs.sort((a, b) => a - b), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const c = (await channelsRepo.byId(db, w.id, pub.id))!;
  assert.equal(c.lastSeq, 12);
  assert.ok(c.lastMessageAt);
});

dbTest("members: add once, roles, blocking, read positions, removal", async (db) => {
  const { w, u1, u2, pub } = await setup(db);
  assert.equal(
    await channelsRepo.addMember(db, { channelId: pub.id, userId: u1.id, workspaceId: w.id, role: "owner" }),
    true,
  );
  assert.equal(
    await channelsRepo.addMember(db, { channelId: pub.id, userId: u1.id, workspaceId: w.id }),
    false,
  );
  await channelsRepo.addMember(db, { channelId: pub.id, userId: u2.id, workspaceId: w.id, lastReadSeq: 0 });
  assert.deepEqual((await channelsRepo.members(db, pub.id)).map((m) => [m.userId, m.role]), [
    [u1.id, "owner"],
    [u2.id, "member"],
  ]);
  assert.deepEqual(await channelsRepo.channelIdsForUser(db, u2.id), [pub.id]);
  assert.equal((await channelsRepo.membersOf(db, [pub.id, 999])).length, 2);
  assert.deepEqual(await channelsRepo.membersOf(db, []), []);
  await channelsRepo.setRole(db, pub.id, u2.id, "moderator");
  await channelsRepo.setBlocked(db, pub.id, u2.id, u1.id);
  let m = (await channelsRepo.member(db, pub.id, u2.id))!;
  assert.deepEqual([m.role, m.canPost, m.blockedBy], ["moderator", false, u1.id]);
  assert.ok(m.blockedAt);
  await channelsRepo.setBlocked(db, pub.id, u2.id, null);
  m = (await channelsRepo.member(db, pub.id, u2.id))!;
  assert.deepEqual([m.canPost, m.blockedBy, m.blockedAt], [true, null, null]);
  for (let i = 0; i < 3; i++) await post(db, w.id, pub.id, u1.id, `m${i}`);
  assert.equal(await channelsRepo.markRead(db, pub.id, u2.id, 2), 2);
  assert.equal(await channelsRepo.markRead(db, pub.id, u2.id, 1), 2, "never backwards");
  assert.equal(await channelsRepo.markRead(db, pub.id, u2.id, 99), 3, "never past the end");
  assert.equal(await channelsRepo.markRead(db, pub.id, 999, 1), null);
  await assert.rejects(channelsRepo.setRole(db, pub.id, u2.id, "king" as never));
  assert.equal(await channelsRepo.removeMember(db, pub.id, u2.id), true);
  assert.equal(await channelsRepo.removeMember(db, pub.id, u2.id), false);
  assert.equal(await channelsRepo.member(db, pub.id, u2.id), null);
});

dbTest("forUser lists my channels with unread and mention counts", async (db) => {
  const { w, u1, u2, pub } = await setup(db);
  const quiet = await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "private_channel",
    name: "quiet",
    createdBy: null,
  });
  await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "public_channel",
    name: "not-mine",
    createdBy: null,
  });
  for (const c of [pub.id, quiet.id]) {
    await channelsRepo.addMember(db, { channelId: c, userId: u1.id, workspaceId: w.id });
    await channelsRepo.addMember(db, { channelId: c, userId: u2.id, workspaceId: w.id });
  }
  const first = await post(db, w.id, pub.id, u1.id, "hi");
  await post(db, w.id, pub.id, u1.id, "@u2", { mentions: [u2.id] });
  await post(db, w.id, pub.id, u2.id, "mine");
  await post(db, w.id, pub.id, u1.id, "reply", { replyTo: first.id });
  const deleted = await post(db, w.id, pub.id, u1.id, "gone");
  await messagesRepo.softDelete(db, deleted.id);
  const rows = await channelsRepo.forUser(db, w.id, u2.id);
  // Ordered by kind, then name: thread replies, deleted messages and my own do not count as unread.
  assert.deepEqual(rows.map((r) => [r.name, r.unread, r.mentions, r.memberCount]), [
    ["quiet", 0, 0, 2],
    ["General", 2, 1, 2],
  ]);
  assert.equal(rows.find((r) => r.name === "General")!.member.userId, u2.id);
  assert.deepEqual(await channelsRepo.forUser(db, w.id + 1, u2.id), []);
  // The same counts alone, for all my channels or for one.
  const counts = (all: channelsRepo.UnreadCount[]) => all.map((c) => [c.channelId, c.unread, c.mentions]);
  assert.deepEqual(
    counts(await channelsRepo.unreadCounts(db, w.id, u2.id)),
    [[pub.id, 2, 1], [quiet.id, 0, 0]].sort((a, b) => a[0] - b[0]),
  );
  assert.deepEqual(counts(await channelsRepo.unreadCounts(db, w.id, u2.id, quiet.id)), [[quiet.id, 0, 0]]);
  assert.deepEqual(await channelsRepo.unreadCounts(db, w.id + 1, u2.id), []);
});

dbTest("browsePublic lists public channels by name or description, wildcards escaped", async (db) => {
  const { w, other, pub } = await setup(db);
  await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "private_channel",
    name: "hidden",
    createdBy: null,
  });
  await channelsRepo.insert(db, {
    workspaceId: w.id,
    kind: "public_channel",
    name: "r_and_d",
    description: "labs",
    createdBy: null,
  });
  await channelsRepo.insert(db, {
    workspaceId: other.id,
    kind: "public_channel",
    name: "theirs",
    createdBy: null,
  });
  assert.deepEqual((await channelsRepo.browsePublic(db, w.id, "", 10)).map((c) => c.name), [
    "General",
    "r_and_d",
  ]);
  assert.deepEqual((await channelsRepo.browsePublic(db, w.id, "LAB", 10)).map((c) => c.name), ["r_and_d"]);
  assert.deepEqual((await channelsRepo.browsePublic(db, w.id, "r_a", 10)).map((c) => c.name), ["r_and_d"]);
  assert.deepEqual(await channelsRepo.browsePublic(db, w.id, "%", 10), []);
  assert.deepEqual((await channelsRepo.browsePublic(db, w.id, "", 1)).map((c) => c.id), [pub.id]);
  assert.equal((await channelsRepo.browsePublic(db, w.id, "gen", 10))[0].memberCount, 0);
});
