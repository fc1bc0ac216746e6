/** Figures for the admin dashboard. */
import type { Sql } from "../client.ts";
import { LIVE_SECONDS } from "./connections.ts";

export async function live(sql: Sql, workspaceId: number) {
  const inst = await sql.query<{ id: string; connections: number; people: number }>(
    `SELECT instance_id AS id, count(*)::int AS connections, count(DISTINCT user_id)::int AS people
     FROM connections WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2)
     GROUP BY instance_id ORDER BY instance_id`,
    [workspaceId, LIVE_SECONDS],
  );
  const [online] = await sql.query<{ n: number }>(
    `SELECT count(DISTINCT user_id)::int AS n FROM connections
     WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2)`,
    [workspaceId, LIVE_SECONDS],
  );
  const [m] = await sql.query<{ day: number }>(
    `SELECT count(*)::int AS day FROM messages
     WHERE workspace_id = $1 AND deleted_at IS NULL AND created_at > now() - interval '24 hours'`,
    [workspaceId],
  );
  return { instances: inst, peopleOnline: online.n, messages24h: m.day };
}

export async function databaseBytes(sql: Sql): Promise<number | null> {
  try {
    const [r] = await sql.query<{ n: string }>("SELECT pg_database_size(current_database())::text AS n");
    return Number(r.n);
  } catch {
    return null;
  }
}

/** Storage: the messages table on disk (with its indexes) and the bytes of the workspace's files. */
export async function storage(sql: Sql, workspaceId: number) {
  const [r] = await sql.query<{ messagesBytes: string | null; filesBytes: string; files: number }>(
    `SELECT pg_total_relation_size('messages')::text AS "messagesBytes",
       ((SELECT coalesce(sum(size), 0) FROM files WHERE workspace_id = $1 AND status = 'ready')
        + (SELECT coalesce(sum(size), 0) FROM visitor_files WHERE workspace_id = $1))::text AS "filesBytes",
       ((SELECT count(*) FROM files WHERE workspace_id = $1 AND status = 'ready')
        + (SELECT count(*) FROM visitor_files WHERE workspace_id = $1))::int AS files`,
    [workspaceId],
  );
  return {
    messagesBytes: r.messagesBytes === null ? null : Number(r.messagesBytes),
    filesBytes: Number(r.filesBytes),
    files: r.files,
  };
}

/** Visitor chat right now: conversations waiting in the queue and conversations with an agent. */
export async function visitors(sql: Sql, workspaceId: number) {
  const [r] = await sql.query<{ waiting: number; active: number }>(
    `SELECT count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
            count(*) FILTER (WHERE status = 'active')::int AS active
     FROM visitor_conversations WHERE workspace_id = $1 AND status IN ('waiting', 'active')`,
    [workspaceId],
  );
  return r;
}
