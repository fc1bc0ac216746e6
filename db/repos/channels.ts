/** Typed queries on channels and their members. No business rules. */
import type { Sql } from "../client.ts";
import type { ChannelKind } from "../../realtime/protocol.ts";

export interface ChannelRow {
  id: number;
  workspaceId: number;
  kind: ChannelKind;
  name: string;
  description: string;
  readOnly: boolean;
  allowPosting: boolean;
  archivedAt: string | null;
  dmKey: string | null;
  createdBy: number | null;
  lastSeq: number;
  lastMessageAt: string | null;
  createdAt: string;
}

export interface MemberRow {
  channelId: number;
  userId: number;
  role: "owner" | "admin" | "moderator" | "member";
  canPost: boolean;
  blockedBy: number | null;
  blockedAt: string | null;
  lastReadSeq: number;
  joinedAt: string;
}

export const COLS =
  `c.id, c.workspace_id AS "workspaceId", c.kind, c.name, c.description, c.read_only AS "readOnly",
  c.allow_posting AS "allowPosting", c.archived_at AS "archivedAt", c.dm_key AS "dmKey", c.created_by AS "createdBy",
  c.last_seq AS "lastSeq", c.last_message_at AS "lastMessageAt", c.created_at AS "createdAt"`;
const MCOLS = `m.channel_id AS "channelId", m.user_id AS "userId", m.role, m.can_post AS "canPost",
  m.blocked_by AS "blockedBy", m.blocked_at AS "blockedAt", m.last_read_seq AS "lastReadSeq", m.joined_at AS "joinedAt"`;

export async function byId(
  sql: Sql,
  workspaceId: number,
  id: number,
  lock = false,
): Promise<ChannelRow | null> {
  const r = await sql.query<ChannelRow>(
    `SELECT ${COLS} FROM channels c WHERE c.workspace_id = $1 AND c.id = $2${lock ? " FOR UPDATE" : ""}`,
    [workspaceId, id],
  );
  return r[0] ?? null;
}

/** MCOLS with every name prefixed `m_`, for reading a member beside its channel in one row. */
export const M_PREFIXED = `m.channel_id AS "m_channelId", m.user_id AS "m_userId", m.role AS "m_role",
  m.can_post AS "m_canPost", m.blocked_by AS "m_blockedBy", m.blocked_at AS "m_blockedAt",
  m.last_read_seq AS "m_lastReadSeq", m.joined_at AS "m_joinedAt"`;

/**
 * A channel and the user's membership of it (null when not a member) in one round trip; `lock` locks the
 * channel row (FOR UPDATE), as `byId` does.
 */
export async function withMember(
  sql: Sql,
  workspaceId: number,
  id: number,
  userId: number,
  lock = false,
): Promise<{ channel: ChannelRow; member: MemberRow | null } | null> {
  const r = await sql.query<Record<string, unknown>>(
    `SELECT ${COLS}, ${M_PREFIXED} FROM channels c
     LEFT JOIN members m ON m.channel_id = c.id AND m.user_id = $3
     WHERE c.workspace_id = $1 AND c.id = $2${lock ? " FOR UPDATE OF c" : ""}`,
    [workspaceId, id, userId],
  );
  return r[0] ? channelAndMember(r[0]) : null;
}

/**
 * A row of `COLS` and `M_PREFIXED` (other columns prefixed `g_` or `s_` are left out) as a channel and
 * membership.
 */
export function channelAndMember(
  row: Record<string, unknown>,
): { channel: ChannelRow; member: MemberRow | null } {
  const channel: Record<string, unknown> = {};
  const member: Record<string, unknown> = {};
  for (const k in row) {
    if (k.startsWith("m_")) member[k.slice(2)] = row[k];
    else if (!k.startsWith("g_") && !k.startsWith("s_")) channel[k] = row[k];
  }
  return {
    channel: channel as unknown as ChannelRow,
    member: member.userId == null ? null : member as unknown as MemberRow,
  };
}

