/** People as the admin console lists them: search, filters, counts and pages on the server. */
import type { Sql } from "../client.ts";
import { LIVE_SECONDS } from "./connections.ts";

export interface PersonRow {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: string;
  /** The custom role held (its rank is `role`), or null. */
  customRole: string | null;
  deactivatedAt: string | null;
  createdAt: string;
  tabs: number;
}

export interface PeopleFilter {
  q?: string;
  role?: string;
  state?: "active" | "deactivated";
  online?: boolean;
}

function where(workspaceId: number, f: PeopleFilter) {
  const params: unknown[] = [workspaceId, LIVE_SECONDS];
  const parts = ["u.workspace_id = $1"];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    parts.push(cond.replaceAll("$?", `$${params.length}`));
  };
  if (f.q) {
    add(
      "(u.username ILIKE $? OR u.display_name ILIKE $? OR coalesce(u.email, '') ILIKE $?)",
      `%${f.q.replace(/[\\%_]/g, (m) => "\\" + m)}%`,
    );
  }
  if (f.role) add("u.role = $?", f.role);
  if (f.state === "active") parts.push("u.deactivated_at IS NULL");
  if (f.state === "deactivated") parts.push("u.deactivated_at IS NOT NULL");
  if (f.online === true) parts.push("coalesce(c.n, 0) > 0");
  if (f.online === false) parts.push("coalesce(c.n, 0) = 0");
  return { sql: parts.join(" AND "), params };
}

const FROM = `FROM users u LEFT JOIN (SELECT user_id, count(*)::int AS n FROM connections
  WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2) GROUP BY user_id) c ON c.user_id = u.id`;

export async function page(
  sql: Sql,
  workspaceId: number,
  f: PeopleFilter,
  limit: number,
  offset: number,
): Promise<PersonRow[]> {
  const w = where(workspaceId, f);
  return await sql.query<PersonRow>(
    `SELECT u.id, u.username, u.display_name AS "displayName", u.email, u.role, r.name AS "customRole",
       u.deactivated_at AS "deactivatedAt", u.created_at AS "createdAt", coalesce(c.n, 0)::int AS tabs
     ${FROM} LEFT JOIN custom_roles r ON r.id = u.custom_role_id WHERE ${w.sql} ORDER BY lower(u.display_name), u.id
     LIMIT $${w.params.length + 1} OFFSET $${w.params.length + 2}`,
    [...w.params, limit, offset],
  );
}

export interface PeopleCounts {
  matching: number;
  total: number;
  active: number;
  deactivated: number;
  online: number;
  byRole: Record<string, number>;
}

export async function counts(sql: Sql, workspaceId: number, f: PeopleFilter): Promise<PeopleCounts> {
  const w = where(workspaceId, f);
  const [m] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n ${FROM} WHERE ${w.sql}`, w.params);
  const [t] = await sql.query<{ total: number; active: number; online: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE u.deactivated_at IS NULL)::int AS active,
       count(*) FILTER (WHERE coalesce(c.n, 0) > 0)::int AS online ${FROM} WHERE u.workspace_id = $1`,
    [workspaceId, LIVE_SECONDS],
  );
  const roles = await sql.query<{ role: string; n: number }>(
    "SELECT role, count(*)::int AS n FROM users WHERE workspace_id = $1 GROUP BY role",
    [workspaceId],
  );
  return {
    matching: m.n,
    total: t.total,
    active: t.active,
    deactivated: t.total - t.active,
    online: t.online,
    byRole: Object.fromEntries(roles.map((r) => [r.role, r.n])),
  };
}

export async function removeSessionsOfWorkspace(sql: Sql, workspaceId: number, keep: string | null) {
  const r = await sql.query<{ user_id: number }>(
    `DELETE FROM sessions WHERE workspace_id = $1 AND ($2::text IS NULL OR token_hash <> $2) RETURNING user_id`,
    [workspaceId, keep],
  );
  return r.length;
}
