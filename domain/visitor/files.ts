/**
 * Visitor attachments: a visitor attaches a file or image in their conversation; it goes through the same
 * checks and storage as staff files (`file_store.ts`: declared size within `files.max_bytes`, type by
 * content among `files.allowed_types`, images re-encoded without metadata) and arrives as a message that
 * carries it. Only that conversation's token, or staff who may read the conversation, can read it; any
 * other file id answers "not found".
 */
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import * as filesRepo from "../../db/repos/visitor_files.ts";
import type { ByteRange } from "../../db/storage/storage.ts";
import type { Actor, Deps } from "../deps.ts";
import { AppError, conflict, notFound } from "../errors.ts";
import {
  checkUpload,
  forget,
  services,
  storeChecked,
  type StoredBytes,
  type UploadInput,
} from "../file_store.ts";
import { INLINE_TYPES } from "../file_sniff.ts";
import { parseRange } from "../files.ts";
import type { VisitorActor } from "./access.ts";
import { heldConversation } from "./access.ts";
import { readVisitorSettings } from "./settings.ts";
import { staffAudience, toVisitor, visitorTx } from "./publish.ts";

/** Stores the visitor's file and sends the message that carries it (to the visitor's tabs and the agent). */
export async function visitorAttach(deps: Deps, v: VisitorActor, input: UploadInput, ip = "") {
  const s = await readVisitorSettings(deps.db, v.workspaceId);
  if (!s.attachments) {
    await input.body?.cancel().catch(() => {});
    throw new AppError("attachments_off", 403, "Files cannot be sent in this chat");
  }
  const c = await convRepo.byId(deps.db, v.workspaceId, v.conversationId);
  if (!c || c.status === "ended") {
    await input.body?.cancel().catch(() => {});
    throw conflict("This chat has ended");
  }
  deps.limiter.take(`visitor-files:${c.id}`, 10, "Too many files");
  if (ip) deps.limiter.take(`visitor-files-ip:${ip}`, 30, "Too many files from this address");
  const u = await checkUpload(deps, v.workspaceId, input);
  const id = await filesRepo.create(deps.db, {
    workspaceId: v.workspaceId,
    conversationId: c.id,
    name: u.name,
    mime: u.mime,
    kind: u.kind,
    backend: services(deps).storage.backend,
  });
  let st: StoredBytes | null = null;
  try {
    st = await storeChecked(deps, `w${v.workspaceId}/v${c.id}/f${id}`, u);
    const stored = st;
    return await visitorTx(deps, async (sql, emit) => {
      await filesRepo.markReady(sql, id, stored);
      const now = await convRepo.byId(sql, v.workspaceId, c.id);
      if (!now || now.status === "ended") throw conflict("This chat has ended");
      const r = await convRepo.insertMessage(sql, {
        conversationId: c.id,
        workspaceId: c.workspaceId,
        kind: "visitor",
        authorId: null,
        authorName: c.name || "Visitor",
        clientId: `file-${id}`,
        body: u.name,
        fileId: id,
        seenBy: "visitor",
      });
      const e = { type: "visitor_message" as const, conversationId: c.id, message: r.message };
      emit(c.workspaceId, e, toVisitor(c.id));
      emit(c.workspaceId, e, await staffAudience(sql, c.workspaceId, now.agentId));
      return { message: r.message };
    });
  } catch (err) {
    await forget(deps, st);
    await filesRepo.remove(deps.db, id);
    if (err instanceof AppError) throw err;
    throw new AppError("upload_failed", 400, "The upload did not complete");
  }
}

export interface OpenedVisitorFile {
  file: filesRepo.VisitorFileRow;
  mime: string;
  size: number;
  inline: boolean;
  body: ReadableStream<Uint8Array>;
  range: ByteRange | null;
}

async function openRow(
  deps: Deps,
  f: filesRepo.VisitorFileRow,
  o: { variant: "original" | "thumb"; range?: string | null },
): Promise<OpenedVisitorFile> {
  const thumb = o.variant === "thumb";
  if (thumb && !f.thumbKey) throw notFound("This file has no thumbnail");
  const range = !thumb && o.range ? parseRange(o.range, f.size) : null;
  const body = await services(deps).storage.get(thumb ? f.thumbKey! : f.storageKey, range ?? undefined);
  if (!body) throw notFound("No such file");
  const mime = thumb ? "image/webp" : f.mime;
  return { file: f, mime, size: thumb ? -1 : f.size, inline: INLINE_TYPES.has(mime), body, range };
}

const fileOf = async (deps: Deps, workspaceId: number, id: number) => {
  const f = Number.isSafeInteger(id) ? await filesRepo.byId(deps.db, workspaceId, id) : null;
  if (!f || f.status !== "ready") throw notFound("No such file");
  return f;
};

/** A file of the visitor's own conversation; any other id is "not found". */
export async function visitorOpen(
  deps: Deps,
  v: VisitorActor,
  id: number,
  o: { variant: "original" | "thumb"; range?: string | null },
) {
  const f = await fileOf(deps, v.workspaceId, id);
  if (f.conversationId !== v.conversationId) throw notFound("No such file");
  return await openRow(deps, f, o);
}

/** A visitor file for staff who may read its conversation (they hold it, it waits, or they monitor). */
export async function staffOpen(
  deps: Deps,
  actor: Actor,
  id: number,
  o: { variant: "original" | "thumb"; range?: string | null },
) {
  const f = await fileOf(deps, actor.workspaceId, id);
  await heldConversation(deps, actor, f.conversationId, { waitingOk: true, read: true });
  return await openRow(deps, f, o);
}
