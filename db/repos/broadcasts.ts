/** System broadcasts and who acknowledged them. */
import type { Sql } from "../client.ts";

export interface BroadcastRow {
  id: number;
  authorId: number | null;
  author: string | null;
  body: string;
  createdAt: string;
  endedAt: string | null;
}

const COLS = `b.id, b.author_id AS "authorId", u.display_name AS author, b.body, b.created_at AS "createdAt",
  b.ended_at AS "endedAt"`;

export async function insert(sql: Sql, workspaceId: number, authorId: number, body: string) {
  const r = await sql.query<{ id: number }>(
    "INSERT INTO broadcasts (workspace_id, author_id, body) VALUES ($1, $2, $3) RETURNING id",
    [workspaceId, authorId, body],
  );
  return (await byId(sql, workspaceId, r[0].id))!;
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<BroadcastRow | null> {
  const r = await sql.query<BroadcastRow>(
    `SELECT ${COLS} FROM broadcasts b LEFT JOIN users u ON u.id = b.author_id
     WHERE b.workspace_id = $1 AND b.id = $2`,
    [workspaceId, id],
  );
  return r[0] ?? null;
}

export async function recent(sql: Sql, workspaceId: number, limit: number): Promise<BroadcastRow[]> {
  return await sql.query<BroadcastRow>(
    `SELECT ${COLS} FROM broadcasts b LEFT JOIN users u ON u.id = b.author_id
     WHERE b.workspace_id = $1 ORDER BY b.id DESC LIMIT $2`,
    [workspaceId, limit],
  );
}

/** Live broadcasts this person has not acknowledged yet. */
export async function pendingFor(sql: Sql, workspaceId: number, userId: number): Promise<BroadcastRow[]> {
  return await sql.query<BroadcastRow>(
    `SELECT ${COLS} FROM broadcasts b LEFT JOIN users u ON u.id = b.author_id
     WHERE b.workspace_id = $1 AND b.ended_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM broadcast_acks k WHERE k.broadcast_id = b.id AND k.user_id = $2)
     ORDER BY b.id`,
    [workspaceId, userId],
  );
}

/** True when this call recorded the acknowledgement (false: it was already there). */
export async function ack(sql: Sql, broadcastId: number, userId: number): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO broadcast_acks (broadcast_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`,
    [broadcastId, userId],
  );
  return r.length > 0;
}

export async function end(sql: Sql, workspaceId: number, id: number) {
  await sql.query(
    "UPDATE broadcasts SET ended_at = coalesce(ended_at, now()) WHERE workspace_id = $1 AND id = $2",
    [
      workspaceId,
      id,
    ],
  );
}

export interface AckRow {
  userId: number;
  displayName: string;
  ackedAt: string | null;
}

/** Every active person of the workspace, with when they acknowledged (null: not yet). */
export async function report(sql: Sql, workspaceId: number, id: number): Promise<AckRow[]> {
  return await sql.query<AckRow>(
    `SELECT u.id AS "userId", u.display_name AS "displayName", k.acked_at AS "ackedAt"
     FROM users u LEFT JOIN broadcast_acks k ON k.broadcast_id = $2 AND k.user_id = u.id
     WHERE u.workspace_id = $1 AND u.deactivated_at IS NULL ORDER BY k.acked_at NULLS LAST, lower(u.display_name)`,
    [workspaceId, id],
  );
}
