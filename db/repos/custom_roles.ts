/** Typed queries on custom roles and who holds them. No business rules. */
import type { Sql } from "../client.ts";
import type { CustomRank, WorkspaceRole } from "../../domain/permissions.ts";

export interface CustomRoleRow {
  id: number;
  name: string;
  rank: CustomRank;
  permissions: string[];
  holders: number;
}

const COLS = `r.id::int AS id, r.name, r.rank, r.permissions,
  (SELECT count(*)::int FROM users u WHERE u.custom_role_id = r.id) AS holders`;

export async function list(sql: Sql, workspaceId: number): Promise<CustomRoleRow[]> {
  return await sql.query<CustomRoleRow>(
    `SELECT ${COLS} FROM custom_roles r WHERE r.workspace_id = $1 ORDER BY lower(r.name)`,
    [workspaceId],
  );
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<CustomRoleRow | null> {
  const r = await sql.query<CustomRoleRow>(
    `SELECT ${COLS} FROM custom_roles r WHERE r.workspace_id = $1 AND r.id = $2`,
    [workspaceId, id],
  );
  return r[0] ?? null;
}

/** Locks the role's row for the rest of the transaction (edits and assignments do not interleave). */
export async function lock(sql: Sql, workspaceId: number, id: number): Promise<CustomRoleRow | null> {
  const r = await sql.query<{ id: number }>(
    "SELECT id FROM custom_roles WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
    [workspaceId, id],
  );
  return r.length ? await byId(sql, workspaceId, id) : null;
}

export async function nameTaken(sql: Sql, workspaceId: number, name: string, exceptId = 0): Promise<boolean> {
  const r = await sql.query(
    "SELECT 1 FROM custom_roles WHERE workspace_id = $1 AND lower(name) = lower($2) AND id <> $3",
    [workspaceId, name, exceptId],
  );
  return r.length > 0;
}

export async function insert(
  sql: Sql,
  workspaceId: number,
  r: { name: string; rank: CustomRank; permissions: string[] },
): Promise<number> {
  const rows = await sql.query<{ id: number }>(
    `INSERT INTO custom_roles (workspace_id, name, rank, permissions) VALUES ($1, $2, $3, $4)
     RETURNING id::int AS id`,
    [workspaceId, r.name, r.rank, r.permissions],
  );
  return rows[0].id;
}

/** Updates the role and moves its holders to its rank; returns the holders' ids. */
export async function update(
  sql: Sql,
  id: number,
  r: { name: string; rank: CustomRank; permissions: string[] },
): Promise<number[]> {
  await sql.query(
    "UPDATE custom_roles SET name = $2, rank = $3, permissions = $4, updated_at = now() WHERE id = $1",
    [id, r.name, r.rank, r.permissions],
  );
  const rows = await sql.query<{ id: number }>(
    "UPDATE users SET role = $2, updated_at = now() WHERE custom_role_id = $1 RETURNING id::int AS id",
    [id, r.rank],
  );
  return rows.map((x) => Number(x.id));
}

export async function remove(sql: Sql, id: number): Promise<void> {
  await sql.query("DELETE FROM custom_roles WHERE id = $1", [id]);
}

export async function assign(sql: Sql, userId: number, roleId: number, rank: CustomRank): Promise<void> {
  await sql.query("UPDATE users SET custom_role_id = $2, role = $3, updated_at = now() WHERE id = $1", [
    userId,
    roleId,
    rank,
  ]);
}

export interface HolderRow {
  id: number;
  username: string;
  displayName: string;
  customRoleId: number;
}

/** Who holds each custom role of the workspace (active and deactivated), by name. */
export async function holders(sql: Sql, workspaceId: number, limit = 500): Promise<HolderRow[]> {
  return await sql.query<HolderRow>(
    `SELECT id::int AS id, username, display_name AS "displayName", custom_role_id::int AS "customRoleId"
     FROM users WHERE workspace_id = $1 AND custom_role_id IS NOT NULL ORDER BY lower(display_name) LIMIT $2`,
    [workspaceId, limit],
  );
}

/** How many people hold each built-in role without a custom role. */
export async function builtInCounts(sql: Sql, workspaceId: number): Promise<Record<WorkspaceRole, number>> {
  const rows = await sql.query<{ role: WorkspaceRole; n: number }>(
    `SELECT role, count(*)::int AS n FROM users WHERE workspace_id = $1 AND custom_role_id IS NULL
     GROUP BY role`,
    [workspaceId],
  );
  const out = { admin: 0, moderator: 0, member: 0, guest: 0 };
  for (const r of rows) out[r.role] = Number(r.n);
  return out;
}
