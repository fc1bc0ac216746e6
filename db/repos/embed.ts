/** Embed sessions' extension and their single-use tickets (socket, "open in full chat"). */
import type { Sql } from "../client.ts";

export type TicketPurpose = "socket" | "open";

/** Moves a live embed session's expiry; false when it is gone, expired, or not of this user and origin. */
export async function extend(
  sql: Sql,
  s: { tokenHash: string; userId: number; origin: string; expiresAt: Date },
): Promise<boolean> {
  const r = await sql.query(
    `UPDATE sessions SET expires_at = $4
     WHERE token_hash = $1 AND user_id = $2 AND embed_origin = $3 AND expires_at > now() RETURNING token_hash`,
    [s.tokenHash, s.userId, s.origin, s.expiresAt],
  );
  return r.length > 0;
}

export async function insertTicket(
  sql: Sql,
  t: { ticketHash: string; purpose: TicketPurpose; sessionHash: string; origin: string; expiresAt: Date },
): Promise<void> {
  await sql.query("DELETE FROM embed_tickets WHERE expires_at < now()");
  await sql.query(
    `INSERT INTO embed_tickets (ticket_hash, purpose, session_hash, origin, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [t.ticketHash, t.purpose, t.sessionHash, t.origin, t.expiresAt],
  );
}

/** A live ticket's session and origin, without using it up. */
export async function peekTicket(
  sql: Sql,
  ticketHash: string,
  purpose: TicketPurpose,
): Promise<{ sessionHash: string; origin: string } | null> {
  const r = await sql.query<{ sessionHash: string; origin: string }>(
    `SELECT session_hash AS "sessionHash", origin FROM embed_tickets
     WHERE ticket_hash = $1 AND purpose = $2 AND expires_at > now()`,
    [ticketHash, purpose],
  );
  return r[0] ?? null;
}

/** Uses a ticket up (once, on every instance): its session and origin, or null. */
export async function redeemTicket(
  sql: Sql,
  ticketHash: string,
  purpose: TicketPurpose,
): Promise<{ sessionHash: string; origin: string } | null> {
  const r = await sql.query<{ sessionHash: string; origin: string }>(
    `DELETE FROM embed_tickets WHERE ticket_hash = $1 AND purpose = $2 AND expires_at > now()
     RETURNING session_hash AS "sessionHash", origin`,
    [ticketHash, purpose],
  );
  return r[0] ?? null;
}
