/** Visitor attachments (`visitor_files`): typed queries, no rules. */
import type { Sql } from "../client.ts";
import { markStoredReady, type StoredFile } from "./stored_files.ts";

export interface VisitorFileRow {
  id: number;
  workspaceId: number;
  conversationId: number;
  name: string;
  mime: string;
  kind: "image" | "video" | "audio" | "pdf" | "file";
  size: number;
  width: number | null;
  height: number | null;
  backend: string;
  storageKey: string;
  thumbKey: string | null;
  status: "uploading" | "ready";
}

const COLS = `id, workspace_id AS "workspaceId", conversation_id AS "conversationId", name, mime, kind,
  size::float8 AS size, width, height, backend, storage_key AS "storageKey", thumb_key AS "thumbKey", status`;

export async function create(
  sql: Sql,
  f: {
    workspaceId: number;
    conversationId: number;
    name: string;
    mime: string;
    kind: string;
    backend: string;
  },
): Promise<number> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO visitor_files (workspace_id, conversation_id, name, mime, kind, backend)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [f.workspaceId, f.conversationId, f.name, f.mime, f.kind, f.backend],
  );
  return Number(r[0].id);
}

export const markReady = (sql: Sql, id: number, f: StoredFile): Promise<void> =>
  markStoredReady(sql, "visitor_files", id, f);

export async function remove(sql: Sql, id: number): Promise<void> {
  await sql.query("DELETE FROM visitor_files WHERE id = $1", [id]);
}

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<VisitorFileRow | null> {
  const r = await sql.query<VisitorFileRow>(
    `SELECT ${COLS} FROM visitor_files WHERE id = $1 AND workspace_id = $2`,
    [id, workspaceId],
  );
  return r[0] ?? null;
}
