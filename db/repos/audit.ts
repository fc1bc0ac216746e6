/** The audit log as the admin console reads it: filtered, paged by id, and streamed for export. */
import type { Sql } from "../client.ts";

export interface AuditRow {
  id: number;
  actorId: number | null;
  actor: string | null;
  action: string;
  target: string;
  detail: unknown;
  ip: string;
  createdAt: string;
}

export interface AuditFilter {
  q?: string;
  action?: string;
  actorId?: number;
  from?: string;
  to?: string;
}

function where(workspaceId: number, f: AuditFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [workspaceId];
  const parts = ["a.workspace_id = $1"];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    parts.push(cond.replaceAll("$?", `$${params.length}`));
  };
  if (f.action) add("a.action = $?", f.action);
  if (f.actorId) add("a.actor_id = $?", f.actorId);
  if (f.from) add("a.created_at >= $?::timestamptz", f.from);
  if (f.to) add("a.created_at < $?::timestamptz", f.to);
  if (f.q) {
    add(
      "(a.action ILIKE $? OR a.target ILIKE $? OR a.detail::text ILIKE $? OR a.ip ILIKE $? OR u.username ILIKE $?)",
      `%${f.q.replace(/[\\%_]/g, (m) => "\\" + m)}%`,
    );
  }
  return { sql: parts.join(" AND "), params };
}

const COLS = `a.id, a.actor_id AS "actorId", u.username AS actor, a.action, a.target, a.detail, a.ip,
  a.created_at AS "createdAt"`;

/** One page, newest first; `before` is the last id of the previous page. */
export async function page(
  sql: Sql,
  workspaceId: number,
  f: AuditFilter,
  limit: number,
  before?: number,
): Promise<AuditRow[]> {
  const w = where(workspaceId, f);
  const params = [...w.params, limit];
  let extra = "";
  if (before) {
    params.push(before);
    extra = ` AND a.id < $${params.length}`;
  }
  return await sql.query<AuditRow>(
    `SELECT ${COLS} FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE ${w.sql}${extra} ORDER BY a.id DESC LIMIT $${w.params.length + 1}`,
    params,
  );
}

export async function count(sql: Sql, workspaceId: number, f: AuditFilter): Promise<number> {
  const w = where(workspaceId, f);
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE ${w.sql}`,
    w.params,
  );
  return r[0].n;
}

export async function actions(sql: Sql, workspaceId: number): Promise<string[]> {
  const r = await sql.query<{ action: string }>(
    "SELECT DISTINCT action FROM audit_log WHERE workspace_id = $1 ORDER BY action",
    [workspaceId],
  );
  return r.map((x) => x.action);
}
