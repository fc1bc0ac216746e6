/** Typed queries on visitor conversations and their messages. No rules here: see `domain/visitor/`. */
import type { Sql } from "../client.ts";
import { connectedSql, seenAtSql } from "./visitor_presence.ts";
import type { VisitorMessage, VisitorMessageKind, VisitorStatus } from "../../realtime/visitor_protocol.ts";

export interface ConversationRow {
  id: number;
  workspaceId: number;
  status: VisitorStatus;
  name: string;
  email: string;
  phone: string;
  topic: string;
  answers: Record<string, string>;
  page: string;
  userAgent: string;
  ip: string;
  agentId: number | null;
  agentName: string | null;
  team: string;
  queuedAt: string;
  assignedAt: string | null;
  endedAt: string | null;
  endedBy: string;
  lastSeq: number;
  visitorSeenSeq: number;
  agentSeenSeq: number;
  /** When the visitor was last seen (a socket opened, closed or still open): `visitor_presence`. */
  visitorSeenAt: string;
  /** The visitor has a socket open (a fresh count, `visitor_presence.ts`). */
  visitorConnected: boolean;
  escalationChannelId: number | null;
  ticketId: number | null;
  rated: boolean;
  createdAt: string;
}

const COLS = `c.id, c.workspace_id AS "workspaceId", c.status, c.name, c.email, c.phone, c.topic, c.answers,
  c.page, c.user_agent AS "userAgent", c.ip, c.agent_id AS "agentId", u.display_name AS "agentName", c.team,
  c.queued_at AS "queuedAt", c.assigned_at AS "assignedAt", c.ended_at AS "endedAt", c.ended_by AS "endedBy",
  c.last_seq AS "lastSeq", c.visitor_seen_seq AS "visitorSeenSeq", c.agent_seen_seq AS "agentSeenSeq",
  ${seenAtSql("p", "c")} AS "visitorSeenAt", ${connectedSql("p")} AS "visitorConnected",
  c.escalation_channel_id AS "escalationChannelId",
  (SELECT t.id FROM tickets t WHERE t.conversation_id = c.id AND t.source = 'visitor_chat') AS "ticketId",
  EXISTS (SELECT 1 FROM visitor_ratings r WHERE r.conversation_id = c.id) AS rated,
  c.created_at AS "createdAt"`;
const FROM = `FROM visitor_conversations c LEFT JOIN users u ON u.id = c.agent_id
  LEFT JOIN visitor_presence p ON p.conversation_id = c.id`;

export interface NewConversation {
  workspaceId: number;
  tokenHash: string;
  name: string;
  email: string;
  phone: string;
  topic: string;
  answers: Record<string, string>;
  page: string;
  userAgent: string;
  ip: string;
}

