/** Typed queries on messages, reactions and the per-channel event log. No business rules. */
import type { Sql } from "../client.ts";
import type { Envelope, Message, MessageType, SequencedEvent } from "../../realtime/protocol.ts";
import { messageColumns, messageJson, toMessage } from "./message_columns.ts";
import {
  channelAndMember,
  type ChannelRow,
  COLS as CHANNEL_COLS,
  M_PREFIXED,
  type MemberRow,
} from "./channels.ts";

const COLS = messageColumns();
const fix = (r: Record<string, unknown>) => toMessage(r)!;

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<Message | null> {
  const r = await sql.query<Record<string, unknown>>(
    `SELECT ${COLS} FROM messages g WHERE g.workspace_id = $1 AND g.id = $2`,
    [workspaceId, id],
  );
  return r[0] ? fix(r[0]) : null;
}

export interface StoredKey {
  id: number;
  channelId: number;
  replyTo: number | null;
  /** The stored message was first sent with this body (it may have been edited since). */
  sameBody: boolean;
}

/** The message stored under (sender, client id), compared with `body` by the hash of what was first sent. */
export async function byClientId(
  sql: Sql,
  senderId: number,
  clientId: string,
  body: string,
): Promise<StoredKey | null> {
  const r = await sql.query<StoredKey>(
    `SELECT id, channel_id AS "channelId", reply_to AS "replyTo", body_hash IS NOT DISTINCT FROM md5($3) AS "sameBody"
     FROM messages WHERE sender_id = $1 AND client_id = $2`,
    [senderId, clientId, body],
  );
  return r[0] ?? null;
}

export interface NewMessage {
  workspaceId: number;
  channelId: number;
  senderId: number | null;
  clientId: string;
  seq: number;
  type: MessageType;
  body: string;
  replyTo: number | null;
  mentions: number[];
}

/** Inserts unless the (sender, client id) key exists; returns null on that conflict. */
export async function insert(sql: Sql, m: NewMessage): Promise<Message | null> {
  const r = await sql.query<Record<string, unknown>>(
    `WITH ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions,
         body_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[], md5($7))
       ON CONFLICT (sender_id, client_id) DO NOTHING
       RETURNING *)
     SELECT ${messageColumns({ fresh: true })} FROM ins g`,
    [m.workspaceId, m.channelId, m.senderId, m.clientId, m.seq, m.type, m.body, m.replyTo, m.mentions],
  );
  return r[0] ? fix(r[0]) : null;
}

export async function bumpReplyCount(sql: Sql, id: number): Promise<void> {
  await sql.query("UPDATE messages SET reply_count = reply_count + 1 WHERE id = $1", [id]);
}

/** Rewrites a message, and its search row with it (stored by the edit even when not indexed yet). */
export async function edit(sql: Sql, id: number, body: string, mentions: number[]): Promise<void> {
  await sql.query(
    `WITH e AS (
       UPDATE messages SET body = $2, mentions = $3::bigint[], edited_at = now() WHERE id = $1
       RETURNING id, workspace_id, channel_id, sender_id, created_at, body, deleted_at)
     INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
     SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body) FROM e
     WHERE deleted_at IS NULL
     ON CONFLICT (message_id) DO UPDATE SET body_lower = excluded.body_lower, tsv = excluded.tsv`,
    [id, body, mentions],
  );
}

/**
 * Deletes a message for good: its text, mentions, reactions and search row are erased; a placeholder row
 * stays.
 */
export async function softDelete(sql: Sql, id: number): Promise<string> {
  const r = await sql.query<{ at: string }>(
    `UPDATE messages SET deleted_at = coalesce(deleted_at, now()), body = '', mentions = '{}'
     WHERE id = $1 RETURNING deleted_at AS at`,
    [id],
  );
  await sql.query(
    "WITH r AS (DELETE FROM reactions WHERE message_id = $1) DELETE FROM message_search WHERE message_id = $1",
    [id],
  );
  return r[0].at;
}

export interface Page {
  before?: number;
  after?: number;
  limit: number;
}

/** A page of top-level messages by id: the newest, those before an id (older), or those after one (newer). */
export async function page(sql: Sql, channelId: number, p: Page): Promise<Message[]> {
  let rows: Record<string, unknown>[];
  if (p.after !== undefined) {
    rows = await sql.query(
      `SELECT ${COLS} FROM messages g WHERE g.channel_id = $1 AND g.id > $2 AND g.reply_to IS NULL ORDER BY g.id LIMIT $3`,
      [channelId, p.after, p.limit],
    );
  } else {
    rows = await sql.query(
      `SELECT * FROM (SELECT ${COLS} FROM messages g WHERE g.channel_id = $1 AND g.id < $2 AND g.reply_to IS NULL
        ORDER BY g.id DESC LIMIT $3) x ORDER BY id`,
      [channelId, p.before ?? Number.MAX_SAFE_INTEGER, p.limit],
    );
  }
  return rows.map(fix);
}

const MESSAGE_JSON = messageJson();

