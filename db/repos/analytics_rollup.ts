/**
 * Per-day rollups for the dashboard and Analytics (migration 0022): closed UTC days (before the database's
 * today) are counted once into `analytics_day_*` and marked in `analytics_days`; triggers drop a day's mark
 * when something changes it, and `ensureDays` recomputes what is unmarked. Today is counted live by the
 * readers (`analytics.ts`), so the rollups never lag behind new messages.
 */
import type { Db, Sql } from "../client.ts";

/** The first instant of a UTC day, as SQL over a `date` parameter. */
export const dayStart = (p: string) => `((${p})::timestamp AT TIME ZONE 'UTC')`;
/** The database's today (UTC). */
export const TODAY = "(now() AT TIME ZONE 'UTC')::date";

/** Computes the closed days of [from, to] (dates) that are not computed yet; returns how many it did. */
export async function ensureDays(db: Db, workspaceId: number, from: string, to: string): Promise<number> {
  const missingIn = async (sql: Sql) =>
    (await sql.query<{ day: string }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day
       FROM generate_series($2::date, least($3::date, ${TODAY} - 1), interval '1 day') d
       WHERE NOT EXISTS (SELECT 1 FROM analytics_days a WHERE a.workspace_id = $1 AND a.day = d::date)
       ORDER BY d`,
      [workspaceId, from, to],
    )).map((m) => m.day);
  if (!(await missingIn(db)).length) return 0;
  return await db.tx(async (sql) => {
    // One computation per workspace at a time (two charts asking at once wait, then find it done).
    await sql.query("SELECT pg_advisory_xact_lock(7244113, $1::int)", [workspaceId]);
    const days = await missingIn(sql);
    if (!days.length) return 0;
    const lo = days[0], hi = days.at(-1)!;
    const params = [workspaceId, days, lo, hi];
    const range = `created_at >= ${dayStart("$3::date")} AND created_at < ${dayStart("$4::date + 1")}
      AND (created_at AT TIME ZONE 'UTC')::date = ANY($2::date[])`;
    for (const t of ["analytics_day_senders", "analytics_day_hours", "analytics_day_files"]) {
      await sql.query(`DELETE FROM ${t} WHERE workspace_id = $1 AND day = ANY($2::date[])`, [
        workspaceId,
        days,
      ]);
    }
    await sql.query(
      `INSERT INTO analytics_day_senders (workspace_id, day, channel_id, sender_id, messages)
     SELECT $1, (created_at AT TIME ZONE 'UTC')::date, channel_id, coalesce(sender_id, 0), count(*)
     FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL AND ${range}
     GROUP BY 2, 3, 4
     ON CONFLICT (workspace_id, day, channel_id, sender_id) DO UPDATE SET messages = EXCLUDED.messages`,
      params,
    );
    await sql.query(
      `INSERT INTO analytics_day_hours (workspace_id, day, hour, messages)
     SELECT $1, (created_at AT TIME ZONE 'UTC')::date, extract(hour FROM created_at AT TIME ZONE 'UTC'), count(*)
     FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL AND ${range}
     GROUP BY 2, 3
     ON CONFLICT (workspace_id, day, hour) DO UPDATE SET messages = EXCLUDED.messages`,
      params,
    );
    await sql.query(
      `INSERT INTO analytics_day_files (workspace_id, day, files)
     SELECT $1, (created_at AT TIME ZONE 'UTC')::date, count(*)
     FROM files WHERE workspace_id = $1 AND status = 'ready' AND message_id IS NOT NULL AND ${range}
     GROUP BY 2
     ON CONFLICT (workspace_id, day) DO UPDATE SET files = EXCLUDED.files`,
      params,
    );
    await sql.query(
      `INSERT INTO analytics_days (workspace_id, day) SELECT $1, unnest($2::date[])
     ON CONFLICT (workspace_id, day) DO UPDATE SET computed_at = now()`,
      [workspaceId, days],
    );
    return days.length;
  });
}