export async function byDmKey(sql: Sql, workspaceId: number, dmKey: string): Promise<ChannelRow | null> {
  const r = await sql.query<ChannelRow>(
    `SELECT ${COLS} FROM channels c WHERE c.workspace_id = $1 AND c.dm_key = $2`,
    [
      workspaceId,
      dmKey,
    ],
  );
  return r[0] ?? null;
}

export async function byName(sql: Sql, workspaceId: number, name: string): Promise<ChannelRow | null> {
  const r = await sql.query<ChannelRow>(
    `SELECT ${COLS} FROM channels c WHERE c.workspace_id = $1 AND lower(c.name) = lower($2)
       AND c.kind IN ('public_channel', 'private_channel')`,
    [workspaceId, name],
  );
  return r[0] ?? null;
}

/** Channels the user is a member of, with the membership and unread/mention counts. */
export async function forUser(
  sql: Sql,
  workspaceId: number,
  userId: number,
): Promise<(ChannelRow & { member: MemberRow; unread: number; mentions: number; memberCount: number })[]> {
  return await sql.query(
    `SELECT ${COLS}, row_to_json(mm) AS member,
       (SELECT count(*)::int FROM members x WHERE x.channel_id = c.id) AS "memberCount",
       (SELECT count(*)::int FROM messages g WHERE g.channel_id = c.id AND g.seq > mm."lastReadSeq"
          AND g.deleted_at IS NULL AND g.sender_id IS DISTINCT FROM $2 AND g.reply_to IS NULL) AS unread,
       (SELECT count(*)::int FROM messages g WHERE g.channel_id = c.id AND g.seq > mm."lastReadSeq"
          AND g.deleted_at IS NULL AND $2 = ANY(g.mentions)) AS mentions
     FROM members m0 JOIN channels c ON c.id = m0.channel_id
     JOIN LATERAL (SELECT ${MCOLS} FROM members m WHERE m.channel_id = c.id AND m.user_id = $2) mm ON true
     WHERE m0.user_id = $2 AND c.workspace_id = $1
     ORDER BY c.kind, c.name, c.id`,
    [workspaceId, userId],
  );
}

export interface UnreadCount {
  channelId: number;
  unread: number;
  mentions: number;
  lastReadSeq: number;
}

/**
 * The `unread` and `mentions` columns of a membership `m` (joined with its channel `c`) for the user `user` (an
 * SQL expression): top-level messages of others and mentions of them after the read position, not deleted. A
 * channel read to its end (most of them) costs no count at all.
 */
const unreadColumns = (user: string) =>
  `CASE WHEN c.last_seq > m.last_read_seq THEN
     (SELECT count(*)::int FROM messages g WHERE g.channel_id = m.channel_id AND g.seq > m.last_read_seq
       AND g.deleted_at IS NULL AND g.sender_id IS DISTINCT FROM ${user} AND g.reply_to IS NULL) ELSE 0 END AS unread,
   CASE WHEN c.last_seq > m.last_read_seq THEN
     (SELECT count(*)::int FROM messages g WHERE g.channel_id = m.channel_id AND g.seq > m.last_read_seq
       AND g.deleted_at IS NULL AND ${user} = ANY(g.mentions)) ELSE 0 END AS mentions`;

/**
 * Unread messages and mentions after the user's read position, in all their channels or in one: what a
 * `unread_counts` event carries, without the rest of `forUser`.
 */
export async function unreadCounts(
  sql: Sql,
  workspaceId: number,
  userId: number,
  channelId: number | null = null,
): Promise<UnreadCount[]> {
  return await sql.query<UnreadCount>(
    `SELECT m.channel_id AS "channelId", m.last_read_seq AS "lastReadSeq",
       ${unreadColumns("$2")}
     FROM members m JOIN channels c ON c.id = m.channel_id
     WHERE m.user_id = $2 AND c.workspace_id = $1 AND ($3::bigint IS NULL OR m.channel_id = $3)
     ORDER BY m.channel_id`,
    [workspaceId, userId, channelId],
  );
}

/**
 * The unread counts of people given as two arrays, workspace ids at parameter `$first` and user ids at the next:
 * a row per channel of each person, ordered by person then channel (`unreadCountsMany`, and the connection
 * rows' statement in `connections.ts`).
 */