/**
 * The statement of `pageWithAccess` ($1 workspace, $2 channel, $3 user, $4 id bound, $5 rows read: the page
 * and one more); the bench explains it. One row per channel: the channel, the membership (`m_` columns), and
 * the page built by Postgres: `g_read` rows read, `g_first`/`g_last` the ids of the first and last message
 * of the page, `g_page` its messages as JSON text, oldest first. The extra row is counted, never built.
 */
export function pageWithAccessSql(newer: boolean): string {
  const kept = "FILTER (WHERE g.rn < $5)";
  return `SELECT ${CHANNEL_COLS}, ${M_PREFIXED}, p.read AS "g_read", p.first AS "g_first", p.last AS "g_last",
       p.page AS "g_page"
     FROM channels c
     LEFT JOIN members m ON m.channel_id = c.id AND m.user_id = $3
     LEFT JOIN LATERAL (
       SELECT count(*)::int AS read, min(g.id) ${kept} AS first, max(g.id) ${kept} AS last,
         coalesce(json_agg(${MESSAGE_JSON} ORDER BY g.id) ${kept}, '[]'::json)::text AS page
       FROM (SELECT g.*, row_number() OVER (ORDER BY g.id${newer ? "" : " DESC"}) AS rn FROM messages g
         WHERE g.channel_id = c.id AND g.reply_to IS NULL AND ${newer ? "g.id > $4" : "g.id < $4"}
         ORDER BY g.id${newer ? "" : " DESC"} LIMIT $5) g
     ) p ON true
     WHERE c.workspace_id = $1 AND c.id = $2`;
}

/** A page as JSON text with the channel and membership it was read with (`pageWithAccess`). */
export interface PageText {
  channel: ChannelRow;
  member: MemberRow | null;
  /** The page's messages (as `toMessage` makes them) as a JSON array, oldest first. */
  page: string;
  /** Whether there are more messages past the page, in the direction read (older, or newer with `after`). */
  more: boolean;
  /** The ids of the oldest and newest message of the page (null when it is empty). */
  first: number | null;
  last: number | null;
}

/**
 * A page of `limit` top-level messages (as `page` chooses them) with the channel and the caller's membership
 * (`channels.withMember`) in the same round trip: the history's access check and its page are one
 * statement, and the page comes as the JSON text Postgres built (one value, not a row per message with
 * the channel's columns repeated: what the rows of a result allocate is what the scavenges keep, bench
 * README). Null when there is no such channel; the page is read whatever the membership says, so the caller
 * must check access before using it.
 */
export async function pageWithAccess(
  sql: Sql,
  workspaceId: number,
  channelId: number,
  userId: number,
  p: Page,
): Promise<PageText | null> {
  const newer = p.after !== undefined;
  const rows = await sql.query<Record<string, unknown>>(
    pageWithAccessSql(newer),
    [workspaceId, channelId, userId, newer ? p.after : p.before ?? Number.MAX_SAFE_INTEGER, p.limit + 1],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    ...channelAndMember(r),
    page: r.g_page as string,
    more: (r.g_read as number) > p.limit,
    first: (r.g_first as number | null) ?? null,
    last: (r.g_last as number | null) ?? null,
  };
}

export async function thread(sql: Sql, parentId: number, limit: number): Promise<Message[]> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT ${COLS} FROM messages g WHERE g.reply_to = $1 ORDER BY g.id LIMIT $2`,
    [parentId, limit],
  );
  return rows.map(fix);
}

// ---- reactions -----------------------------------------------------------------------------------

export async function addReaction(
  sql: Sql,
  r: { messageId: number; userId: number; workspaceId: number; emoji: string },
): Promise<boolean> {
  const out = await sql.query(
    `INSERT INTO reactions (message_id, user_id, workspace_id, emoji) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING emoji`,
    [r.messageId, r.userId, r.workspaceId, r.emoji],
  );
  return out.length > 0;
}

export async function removeReaction(
  sql: Sql,
  messageId: number,
  userId: number,
  emoji: string,
): Promise<boolean> {
  const out = await sql.query(
    "DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING emoji",
    [messageId, userId, emoji],
  );
  return out.length > 0;
}

// ---- the event log -----------------------------------------------------------------------------

/**
 * Appends an event to its channel's log: what happened and the message it happened to. A message's content
 * is never copied into the log; readers build it from the current row (`loggedEvent`).
 */
export async function appendEvent(sql: Sql, workspaceId: number, e: SequencedEvent): Promise<void> {
  const { type, channelId, seq, ...rest } = e as SequencedEvent & Record<string, unknown>;
  const messageId = "message" in e ? e.message.id : (rest.messageId as number | undefined) ?? null;
  delete rest.message;
  delete rest.messageId;
  await sql.query(
    `INSERT INTO channel_events (channel_id, seq, workspace_id, type, message_id, data)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [channelId, seq, workspaceId, type, messageId, Object.keys(rest).length ? JSON.stringify(rest) : null],
  );
}