/** Inserts unless the token already has a conversation; returns the id and whether it was new. */
export async function insert(sql: Sql, c: NewConversation): Promise<{ id: number; created: boolean }> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO visitor_conversations (workspace_id, token_hash, name, email, phone, topic, answers, page,
       user_agent, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)
     ON CONFLICT (token_hash) DO NOTHING RETURNING id`,
    [
      c.workspaceId,
      c.tokenHash,
      c.name,
      c.email,
      c.phone,
      c.topic,
      JSON.stringify(c.answers),
      c.page,
      c.userAgent,
      c.ip,
    ],
  );
  if (r[0]) return { id: r[0].id, created: true };
  const old = await sql.query<{ id: number }>(
    "SELECT id FROM visitor_conversations WHERE token_hash = $1",
    [c.tokenHash],
  );
  return { id: old[0].id, created: false };
}

export async function byToken(sql: Sql, tokenHash: string): Promise<ConversationRow | null> {
  const r = await sql.query<ConversationRow>(`SELECT ${COLS} ${FROM} WHERE c.token_hash = $1`, [tokenHash]);
  return r[0] ?? null;
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<ConversationRow | null> {
  const r = await sql.query<ConversationRow>(
    `SELECT ${COLS} ${FROM} WHERE c.id = $1 AND c.workspace_id = $2`,
    [id, workspaceId],
  );
  return r[0] ?? null;
}

/** The row locked for update (inside a transaction), or null. */
export async function lock(
  sql: Sql,
  workspaceId: number,
  id: number,
): Promise<{ status: VisitorStatus; agentId: number | null } | null> {
  const r = await sql.query<{ status: VisitorStatus; agentId: number | null }>(
    `SELECT status, agent_id AS "agentId" FROM visitor_conversations WHERE id = $1 AND workspace_id = $2 FOR NO KEY UPDATE`,
    [id, workspaceId],
  );
  return r[0] ?? null;
}

export async function waiting(sql: Sql, workspaceId: number): Promise<ConversationRow[]> {
  return await sql.query<ConversationRow>(
    `SELECT ${COLS} ${FROM} WHERE c.workspace_id = $1 AND c.status = 'waiting' ORDER BY c.queued_at, c.id`,
    [workspaceId],
  );
}

export async function heldBy(sql: Sql, workspaceId: number, agentId: number): Promise<ConversationRow[]> {
  return await sql.query<ConversationRow>(
    `SELECT ${COLS} ${FROM} WHERE c.workspace_id = $1 AND c.status = 'active' AND c.agent_id = $2
     ORDER BY c.assigned_at, c.id`,
    [workspaceId, agentId],
  );
}

export async function allActive(sql: Sql, workspaceId: number): Promise<ConversationRow[]> {
  return await sql.query<ConversationRow>(
    `SELECT ${COLS} ${FROM} WHERE c.workspace_id = $1 AND c.status = 'active' ORDER BY c.assigned_at, c.id`,
    [workspaceId],
  );
}

export async function previousByEmail(
  sql: Sql,
  workspaceId: number,
  email: string,
  exceptId: number,
): Promise<{ id: number; status: VisitorStatus; topic: string; createdAt: string }[]> {
  if (!email) return [];
  return await sql.query(
    `SELECT id, status, topic, created_at AS "createdAt" FROM visitor_conversations
     WHERE workspace_id = $1 AND lower(email) = lower($2) AND id <> $3 ORDER BY id DESC LIMIT 20`,
    [workspaceId, email, exceptId],
  );
}

/** Position in line: 1 + the number waiting before it. */
export async function positions(sql: Sql, workspaceId: number): Promise<Map<number, number>> {
  const rows = await sql.query<{ id: number }>(
    `SELECT id FROM visitor_conversations WHERE workspace_id = $1 AND status = 'waiting' ORDER BY queued_at, id`,
    [workspaceId],
  );
  return new Map(rows.map((r, i) => [r.id, i + 1]));
}

/** Mean seconds from queued to assigned over the last assignments of the past day (null without data). */
export async function meanWaitSeconds(sql: Sql, workspaceId: number): Promise<number | null> {
  const r = await sql.query<{ s: number | null }>(
    `SELECT avg(extract(epoch FROM assigned_at - queued_at))::float8 AS s FROM (
       SELECT assigned_at, queued_at FROM visitor_conversations
       WHERE workspace_id = $1 AND assigned_at IS NOT NULL AND assigned_at > now() - interval '1 day'
       ORDER BY assigned_at DESC LIMIT 50) x`,
    [workspaceId],
  );
  return r[0]?.s ?? null;
}

export async function assign(sql: Sql, id: number, agentId: number): Promise<boolean> {
  const r = await sql.query(
    `UPDATE visitor_conversations SET status = 'active', agent_id = $2, assigned_at = now(), team = ''
     WHERE id = $1 AND status = 'waiting' RETURNING id`,
    [id, agentId],
  );
  return r.length === 1;
}

export async function requeue(sql: Sql, id: number, team: string): Promise<void> {
  await sql.query(
    `UPDATE visitor_conversations SET status = 'waiting', agent_id = NULL, assigned_at = NULL, team = $2
     WHERE id = $1 AND status = 'active'`,
    [id, team],
  );
}

export async function moveTo(sql: Sql, id: number, agentId: number): Promise<void> {
  await sql.query(
    `UPDATE visitor_conversations SET agent_id = $2, assigned_at = now(), agent_seen_seq = 0 WHERE id = $1`,
    [id, agentId],
  );
}

export async function end(sql: Sql, id: number, by: string): Promise<boolean> {
  const r = await sql.query(
    `UPDATE visitor_conversations SET status = 'ended', ended_at = now(), ended_by = $2
     WHERE id = $1 AND status <> 'ended' RETURNING id`,
    [id, by],
  );
  return r.length === 1;
}

/**
 * Moves one side's "seen" position up to `seq` (never back, never past the last message) in one statement,
 * writing nothing when it would not move; with `agentId`, only in a conversation that agent holds. Returns
 * the position and the holder, or null: no such conversation in the workspace (or not held by `agentId`).
 */
export async function setSeen(
  sql: Sql,
  workspaceId: number,
  id: number,
  who: "visitor" | "agent",
  seq: number,
  agentId?: number,
): Promise<{ seq: number; agentId: number | null } | null> {
  const col = who === "visitor" ? "visitor_seen_seq" : "agent_seen_seq";
  const holder = agentId === undefined ? "" : "AND c.agent_id = $4";
  const r = await sql.query<{ seq: number; agentId: number | null }>(
    `WITH up AS (
       UPDATE visitor_conversations c SET ${col} = least($3, c.last_seq)
       WHERE c.id = $1 AND c.workspace_id = $2 ${holder} AND c.${col} < least($3, c.last_seq)
       RETURNING c.id, c.${col} AS seq, c.agent_id
     ),
     cur AS (SELECT c.id, c.${col} AS seq, c.agent_id FROM visitor_conversations c
       WHERE c.id = $1 AND c.workspace_id = $2 ${holder})
     SELECT coalesce(up.seq, cur.seq) AS seq, coalesce(up.agent_id, cur.agent_id) AS "agentId"
     FROM up FULL JOIN cur ON cur.id = up.id`,
    agentId === undefined ? [id, workspaceId, seq] : [id, workspaceId, seq, agentId],
  );
  if (!r[0]) return null;
  return { seq: Number(r[0].seq), agentId: r[0].agentId === null ? null : Number(r[0].agentId) };
}

export async function setEscalation(sql: Sql, id: number, channelId: number): Promise<void> {
  await sql.query("UPDATE visitor_conversations SET escalation_channel_id = $2 WHERE id = $1", [
    id,
    channelId,
  ]);
}

// ---- messages ---------------------------------------------------------------------------------------

const MCOLS = `id, conversation_id AS "conversationId", seq, kind, author_name AS "authorName",
  client_id AS "clientId", body, created_at AS "createdAt",
  (SELECT json_build_object('id', f.id, 'name', f.name, 'mime', f.mime, 'kind', f.kind, 'size', f.size,
     'width', f.width, 'height', f.height, 'thumb', f.thumb_key IS NOT NULL)
   FROM visitor_files f WHERE f.id = visitor_messages.file_id) AS file`;

export interface NewVisitorMessage {
  conversationId: number;
  workspaceId: number;
  kind: VisitorMessageKind;
  authorId: number | null;
  authorName: string;
  clientId: string;
  body: string;
  /** A visitor attachment (ready, of this conversation) the message carries. */
  fileId?: number | null;
  /** The author's side has seen the conversation up to this message (their own message). */
  seenBy?: "visitor" | "agent";
  /** The client id was made just now (never a retry): no look-up of an earlier one. */
  fresh?: boolean;
}

/** Stores a message with the conversation's next sequence; a repeated client id returns the stored one. */
export async function insertMessage(
  sql: Sql,
  m: NewVisitorMessage,
): Promise<{ message: VisitorMessage; created: boolean }> {
  if (!m.fresh) {
    // The conversation row first: sends to one conversation take turns, so a retried client id is seen.
    await sql.query("SELECT 1 FROM visitor_conversations WHERE id = $1 FOR NO KEY UPDATE", [
      m.conversationId,
    ]);
    const old = await sql.query<VisitorMessage>(
      `SELECT ${MCOLS} FROM visitor_messages WHERE conversation_id = $1 AND kind = $2 AND client_id = $3`,
      [m.conversationId, m.kind, m.clientId],
    );
    if (old[0]) return { message: old[0], created: false };
  }
  // (A fresh id: the update below locks the row and numbers from its current value, so no gap or repeat.)
  // The next sequence and the message in one statement (one round trip less per message).
  const seen = m.seenBy === "visitor"
    ? ", visitor_seen_seq = last_seq + 1"
    : m.seenBy === "agent"
    ? ", agent_seen_seq = last_seq + 1"
    : "";
  const r = await sql.query<VisitorMessage>(
    `WITH s AS (UPDATE visitor_conversations SET last_seq = last_seq + 1${seen} WHERE id = $1 RETURNING last_seq)
     INSERT INTO visitor_messages
       (conversation_id, workspace_id, seq, kind, author_id, author_name, client_id, body, file_id)
     SELECT $1, $2, s.last_seq, $3, $4, $5, $6, $7, $8 FROM s RETURNING ${MCOLS}`,
    [m.conversationId, m.workspaceId, m.kind, m.authorId, m.authorName, m.clientId, m.body, m.fileId ?? null],
  );
  return { message: r[0], created: true };
}

export async function messages(
  sql: Sql,
  conversationId: number,
  opts: { withNotes: boolean; limit?: number },
): Promise<VisitorMessage[]> {
  return await sql.query<VisitorMessage>(
    `SELECT * FROM (SELECT ${MCOLS} FROM visitor_messages WHERE conversation_id = $1 AND ($2 OR kind <> 'note')
     ORDER BY seq DESC LIMIT $3) x ORDER BY seq`,
    [conversationId, opts.withNotes, opts.limit ?? 500],
  );
}