export const unreadCountsOfPeople = (first: number) =>
  `SELECT q.user_id AS "userId", q.workspace_id AS "workspaceId",
       m.channel_id AS "channelId", m.last_read_seq AS "lastReadSeq",
       ${unreadColumns("q.user_id")}
     FROM (SELECT DISTINCT * FROM unnest($${first}::bigint[], $${
    first + 1
  }::bigint[]) AS x(workspace_id, user_id)) q
     JOIN members m ON m.user_id = q.user_id
     JOIN channels c ON c.id = m.channel_id AND c.workspace_id = q.workspace_id
     ORDER BY q.user_id, m.channel_id`;

/**
 * `unreadCounts` (every channel) of several people in one statement (the hellos of sockets opening at the
 * same moment), each row with the `userId` and `workspaceId` it belongs to, by channel id within each.
 */
export async function unreadCountsMany(
  sql: Sql,
  people: { workspaceId: number; userId: number }[],
): Promise<(UnreadCount & { userId: number; workspaceId: number })[]> {
  if (!people.length) return [];
  return await sql.query(unreadCountsOfPeople(1), [
    people.map((p) => p.workspaceId),
    people.map((p) => p.userId),
  ]);
}

export async function channelIdsForUser(sql: Sql, userId: number): Promise<number[]> {
  const r = await sql.query<{ id: number }>("SELECT channel_id AS id FROM members WHERE user_id = $1", [
    userId,
  ]);
  return r.map((x) => x.id);
}

