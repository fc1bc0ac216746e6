/** Staff who answer visitors: availability (separate from presence), capacity, team, round-robin order. */
import type { Sql } from "../client.ts";
import { LIVE_SECONDS } from "./connections.ts";

export interface AgentRow {
  userId: number;
  displayName: string;
  available: boolean;
  capacity: number;
  team: string;
  /** Conversations held now. */
  load: number;
  /** Live WebSocket connections now. */
  online: boolean;
  lastAssignedAt: string;
}

const SELECT =
  `SELECT a.user_id AS "userId", u.display_name AS "displayName", a.available, a.capacity, a.team,
    (SELECT count(*)::int FROM visitor_conversations c WHERE c.agent_id = a.user_id AND c.status = 'active') AS load,
    EXISTS (SELECT 1 FROM connections k WHERE k.user_id = a.user_id
      AND k.seen_at > now() - make_interval(secs => ${LIVE_SECONDS})) AS online,
    a.last_assigned_at AS "lastAssignedAt"
  FROM visitor_agents a JOIN users u ON u.id = a.user_id AND u.deactivated_at IS NULL`;

export async function get(sql: Sql, workspaceId: number, userId: number): Promise<AgentRow | null> {
  const r = await sql.query<AgentRow>(`${SELECT} WHERE a.workspace_id = $1 AND a.user_id = $2`, [
    workspaceId,
    userId,
  ]);
  return r[0] ?? null;
}

export async function list(sql: Sql, workspaceId: number): Promise<AgentRow[]> {
  return await sql.query<AgentRow>(`${SELECT} WHERE a.workspace_id = $1 ORDER BY u.display_name`, [
    workspaceId,
  ]);
}

export async function upsert(
  sql: Sql,
  workspaceId: number,
  userId: number,
  patch: { available?: boolean; capacity?: number; team?: string },
  defaultCapacity: number,
): Promise<void> {
  await sql.query(
    `INSERT INTO visitor_agents (user_id, workspace_id, available, capacity, team)
     VALUES ($1, $2, coalesce($3::boolean, false), coalesce($4::int, $6::int), coalesce($5::text, ''))
     ON CONFLICT (user_id) DO UPDATE SET available = coalesce($3::boolean, visitor_agents.available),
       capacity = coalesce($4::int, visitor_agents.capacity), team = coalesce($5::text, visitor_agents.team),
       offline_since = CASE WHEN $3::boolean IS TRUE THEN NULL ELSE visitor_agents.offline_since END`,
    [
      userId,
      workspaceId,
      patch.available ?? null,
      patch.capacity ?? null,
      patch.team ?? null,
      defaultCapacity,
    ],
  );
}

/**
 * Agents who may take one more conversation now: available, online, under capacity (of `team` when given),
 * least recently assigned first (round robin). Locked so two routers never pick past one agent's capacity.
 */
export async function eligible(
  sql: Sql,
  workspaceId: number,
  team: string,
  exceptUserId = 0,
): Promise<AgentRow[]> {
  return await sql.query<AgentRow>(
    `SELECT * FROM (${SELECT} WHERE a.workspace_id = $1 AND a.available AND a.user_id <> $3
       AND ($2 = '' OR a.team = $2)) x
     WHERE online AND load < capacity ORDER BY "lastAssignedAt", "userId"`,
    [workspaceId, team, exceptUserId],
  );
}

export async function touchAssigned(sql: Sql, userId: number): Promise<void> {
  await sql.query("UPDATE visitor_agents SET last_assigned_at = clock_timestamp() WHERE user_id = $1", [
    userId,
  ]);
}

export async function lockWorkspace(sql: Sql, workspaceId: number): Promise<void> {
  // One router per workspace at a time (across instances): assignments never exceed capacity.
  await sql.query("SELECT pg_advisory_xact_lock(7244200, $1::int)", [workspaceId]);
}

export async function isOnline(sql: Sql, userId: number): Promise<boolean> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM connections WHERE user_id = $1 AND seen_at > now() - make_interval(secs => $2)`,
    [userId, LIVE_SECONDS],
  );
  return (r[0]?.n ?? 0) > 0;
}
