/**
 * Set-based queries for group commit (domain/send_batch.ts): many plain sends stored by one statement
 * (one round trip, one commit), instead of eight round trips and a commit each. No business rules beyond
 * what the statement filters on; sends it leaves out go through the one-at-a-time path, which explains why.
 */
import type { Sql } from "../client.ts";
import type { Message } from "../../realtime/protocol.ts";
import { messageColumns, toMessage } from "./message_columns.ts";
import { settingIsTrueSql } from "./workspaces.ts";

export interface BatchSend {
  workspaceId: number;
  channelId: number;
  senderId: number;
  clientId: string;
  type: "text" | "ticket_link";
  body: string;
  /** The sender holds chat.moderate_channels (may post in read-only channels). */
  moderator: boolean;
  /** The sender may send during maintenance (administrators). */
  maintenanceExempt: boolean;
}

/**
 * The grouped statement, built once: the same text every call, so the driver's per-connection lookup of its
 * prepared statement hashes one string it has seen before instead of a fresh copy of a few kilobytes (and
 * the column list and the setting's clause are not rebuilt per batch).
 */
const INSERT_BATCH = `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[],
         $8::int[], $9::int[]) AS t(ord, workspace_id, channel_id, sender_id, client_id, type, body, moderator, exempt)
     ),
     ok AS (
       SELECT i.* FROM input i
       JOIN channels c ON c.id = i.channel_id AND c.workspace_id = i.workspace_id
       JOIN members mb ON mb.channel_id = i.channel_id AND mb.user_id = i.sender_id
       WHERE c.archived_at IS NULL AND mb.can_post
         AND ((NOT c.read_only AND c.allow_posting) OR i.moderator = 1 OR mb.role IN ('owner', 'admin', 'moderator'))
         AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.sender_id = i.sender_id AND x.client_id = i.client_id)
         AND (i.exempt = 1 OR NOT ${settingIsTrueSql("i.workspace_id", "$10")})
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
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions,
         body_hash)
       SELECT workspace_id, channel_id, sender_id, client_id, seq, type, body, NULL, '{}'::bigint[], md5(body)
       FROM numbered ORDER BY channel_id, seq
       RETURNING *
     ),
     rd AS (
       UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, r.seq)
       FROM (SELECT channel_id, sender_id, max(seq) AS seq FROM numbered GROUP BY channel_id, sender_id) r
       WHERE mb.channel_id = r.channel_id AND mb.user_id = r.sender_id
     ),
     ev AS (
       INSERT INTO channel_events (channel_id, seq, workspace_id, type, message_id)
       SELECT g.channel_id, g.seq, g.workspace_id, 'message_received', g.id
       FROM ins g
     )
     SELECT n.ord, ${messageColumns({ fresh: true })}
     FROM ins g JOIN numbered n ON n.channel_id = g.channel_id AND n.seq = g.seq
     ORDER BY g.channel_id, g.seq`;

/**
 * Stores the sends the sender may post (a member who can post, channel not archived, read-only only for
 * moderators, the workspace not in maintenance unless the sender is exempt) whose key is not stored yet (a retry goes back to the caller), each with the next sequence
 * number of its channel in input order, appends each one's `message_received` event to its channel's
 * log, and moves each sender's read position to their last message — all in one statement, so one round
 * trip and one commit. Channel rows are locked in id order,
 * so concurrent batches never deadlock. Returns the stored messages with each one's index in `sends`; a
 * key stored by someone else meanwhile fails the whole statement (unique violation), so the caller can
 * fall back without leaving a gap. The log records the event and the message id, never a copy of the
 * message; the rows come back in the shared message columns (`message_columns.ts`).
 */
export async function insertBatch(
  sql: Sql,
  sends: BatchSend[],
  /** The boolean workspace setting that pauses sends (maintenance) for senders who are not exempt. */
  pauseSetting: string,
): Promise<{ index: number; message: Message }[]> {
  const ord: number[] = [], ws: number[] = [], ch: number[] = [], snd: number[] = [], cid: string[] = [];
  const type: string[] = [], body: string[] = [], mod: number[] = [], exempt: number[] = [];
  for (let i = 0; i < sends.length; i++) {
    const s = sends[i];
    ord.push(i);
    ws.push(s.workspaceId);
    ch.push(s.channelId);
    snd.push(s.senderId);
    cid.push(s.clientId);
    type.push(s.type);
    body.push(s.body);
    mod.push(s.moderator ? 1 : 0);
    exempt.push(s.maintenanceExempt ? 1 : 0);
  }
  const rows = await sql.query<Record<string, unknown> & { ord: number }>(INSERT_BATCH, [
    ord,
    ws,
    ch,
    snd,
    cid,
    type,
    body,
    mod,
    exempt,
    pauseSetting,
  ]);
  return rows.map((r) => ({ index: Number(r.ord), message: toMessage(r)! }));
}
