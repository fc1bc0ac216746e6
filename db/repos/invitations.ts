/** One-time links to set a password: invitations of new people and resets. Only the token's hash is stored. */
import type { Sql } from "../client.ts";

export interface InvitationRow {
  tokenHash: string;
  workspaceId: number;
  userId: number;
  kind: "invite" | "reset";
  expiresAt: string;
  usedAt: string | null;
}

export async function insert(
  sql: Sql,
  i: {
    tokenHash: string;
    workspaceId: number;
    userId: number;
    kind: string;
    createdBy: number;
    expiresAt: Date;
  },
) {
  // A new link replaces the person's earlier unused ones.
  await sql.query("DELETE FROM invitations WHERE user_id = $1 AND used_at IS NULL", [i.userId]);
  await sql.query(
    `INSERT INTO invitations (token_hash, workspace_id, user_id, kind, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [i.tokenHash, i.workspaceId, i.userId, i.kind, i.createdBy, i.expiresAt.toISOString()],
  );
}

/** Marks a live link used and returns it; null when unknown, used or expired. */
export async function consume(sql: Sql, tokenHash: string): Promise<InvitationRow | null> {
  const r = await sql.query<InvitationRow>(
    `UPDATE invitations SET used_at = now()
     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
     RETURNING token_hash AS "tokenHash", workspace_id AS "workspaceId", user_id AS "userId", kind,
       expires_at AS "expiresAt", used_at AS "usedAt"`,
    [tokenHash],
  );
  return r[0] ?? null;
}

export async function live(sql: Sql, tokenHash: string): Promise<InvitationRow | null> {
  const r = await sql.query<InvitationRow>(
    `SELECT token_hash AS "tokenHash", workspace_id AS "workspaceId", user_id AS "userId", kind,
       expires_at AS "expiresAt", used_at AS "usedAt"
     FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  return r[0] ?? null;
}

export async function setPassword(sql: Sql, userId: number, hash: string) {
  await sql.query("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", [userId, hash]);
}
