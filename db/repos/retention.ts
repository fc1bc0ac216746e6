/** Retention: expired messages outside channels on legal hold, the legal hold flag, and the log of runs. */
import type { Sql } from "../client.ts";

export interface Expired {
  id: number;
  channelId: number;
}

const EXPIRED = `FROM messages m JOIN channels c ON c.id = m.channel_id
  WHERE m.workspace_id = $1 AND m.deleted_at IS NULL AND m.created_at < $2::timestamptz AND NOT c.legal_hold`;

/** The next batch of expired messages (oldest first). */
export async function expiredBatch(sql: Sql, workspaceId: number, cutoff: string, limit: number) {
  return await sql.query<Expired>(
    `SELECT m.id, m.channel_id AS "channelId" ${EXPIRED} ORDER BY m.created_at, m.id LIMIT $3`,
    [workspaceId, cutoff, limit],
  );
}

/** What a run would delete: messages and their files. */
export async function countExpired(sql: Sql, workspaceId: number, cutoff: string) {
  const [r] = await sql.query<{ messages: number; files: number }>(
    `SELECT count(*)::int AS messages,
       coalesce(sum((SELECT count(*) FROM files f WHERE f.message_id = m.id AND f.status <> 'deleted')), 0)::int
         AS files
     ${EXPIRED}`,
    [workspaceId, cutoff],
  );
  return r;
}

export async function heldChannels(sql: Sql, workspaceId: number) {
  return await sql.query<{ id: number; name: string }>(
    "SELECT id, name FROM channels WHERE workspace_id = $1 AND legal_hold ORDER BY name",
    [workspaceId],
  );
}

export async function setLegalHold(sql: Sql, channelId: number, on: boolean) {
  await sql.query("UPDATE channels SET legal_hold = $2 WHERE id = $1", [channelId, on]);
}

export interface Run {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  cutoff: string;
  days: number;
  dryRun: boolean;
  trigger: "schedule" | "admin";
  messages: number;
  files: number;
  heldChannels: number;
}
const RUN_COLS =
  `id, started_at AS "startedAt", finished_at AS "finishedAt", cutoff, days, dry_run AS "dryRun",
  trigger, messages, files, held_channels AS "heldChannels"`;

export async function startRun(
  sql: Sql,
  r: { workspaceId: number; cutoff: string; days: number; dryRun: boolean; trigger: string; held: number },
) {
  const [row] = await sql.query<{ id: number }>(
    `INSERT INTO retention_runs (workspace_id, cutoff, days, dry_run, trigger, held_channels)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [r.workspaceId, r.cutoff, r.days, r.dryRun, r.trigger, r.held],
  );
  return row.id;
}

export async function finishRun(sql: Sql, id: number, messages: number, files: number) {
  const [row] = await sql.query<Run>(
    `UPDATE retention_runs SET finished_at = now(), messages = $2, files = $3 WHERE id = $1
     RETURNING ${RUN_COLS}`,
    [id, messages, files],
  );
  return row;
}

export async function recentRuns(sql: Sql, workspaceId: number, limit = 20) {
  return await sql.query<Run>(
    `SELECT ${RUN_COLS} FROM retention_runs WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2`,
    [workspaceId, limit],
  );
}

/** When the schedule last ran for the workspace (null: never). */
export async function lastScheduled(sql: Sql, workspaceId: number): Promise<string | null> {
  const [r] = await sql.query<{ at: string | null }>(
    "SELECT max(started_at) AS at FROM retention_runs WHERE workspace_id = $1 AND trigger = 'schedule'",
    [workspaceId],
  );
  return r?.at ?? null;
}
