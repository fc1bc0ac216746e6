/**
 * Set-based queries for group commit (domain/send_batch.ts): many plain sends stored by one statement
 * (one round trip, one commit), instead of eight round trips and a commit each. No business rules beyond
 * what the statement filters on; sends it leaves out go through the one-at-a-time path, which explains why.
 */
import type { Sql } from "../client.ts";
import type { Message } from "../../realtime/protocol.ts";
import { messageColumns, toMessage } from "./message_columns.ts";

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
 * prepared statement hashes one string it has seen before instead of a fresh copy of a few kilobytes.
 *
 * The work is the function `parley_insert_batch` (migration 0033; bench README, "Server and Postgres CPU per
 * durable message", tenth pass): the permission filter, the locks in channel id order, the sequence numbers,
 * the messages, their events in the log and the read positions, as a few small statements per send that
 * plpgsql prepares once per session, instead of one statement of ~45 plan nodes set up and torn down on
 * every call (the ninth pass's shape, see git history). The guarantees are listed in the migration.
 */
const INSERT_BATCH = `SELECT ${messageColumns({ fresh: true })}
  FROM parley_insert_batch($1::int[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
    $7::text[], $8::int[], $9::int[], $10::text) g
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
  const rows = await sql.query<Record<string, unknown>>(INSERT_BATCH, [
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
  // A key appears at most once among stored rows (a second one fails the statement: unique violation).
  const index = new Map<string, number>();
  for (let i = 0; i < sends.length; i++) index.set(`${sends[i].senderId}:${sends[i].clientId}`, i);
  return rows.map((r) => {
    const message = toMessage(r)!;
    return { index: index.get(`${message.senderId}:${message.clientId}`)!, message };
  });
}
