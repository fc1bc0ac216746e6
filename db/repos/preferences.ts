/** Typed queries on per-person preferences (one row per key). */
import type { Sql } from "../client.ts";

export async function ofUser(sql: Sql, userId: number): Promise<Record<string, unknown>> {
  const rows = await sql.query<{ key: string; value: unknown }>(
    "SELECT key, value FROM user_preferences WHERE user_id = $1",
    [userId],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Stored preferences of several people in one round trip (people with none are absent). */
export async function ofUsers(sql: Sql, userIds: number[]): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  if (!userIds.length) return out;
  const rows = await sql.query<{ userId: number; key: string; value: unknown }>(
    `SELECT user_id AS "userId", key, value FROM user_preferences WHERE user_id = ANY($1::bigint[])`,
    [userIds],
  );
  for (const r of rows) {
    const id = Number(r.userId);
    let o = out.get(id);
    if (!o) out.set(id, o = {});
    o[r.key] = r.value;
  }
  return out;
}

export async function put(sql: Sql, userId: number, key: string, value: unknown): Promise<void> {
  await sql.query(
    `INSERT INTO user_preferences (user_id, key, value) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [userId, key, JSON.stringify(value)],
  );
}

export async function remove(sql: Sql, userId: number, key: string): Promise<void> {
  await sql.query("DELETE FROM user_preferences WHERE user_id = $1 AND key = $2", [userId, key]);
}

/** People of a workspace who have stored any of these keys. */
export async function usersWithAny(sql: Sql, workspaceId: number, keys: string[]): Promise<number[]> {
  const rows = await sql.query<{ userId: number }>(
    `SELECT DISTINCT p.user_id AS "userId" FROM user_preferences p JOIN users u ON u.id = p.user_id
     WHERE u.workspace_id = $1 AND p.key = ANY($2::text[]) ORDER BY 1`,
    [workspaceId, keys],
  );
  return rows.map((r) => Number(r.userId));
}

/**
 * Members of these channels who stored a choice under `key` (the notification scanner asks for "keywords": it
 * has no workspace default, so nobody else has any; besides a mention and the level "all", a keyword is the
 * only way a message reaches a member, so the scanner reads the rows of only these people and the few others a
 * batch can reach, `ScanContext.load`).
 */
export async function membersWithKey(
  sql: Sql,
  channelIds: number[],
  key: string,
): Promise<{ channelId: number; userId: number }[]> {
  if (!channelIds.length) return [];
  return await sql.query(
    `SELECT m.channel_id AS "channelId", m.user_id AS "userId" FROM members m
     JOIN user_preferences p ON p.user_id = m.user_id AND p.key = $2
     WHERE m.channel_id = ANY($1::bigint[])`,
    [channelIds, key],
  );
}
