/**
 * Figures for the dashboard's charts and the Analytics tab, in UTC, over a window ending at `now`. Deleted
 * messages and files are never counted. Each query reads one workspace.
 */
import type { Db, Sql } from "../client.ts";
import { dayStart, ensureDays, TODAY } from "./analytics_rollup.ts";

export interface DayRow {
  day: string;
  messages: number;
  activePeople: number;
  files: number;
}

/**
 * The window of the charts: the last `days` UTC days ending with the day of `now`, as dates. Closed days
 * come from the rollups (`analytics_rollup.ts`, computed first if needed), today from the messages.
 */
export function window(days: number, now: string): { from: string; to: string } {
  const to = now.slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** Rows of messages created today (by the database's clock) up to the end of day `$3`. */
const LIVE = `workspace_id = $1 AND deleted_at IS NULL AND created_at >= ${dayStart(TODAY)}
  AND created_at < ${dayStart("$3::date + 1")}`;
/** Rollup rows of closed days in [$2, $3]. */
const CLOSED = `workspace_id = $1 AND day >= $2::date AND day <= $3::date AND day < ${TODAY}`;

/** One row per day of the last `days` days (today included), zeros where nothing happened. */
export async function perDay(db: Db, workspaceId: number, days: number, now: string): Promise<DayRow[]> {
  const w = window(days, now);
  await ensureDays(db, workspaceId, w.from, w.to);
  return await db.query<DayRow>(
    `WITH span AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
     r AS (SELECT day, sum(messages)::int AS n, count(DISTINCT nullif(sender_id, 0))::int AS people
           FROM analytics_day_senders WHERE ${CLOSED} GROUP BY day),
     rf AS (SELECT day, files AS n FROM analytics_day_files WHERE ${CLOSED}),
     l AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n,
                  count(DISTINCT sender_id)::int AS people
           FROM messages WHERE ${LIVE} GROUP BY 1),
     lf AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
            FROM files WHERE workspace_id = $1 AND status = 'ready' AND message_id IS NOT NULL
              AND created_at >= ${dayStart(TODAY)} AND created_at < ${dayStart("$3::date + 1")} GROUP BY 1)
     SELECT to_char(span.day, 'YYYY-MM-DD') AS day, coalesce(r.n, l.n, 0) AS messages,
            coalesce(r.people, l.people, 0) AS "activePeople", coalesce(rf.n, lf.n, 0) AS files
     FROM span LEFT JOIN r USING (day) LEFT JOIN l USING (day) LEFT JOIN rf USING (day) LEFT JOIN lf USING (day)
     ORDER BY span.day`,
    [workspaceId, w.from, w.to],
  );
}

/** Messages per hour for the last 24 hours (the current hour last). */
export async function perHour(sql: Sql, workspaceId: number, now: string) {
  return await sql.query<{ hour: string; messages: number }>(
    `WITH span AS (
       SELECT generate_series(date_trunc('hour', $2::timestamptz AT TIME ZONE 'UTC') - interval '23 hours',
                              date_trunc('hour', $2::timestamptz AT TIME ZONE 'UTC'), interval '1 hour') AS hour),
     m AS (SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AS hour, count(*)::int AS n
           FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
             AND created_at >= $2::timestamptz - interval '25 hours' GROUP BY 1)
     SELECT to_char(span.hour, 'YYYY-MM-DD"T"HH24:00') AS hour, coalesce(m.n, 0) AS messages
     FROM span LEFT JOIN m ON m.hour = span.hour ORDER BY span.hour`,
    [workspaceId, now],
  );
}

/** Messages by ISO day of week (1 = Monday) and hour of day (UTC) over the window, for the heatmap. */
export async function byWeekHour(db: Db, workspaceId: number, days: number, now: string) {
  const w = window(days, now);
  await ensureDays(db, workspaceId, w.from, w.to);
  return await db.query<{ dow: number; hour: number; messages: number }>(
    `WITH b AS (
       SELECT day, hour::int AS hour, messages FROM analytics_day_hours WHERE ${CLOSED}
       UNION ALL
       SELECT (created_at AT TIME ZONE 'UTC')::date, extract(hour FROM created_at AT TIME ZONE 'UTC')::int,
              count(*)::int
       FROM messages WHERE ${LIVE} GROUP BY 1, 2)
     SELECT extract(isodow FROM day)::int AS dow, hour, sum(messages)::int AS messages
     FROM b GROUP BY 1, 2 ORDER BY 1, 2`,
    [workspaceId, w.from, w.to],
  );
}

/** Channels (not DMs or groups) with the most messages in the window. */
export async function busiestChannels(db: Db, workspaceId: number, days: number, now: string, limit = 10) {
  const w = window(days, now);
  await ensureDays(db, workspaceId, w.from, w.to);
  return await db.query<{ id: number; name: string; messages: number }>(
    `WITH b AS (
       SELECT channel_id, sum(messages)::int AS n FROM analytics_day_senders WHERE ${CLOSED} GROUP BY 1
       UNION ALL
       SELECT channel_id, count(*)::int FROM messages WHERE ${LIVE} GROUP BY 1)
     SELECT c.id, c.name, sum(b.n)::int AS messages
     FROM b JOIN channels c ON c.id = b.channel_id
     WHERE c.workspace_id = $1 AND c.kind IN ('public_channel', 'private_channel')
     GROUP BY c.id, c.name ORDER BY messages DESC, c.name LIMIT $4`,
    [workspaceId, w.from, w.to, limit],
  );
}

/** Every message of the workspace that is not deleted: closed days from the rollups, today counted. */
export async function totalMessages(db: Db, workspaceId: number): Promise<number> {
  const [first] = await db.query<{ day: string | null }>(
    `SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM messages
     WHERE workspace_id = $1 AND deleted_at IS NULL`,
    [workspaceId],
  );
  if (!first.day) return 0;
  const today = new Date().toISOString().slice(0, 10);
  await ensureDays(db, workspaceId, first.day, today);
  const [r] = await db.query<{ n: number }>(
    `SELECT ((SELECT coalesce(sum(messages), 0) FROM analytics_day_senders
              WHERE workspace_id = $1 AND day < ${TODAY})
           + (SELECT count(*) FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
              AND created_at >= ${dayStart(TODAY)}))::int AS n`,
    [workspaceId],
  );
  return r.n;
}

/** Visitor chats queued in the window: waiting time, time to first answer, chat length (seconds). */
export async function visitorFigures(sql: Sql, workspaceId: number, days: number, now: string) {
  const [r] = await sql.query<{
    chats: number;
    answered: number;
    waitSeconds: number | null;
    firstAnswerSeconds: number | null;
    lengthSeconds: number | null;
  }>(
    `SELECT count(*)::int AS chats, count(v.assigned_at)::int AS answered,
       round(avg(extract(epoch FROM v.assigned_at - v.queued_at)))::int AS "waitSeconds",
       round(avg(extract(epoch FROM (SELECT min(x.created_at) FROM visitor_messages x
         WHERE x.conversation_id = v.id AND x.kind = 'agent') - v.queued_at)))::int AS "firstAnswerSeconds",
       round(avg(extract(epoch FROM v.ended_at - v.assigned_at)))::int AS "lengthSeconds"
     FROM visitor_conversations v
     WHERE v.workspace_id = $1 AND v.queued_at >= $3::timestamptz - make_interval(days => $2)
       AND v.queued_at <= $3::timestamptz`,
    [workspaceId, days, now],
  );
  return r;
}

/** Visitor ratings in the window by agent and team, per rating scale. */
export async function ratingsByAgent(sql: Sql, workspaceId: number, days: number, now: string) {
  return await sql.query<{ agent: string; team: string; scale: string; ratings: number; average: number }>(
    `SELECT coalesce(u.display_name, '(removed)') AS agent, r.team, r.scale, count(*)::int AS ratings,
            round(avg(r.value)::numeric, 2)::float8 AS average
     FROM visitor_ratings r LEFT JOIN users u ON u.id = r.agent_id
     WHERE r.workspace_id = $1 AND r.created_at >= $3::timestamptz - make_interval(days => $2)
       AND r.created_at <= $3::timestamptz
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [workspaceId, days, now],
  );
}
