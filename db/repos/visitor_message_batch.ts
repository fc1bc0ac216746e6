/**
 * Group commit for visitor-chat messages (domain/visitor/message_batch.ts): many visitor and agent
 * messages stored by one statement (one round trip, one commit) instead of a transaction of six round
 * trips each. The statement filters on who may write where; messages it leaves out go through the
 * one-at-a-time path (`visitor_conversations.insertMessage`), which explains why.
 */
import type { Sql } from "../client.ts";
import type { VisitorMessage } from "../../realtime/visitor_protocol.ts";

/**
 * Staff of workspace `ws` (an SQL expression) who hold permission `perm` by their built-in role (one of
 * `roles`, a text[] expression), a custom role, or a permission of their own; `u` is the users row.
 */
export const staffWithPermissionSql = (ws: string, perm: string, roles: string) =>
  `u.workspace_id = ${ws} AND u.deactivated_at IS NULL
   AND ((u.custom_role_id IS NULL AND u.role = ANY(${roles})) OR ${perm} = ANY(u.permissions)
     OR u.custom_role_id IN (SELECT cr.id FROM custom_roles cr WHERE ${perm} = ANY(cr.permissions)))`;

export interface BatchVisitorMessage {
  workspaceId: number;
  conversationId: number;
  /** A visitor's message, an agent's reply, or an agent's internal note. */
  kind: "visitor" | "agent" | "note";
  /** The agent (null for the visitor). */
  authorId: number | null;
  /** The agent's name; a visitor's messages carry the conversation's name. */
  authorName: string;
  clientId: string;
  body: string;
}

export interface StoredVisitorMessage {
  /** The message's place in the input. */
  index: number;
  message: VisitorMessage;
  /** Who holds the conversation (after the commit). */
  agentId: number | null;
  /** The workspace's monitors (`chat.public_monitor`), who see every conversation live. */
  monitorIds: number[];
}

/**
 * Stores the messages whose author may write (the visitor while the conversation has not ended; the agent
 * holding it, notes also after it ended) and whose client id is not stored yet, each with the next
 * sequence number of its conversation in input order, and moves the author side's "seen" position to its
 * own last message — one statement. Conversation rows are locked in id order (so concurrent batches never
 * deadlock) and the checks read the locked, current rows. The lock is FOR NO KEY UPDATE, as the UPDATE
 * takes anyway: it does not wait for, nor block, the key checks of rows that reference the conversation. A client id stored meanwhile by someone else
 * fails the whole statement (unique violation), so the caller can fall back without a gap.
 */
export async function insertVisitorBatch(
  sql: Sql,
  msgs: BatchVisitorMessage[],
  monitorRoles: string[],
): Promise<StoredVisitorMessage[]> {
  const rows = await sql.query<
    Omit<VisitorMessage, "file"> & { ord: number; agentId: number | null; monitorIds: number[] | null }
  >(
    `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[],
         $8::text[]) AS t(ord, workspace_id, conversation_id, kind, author_id, author_name, client_id, body)
     ),
     conv AS (
       SELECT c.id, c.workspace_id, c.status, c.agent_id, c.name FROM visitor_conversations c
       WHERE c.id IN (SELECT conversation_id FROM input) ORDER BY c.id FOR NO KEY UPDATE
     ),
     ok AS (
       SELECT i.ord, i.workspace_id, i.conversation_id, i.kind, nullif(i.author_id, 0) AS author_id, i.client_id, i.body, cv.agent_id,
         CASE WHEN i.kind = 'visitor' THEN coalesce(nullif(cv.name, ''), 'Visitor') ELSE i.author_name END AS name,
         row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.ord) AS rn
       FROM input i JOIN conv cv ON cv.id = i.conversation_id AND cv.workspace_id = i.workspace_id
       WHERE (i.kind = 'note' OR cv.status <> 'ended')
         AND (i.kind = 'visitor' OR (i.author_id <> 0 AND cv.agent_id = i.author_id))
         AND NOT EXISTS (SELECT 1 FROM visitor_messages x
           WHERE x.conversation_id = i.conversation_id AND x.kind = i.kind AND x.client_id = i.client_id)
     ),
     bumped AS (
       UPDATE visitor_conversations c SET last_seq = c.last_seq + n.cnt,
         visitor_seen_seq = coalesce(c.last_seq + n.visitor_rn, c.visitor_seen_seq),
         agent_seen_seq = coalesce(c.last_seq + n.agent_rn, c.agent_seen_seq)
       FROM (SELECT conversation_id, count(*) AS cnt, max(rn) FILTER (WHERE kind = 'visitor') AS visitor_rn,
               max(rn) FILTER (WHERE kind = 'agent') AS agent_rn
             FROM ok GROUP BY conversation_id) n
       WHERE c.id = n.conversation_id
       RETURNING c.id, c.last_seq - n.cnt AS base
     ),
     numbered AS (
       SELECT ok.*, b.base + ok.rn AS seq FROM ok JOIN bumped b ON b.id = ok.conversation_id
     ),
     ins AS (
       INSERT INTO visitor_messages (conversation_id, workspace_id, seq, kind, author_id, author_name, client_id, body)
       SELECT conversation_id, workspace_id, seq, kind, author_id, name, client_id, body
       FROM numbered ORDER BY conversation_id, seq
       RETURNING id, conversation_id, seq, kind, author_name, client_id, body, created_at
     ),
     mon AS (
       SELECT w.workspace_id, (SELECT json_agg(u.id) FROM users u
         WHERE ${staffWithPermissionSql("w.workspace_id", "'chat.public_monitor'", "$9::text[]")}) AS ids
       FROM (SELECT DISTINCT workspace_id FROM ok) w
     )
     SELECT n.ord, g.id, g.conversation_id AS "conversationId", g.seq, g.kind, g.author_name AS "authorName",
       g.client_id AS "clientId", g.body, g.created_at AS "createdAt", n.agent_id AS "agentId",
       m.ids AS "monitorIds"
     FROM ins g JOIN numbered n ON n.conversation_id = g.conversation_id AND n.seq = g.seq
     JOIN mon m ON m.workspace_id = n.workspace_id
     ORDER BY g.conversation_id, g.seq`,
    [
      msgs.map((_, i) => i),
      msgs.map((m) => m.workspaceId),
      msgs.map((m) => m.conversationId),
      msgs.map((m) => m.kind),
      msgs.map((m) => m.authorId ?? 0), // 0: none (arrays of nullable numbers are awkward in both drivers)
      msgs.map((m) => m.authorName),
      msgs.map((m) => m.clientId),
      msgs.map((m) => m.body),
      monitorRoles,
    ],
  );
  return rows.map(({ ord, agentId, monitorIds, ...message }) => ({
    index: Number(ord),
    message: { ...message, file: null },
    agentId: agentId === null ? null : Number(agentId),
    monitorIds: (monitorIds ?? []).map(Number),
  }));
}
