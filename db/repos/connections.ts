/** Live WebSocket connections, shared by all instances through the database. */
import type { Sql } from "../client.ts";

/** A connection counts as live when its instance refreshed it within this many seconds. */
export const LIVE_SECONDS = 90;

export async function insert(
  sql: Sql,
  c: { id: string; userId: number; workspaceId: number; instanceId: string; page: string; userAgent: string },
) {
  await sql.query(
    `INSERT INTO connections (id, user_id, workspace_id, instance_id, page, user_agent) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING`,
    [c.id, c.userId, c.workspaceId, c.instanceId, c.page.slice(0, 300), c.userAgent.slice(0, 300)],
  );
}

export async function remove(sql: Sql, id: string) {
  await sql.query("DELETE FROM connections WHERE id = $1", [id]);
}

export async function setPage(sql: Sql, id: string, page: string) {
  await sql.query("UPDATE connections SET page = $2, seen_at = now() WHERE id = $1", [
    id,
    page.slice(0, 300),
  ]);
}

export async function touch(sql: Sql, ids: string[]) {
  if (ids.length) await sql.query("UPDATE connections SET seen_at = now() WHERE id = ANY($1::text[])", [ids]);
}

export async function liveCount(sql: Sql, userId: number): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM connections WHERE user_id = $1 AND seen_at > now() - make_interval(secs => $2)`,
    [userId, LIVE_SECONDS],
  );
  return r[0].n;
}

export async function liveCounts(sql: Sql, workspaceId: number): Promise<Map<number, number>> {
  const r = await sql.query<{ userId: number; n: number }>(
    `SELECT user_id AS "userId", count(*)::int AS n FROM connections
     WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2) GROUP BY user_id`,
    [workspaceId, LIVE_SECONDS],
  );
  return new Map(r.map((x) => [x.userId, x.n]));
}

export interface ConnectionRow {
  id: string;
  userId: number;
  instanceId: string;
  page: string;
  userAgent: string;
  connectedAt: string;
  seenAt: string;
}

export async function listLive(sql: Sql, workspaceId: number): Promise<ConnectionRow[]> {
  return await sql.query<ConnectionRow>(
    `SELECT id, user_id AS "userId", instance_id AS "instanceId", page, user_agent AS "userAgent",
       connected_at AS "connectedAt", seen_at AS "seenAt"
     FROM connections WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2) ORDER BY connected_at`,
    [workspaceId, LIVE_SECONDS],
  );
}

export async function purgeStale(sql: Sql) {
  await sql.query(`DELETE FROM connections WHERE seen_at < now() - make_interval(secs => $1)`, [
    LIVE_SECONDS * 4,
  ]);
}
