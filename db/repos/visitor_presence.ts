/**
 * Whether a visitor has a socket open, kept off the conversation row (`visitor_presence`, migration 0027):
 * a socket's open and close and the gateway's 10-second touch never wait for a conversation's row lock
 * (held by an assignment run or a message batch), and message batches never wait for them.
 *
 * `connections` counts open visitor sockets over all instances; each instance touches `seen_at` of its
 * connected visitors every 10 s, so a count not touched for `FRESH_SECONDS` was left by an instance that
 * stopped without closing its sockets, and does not count.
 */
import type { Sql } from "../client.ts";

/** A count older than this is stale (the gateway touches connected visitors every 10 s). */
export const FRESH_SECONDS = 45;

/** SQL: the visitor has a fresh socket count (`p`: the conversation's visitor_presence row, if any). */
export const connectedSql = (p: string) =>
  `coalesce(${p}.connections > 0 AND ${p}.seen_at > now() - interval '${FRESH_SECONDS} seconds', false)`;

/** SQL: when the visitor of conversation `c` was last seen (its creation if it never opened a socket). */
export const seenAtSql = (p: string, c: string) => `coalesce(${p}.seen_at, ${c}.created_at)`;

/** A visitor's socket opened (+1) or closed (-1); either way the visitor was seen now. */
export async function visitorConnected(sql: Sql, conversationId: number, delta: number): Promise<void> {
  await sql.query(
    `INSERT INTO visitor_presence AS p (conversation_id, connections) VALUES ($1, greatest(0, $2::int))
     ON CONFLICT (conversation_id) DO UPDATE SET connections = greatest(0, p.connections + $2::int), seen_at = now()`,
    [conversationId, delta],
  );
}

/** The visitors of these conversations were seen now (their sockets are open here, or they used the API). */
export async function touchVisitors(sql: Sql, conversationIds: number[]): Promise<void> {
  if (!conversationIds.length) return;
  await sql.query(
    `INSERT INTO visitor_presence AS p (conversation_id)
     SELECT c.id FROM visitor_conversations c WHERE c.id = ANY($1::bigint[])
     ON CONFLICT (conversation_id) DO UPDATE SET seen_at = now()`,
    [conversationIds],
  );
}
