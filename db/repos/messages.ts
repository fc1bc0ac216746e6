/** Typed queries on messages, reactions and the per-channel event log. No business rules. */
import type { Sql } from "../client.ts";
import type { Envelope, Message, MessageType, SequencedEvent } from "../../realtime/protocol.ts";
import { messageColumns, messageJsonColumns, toMessage } from "./message_columns.ts";
import {
  channelAndMember,
  type ChannelRow,
  COLS as CHANNEL_COLS,
  M_PREFIXED,
  type MemberRow,
} from "./channels.ts";
import { liveSessionJoin, S_PREFIXED, type SessionUser, sessionUserOf } from "./users.ts";

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
  /**
   * The body holds @here/@channel/@everyone (`broadMention`, domain/notifications/decide.ts): the notification
   * scan reads in full only messages with a mention, a broad mention or in a direct or group conversation,
   * where nobody takes every message (`notification_outbox.batchChannels`). Left out: stored as not known,
   * which the scan reads like a broad mention (never fewer notifications, only a longer scan).
   */
  broadMention?: boolean;
}

/** Inserts unless the (sender, client id) key exists; returns null on that conflict. */
export async function insert(sql: Sql, m: NewMessage): Promise<Message | null> {
  const r = await sql.query<Record<string, unknown>>(
    `WITH ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions,
         body_hash, broad_mention)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[], md5($7), $10::boolean)
       ON CONFLICT (sender_id, client_id) DO NOTHING
       RETURNING *)
     SELECT ${messageColumns({ fresh: true })} FROM ins g`,
    [
      m.workspaceId,
      m.channelId,
      m.senderId,
      m.clientId,
      m.seq,
      m.type,
      m.body,
      m.replyTo,
      m.mentions,
      m.broadMention ?? null,
    ],
  );
  return r[0] ? fix(r[0]) : null;
}

export async function bumpReplyCount(sql: Sql, id: number): Promise<void> {
  await sql.query("UPDATE messages SET reply_count = reply_count + 1 WHERE id = $1", [id]);
}

/**
 * Rewrites a message, and its search row with it (stored by the edit even when not indexed yet); its mentions
 * and whether it holds a broad mention (`NewMessage.broadMention`) with it.
 */
export async function edit(
  sql: Sql,
  id: number,
  body: string,
  mentions: number[],
  /** Left out: stored as not known (see `NewMessage.broadMention`). */
  broadMention?: boolean,
): Promise<void> {
  await sql.query(
    `WITH e AS (
       UPDATE messages SET body = $2, mentions = $3::bigint[], broad_mention = $4::boolean, edited_at = now()
       WHERE id = $1
       RETURNING id, workspace_id, channel_id, sender_id, created_at, body, deleted_at)
     INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
     SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body) FROM e
     WHERE deleted_at IS NULL
     ON CONFLICT (message_id) DO UPDATE SET body_lower = excluded.body_lower, tsv = excluded.tsv`,
    [id, body, mentions, broadMention ?? null],
  );
}

/**
 * Deletes a message for good: its text, mentions, reactions and search row are erased; a placeholder row
 * stays.
 */