/** The columns of a logged event `x` beside its message `g` (LEFT JOIN messages g ON g.id = x.message_id). */
const EVENT_COLS = `x.seq, x.type, x.message_id AS "messageId", x.data,
  ${messageColumns({ prefix: "m_", replyCountAt: "x.seq" })}`;
const EVENT_FROM = "channel_events x LEFT JOIN messages g ON g.id = x.message_id";

interface LoggedRow extends Record<string, unknown> {
  seq: number;
  type: string;
  messageId: number | null;
  data: unknown;
}

/**
 * A logged event as clients receive it, built from the message as it is now: a message event carries the
 * current message (a placeholder once deleted, the latest text once edited); a reaction to a message
 * deleted since is replayed as a `message_updated` with the placeholder, so who reacted with what on a
 * deleted message never comes back either.
 */
function loggedEvent(channelId: number, r: LoggedRow): SequencedEvent {
  const data = (typeof r.data === "string" ? JSON.parse(r.data) : r.data ?? {}) as Record<string, unknown>;
  const found = toMessage(r, "m_");
  const message: Message | null = found ?? (r.messageId == null ? null : {
    id: r.messageId,
    channelId,
    seq: r.seq,
    senderId: null,
    clientId: "",
    type: "text",
    body: "",
    replyTo: null,
    replyCount: 0,
    mentions: [],
    reactions: [],
    editedAt: null,
    deletedAt: new Date(0).toISOString(),
    createdAt: new Date(0).toISOString(),
  });
  const base = { channelId, seq: r.seq };
  if (message && (r.type === "message_received" || r.type === "message_updated")) {
    return { type: r.type, ...base, message };
  }
  if (message?.deletedAt && (r.type === "reaction_added" || r.type === "reaction_removed")) {
    return { type: "message_updated", ...base, message };
  }
  if (r.type === "message_deleted") {
    return { type: "message_deleted", ...base, messageId: r.messageId!, deletedAt: message?.deletedAt ?? "" };
  }
  return {
    ...data,
    type: r.type,
    ...base,
    ...(r.messageId != null ? { messageId: r.messageId } : {}),
  } as unknown as SequencedEvent;
}

/** Events after `afterSeq`, in order, at most `limit`. */
export async function eventsAfter(
  sql: Sql,
  channelId: number,
  afterSeq: number,
  limit: number,
): Promise<SequencedEvent[]> {
  const r = await sql.query<LoggedRow>(
    `SELECT ${EVENT_COLS} FROM ${EVENT_FROM} WHERE x.channel_id = $1 AND x.seq > $2 ORDER BY x.seq LIMIT $3`,
    [channelId, afterSeq, limit],
  );
  return r.map((x) => loggedEvent(channelId, x));
}

/**
 * Replay for many channels in one round trip: for each `(channelId, after)` of a channel in the workspace
 * that `userId` is a member of, the channel's last sequence and, when it is at most `limit` ahead, the
 * events after `after` in order. Channels that are not the user's are left out.
 */
export async function eventsAfterMany(
  sql: Sql,
  workspaceId: number,
  userId: number,
  wanted: { channelId: number; after: number }[],
  limit: number,
): Promise<{ channelId: number; lastSeq: number; event: SequencedEvent | null }[]> {
  if (!wanted.length) return [];
  const r = await sql.query<LoggedRow & { channelId: number; lastSeq: number }>(
    `SELECT w.channel_id AS "channelId", c.last_seq AS "lastSeq", e.*
     FROM unnest($3::bigint[], $4::bigint[]) AS w(channel_id, after)
     JOIN channels c ON c.id = w.channel_id AND c.workspace_id = $1
     JOIN members mb ON mb.channel_id = w.channel_id AND mb.user_id = $2
     LEFT JOIN LATERAL (
       SELECT ${EVENT_COLS} FROM ${EVENT_FROM}
       WHERE x.channel_id = w.channel_id AND x.seq > w.after AND w.after <= c.last_seq
         AND c.last_seq - w.after <= $5
       ORDER BY x.seq LIMIT $5
     ) e ON true
     ORDER BY w.channel_id, e.seq`,
    [workspaceId, userId, wanted.map((w) => w.channelId), wanted.map((w) => w.after), limit],
  );
  return r.map((x) => ({
    channelId: x.channelId,
    lastSeq: x.lastSeq,
    event: x.seq == null ? null : loggedEvent(x.channelId, x),
  }));
}

/** Loads exact events as bus envelopes (used by the LISTEN/NOTIFY bus on other instances). */
export async function envelopes(sql: Sql, channelId: number, seqs: number[]): Promise<Envelope[]> {
  const r = await sql.query<LoggedRow & { workspaceId: number }>(
    `SELECT ${EVENT_COLS}, x.workspace_id AS "workspaceId" FROM ${EVENT_FROM}
     WHERE x.channel_id = $1 AND x.seq = ANY($2::bigint[]) ORDER BY x.seq`,
    [channelId, seqs],
  );
  return r.map((x) => ({
    event: loggedEvent(channelId, x),
    audience: { kind: "channel", channelId },
    workspaceId: x.workspaceId,
  }));
}
