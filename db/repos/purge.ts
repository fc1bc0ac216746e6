/**
 * Purge of old data (Control panel): what is older than a cutoff, per kind, and batch deletes. Messages go
 * through retention's path (`retention.ts` here, `domain/admin/retention.ts`); this file holds the others:
 * channel events replay no longer needs, ended visitor conversations, audit entries. Channels on legal hold
 * keep everything.
 */
import type { Sql } from "../client.ts";

/** Events older than the cutoff and more than `replayLimit` behind their channel's head (resync anyway). */
const OLD_EVENTS = `FROM channel_events x JOIN channels c ON c.id = x.channel_id
  WHERE c.workspace_id = $1 AND NOT c.legal_hold AND x.created_at < $2::timestamptz
    AND x.seq <= c.last_seq - $3`;
const OLD_VISITOR = `FROM visitor_conversations v
  WHERE v.workspace_id = $1 AND v.status = 'ended' AND v.ended_at < $2::timestamptz`;
const OLD_AUDIT = `FROM audit_log a WHERE a.workspace_id = $1 AND a.created_at < $2::timestamptz`;

export async function countOld(sql: Sql, workspaceId: number, cutoff: string, replayLimit: number) {
  const [r] = await sql.query<{ events: number; visitorConversations: number; auditEntries: number }>(
    `SELECT (SELECT count(*) ${OLD_EVENTS})::int AS events,
            (SELECT count(*) ${OLD_VISITOR})::int AS "visitorConversations",
            (SELECT count(*) ${OLD_AUDIT})::int AS "auditEntries"`,
    [workspaceId, cutoff, replayLimit],
  );
  return r;
}

export async function deleteEvents(
  sql: Sql,
  workspaceId: number,
  cutoff: string,
  replayLimit: number,
  limit: number,
) {
  const rows = await sql.query(
    `DELETE FROM channel_events WHERE (channel_id, seq) IN (SELECT x.channel_id, x.seq ${OLD_EVENTS} LIMIT $4)
     RETURNING 1`,
    [workspaceId, cutoff, replayLimit, limit],
  );
  return rows.length;
}

/** The storage keys of a batch of old visitor conversations' attachments (deleted before the rows). */
export async function oldVisitorBatch(sql: Sql, workspaceId: number, cutoff: string, limit: number) {
  return await sql.query<{ id: number; keys: string[]; backends: string[] }>(
    `SELECT v.id,
       coalesce((SELECT array_agg(k) FROM visitor_files f, unnest(ARRAY[f.storage_key, f.thumb_key]) k
                 WHERE f.conversation_id = v.id AND k IS NOT NULL AND k <> ''), '{}') AS keys,
       coalesce((SELECT array_agg(DISTINCT f.backend) FROM visitor_files f WHERE f.conversation_id = v.id),
                '{}') AS backends
     ${OLD_VISITOR} ORDER BY v.id LIMIT $3`,
    [workspaceId, cutoff, limit],
  );
}

export async function deleteVisitorConversations(sql: Sql, ids: number[]) {
  if (!ids.length) return 0;
  const rows = await sql.query("DELETE FROM visitor_conversations WHERE id = ANY($1::bigint[]) RETURNING 1", [
    ids,
  ]);
  return rows.length;
}

export async function deleteAudit(sql: Sql, workspaceId: number, cutoff: string, limit: number) {
  const rows = await sql.query(
    `DELETE FROM audit_log WHERE id IN (SELECT a.id ${OLD_AUDIT} ORDER BY a.id LIMIT $3) RETURNING 1`,
    [workspaceId, cutoff, limit],
  );
  return rows.length;
}

/** Claims the workspace's purge slot; false when another purge started less than an hour ago. */
export async function claim(sql: Sql, workspaceId: number): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO purge_runs (workspace_id) VALUES ($1)
     ON CONFLICT (workspace_id) DO UPDATE SET started_at = now()
       WHERE purge_runs.started_at < now() - interval '1 hour'
     RETURNING 1`,
    [workspaceId],
  );
  return rows.length === 1;
}

export async function release(sql: Sql, workspaceId: number) {
  await sql.query("DELETE FROM purge_runs WHERE workspace_id = $1", [workspaceId]);
}
