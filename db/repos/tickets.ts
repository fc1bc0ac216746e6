/** Tickets (the built-in ticket provider) and the outgoing webhook delivery log. */
import type { Sql } from "../client.ts";

export interface TicketRow {
  id: number;
  workspaceId: number;
  source: "visitor_chat" | "offline_form" | "message";
  conversationId: number | null;
  messageId: number | null;
  subject: string;
  body: string;
  requesterName: string;
  requesterEmail: string;
  category: string;
  rating: number | null;
  status: "open" | "closed";
  createdBy: number | null;
  createdAt: string;
}

const COLS = `id, workspace_id AS "workspaceId", source, conversation_id AS "conversationId",
  message_id AS "messageId", subject, body, requester_name AS "requesterName",
  requester_email AS "requesterEmail", category, rating, status, created_by AS "createdBy",
  created_at AS "createdAt"`;

export type NewTicket = Omit<TicketRow, "id" | "status" | "createdAt">;

/** Inserts a ticket; a chat's ticket is made once (a second call returns null). */
export async function insert(sql: Sql, t: NewTicket): Promise<TicketRow | null> {
  const r = await sql.query<TicketRow>(
    `INSERT INTO tickets (workspace_id, source, conversation_id, message_id, subject, body, requester_name,
       requester_email, category, rating, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (conversation_id) WHERE source = 'visitor_chat' DO NOTHING RETURNING ${COLS}`,
    [
      t.workspaceId,
      t.source,
      t.conversationId,
      t.messageId,
      t.subject,
      t.body,
      t.requesterName,
      t.requesterEmail,
      t.category,
      t.rating,
      t.createdBy,
    ],
  );
  return r[0] ?? null;
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<TicketRow | null> {
  const r = await sql.query<TicketRow>(`SELECT ${COLS} FROM tickets WHERE id = $1 AND workspace_id = $2`, [
    id,
    workspaceId,
  ]);
  return r[0] ?? null;
}

export async function list(sql: Sql, workspaceId: number, limit = 100): Promise<TicketRow[]> {
  return await sql.query<TicketRow>(
    `SELECT ${COLS} FROM tickets WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2`,
    [workspaceId, limit],
  );
}

export async function setRating(sql: Sql, conversationId: number, rating: number): Promise<void> {
  await sql.query(
    "UPDATE tickets SET rating = $2 WHERE conversation_id = $1 AND source = 'visitor_chat'",
    [conversationId, rating],
  );
}

// ---- webhook deliveries -----------------------------------------------------------------------------

export interface DeliveryRow {
  id: number;
  workspaceId: number;
  ticketId: number | null;
  event: string;
  url: string;
  payload: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string;
  deliveredAt: string | null;
  createdAt: string;
}

const DCOLS =
  `id, workspace_id AS "workspaceId", ticket_id AS "ticketId", event, url, payload, status, attempts,
  next_attempt_at AS "nextAttemptAt", last_status AS "lastStatus", last_error AS "lastError",
  delivered_at AS "deliveredAt", created_at AS "createdAt"`;

export async function enqueue(
  sql: Sql,
  d: { workspaceId: number; ticketId: number | null; event: string; url: string; payload: string },
): Promise<number> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO webhook_deliveries (workspace_id, ticket_id, event, url, payload) VALUES ($1, $2, $3, $4, $5)
     RETURNING id`,
    [d.workspaceId, d.ticketId, d.event, d.url, d.payload],
  );
  return r[0].id;
}

/** Claims due deliveries: pushes their next attempt ahead so another worker does not take them too. */
export async function claimDue(sql: Sql, limit: number, leaseSeconds: number): Promise<DeliveryRow[]> {
  return await sql.query<DeliveryRow>(
    `UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $2)
     WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${DCOLS}`,
    [limit, leaseSeconds],
  );
}

export async function recordAttempt(
  sql: Sql,
  id: number,
  r: { ok: boolean; status: number | null; error: string; retryInSeconds: number | null },
): Promise<void> {
  await sql.query(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
       status = CASE WHEN $4 THEN 'delivered' WHEN $5::float8 IS NULL THEN 'failed' ELSE 'pending' END,
       delivered_at = CASE WHEN $4 THEN now() ELSE NULL END,
       next_attempt_at = CASE WHEN $5::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $5::float8) END
     WHERE id = $1`,
    [id, r.status, r.error.slice(0, 500), r.ok, r.retryInSeconds],
  );
}

export async function deliveries(sql: Sql, workspaceId: number, limit = 100): Promise<DeliveryRow[]> {
  return await sql.query<DeliveryRow>(
    `SELECT ${DCOLS} FROM webhook_deliveries WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2`,
    [workspaceId, limit],
  );
}

// ---- ratings ----------------------------------------------------------------------------------------

export async function insertRating(
  sql: Sql,
  r: {
    conversationId: number;
    workspaceId: number;
    agentId: number | null;
    team: string;
    scale: string;
    value: number;
    comment: string;
  },
): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO visitor_ratings (conversation_id, workspace_id, agent_id, team, scale, value, comment)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation_id) DO NOTHING RETURNING conversation_id`,
    [r.conversationId, r.workspaceId, r.agentId, r.team, r.scale, r.value, r.comment],
  );
  return rows.length === 1;
}

export interface RatingSummary {
  key: string;
  name: string;
  count: number;
  average: number | null;
  recent: { value: number; scale: string; comment: string; createdAt: string }[];
}

/** Averages per agent or per team; values normalised to 0-100 % so scales can be mixed. */
export async function ratingSummary(
  sql: Sql,
  workspaceId: number,
  by: "agent" | "team",
): Promise<RatingSummary[]> {
  const key = by === "agent" ? "coalesce(r.agent_id::text, '')" : "r.team";
  const name = by === "agent" ? "coalesce(u.display_name, '')" : "r.team";
  return await sql.query<RatingSummary>(
    `WITH x AS (
       SELECT ${key} AS key, ${name} AS name, r.value, r.scale, r.comment, r.created_at,
         CASE r.scale WHEN 'stars' THEN (r.value - 1) * 25.0 WHEN 'number' THEN (r.value - 1) * 100.0 / 9
           ELSE r.value * 100.0 END AS pct
       FROM visitor_ratings r LEFT JOIN users u ON u.id = r.agent_id WHERE r.workspace_id = $1)
     SELECT key, max(name) AS name, count(*)::int AS count, round(avg(pct)::numeric, 1)::float8 AS average,
       coalesce((SELECT json_agg(y) FROM (SELECT x2.value, x2.scale, x2.comment, x2.created_at AS "createdAt"
          FROM x x2 WHERE x2.key = x.key AND x2.comment <> '' ORDER BY x2.created_at DESC LIMIT 5) y), '[]') AS recent
     FROM x GROUP BY key ORDER BY 2`,
    [workspaceId],
  );
}