export async function softDelete(sql: Sql, id: number): Promise<string> {
  const r = await sql.query<{ at: string }>(
    `UPDATE messages SET deleted_at = coalesce(deleted_at, now()), body = '', mentions = '{}', broad_mention = false
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

const MESSAGE_JSON_COLS = messageJsonColumns();

/**
 * The statement of `pageWithAccess` ($1 workspace, $2 channel, $3 user, $4 id bound: after it with `newer`,
 * else before it (null: the newest page), $5 rows read: the page and one more, which only tells whether
 * there are more); the bench explains it. One row when the channel exists: its columns, the membership's
 * (`m_` columns), and `g_page`, the history page as the JSON text of `HistoryPage` (domain/messages.ts):
 * its messages oldest first, each `messageJsonColumns` through `row_to_json`, the cursors and `lastSeq`.
 */
export function pageWithAccessSql(newer: boolean): string {
  const page = pageParts(newer, "$4", "$5");
  return `SELECT ${CHANNEL_COLS}, ${M_PREFIXED},
       ${page.text}
     FROM channels c
     LEFT JOIN members m ON m.channel_id = c.id AND m.user_id = $3
     ${page.join}
     WHERE c.workspace_id = $1 AND c.id = $2`;
}

/**
 * The page of channel `c` as `g_page` (`text`: a select-list item) and the lateral join that reads it
 * (`join`), the bound's and the row count's parameters named by the caller.
 */
function pageParts(newer: boolean, bound: string, rows: string): { text: string; join: string } {
  const kept = `FILTER (WHERE g.rn < ${rows})`;
  const order = newer ? "" : " DESC";
  const more = `p.read >= ${rows}`;
  // The cursors as the domain decided them from the rows before: going older, the older cursor when there
  // are more and the newer one when the page was asked for before an id; going newer, the other way round.
  const olderCursor = newer ? "p.first" : `CASE WHEN ${more} THEN p.first END`;
  const newerCursor = newer
    ? `CASE WHEN ${more} THEN p.last END`
    : `CASE WHEN ${bound} IS NOT NULL THEN p.last END`;
  return {
    text: `'{"messages":' || p.page || ',"olderCursor":' || coalesce((${olderCursor})::text, 'null')
         || ',"newerCursor":' || coalesce((${newerCursor})::text, 'null') || ',"lastSeq":' || c.last_seq
         || '}' AS "g_page"`,
    join: `LEFT JOIN LATERAL (
       SELECT count(*)::int AS read, min(g.id) ${kept} AS first, max(g.id) ${kept} AS last,
         coalesce('[' || string_agg(row_to_json(j)::text, ',' ORDER BY g.id) ${kept} || ']', '[]') AS page
       FROM (SELECT g.*, row_number() OVER (ORDER BY g.id${order}) AS rn FROM messages g
         WHERE g.channel_id = c.id AND g.reply_to IS NULL
           AND ${newer ? `g.id > ${bound}` : `g.id < coalesce(${bound}, 9223372036854775807)`}
         ORDER BY g.id${order} LIMIT ${rows}) g
       CROSS JOIN LATERAL (SELECT ${MESSAGE_JSON_COLS}) j
     ) p ON true`,
  };
}

/**
 * `pageWithAccessSql(false)` and `(true)`, built once: a text built per page (~3 KB) was new garbage each
 * time, and a finished postgres.js `Query` still references its text through the scavenges
 * (bench/notes/history_page.md, "History tail and the floor of a request").
 */
const PAGE_TEXTS = [pageWithAccessSql(false), pageWithAccessSql(true)] as const;

/**
 * A history page of `limit` top-level messages (as `page` chooses them) with the channel and the caller's
 * membership (`channels.withMember`) in the same round trip: the history's access check and its page are
 * one statement, and the page is the JSON text Postgres built, to be sent as it is (one value, not a row
 * per message with the channel's columns repeated: what the rows of a result allocate is what the
 * scavenges keep, bench/notes/gc_and_heap.md). Null when there is no such channel; the page is read whatever
 * the membership says, so the caller must check access before using it.
 */
export async function pageWithAccess(
  sql: Sql,
  workspaceId: number,
  channelId: number,
  userId: number,
  p: Page,
): Promise<{ channel: ChannelRow; member: MemberRow | null; page: string } | null> {
  const newer = p.after !== undefined;
  const rows = await sql.query<Record<string, unknown>>(
    PAGE_TEXTS[newer ? 1 : 0],
    [workspaceId, channelId, userId, newer ? p.after : p.before ?? null, p.limit + 1],
  );
  if (!rows.length) return null;
  return { ...channelAndMember(rows[0]), page: rows[0].g_page as string };
}

/**
 * The statement of `pageWithSession` ($1 session token hash, $2 channel, $3 id bound as in `pageWithAccessSql`'s
 * $4, $5 rows read): no row when the hash is no live session; else one row of the session's user (`s_`
 * columns, as `usersRepo.bySession` reads them), and, when that user is not deactivated and the session is not
 * an embed session, the channel of the user's workspace, the membership and the page as `pageWithAccessSql`
 * gives them (null columns when not: nothing of the channel is read for such a session).
 */
export function pageWithSessionSql(newer: boolean): string {
  const page = pageParts(newer, "$3", "$4");
  return `SELECT ${S_PREFIXED}, ${CHANNEL_COLS}, ${M_PREFIXED},
       ${page.text}
     FROM ${liveSessionJoin("$1")}
     LEFT JOIN channels c ON c.workspace_id = u.workspace_id AND c.id = $2
       AND u.deactivated_at IS NULL AND s.embed_origin IS NULL
     LEFT JOIN members m ON m.channel_id = c.id AND m.user_id = u.id
     ${page.join}`;
}

const SESSION_PAGE_TEXTS = [pageWithSessionSql(false), pageWithSessionSql(true)] as const;

/**
 * `pageWithAccess` and `usersRepo.bySession` in one statement, so one round trip: the session's user (null
 * when the hash is no live session), and `found` as `pageWithAccess` returns it when the statement read the
 * page: only for a user not deactivated on a session that is not an embed session (`found` is undefined
 * otherwise; null when there is no such channel in the user's workspace). One statement, one snapshot: a
 * session ended before it started is not found, and nothing of the channel is read for it.
 */
export async function pageWithSession(
  sql: Sql,
  tokenHash: string,
  channelId: number,
  p: Page,
): Promise<
  {
    user: SessionUser | null;
    found?: { channel: ChannelRow; member: MemberRow | null; page: string } | null;
  }
> {
  const newer = p.after !== undefined;
  const rows = await sql.query<Record<string, unknown>>(
    SESSION_PAGE_TEXTS[newer ? 1 : 0],
    [tokenHash, channelId, newer ? p.after : p.before ?? null, p.limit + 1],
  );
  const user = rows[0] ? sessionUserOf(rows[0]) : null;
  if (!user) return { user: null };
  if (user.deactivatedAt || user.embedOrigin) return { user };
  if (rows[0].id == null) return { user, found: null };
  return { user, found: { ...channelAndMember(rows[0]), page: rows[0].g_page as string } };
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
