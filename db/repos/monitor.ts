/** Messages as Monitor reads them: any conversation of the workspace, filtered, paged by id (newest first). */
import type { Sql } from "../client.ts";

export interface MonitorFilter {
  channelId?: number;
  userId?: number;
  from?: string;
  to?: string;
  q?: string;
}

export interface MonitorRow {
  id: number;
  channelId: number;
  channel: string;
  kind: string;
  senderId: number | null;
  sender: string | null;
  body: string;
  replyTo: number | null;
  createdAt: string;
}

function where(workspaceId: number, f: MonitorFilter) {
  const params: unknown[] = [workspaceId];
  const parts = ["m.workspace_id = $1", "m.deleted_at IS NULL"];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    parts.push(cond.replaceAll("$?", `$${params.length}`));
  };
  if (f.channelId) add("m.channel_id = $?", f.channelId);
  if (f.userId) add("m.sender_id = $?", f.userId);
  if (f.from) add("m.created_at >= $?::timestamptz", f.from);
  if (f.to) add("m.created_at < $?::timestamptz", f.to);
  if (f.q) add("m.body ILIKE $?", `%${f.q.replace(/[\\%_]/g, (m) => "\\" + m)}%`);
  return { sql: parts.join(" AND "), params };
}

const COLS = `m.id, m.channel_id AS "channelId", c.name AS channel, c.kind, m.sender_id AS "senderId",
  u.display_name AS sender, m.body, m.reply_to AS "replyTo", m.created_at AS "createdAt"`;

/** Up to `limit` messages older than `before` (newest first), or newer than `after` (oldest first). */
export async function page(
  sql: Sql,
  workspaceId: number,
  f: MonitorFilter,
  o: { limit: number; before?: number; after?: number },
): Promise<MonitorRow[]> {
  const w = where(workspaceId, f);
  const params = [...w.params];
  let cond = "";
  if (o.before !== undefined) cond = ` AND m.id < $${params.push(o.before)}`;
  if (o.after !== undefined) cond = ` AND m.id > $${params.push(o.after)}`;
  const order = o.after !== undefined ? "ASC" : "DESC";
  return await sql.query<MonitorRow>(
    `SELECT ${COLS} FROM messages m JOIN channels c ON c.id = m.channel_id
       LEFT JOIN users u ON u.id = m.sender_id
     WHERE ${w.sql}${cond} ORDER BY m.id ${order} LIMIT $${params.push(o.limit)}`,
    params,
  );
}

export async function count(sql: Sql, workspaceId: number, f: MonitorFilter): Promise<number> {
  const w = where(workspaceId, f);
  const [r] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages m WHERE ${w.sql}`,
    w.params,
  );
  return r.n;
}

/** Every public and private channel (Monitor's filter; DMs are reached through a person). */
export async function channelChoices(sql: Sql, workspaceId: number) {
  return await sql.query<{ id: number; name: string }>(
    `SELECT id, name FROM channels WHERE workspace_id = $1 AND kind IN ('public_channel', 'private_channel')
     ORDER BY name LIMIT 1000`,
    [workspaceId],
  );
}

export async function peopleChoices(sql: Sql, workspaceId: number) {
  return await sql.query<{ id: number; displayName: string }>(
    `SELECT id, display_name AS "displayName" FROM users WHERE workspace_id = $1 ORDER BY display_name
     LIMIT 1000`,
    [workspaceId],
  );
}
