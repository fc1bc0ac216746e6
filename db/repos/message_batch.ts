/**
 * Set-based queries for group commit (domain/send_batch.ts): many plain sends stored by one statement in
 * one transaction, instead of eight round trips each. No business rules beyond what the statement filters
 * on; sends it leaves out go through the one-at-a-time path, which explains why.
 */
import type { Sql } from "../client.ts";
import type { Message, SequencedEvent } from "../../realtime/protocol.ts";

export interface BatchSend {
  workspaceId: number;
  channelId: number;
  senderId: number;
  clientId: string;
  type: "text" | "ticket_link";
  body: string;
  /** The sender holds chat.moderate_channels (may post in read-only channels). */
  moderator: boolean;
}

/** Of these (sender, client id) keys, the ones already stored. */
export async function existingKeys(
  sql: Sql,
  keys: { senderId: number; clientId: string }[],
): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const r = await sql.query<{ k: string }>(
    `SELECT m.sender_id || ':' || m.client_id AS k FROM messages m
     JOIN unnest($1::bigint[], $2::text[]) AS t(sender_id, client_id)
       ON m.sender_id = t.sender_id AND m.client_id = t.client_id`,
    [keys.map((k) => k.senderId), keys.map((k) => k.clientId)],
  );
  return new Set(r.map((x) => x.k));
}

/**
 * Stores the sends the sender may post (a member who can post, channel not archived, read-only only for
 * moderators), each with the next sequence number of its channel in input order, and moves each sender's
 * read position to their last message. Channel rows are locked in id order, so concurrent batches never
 * deadlock. Returns the stored messages with each one's index in `sends`; a key that is already stored
 * fails the whole statement (unique violation), so the caller can fall back without leaving a gap.
 */
export async function insertBatch(
  sql: Sql,
  sends: BatchSend[],
): Promise<{ index: number; message: Message }[]> {
  const rows = await sql.query<Message & { ord: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[],
         $8::int[]) AS t(ord, workspace_id, channel_id, sender_id, client_id, type, body, moderator)
     ),
     ok AS (
       SELECT i.* FROM input i
       JOIN channels c ON c.id = i.channel_id AND c.workspace_id = i.workspace_id
       JOIN members mb ON mb.channel_id = i.channel_id AND mb.user_id = i.sender_id
       WHERE c.archived_at IS NULL AND mb.can_post
         AND ((NOT c.read_only AND c.allow_posting) OR i.moderator = 1 OR mb.role IN ('owner', 'admin', 'moderator'))
     ),
     locked AS (
       SELECT c.id FROM channels c WHERE c.id IN (SELECT channel_id FROM ok) ORDER BY c.id FOR UPDATE
     ),
     bumped AS (
       UPDATE channels c SET last_seq = c.last_seq + n.cnt, last_message_at = now()
       FROM (SELECT channel_id, count(*)::bigint AS cnt FROM ok GROUP BY channel_id) n
       WHERE c.id = n.channel_id AND c.id IN (SELECT id FROM locked)
       RETURNING c.id, c.last_seq - n.cnt AS base
     ),
     numbered AS (
       SELECT ok.*, b.base + row_number() OVER (PARTITION BY ok.channel_id ORDER BY ok.ord) AS seq
       FROM ok JOIN bumped b ON b.id = ok.channel_id
     ),
     ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions)
       SELECT workspace_id, channel_id, sender_id, client_id, seq, type, body, NULL, '{}'::bigint[]
       FROM numbered ORDER BY channel_id, seq
       RETURNING *
     ),
     rd AS (
       UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, r.seq)
       FROM (SELECT channel_id, sender_id, max(seq) AS seq FROM numbered GROUP BY channel_id, sender_id) r
       WHERE mb.channel_id = r.channel_id AND mb.user_id = r.sender_id
     )
     SELECT n.ord, g.id, g.channel_id AS "channelId", g.seq, g.sender_id AS "senderId", g.client_id AS "clientId",
       g.type, g.body, g.reply_to AS "replyTo", g.reply_count AS "replyCount", g.mentions, g.edited_at AS "editedAt",
       g.deleted_at AS "deletedAt", g.created_at AS "createdAt", '[]'::json AS reactions
     FROM ins g JOIN numbered n ON n.channel_id = g.channel_id AND n.seq = g.seq
     ORDER BY g.channel_id, g.seq`,
    [
      sends.map((_, i) => i),
      sends.map((s) => s.workspaceId),
      sends.map((s) => s.channelId),
      sends.map((s) => s.senderId),
      sends.map((s) => s.clientId),
      sends.map((s) => s.type),
      sends.map((s) => s.body),
      sends.map((s) => (s.moderator ? 1 : 0)),
    ],
  );
  return rows.map(({ ord, ...m }) => {
    const message = m as Message;
    if (typeof message.reactions === "string") message.reactions = JSON.parse(message.reactions);
    message.mentions = (message.mentions ?? []).map(Number);
    return { index: Number(ord), message };
  });
}

/** Appends many events to the channel logs at once (same rows as `messages.appendEvent`, one each). */
export async function appendEvents(
  sql: Sql,
  workspaceIds: number[],
  events: SequencedEvent[],
): Promise<void> {
  if (!events.length) return;
  await sql.query(
    `INSERT INTO channel_events (channel_id, seq, workspace_id, event)
     SELECT channel_id, seq, workspace_id, event::jsonb FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])
       AS t(channel_id, seq, workspace_id, event)`,
    [
      events.map((e) => e.channelId),
      events.map((e) => e.seq),
      workspaceIds,
      events.map((e) => JSON.stringify(e)),
    ],
  );
}
