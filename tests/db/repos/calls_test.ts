/** Contract: db/repos/calls.ts, where a call participant's socket counts as gone. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as channelsRepo from "../../../db/repos/channels.ts";
import * as callsRepo from "../../../db/repos/calls.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";

dbTest("a participant whose instance stopped without closing the socket counts as gone", async (db) => {
  const w = await workspacesRepo.insert(db, "a", "A");
  const [u, v, x] = await Promise.all(
    ["u", "v", "x"].map((n) => usersRepo.insert(db, { workspaceId: w.id, username: n, displayName: n })),
  );
  const ch = await channelsRepo.insert(db, { workspaceId: w.id, kind: "group", name: "g", createdBy: u.id });
  const call = await callsRepo.insert(db, {
    workspaceId: w.id,
    channelId: ch.id,
    startedBy: u.id,
    media: "audio",
  });
  await callsRepo.setActive(db, call.id);
  const row = (id: string, userId: number) => ({
    id,
    userId,
    workspaceId: w.id,
    instanceId: id,
    page: "/chat",
    userAgent: "ua",
  });
  // u's socket is live; v's instance died 10 minutes ago (its row stays, no longer refreshed); x's socket closed.
  await connectionsRepo.insertMany(db, [row("live", u.id), row("dead", v.id)]);
  await db.query("UPDATE connections SET seen_at = now() - interval '10 minutes' WHERE id = 'dead'");
  for (const [userId, conn] of [[u.id, "live"], [v.id, "dead"], [x.id, "closed"]] as const) {
    await db.query(
      `INSERT INTO call_participants (call_id, user_id, state, connection_id, joined_at)
       VALUES ($1, $2, 'joined', $3, now())`,
      [call.id, userId, conn],
    );
  }
  await callsRepo.goneParticipants(db, 60_000);
  const marked = await db.query<{ userId: number }>(
    `SELECT user_id AS "userId" FROM call_participants WHERE call_id = $1 AND disconnected_at IS NOT NULL
     ORDER BY user_id`,
    [call.id],
  );
  assert.deepEqual(marked.map((r) => Number(r.userId)), [v.id, x.id].sort((a, b) => a - b));
  assert.equal(await callsRepo.leaveIfGone(db, call.id, v.id), true);
  assert.equal(await callsRepo.leaveIfGone(db, call.id, u.id), false);
});
