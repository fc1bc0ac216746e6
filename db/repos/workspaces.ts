/** Typed queries on workspaces and their settings. */
import type { Sql } from "../client.ts";

export interface WorkspaceRow {
  id: number;
  slug: string;
  name: string;
}

export async function bySlug(sql: Sql, slug: string): Promise<WorkspaceRow | null> {
  const r = await sql.query<WorkspaceRow>("SELECT id, slug, name FROM workspaces WHERE slug = $1", [slug]);
  return r[0] ?? null;
}

export async function byId(sql: Sql, id: number): Promise<WorkspaceRow | null> {
  const r = await sql.query<WorkspaceRow>("SELECT id, slug, name FROM workspaces WHERE id = $1", [id]);
  return r[0] ?? null;
}

export async function insert(sql: Sql, slug: string, name: string): Promise<WorkspaceRow> {
  const r = await sql.query<WorkspaceRow>(
    "INSERT INTO workspaces (slug, name) VALUES ($1, $2) RETURNING id, slug, name",
    [slug, name],
  );
  return r[0];
}

/**
 * A condition for a statement of another repo that must check a switch in the same statement (the grouped
 * send checks maintenance so): true when workspace `wsExpr` has the boolean setting named by the parameter
 * `keyParam` stored as true. The domain names the key (through the registry's key type).
 */
export function settingIsTrueSql(wsExpr: string, keyParam: string): string {
  return `EXISTS (SELECT 1 FROM workspace_settings w
    WHERE w.workspace_id = ${wsExpr} AND w.key = ${keyParam} AND w.value = 'true'::jsonb)`;
}

export async function settings(sql: Sql, workspaceId: number): Promise<Record<string, unknown>> {
  const rows = await sql.query<{ key: string; value: unknown }>(
    "SELECT key, value FROM workspace_settings WHERE workspace_id = $1",
    [workspaceId],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** One setting's stored value in every workspace that stored one. */
export async function settingEverywhere(sql: Sql, key: string): Promise<unknown[]> {
  const rows = await sql.query<{ value: unknown }>("SELECT value FROM workspace_settings WHERE key = $1", [
    key,
  ]);
  return rows.map((r) => r.value);
}

export async function putSetting(sql: Sql, workspaceId: number, key: string, value: unknown): Promise<void> {
  await sql.query(
    `INSERT INTO workspace_settings (workspace_id, key, value) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (workspace_id, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [workspaceId, key, JSON.stringify(value)],
  );
}

export async function removeSetting(sql: Sql, workspaceId: number, key: string): Promise<void> {
  await sql.query("DELETE FROM workspace_settings WHERE workspace_id = $1 AND key = $2", [workspaceId, key]);
}
