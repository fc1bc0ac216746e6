/** Contract: db/repos/sessions.ts (sessions, audit log). */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as sessionsRepo from "../../../db/repos/sessions.ts";
import * as channelsRepo from "../../../db/repos/channels.ts";
import type { Db } from "../../../db/client.ts";

async function setup(db: Db) {
  const w = await workspacesRepo.insert(db, "a", "A");
  const u = await usersRepo.insert(db, { workspaceId: w.id, username: "u", displayName: "U" });
  const session = (hash: string, inMs: number) =>
    sessionsRepo.insert(db, {
      tokenHash: hash,
      userId: u.id,
      workspaceId: w.id,
      expiresAt: new Date(Date.now() + inMs),
      userAgent: "ua",
    });
  return { w, u, session };
}

dbTest("live sessions: not expired, not removed, user not deactivated", async (db) => {
  const { w, u, session } = await setup(db);
  await session("h1", 60_000);
  await session("h2", -1_000);
  await session("h3", 60_000);
  assert.deepEqual(await sessionsRepo.live(db, "h1"), {
    tokenHash: "h1",
    userId: u.id,
    workspaceId: w.id,
    expiresAt: (await sessionsRepo.live(db, "h1"))!.expiresAt,
  });
  assert.equal(await sessionsRepo.live(db, "h2"), null);
  assert.equal(await sessionsRepo.live(db, "nope"), null);
  assert.deepEqual((await sessionsRepo.liveOf(db, ["h1", "h2", "h3", "x"])).sort(), ["h1", "h3"]);
  assert.deepEqual(await sessionsRepo.liveOf(db, []), []);
  await sessionsRepo.remove(db, "h1");
  assert.equal(await sessionsRepo.live(db, "h1"), null);
  await usersRepo.setDeactivated(db, u.id, true);
  assert.deepEqual(await sessionsRepo.liveOf(db, ["h3"]), []);
  await sessionsRepo.removeForUser(db, u.id);
  assert.equal((await db.query("SELECT 1 FROM sessions")).length, 0); // expired ones too
});

dbTest("the audit log stores who, what, detail as JSON, and where", async (db) => {
  const { w, u } = await setup(db);
  await sessionsRepo.audit(db, {
    workspaceId: w.id,
    actorId: u.id,
    action: "channel_created",
    target: "7",
    detail: { name: "x" },
    ip: "1.2.3.4",
  });
  await sessionsRepo.audit(db, { workspaceId: null, actorId: null, action: "boot" });
  const rows = await db.query<Record<string, unknown>>(
    "SELECT action, target, detail, jsonb_typeof(detail) AS t, ip FROM audit_log ORDER BY id",
  );
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { action: "channel_created", target: "7", detail: { name: "x" }, t: "object", ip: "1.2.3.4" },
    { action: "boot", target: "", detail: {}, t: "object", ip: "" },
  ]);
});

dbTest(
  "a socket's upgrade reads the user with their channels; the periodic check agrees with liveOf",
  async (db) => {
    const { w, u, session } = await setup(db);
    await session("h1", 60_000);
    await session("h2", -1_000);
    const other = await usersRepo.insert(db, { workspaceId: w.id, username: "o", displayName: "O" });
    const ch = (name: string) =>
      channelsRepo.insert(db, { workspaceId: w.id, kind: "public_channel", name, createdBy: u.id });
    const [a, b, c] = [await ch("a"), await ch("b"), await ch("c")];
    await channelsRepo.addMember(db, { channelId: a.id, userId: u.id, workspaceId: w.id });
    await channelsRepo.addMember(db, { channelId: c.id, userId: u.id, workspaceId: w.id });
    await channelsRepo.addMember(db, { channelId: b.id, userId: other.id, workspaceId: w.id });

    const [found] = await usersRepo.bySessionsWithChannels(db, ["h1"]);
    assert.equal(found.id, u.id);
    assert.deepEqual(found.channelIds.sort((x, y) => x - y), [a.id, c.id]);
    assert.deepEqual(
      found.channelIds,
      (await channelsRepo.channelIdsForUser(db, u.id)).sort((x, y) => x - y),
    );
    // The same user as bySession, and nothing for an expired or unknown session.
    assert.equal(found.username, (await usersRepo.bySession(db, "h1"))!.username);
    assert.deepEqual(await usersRepo.bySessionsWithChannels(db, ["h2", "nope"]), []);
    assert.deepEqual((await usersRepo.bySessionsWithChannels(db, ["h2", "h1"])).map((r) => r.tokenHash), [
      "h1",
    ]);

    const live = async () =>
      (await usersRepo.accessBySessions(db, ["h1", "h2", "x"])).filter((r) => r.live).map((r) => r.hash)
        .sort();
    assert.deepEqual(await live(), (await sessionsRepo.liveOf(db, ["h1", "h2", "x"])).sort());
    assert.deepEqual(await live(), ["h1"]);
    await usersRepo.setDeactivated(db, u.id, true);
    assert.deepEqual(await live(), []);
    assert.deepEqual(await sessionsRepo.liveOf(db, ["h1"]), []);
  },
);
