/**
 * Files: upload (streamed, typed by content, limited by the workspace's settings), attach to a message,
 * serve to people who may read the conversation, list per conversation, and remove with the message or
 * when no message ever carried them. Design notes: docs/files-and-search.md.
 */
import { z } from "zod";
import * as filesRepo from "../db/repos/files.ts";
import type { ByteRange } from "../db/storage/storage.ts";
import type { Sql } from "../db/client.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, invalid, notFound } from "./errors.ts";
import { readable, requirePermission, requirePost } from "./access.ts";
import { INLINE_TYPES } from "./file_sniff.ts";
import {
  checkUpload,
  forget,
  services,
  storeChecked,
  type StoredBytes,
  type UploadInput,
} from "./file_store.ts";
import { parse } from "./validate.ts";
import type { Attachment } from "../realtime/protocol.ts";

export { type FileServices, services, type UploadInput } from "./file_store.ts";

export const UploadQuery = z.object({ name: z.string().max(255).describe("the file's name") });
export const FileVariantInput = z.object({
  variant: z.enum(["original", "thumb"]).optional().describe("thumb: a small WebP of an image"),
});
export const FilesPageInput = z.object({
  before: z.coerce.number().int().positive().optional().describe("file id: older than this"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface UploadedFile extends Attachment {
  channelId: number;
}

/**
 * Stores one file for a message yet to be sent in `channelId`. The row exists (as "uploading") before any
 * byte is written, so a crash leaves something the orphan sweep finds; it is "ready" only once stored.
 */
export async function upload(
  deps: Deps,
  actor: Actor,
  channelId: number,
  input: UploadInput,
): Promise<UploadedFile> {
  requirePermission(actor, "chat.send_files", "You are not allowed to share files");
  const a = await readable(deps.db, actor, channelId);
  requirePost(actor, a);
  const u = await checkUpload(deps, actor.workspaceId, input);
  const id = await filesRepo.create(deps.db, {
    workspaceId: actor.workspaceId,
    channelId,
    uploaderId: actor.userId,
    name: u.name,
    mime: u.mime,
    kind: u.kind,
    backend: services(deps).storage.backend,
  });
  let st: StoredBytes | null = null;
  try {
    st = await storeChecked(deps, `w${actor.workspaceId}/f${id}`, u);
    await filesRepo.markReady(deps.db, id, st);
    const { size, width, height } = st;
    return {
      id,
      channelId,
      name: u.name,
      mime: u.mime,
      kind: u.kind,
      size,
      width,
      height,
      thumb: !!st.thumbKey,
    };
  } catch (err) {
    await forget(deps, st);
    await deps.db.query("DELETE FROM files WHERE id = $1", [id]);
    if (err instanceof AppError) throw err;
    throw new AppError("upload_failed", 400, "The upload did not complete");
  }
}

/** Attaches uploaded files to a message being stored (inside its transaction); all or nothing. */
export async function attachTo(
  sql: Sql,
  actor: Actor,
  ids: number[],
  m: { messageId: number; channelId: number },
): Promise<void> {
  const unique = [...new Set(ids)];
  const n = await filesRepo.attach(sql, unique, { ...m, uploaderId: actor.userId });
  if (n !== unique.length) {
    throw invalid("attachments: a file is not yours, not ready, already sent, or for another conversation");
  }
}

export interface OpenedFile {
  file: filesRepo.FileRow;
  mime: string;
  size: number;
  inline: boolean;
  body: ReadableStream<Uint8Array>;
  range: ByteRange | null;
}

/**
 * A file's bytes for someone who may read its conversation now. A file the actor uploaded and has not
 * sent yet is theirs alone; a deleted message's files are gone. Everything else is "not found".
 */
export async function open(
  deps: Deps,
  actor: Actor,
  fileId: number,
  o: { variant: "original" | "thumb"; range?: string | null },
): Promise<OpenedFile> {
  const f = await filesRepo.byId(deps.db, actor.workspaceId, fileId);
  if (!f || f.status !== "ready" || f.messageDeletedAt) throw notFound("No such file");
  if (f.messageId === null && f.uploaderId !== actor.userId) throw notFound("No such file");
  await readable(deps.db, actor, f.channelId);
  const thumb = o.variant === "thumb";
  if (thumb && !f.thumbKey) throw notFound("This file has no thumbnail");
  const key = thumb ? f.thumbKey! : f.storageKey;
  const mime = thumb ? "image/webp" : f.mime;
  const size = thumb ? -1 : f.size;
  const range = !thumb && o.range ? parseRange(o.range, f.size) : null;
  const body = await services(deps).storage.get(key, range ?? undefined);
  if (!body) throw notFound("No such file");
  return { file: f, mime, size, inline: INLINE_TYPES.has(mime), body, range };
}

/** One `bytes=a-b` range (the only kind browsers send for media); anything unsatisfiable is a 416. */
export function parseRange(header: string, size: number): ByteRange | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number, end: number;
  if (!m[1]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  if (start > end || start >= size) {
    throw new AppError("range_not_satisfiable", 416, "The requested range is outside the file", { size });
  }
  return { start, end };
}

/** Files shared in a conversation, newest first. */
export async function ofChannel(deps: Deps, actor: Actor, channelId: number, input: unknown) {
  const q = parse(FilesPageInput, input);
  await readable(deps.db, actor, channelId);
  return await filesRepo.ofChannel(deps.db, channelId, q.before ?? Number.MAX_SAFE_INTEGER, q.limit);
}

/** Cancels an upload the actor has not sent: its row and bytes go now. */
export async function discard(deps: Deps, actor: Actor, fileId: number): Promise<void> {
  const g = await filesRepo.removeUnattached(deps.db, fileId, actor.userId);
  if (!g) throw notFound("No such unsent file");
  await removeBytes(deps, [g]);
}

async function removeBytes(deps: Deps, garbage: filesRepo.Garbage[]) {
  const store = services(deps).storage;
  for (const g of garbage) {
    // Bytes of another backend (the setting changed) are left for its operator; the row is gone either way.
    if (g.backend !== store.backend) continue;
    for (const k of g.keys) await store.delete(k).catch((e) => console.error(`files: delete ${k}:`, e));
  }
}

/**
 * Removes files of deleted messages and files no message carried within the orphan time; returns how many.
 * Called after a message is deleted and periodically by the sweeper started in `main.ts`.
 */
export async function sweep(deps: Deps, olderThanSeconds = services(deps).orphanSeconds): Promise<number> {
  let total = 0;
  for (;;) {
    const g = await filesRepo.takeGarbage(deps.db, { olderThanSeconds, limit: 100 });
    await removeBytes(deps, g);
    total += g.length;
    if (g.length < 100) return total;
  }
}
