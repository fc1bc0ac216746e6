/**
 * The per-day rollups behind the dashboard and Analytics (migration 0022): closed days are counted once
 * and then read from the rollups; today is always live; a message deleted or re-dated, a file deleted and
 * a channel deleted make the affected days count again, so the figures equal a plain count of the
 * messages at every step. Runs on PGlite and Postgres.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import * as analytics from "../../../db/repos/analytics.ts";
import type { Db } from "../../../db/client.ts";

const DAY = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);

/** What the charts must say, counted straight from the messages. */
async function truth(db: Db, ws: number) {
  const rows = await db.query<{ day: string; n: number }>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM messages
     WHERE workspace_id = $1 AND deleted_at IS NULL GROUP BY 1`,
    [ws],
  );
  return Object.fromEntries(rows.map((r) => [r.day, r.n]));
}

async function check(db: Db, ws: number, label: string) {
  const want = await truth(db, ws);
  const now = new Date().toISOString();
  const got = Object.fromEntries(
    (await analytics.perDay(db, ws, 30, now)).filter((d) => d.messages).map((d) => [d.day, d.messages]),
  );
  assert.deepEqual(got, want, `per day: ${label}`);
  const total = Object.values(want).reduce((a, b) => a + b, 0);
  assert.equal(await analytics.totalMessages(db, ws), total, `total: ${label}`);
  const hours = await analytics.byWeekHour(db, ws, 30, now);
  assert.equal(hours.reduce((n, h) => n + h.messages, 0), total, `heatmap: ${label}`);
  const busiest = await analytics.busiestChannels(db, ws, 30, now);
  const [inChannels] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages m JOIN channels c ON c.id = m.channel_id
     WHERE m.workspace_id = $1 AND m.deleted_at IS NULL AND c.kind IN ('public_channel', 'private_channel')`,
    [ws],
  );
  assert.equal(busiest.reduce((n, c) => n + c.messages, 0), inChannels.n, `busiest: ${label}`);
}

dbTest("rollups of closed days follow deletes, re-dating and channel deletion; today is live", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const ws = h.f.users.admin.workspaceId;
  const ids: number[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await h.call("POST", `/api/chat/channels/${i % 2 ? w.general : w.secret}/messages`, {
      as: "alice",
      body: { clientId: crypto.randomUUID(), body: `m${i}` },
    });
    ids.push(r.json.message.id);
  }
  // Spread over closed days (3 and 5 days ago) and today.
  await db.query(
    "UPDATE messages SET created_at = created_at - interval '3 days' WHERE id = ANY($1::bigint[])",
    [
      ids.slice(0, 3),
    ],
  );
  await db.query(
    "UPDATE messages SET created_at = created_at - interval '5 days' WHERE id = ANY($1::bigint[])",
    [
      ids.slice(3, 5),
    ],
  );
  await check(db, ws, "first read");
  const [marked] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM analytics_days WHERE workspace_id = $1",
    [ws],
  );
  assert.ok(marked.n >= 29, "the closed days of the window are computed and marked");

  // Read from the rollups: a message inserted into a closed day behind their back is not seen...
  await db.query(
    `INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, body, created_at)
     VALUES ($1, $2, $3, 'sneaky', 1000, 'x', $4)`,
    [ws, w.general, h.f.users.bob.id, `${day(3)}T10:00:00Z`],
  );
  const before = (await analytics.perDay(db, ws, 30, new Date().toISOString())).find((d) => d.day === day(3));
  assert.equal(before?.messages, 3, "closed days come from the rollup");
  // ...until something changes that day: deleting one of its messages.
  await db.query("UPDATE messages SET deleted_at = now(), body = '' WHERE id = $1", [ids[0]]);
  await check(db, ws, "after a delete on a closed day");

  // Today is live: a new message counts at once.
  await h.call("POST", `/api/chat/channels/${w.general}/messages`, {
    as: "bob",
    body: { clientId: crypto.randomUUID(), body: "today" },
  });
  await check(db, ws, "after a message today");

  // Re-dating moves a message between days; a deleted channel takes its messages out.
  await db.query("UPDATE messages SET created_at = created_at - interval '2 days' WHERE id = $1", [ids[3]]);
  await check(db, ws, "after re-dating");
  await db.query("DELETE FROM channels WHERE id = $1", [w.secret]);
  await check(db, ws, "after a channel deletion");
  assert.equal((await analytics.perDay(db, ws, 30, new Date().toISOString())).length, 30);
});
