/**
 * Files: upload (streamed, typed by content, limited by the workspace's settings), attach to a message,
 * serve to people who may read the conversation, list per conversation, and remove with the message or
 * when no message ever carried them. Design notes: docs/files-and-search.md.
 */
import { z } from "zod";
import * as filesRepo from "../db/repos/files.ts";
import type { BlobStorage, ByteRange } from "../db/storage/storage.ts";
import { databaseStorage } from "../db/storage/database.ts";
import type { Sql } from "../db/client.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, invalid, notFound } from "./errors.ts";
import { readable, requirePermission, requirePost } from "./access.ts";
import { INLINE_TYPES, sniff, SNIFF_BYTES } from "./file_sniff.ts";
import { effectiveKind, type ImageProcessor, PROCESSED, vipsImageProcessor } from "./images.ts";
import { readSettings } from "./settings/workspace.ts";
import { parse } from "./validate.ts";
import type { Attachment } from "../realtime/protocol.ts";

export const UploadQuery = z.object({ name: z.string().max(255).describe("the file's name") });
export const FileVariantInput = z.object({
  variant: z.enum(["original", "thumb"]).optional().describe("thumb: a small WebP of an image"),
});
export const FilesPageInput = z.object({
  before: z.coerce.number().int().positive().optional().describe("file id: older than this"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** What the file functions need besides the database: where bytes go, and the image processor. */
export interface FileServices {
  storage: BlobStorage;
  images: ImageProcessor;
  /** Files that no message carried after this long are removed. */
  orphanSeconds: number;
}

/** The file services of `deps`, made once on first use when `main.ts` gave none (database storage). */
export function services(deps: Deps): FileServices {
  return deps.files ??= {
    storage: databaseStorage(deps.db),
    images: vipsImageProcessor(),
    orphanSeconds: 3600,
  };
}

export interface UploadInput {
  name: string;
  /** The request's Content-Length: uploads must declare their size. */
  size: number | null;
  body: ReadableStream<Uint8Array> | null;
}

export interface UploadedFile extends Attachment {
  channelId: number;
}

const cleanName = (raw: string) =>
  // deno-lint-ignore no-control-regex
  raw.normalize("NFC").replace(/[\u0000-\u001f\u007f/\\]+/g, "_").replace(/^\.+/, "").trim().slice(0, 200) ||
  "file";

/** Reads at least `n` bytes (or all there is) and gives back the stream as if nothing had been read. */
async function peek(body: ReadableStream<Uint8Array>, n: number) {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    have += r.value.length;
  }
  const head = new Uint8Array(have);
  let off = 0;
  for (const p of parts) head.set(p, (off += p.length) - p.length);
  const rest = new ReadableStream<Uint8Array>({
    start(ctl) {
      if (head.length) ctl.enqueue(head);
      if (done) ctl.close();
    },
    async pull(ctl) {
      const r = await reader.read();
      if (r.done) ctl.close();
      else ctl.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head: head.subarray(0, n), rest };
}

async function collect(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let off = 0;
  for await (const chunk of stream) {
    if (off + chunk.length > size) {
      throw new AppError("size_mismatch", 400, "The file is larger than declared");
    }
    out.set(chunk, off);
    off += chunk.length;
  }
  if (off !== size) throw new AppError("size_mismatch", 400, "The upload ended before the declared size");
  return out;
}

const oneChunk = (b: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(b);
      c.close();
    },
  });

const human = (n: number) =>
  n >= 1024 * 1024 ? `${Math.round(n / 1024 / 102.4) / 10} MB` : `${Math.ceil(n / 1024)} KB`;

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
  const all = await readSettings(deps.db, actor.workspaceId);
  const settings = { maxBytes: all["files.max_bytes"], allowedTypes: all["files.allowed_types"] };
  if (input.size === null || !Number.isSafeInteger(input.size) || input.size < 0) {
    throw new AppError("length_required", 411, "Uploads must declare their size (Content-Length)");
  }
  if (input.size === 0 || !input.body) throw invalid("The file is empty");
  if (input.size > settings.maxBytes) {
    await input.body.cancel().catch(() => {});
    throw new AppError(
      "too_large",
      413,
      `Files can be at most ${human(settings.maxBytes)}; this one is ${human(input.size)}`,
    );
  }
  const name = cleanName(input.name);
  const { head, rest } = await peek(input.body, SNIFF_BYTES);
  const t = await sniff(head);
  if (!settings.allowedTypes.includes(t.mime)) {
    await rest.cancel().catch(() => {});
    const what = t.mime === "application/octet-stream" ? "an unknown type" : t.mime;
    throw new AppError("type_not_allowed", 415, `Files of this type (${what}) cannot be shared here`, {
      mime: t.mime,
    });
  }
  const svc = services(deps);
  const kind = effectiveKind(t.mime, t.kind);
  const id = await filesRepo.create(deps.db, {
    workspaceId: actor.workspaceId,
    channelId,
    uploaderId: actor.userId,
    name,
    mime: t.mime,
    kind,
    backend: svc.storage.backend,
  });
  const key = `w${actor.workspaceId}/f${id}`;
  const written: string[] = [];
  try {
    let size = input.size;
    let thumbKey: string | null = null;
    let width: number | null = null;
    let height: number | null = null;
    if (kind === "image" && PROCESSED.has(t.mime)) {
      const bytes = await collect(rest, input.size);
      let img;
      try {
        img = await svc.images.process(bytes, t.mime);
      } catch {
        throw new AppError("bad_image", 400, "This image could not be read");
      }
      await svc.storage.put(`${key}/original`, oneChunk(img.full), img.full.length);
      written.push(`${key}/original`);
      await svc.storage.put(`${key}/thumb`, oneChunk(img.thumb), img.thumb.length);
      written.push(thumbKey = `${key}/thumb`);
      size = img.full.length;
      width = img.width;
      height = img.height;
    } else {
      written.push(`${key}/original`);
      await svc.storage.put(`${key}/original`, rest, input.size);
    }
    await filesRepo.markReady(deps.db, id, { size, storageKey: `${key}/original`, thumbKey, width, height });
    return { id, channelId, name, mime: t.mime, kind, size, width, height, thumb: thumbKey !== null };
  } catch (err) {
    await Promise.allSettled(written.map((k) => svc.storage.delete(k)));
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
