/** Typed queries on `files`. No business rules: who may see or attach what is decided in `domain/files.ts`. */
import type { Sql } from "../client.ts";
import { markStoredReady, type StoredFile } from "./stored_files.ts";
import type { Attachment, FileKind } from "../../realtime/protocol.ts";

export interface FileRow {
  id: number;
  workspaceId: number;
  channelId: number;
  uploaderId: number | null;
  messageId: number | null;
  name: string;
  mime: string;
  kind: FileKind;
  size: number;
  width: number | null;
  height: number | null;
  backend: string;
  storageKey: string;
  thumbKey: string | null;
  status: "uploading" | "ready" | "deleted";
  createdAt: string;
  /** When the carrying message was deleted (null when it was not, or there is none yet). */
  messageDeletedAt: string | null;
}

const COLS =
  `f.id, f.workspace_id AS "workspaceId", f.channel_id AS "channelId", f.uploader_id AS "uploaderId",
  f.message_id AS "messageId", f.name, f.mime, f.kind, f.size, f.width, f.height, f.backend,
  f.storage_key AS "storageKey", f.thumb_key AS "thumbKey", f.status, f.created_at AS "createdAt",
  m.deleted_at AS "messageDeletedAt"`;

/** The JSON of a message's attachments, for the messages repo's column list (`g` is the message). */
export const ATTACHMENTS_JSON = `CASE WHEN g.deleted_at IS NULL THEN coalesce((
    SELECT json_agg(json_build_object('id', f.id, 'name', f.name, 'mime', f.mime, 'kind', f.kind, 'size', f.size,
      'width', f.width, 'height', f.height, 'thumb', f.thumb_key IS NOT NULL) ORDER BY f.id)
    FROM files f WHERE f.message_id = g.id AND f.status = 'ready'), '[]'::json) ELSE '[]'::json END`;

export async function create(
  sql: Sql,
  f: {
    workspaceId: number;
    channelId: number;
    uploaderId: number;
    name: string;
    mime: string;
    kind: FileKind;
    backend: string;
  },
): Promise<number> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO files (workspace_id, channel_id, uploader_id, name, mime, kind, backend, storage_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, '') RETURNING id`,
    [f.workspaceId, f.channelId, f.uploaderId, f.name, f.mime, f.kind, f.backend],
  );
  return r[0].id;
}

export const markReady = (sql: Sql, id: number, f: StoredFile): Promise<void> =>
  markStoredReady(sql, "files", id, f);

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<FileRow | null> {
  const r = await sql.query<FileRow>(
    `SELECT ${COLS} FROM files f LEFT JOIN messages m ON m.id = f.message_id
     WHERE f.workspace_id = $1 AND f.id = $2`,
    [workspaceId, id],
  );
  return r[0] ?? null;
}

/**
 * Attaches ready, unattached files of this uploader in this channel to a message; returns how many it
 * attached (the caller compares with how many it asked for).
 */
export async function attach(
  sql: Sql,
  ids: number[],
  m: { messageId: number; uploaderId: number; channelId: number },
): Promise<number> {
  const r = await sql.query(
    `UPDATE files SET message_id = $1 WHERE id = ANY($2::bigint[]) AND uploader_id = $3 AND channel_id = $4
       AND message_id IS NULL AND status = 'ready' RETURNING id`,
    [m.messageId, ids, m.uploaderId, m.channelId],
  );
  return r.length;
}

/** Marks a deleted message's files deleted; their bytes are removed by `takeGarbage` after the commit. */
export async function markDeletedForMessage(sql: Sql, messageId: number): Promise<number> {
  const r = await sql.query(
    `UPDATE files SET status = 'deleted', deleted_at = now() WHERE message_id = $1 AND status <> 'deleted'
     RETURNING id`,
    [messageId],
  );
  return r.length;
}

export interface Garbage {
  id: number;
  backend: string;
  keys: string[];
}

/**
 * Removes the rows of deleted files, and of files that waited for a message longer than `olderThanSeconds`
 * (or one id), returning their storage keys for the caller to remove. Rows go first, so a file can never be
 * attached once its bytes are being removed.
 */
export async function takeGarbage(
  sql: Sql,
  o: { olderThanSeconds: number; limit: number; id?: number },
): Promise<Garbage[]> {
  const r = await sql.query<{ id: number; backend: string; storageKey: string; thumbKey: string | null }>(
    `DELETE FROM files WHERE id IN (
       SELECT id FROM files WHERE ($3::bigint IS NULL OR id = $3) AND (status = 'deleted'
         OR (message_id IS NULL AND created_at < now() - make_interval(secs => $1)))
       LIMIT $2)
     RETURNING id, backend, storage_key AS "storageKey", thumb_key AS "thumbKey"`,
    [o.olderThanSeconds, o.limit, o.id ?? null],
  );
  return r.map((x) => ({
    id: x.id,
    backend: x.backend,
    keys: [x.storageKey, x.thumbKey].filter((k) => !!k) as string[],
  }));
}

/** Removes an unattached file's row (a cancelled upload); returns its keys. */
export async function removeUnattached(sql: Sql, id: number, uploaderId: number): Promise<Garbage | null> {
  const r = await sql.query<{ id: number; backend: string; storageKey: string; thumbKey: string | null }>(
    `DELETE FROM files WHERE id = $1 AND uploader_id = $2 AND message_id IS NULL
     RETURNING id, backend, storage_key AS "storageKey", thumb_key AS "thumbKey"`,
    [id, uploaderId],
  );
  const x = r[0];
  return x
    ? { id: x.id, backend: x.backend, keys: [x.storageKey, x.thumbKey].filter((k) => !!k) as string[] }
    : null;
}

export interface ChannelFile extends Attachment {
  messageId: number;
  uploaderId: number | null;
  createdAt: string;
}

/** Files of a channel's live messages, newest first. */
export async function ofChannel(
  sql: Sql,
  channelId: number,
  before: number,
  limit: number,
): Promise<ChannelFile[]> {
  return await sql.query<ChannelFile>(
    `SELECT f.id, f.name, f.mime, f.kind, f.size, f.width, f.height, f.thumb_key IS NOT NULL AS thumb,
       f.message_id AS "messageId", f.uploader_id AS "uploaderId", f.created_at AS "createdAt"
     FROM files f JOIN messages m ON m.id = f.message_id AND m.deleted_at IS NULL
     WHERE f.channel_id = $1 AND f.status = 'ready' AND f.message_id IS NOT NULL AND f.id < $2
     ORDER BY f.id DESC LIMIT $3`,
    [channelId, before, limit],
  );
}
