/**
 * Figures for the dashboard's charts and the Analytics tab, in UTC, over a window ending at `now`. Deleted
 * messages and files are never counted. Each query reads one workspace.
 */
import type { Sql } from "../client.ts";

export interface DayRow {
  day: string;
  messages: number;
  activePeople: number;
  files: number;
}

/** One row per day of the last `days` days (today included), zeros where nothing happened. */
export async function perDay(sql: Sql, workspaceId: number, days: number, now: string): Promise<DayRow[]> {
  return await sql.query<DayRow>(
    `WITH span AS (
       SELECT generate_series(date_trunc('day', $3::timestamptz AT TIME ZONE 'UTC') - make_interval(days => $2 - 1),
                              date_trunc('day', $3::timestamptz AT TIME ZONE 'UTC'), interval '1 day') AS day),
     m AS (SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n,
                  count(DISTINCT sender_id)::int AS people
           FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
             AND created_at >= $3::timestamptz - make_interval(days => $2 + 1) GROUP BY 1),
     f AS (SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n
           FROM files WHERE workspace_id = $1 AND status = 'ready' AND message_id IS NOT NULL
             AND created_at >= $3::timestamptz - make_interval(days => $2 + 1) GROUP BY 1)
     SELECT to_char(span.day, 'YYYY-MM-DD') AS day, coalesce(m.n, 0) AS messages,
            coalesce(m.people, 0) AS "activePeople", coalesce(f.n, 0) AS files
     FROM span LEFT JOIN m ON m.day = span.day LEFT JOIN f ON f.day = span.day ORDER BY span.day`,
    [workspaceId, days, now],
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

/** Messages by ISO day of week (1 = Monday) and hour of day, for the heatmap. */
export async function byWeekHour(sql: Sql, workspaceId: number, days: number, now: string) {
  return await sql.query<{ dow: number; hour: number; messages: number }>(
    `SELECT extract(isodow FROM created_at AT TIME ZONE 'UTC')::int AS dow,
            extract(hour FROM created_at AT TIME ZONE 'UTC')::int AS hour, count(*)::int AS messages
     FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
       AND created_at >= $3::timestamptz - make_interval(days => $2) AND created_at <= $3::timestamptz
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [workspaceId, days, now],
  );
}

/** Channels (not DMs or groups) with the most messages in the window. */
export async function busiestChannels(sql: Sql, workspaceId: number, days: number, now: string, limit = 10) {
  return await sql.query<{ id: number; name: string; messages: number }>(
    `SELECT c.id, c.name, count(*)::int AS messages
     FROM messages m JOIN channels c ON c.id = m.channel_id
     WHERE m.workspace_id = $1 AND m.deleted_at IS NULL AND c.kind IN ('public_channel', 'private_channel')
       AND m.created_at >= $3::timestamptz - make_interval(days => $2) AND m.created_at <= $3::timestamptz
     GROUP BY c.id, c.name ORDER BY messages DESC, c.name LIMIT $4`,
    [workspaceId, days, now, limit],
  );
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
