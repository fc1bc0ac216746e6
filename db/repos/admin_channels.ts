/** Channels as the admin console lists them: every kind but DMs and groups' content, with counts, paged. */
import type { Sql } from "../client.ts";

export interface AdminChannelRow {
  id: number;
  kind: string;
  name: string;
  description: string;
  archivedAt: string | null;
  legalHold: boolean;
  lastMessageAt: string | null;
  createdAt: string;
  members: number;
  messages: number;
  owners: { id: number; displayName: string }[];
}

function where(workspaceId: number, f: { q?: string; kind?: string; state?: string }) {
  const params: unknown[] = [workspaceId];
  const parts = ["c.workspace_id = $1", "c.kind IN ('public_channel', 'private_channel')"];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    parts.push(cond.replaceAll("$?", `$${params.length}`));
  };
  if (f.q) add("c.name ILIKE $?", `%${f.q.replace(/[\\%_]/g, (m) => "\\" + m)}%`);
  if (f.kind) add("c.kind = $?", f.kind);
  if (f.state === "archived") parts.push("c.archived_at IS NOT NULL");
  if (f.state === "active") parts.push("c.archived_at IS NULL");
  return { sql: parts.join(" AND "), params };
}

export async function page(
  sql: Sql,
  workspaceId: number,
  f: { q?: string; kind?: string; state?: string },
  limit: number,
  offset: number,
  channelId?: number,
): Promise<AdminChannelRow[]> {
  const w = where(workspaceId, f);
  if (channelId) w.sql += ` AND c.id = $${w.params.push(channelId)}`;
  return await sql.query<AdminChannelRow>(
    `SELECT c.id, c.kind, c.name, c.description, c.archived_at AS "archivedAt", c.legal_hold AS "legalHold",
       c.last_message_at AS "lastMessageAt", c.created_at AS "createdAt",
       (SELECT count(*)::int FROM members m WHERE m.channel_id = c.id) AS members,
       c.last_seq::int AS messages,
       coalesce((SELECT json_agg(json_build_object('id', u.id, 'displayName', u.display_name) ORDER BY u.id)
         FROM members m JOIN users u ON u.id = m.user_id WHERE m.channel_id = c.id AND m.role = 'owner'),
         '[]'::json) AS owners
     FROM channels c WHERE ${w.sql}
     ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT $${w.params.length + 1} OFFSET $${
      w.params.length + 2
    }`,
    [...w.params, limit, offset],
  );
}

export async function count(sql: Sql, workspaceId: number, f: { q?: string; kind?: string; state?: string }) {
  const w = where(workspaceId, f);
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM channels c WHERE ${w.sql}`,
    w.params,
  );
  return r[0].n;
}

/** One channel as the console lists it. */
export async function one(sql: Sql, workspaceId: number, channelId: number): Promise<AdminChannelRow | null> {
  const rows = await page(sql, workspaceId, {}, 1, 0, channelId);
  return rows[0] ?? null;
}

export interface AdminMemberRow {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

/** A channel's members for the owner picker: owners first, then by name, optionally matching `q`. */
export async function members(
  sql: Sql,
  channelId: number,
  q: string,
  limit: number,
): Promise<AdminMemberRow[]> {
  return await sql.query<AdminMemberRow>(
    `SELECT u.id::int AS id, u.username, u.display_name AS "displayName", m.role
     FROM members m JOIN users u ON u.id = m.user_id
     WHERE m.channel_id = $1 AND u.deactivated_at IS NULL
       AND ($2 = '' OR u.username ILIKE $3 OR u.display_name ILIKE $3)
     ORDER BY (m.role = 'owner') DESC, lower(u.display_name) LIMIT $4`,
    [channelId, q, `%${q.replace(/[\\%_]/g, (m) => "\\" + m)}%`, limit],
  );
}
