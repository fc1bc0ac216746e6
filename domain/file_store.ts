/**
 * What every upload shares, for staff files (`files.ts`) and visitor attachments (`visitor/files.ts`): the
 * storage services, the checks (declared size within `files.max_bytes`, type by content among
 * `files.allowed_types`) and writing the bytes (images re-encoded without metadata, with a thumbnail).
 */
import type { BlobStorage } from "../db/storage/storage.ts";
import { databaseStorage } from "../db/storage/database.ts";
import { byteReader, withHead } from "../db/storage/byte_reader.ts";
import type { Deps } from "./deps.ts";
import { AppError, invalid } from "./errors.ts";
import { sniff, SNIFF_BYTES } from "./file_sniff.ts";
import { effectiveKind, type ImageProcessor, PROCESSED, vipsImageProcessor } from "./images.ts";
import { readSettings } from "./settings/workspace.ts";
import type { Attachment } from "../realtime/protocol.ts";

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

const cleanName = (raw: string) =>
  // deno-lint-ignore no-control-regex
  raw.normalize("NFC").replace(/[\u0000-\u001f\u007f/\\]+/g, "_").replace(/^\.+/, "").trim().slice(0, 200) ||
  "file";

/**
 * Reads the first `n` bytes (or all there is) and gives back the stream as if nothing had been read. The
 * stream given back is a byte stream over the same reader, so storage reads it into its own buffers
 * (`byte_reader.ts`).
 */
async function peek(body: ReadableStream<Uint8Array>, n: number) {
  const reader = byteReader(body);
  const head = await reader.fill(new Uint8Array(n));
  return { head, rest: withHead(head, reader) };
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

/** Sizes as people read them (the composer's `fmtSize` says the same, so both explain a refusal alike). */
function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 102.4) / 10} KB`;
  return `${Math.round(n / 1024 / 102.4) / 10} MB`;
}

/** An upload that passed the shared checks: declared size within the limit, an allowed type by content. */
export interface CheckedUpload {
  name: string;
  mime: string;
  kind: Attachment["kind"];
  size: number;
  /** The whole body, the sniffed head included. */
  body: ReadableStream<Uint8Array>;
}

/**
 * The checks every upload gets (staff and visitors alike): a declared, non-zero size within the workspace's
 * `files.max_bytes`, and a type found from the bytes (never the name) among `files.allowed_types`.
 */
export async function checkUpload(
  deps: Deps,
  workspaceId: number,
  input: UploadInput,
): Promise<CheckedUpload> {
  const all = await readSettings(deps.db, workspaceId);
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
  const { head, rest } = await peek(input.body, SNIFF_BYTES);
  const t = await sniff(head);
  if (!settings.allowedTypes.includes(t.mime)) {
    await rest.cancel().catch(() => {});
    const what = t.mime === "application/octet-stream" ? "an unknown type" : t.mime;
    throw new AppError("type_not_allowed", 415, `Files of this type (${what}) cannot be shared here`, {
      mime: t.mime,
    });
  }
  return {
    name: cleanName(input.name),
    mime: t.mime,
    kind: effectiveKind(t.mime, t.kind),
    size: input.size,
    body: rest,
  };
}

export interface StoredBytes {
  size: number;
  storageKey: string;
  thumbKey: string | null;
  width: number | null;
  height: number | null;
}

/**
 * Writes a checked upload under `key` (`<key>/original`, and `<key>/thumb` for images, which are re-encoded
 * without their metadata). Whatever was written is removed again when it fails.
 */
export async function storeChecked(deps: Deps, key: string, u: CheckedUpload): Promise<StoredBytes> {
  const svc = services(deps);
  const written: string[] = [];
  try {
    if (u.kind === "image" && PROCESSED.has(u.mime)) {
      const bytes = await collect(u.body, u.size);
      let img;
      try {
        img = await svc.images.process(bytes, u.mime);
      } catch {
        throw new AppError("bad_image", 400, "This image could not be read");
      }
      written.push(`${key}/original`);
      await svc.storage.put(`${key}/original`, oneChunk(img.full), img.full.length);
      written.push(`${key}/thumb`);
      await svc.storage.put(`${key}/thumb`, oneChunk(img.thumb), img.thumb.length);
      const r = { size: img.full.length, storageKey: `${key}/original`, thumbKey: `${key}/thumb` };
      return { ...r, width: img.width, height: img.height };
    }
    written.push(`${key}/original`);
    await svc.storage.put(`${key}/original`, u.body, u.size);
    return { size: u.size, storageKey: `${key}/original`, thumbKey: null, width: null, height: null };
  } catch (err) {
    await Promise.allSettled(written.map((k) => svc.storage.delete(k)));
    if (err instanceof AppError) throw err;
    throw new AppError("upload_failed", 400, "The upload did not complete");
  }
}

/** Removes the bytes `storeChecked` wrote (when what should have recorded them failed). */
export async function forget(deps: Deps, st: StoredBytes | null): Promise<void> {
  if (!st) return;
  const keys = [st.storageKey, ...(st.thumbKey ? [st.thumbKey] : [])];
  await Promise.allSettled(keys.map((k) => services(deps).storage.delete(k)));
}
