/** Sessions (hashed bearer tokens) and the audit log. Login attempts are in `login_attempts.ts`. */
import type { Sql } from "../client.ts";

export interface SessionRow {
  tokenHash: string;
  userId: number;
  workspaceId: number;
  expiresAt: string;
}

export async function insert(
  sql: Sql,
  s: {
    tokenHash: string;
    userId: number;
    workspaceId: number;
    expiresAt: Date;
    userAgent: string;
    embedOrigin?: string | null;
  },
) {
  await sql.query(
    `INSERT INTO sessions (token_hash, user_id, workspace_id, expires_at, user_agent, embed_origin)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [s.tokenHash, s.userId, s.workspaceId, s.expiresAt, s.userAgent, s.embedOrigin ?? null],
  );
}

export async function live(sql: Sql, tokenHash: string): Promise<SessionRow | null> {
  const r = await sql.query<SessionRow>(
    `SELECT token_hash AS "tokenHash", user_id AS "userId", workspace_id AS "workspaceId", expires_at AS "expiresAt"
     FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
    [tokenHash],
  );
  return r[0] ?? null;
}

export async function liveOf(sql: Sql, hashes: string[]): Promise<string[]> {
  if (!hashes.length) return [];
  const r = await sql.query<{ h: string }>(
    `SELECT s.token_hash AS h FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ANY($1::text[]) AND s.expires_at > now() AND u.deactivated_at IS NULL`,
    [hashes],
  );
  return r.map((x) => x.h);
}

export async function remove(sql: Sql, tokenHash: string): Promise<void> {
  await sql.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
}

export async function removeForUser(sql: Sql, userId: number): Promise<void> {
  await sql.query("DELETE FROM sessions WHERE user_id = $1", [userId]);
}

export async function audit(
  sql: Sql,
  a: {
    workspaceId: number | null;
    actorId: number | null;
    action: string;
    target?: string;
    detail?: unknown;
    ip?: string;
  },
): Promise<void> {
  await sql.query(
    "INSERT INTO audit_log (workspace_id, actor_id, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
    [a.workspaceId, a.actorId, a.action, a.target ?? "", JSON.stringify(a.detail ?? {}), a.ip ?? ""],
  );
}

/** Ends every session of a user but one (a password change keeps the session that made it). */
export async function removeForUserExcept(sql: Sql, userId: number, keepHash: string | null): Promise<void> {
  await sql.query("DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2", [
    userId,
    keepHash,
  ]);
}