export async function browsePublic(
  sql: Sql,
  workspaceId: number,
  q: string,
  limit: number,
): Promise<(ChannelRow & { memberCount: number })[]> {
  const like = `%${q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
  return await sql.query(
    `SELECT ${COLS}, (SELECT count(*)::int FROM members x WHERE x.channel_id = c.id) AS "memberCount"
     FROM channels c WHERE c.workspace_id = $1 AND c.kind = 'public_channel' AND (c.name ILIKE $2 OR c.description ILIKE $2)
     ORDER BY c.name LIMIT $3`,
    [workspaceId, like, limit],
  );
}

export interface NewChannel {
  workspaceId: number;
  kind: ChannelKind;
  name: string;
  description?: string;
  readOnly?: boolean;
  dmKey?: string | null;
  createdBy: number | null;
}

export async function insert(sql: Sql, c: NewChannel): Promise<ChannelRow> {
  const r = await sql.query<ChannelRow>(
    `INSERT INTO channels AS c (workspace_id, kind, name, description, read_only, dm_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLS}`,
    [c.workspaceId, c.kind, c.name, c.description ?? "", c.readOnly ?? false, c.dmKey ?? null, c.createdBy],
  );
  return r[0];
}

export async function update(
  sql: Sql,
  id: number,
  p: { name?: string; description?: string; readOnly?: boolean; allowPosting?: boolean; archived?: boolean },
): Promise<void> {
  await sql.query(
    `UPDATE channels SET name = coalesce($2, name), description = coalesce($3, description),
       read_only = coalesce($4, read_only), allow_posting = coalesce($5, allow_posting),
       archived_at = CASE WHEN $6::boolean IS NULL THEN archived_at WHEN $6 THEN coalesce(archived_at, now()) ELSE NULL END,
       updated_at = now()
     WHERE id = $1`,
    [
      id,
      p.name ?? null,
      p.description ?? null,
      p.readOnly ?? null,
      p.allowPosting ?? null,
      p.archived ?? null,
    ],
  );
}

export async function remove(sql: Sql, id: number): Promise<void> {
  await sql.query("DELETE FROM channels WHERE id = $1", [id]);
}

/** Takes the channel's next sequence number. Holds the row lock until commit, so order = commit order. */
export async function nextSeq(sql: Sql, id: number, touchMessageTime: boolean): Promise<number> {
  const r = await sql.query<{ seq: number }>(
    `UPDATE channels SET last_seq = last_seq + 1,
       last_message_at = CASE WHEN $2 THEN now() ELSE last_message_at END
     WHERE id = $1 RETURNING last_seq AS seq`,
    [id, touchMessageTime],
  );
  return r[0].seq;
}

// ---- members ------------------------------------------------------------------------------------

export async function member(sql: Sql, channelId: number, userId: number): Promise<MemberRow | null> {
  const r = await sql.query<MemberRow>(
    `SELECT ${MCOLS} FROM members m WHERE m.channel_id = $1 AND m.user_id = $2`,
    [
      channelId,
      userId,
    ],
  );
  return r[0] ?? null;
}

export async function members(sql: Sql, channelId: number): Promise<MemberRow[]> {
  return await sql.query<MemberRow>(
    `SELECT ${MCOLS} FROM members m WHERE m.channel_id = $1 ORDER BY m.joined_at`,
    [
      channelId,
    ],
  );
}

export async function membersOf(sql: Sql, channelIds: number[]): Promise<MemberRow[]> {
  if (!channelIds.length) return [];
  return await sql.query<MemberRow>(`SELECT ${MCOLS} FROM members m WHERE m.channel_id = ANY($1::bigint[])`, [
    channelIds,
  ]);
}

/**
 * Every member of `fullChannelIds`, and of other channels only the given people (`channelIds[i]`,
 * `userIds[i]`): the notification scanner reads only the members a batch can reach. Both parts walk the
 * primary key.
 */
export async function someMembersOf(
  sql: Sql,
  fullChannelIds: number[],
  channelIds: number[],
  userIds: number[],
): Promise<MemberRow[]> {
  if (!fullChannelIds.length && !channelIds.length) return [];
  if (!channelIds.length) return await membersOf(sql, fullChannelIds);
  return await sql.query<MemberRow>(
    `SELECT ${MCOLS} FROM members m WHERE m.channel_id = ANY($1::bigint[])
     UNION ALL
     SELECT ${MCOLS} FROM unnest($2::bigint[], $3::bigint[]) AS p(channel_id, user_id)
     JOIN members m ON m.channel_id = p.channel_id AND m.user_id = p.user_id`,
    [fullChannelIds, channelIds, userIds],
  );
}

export async function addMember(
  sql: Sql,
  m: {
    channelId: number;
    userId: number;
    workspaceId: number;
    role?: MemberRow["role"];
    lastReadSeq?: number;
  },
): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO members (channel_id, user_id, workspace_id, role, last_read_seq) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING user_id`,
    [m.channelId, m.userId, m.workspaceId, m.role ?? "member", m.lastReadSeq ?? 0],
  );
  return r.length > 0;
}

export async function removeMember(sql: Sql, channelId: number, userId: number): Promise<boolean> {
  const r = await sql.query("DELETE FROM members WHERE channel_id = $1 AND user_id = $2 RETURNING user_id", [
    channelId,
    userId,
  ]);
  return r.length > 0;
}

export async function setRole(
  sql: Sql,
  channelId: number,
  userId: number,
  role: MemberRow["role"],
): Promise<void> {
  await sql.query("UPDATE members SET role = $3 WHERE channel_id = $1 AND user_id = $2", [
    channelId,
    userId,
    role,
  ]);
}

export async function setBlocked(
  sql: Sql,
  channelId: number,
  userId: number,
  by: number | null,
): Promise<void> {
  await sql.query(
    `UPDATE members SET can_post = ($3::bigint IS NULL), blocked_by = $3,
       blocked_at = CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() END
     WHERE channel_id = $1 AND user_id = $2`,
    [channelId, userId, by],
  );
}

/** Moves the read position forward only; returns the new position. */
export async function markRead(
  sql: Sql,
  channelId: number,
  userId: number,
  seq: number,
): Promise<number | null> {
  const r = await sql.query<{ seq: number }>(
    `UPDATE members SET last_read_seq = greatest(last_read_seq, least($3, (SELECT last_seq FROM channels WHERE id = $1)))
     WHERE channel_id = $1 AND user_id = $2 RETURNING last_read_seq AS seq`,
    [channelId, userId, seq],
  );
  return r[0]?.seq ?? null;
}
