/** Typed queries on messages, reactions and the per-channel event log. No business rules. */
import type { Sql } from "../client.ts";
import { ATTACHMENTS_JSON } from "./files.ts";
import type { Envelope, Message, MessageType, SequencedEvent } from "../../realtime/protocol.ts";

const COLS =
  `g.id, g.channel_id AS "channelId", g.seq, g.sender_id AS "senderId", g.client_id AS "clientId", g.type,
  CASE WHEN g.deleted_at IS NULL THEN g.body ELSE '' END AS body, g.reply_to AS "replyTo", g.reply_count AS "replyCount",
  g.mentions, g.edited_at AS "editedAt", g.deleted_at AS "deletedAt", g.created_at AS "createdAt",
  coalesce((SELECT json_agg(json_build_object('emoji', r.emoji, 'userIds', r.users) ORDER BY r.first)
    FROM (SELECT emoji, array_agg(user_id ORDER BY created_at) AS users, min(created_at) AS first
          FROM reactions WHERE message_id = g.id GROUP BY emoji) r), '[]'::json) AS reactions,
  ${ATTACHMENTS_JSON} AS attachments`;

function fix(m: Message): Message {
  if (typeof m.reactions === "string") m.reactions = JSON.parse(m.reactions);
  if (typeof m.attachments === "string") m.attachments = JSON.parse(m.attachments);
  m.attachments ??= [];
  m.mentions = (m.mentions ?? []).map(Number);
  return m;
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<Message | null> {
  const r = await sql.query<Message>(
    `SELECT ${COLS} FROM messages g WHERE g.workspace_id = $1 AND g.id = $2`,
    [
      workspaceId,
      id,
    ],
  );
  return r[0] ? fix(r[0]) : null;
}

export interface StoredKey {
  id: number;
  channelId: number;
  body: string;
  replyTo: number | null;
}

export async function byClientId(sql: Sql, senderId: number, clientId: string): Promise<StoredKey | null> {
  const r = await sql.query<StoredKey>(
    `SELECT id, channel_id AS "channelId", body, reply_to AS "replyTo" FROM messages WHERE sender_id = $1 AND client_id = $2`,
    [senderId, clientId],
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
  const r = await sql.query<Message>(
    `WITH ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[])
       ON CONFLICT (sender_id, client_id) DO NOTHING
       RETURNING *)
     SELECT g.id, g.channel_id AS "channelId", g.seq, g.sender_id AS "senderId", g.client_id AS "clientId", g.type,
       g.body, g.reply_to AS "replyTo", g.reply_count AS "replyCount", g.mentions, g.edited_at AS "editedAt",
       g.deleted_at AS "deletedAt", g.created_at AS "createdAt", '[]'::json AS reactions
     FROM ins g`,
    [m.workspaceId, m.channelId, m.senderId, m.clientId, m.seq, m.type, m.body, m.replyTo, m.mentions],
  );
  return r[0] ? fix(r[0]) : null;
}

export async function bumpReplyCount(sql: Sql, id: number): Promise<void> {
  await sql.query("UPDATE messages SET reply_count = reply_count + 1 WHERE id = $1", [id]);
}

export async function edit(sql: Sql, id: number, body: string, mentions: number[]): Promise<void> {
  await sql.query("UPDATE messages SET body = $2, mentions = $3::bigint[], edited_at = now() WHERE id = $1", [
    id,
    body,
    mentions,
  ]);
}

export async function softDelete(sql: Sql, id: number): Promise<string> {
  const r = await sql.query<{ at: string }>(
    "UPDATE messages SET deleted_at = coalesce(deleted_at, now()) WHERE id = $1 RETURNING deleted_at AS at",
    [id],
  );
  await sql.query("DELETE FROM reactions WHERE message_id = $1", [id]);
  return r[0].at;
}

export interface Page {
  before?: number;
  after?: number;
  limit: number;
}

/** A page of top-level messages by id: the newest, those before an id (older), or those after one (newer). */
export async function page(sql: Sql, channelId: number, p: Page): Promise<Message[]> {
  let rows: Message[];
  if (p.after !== undefined) {
    rows = await sql.query<Message>(
      `SELECT ${COLS} FROM messages g WHERE g.channel_id = $1 AND g.id > $2 AND g.reply_to IS NULL ORDER BY g.id LIMIT $3`,
      [channelId, p.after, p.limit],
    );
  } else {
    rows = await sql.query<Message>(
      `SELECT * FROM (SELECT ${COLS} FROM messages g WHERE g.channel_id = $1 AND g.id < $2 AND g.reply_to IS NULL
        ORDER BY g.id DESC LIMIT $3) x ORDER BY id`,
      [channelId, p.before ?? Number.MAX_SAFE_INTEGER, p.limit],
    );
  }
  return rows.map(fix);
}

export async function thread(sql: Sql, parentId: number, limit: number): Promise<Message[]> {
  const rows = await sql.query<Message>(
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

// ---- the event log -------------------------------------------------------------------------------

export async function appendEvent(sql: Sql, workspaceId: number, e: SequencedEvent): Promise<void> {
  await sql.query(
    "INSERT INTO channel_events (channel_id, seq, workspace_id, event) VALUES ($1, $2, $3, $4::jsonb)",
    [
      e.channelId,
      e.seq,
      workspaceId,
      JSON.stringify(e),
    ],
  );
}

const parseEvent = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as SequencedEvent;

/** Events after `afterSeq`, in order, at most `limit`. */
export async function eventsAfter(
  sql: Sql,
  channelId: number,
  afterSeq: number,
  limit: number,
): Promise<SequencedEvent[]> {
  const r = await sql.query<{ event: unknown }>(
    "SELECT event FROM channel_events WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    [channelId, afterSeq, limit],
  );
  return r.map((x) => parseEvent(x.event));
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
  const r = await sql.query<{ channelId: number; lastSeq: number; event: unknown }>(
    `SELECT w.channel_id AS "channelId", c.last_seq AS "lastSeq", e.event
     FROM unnest($3::bigint[], $4::bigint[]) AS w(channel_id, after)
     JOIN channels c ON c.id = w.channel_id AND c.workspace_id = $1
     JOIN members m ON m.channel_id = w.channel_id AND m.user_id = $2
     LEFT JOIN LATERAL (
       SELECT x.event, x.seq FROM channel_events x
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
    event: x.event == null ? null : parseEvent(x.event),
  }));
}

/** Loads exact events as bus envelopes (used by the LISTEN/NOTIFY bus on other instances). */
export async function envelopes(sql: Sql, channelId: number, seqs: number[]): Promise<Envelope[]> {
  const r = await sql.query<{ event: unknown; workspaceId: number }>(
    `SELECT event, workspace_id AS "workspaceId" FROM channel_events WHERE channel_id = $1 AND seq = ANY($2::bigint[])
     ORDER BY seq`,
    [channelId, seqs],
  );
  return r.map((x) => ({
    event: parseEvent(x.event),
    audience: { kind: "channel", channelId },
    workspaceId: x.workspaceId,
  }));
}
