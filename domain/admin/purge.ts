/**
 * Purge of old data (Control panel, chat.admin_dashboard): everything older than a number of days, at once,
 * unlike retention (a standing period applied every hour). A dry run counts per kind what would go; the
 * purge itself asks for the word "purge" typed, reports progress batch by batch, and is audited with its
 * counts. Kinds:
 * - messages (and their files): through retention's delete path (text, reactions, files, a
 *   `message_deleted` event), never in channels on legal hold;
 * - channel events older than the cutoff that replay no longer needs (more than WS_REPLAY_LIMIT behind the
 *   channel's head: a client that far behind resyncs anyway), not in channels on legal hold;
 * - ended visitor conversations (with their messages, rating and attachments, bytes included);
 * - audit entries (the purge's own entry is written after).
 * One purge at a time per workspace (a second one is refused with 409 while the first runs).
 */
import { z } from "zod";
import * as purgeRepo from "../../db/repos/purge.ts";
import * as retentionRepo from "../../db/repos/retention.ts";
import type { Actor, Deps } from "../deps.ts";
import { conflict, invalid } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { parse } from "../validate.ts";
import * as files from "../files.ts";
import { record, type RequestCtx } from "./audit.ts";
import { deleteExpiredBatch } from "./retention.ts";

export const CONFIRM_WORD = "purge";
export const PurgeDryRunInput = z.object({
  olderThanDays: z.number().int().min(1).max(36500).describe("Purge what is older than this many days"),
}).strict();
export const PurgeInput = PurgeDryRunInput.extend({
  confirm: z.string().max(50).describe(`The word "${CONFIRM_WORD}", typed`),
}).strict();

export const KINDS = ["messages", "files", "events", "visitorConversations", "auditEntries"] as const;
export type Kind = typeof KINDS[number];
export type Counts = Record<Kind, number>;

export interface Progress {
  kind: Kind;
  done: number;
  total: number;
}

const BATCH = 500;

function cutoffOf(deps: Deps, days: number) {
  return new Date(deps.now().getTime() - days * 86_400_000).toISOString();
}

async function count(deps: Deps, workspaceId: number, cutoff: string): Promise<Counts> {
  const [m, o] = await Promise.all([
    retentionRepo.countExpired(deps.db, workspaceId, cutoff),
    purgeRepo.countOld(deps.db, workspaceId, cutoff, deps.config.ws.replayLimit),
  ]);
  return { messages: m.messages, files: m.files, ...o };
}

/** `POST /api/admin/purge/dry-run`: what a purge would delete, per kind; changes nothing but the audit log. */
export async function dryRun(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const { olderThanDays } = parse(PurgeDryRunInput, input);
  const cutoff = cutoffOf(deps, olderThanDays);
  const counts = await count(deps, actor.workspaceId, cutoff);
  await record(deps.db, actor, ctx, "purge_dry_run", "", { olderThanDays, cutoff, ...counts });
  return { olderThanDays, cutoff, counts };
}

/**
 * `POST /api/admin/purge`: checks permission and confirmation first (errors before anything is deleted),
 * then returns the work as an async iterator of progress steps; the last step's counts are what went.
 */
export async function start(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const { olderThanDays, confirm } = parse(PurgeInput, input);
  if (confirm.trim() !== CONFIRM_WORD) {
    throw invalid(`Type “${CONFIRM_WORD}” to confirm the purge`, [{
      path: "confirm",
      message: "Does not match",
    }]);
  }
  const cutoff = cutoffOf(deps, olderThanDays);
  if (!(await purgeRepo.claim(deps.db, actor.workspaceId))) throw conflict("A purge is already running");
  try {
    const totals = await count(deps, actor.workspaceId, cutoff);
    return { cutoff, totals, steps: run(deps, actor, ctx, olderThanDays, cutoff, totals) };
  } catch (e) {
    await purgeRepo.release(deps.db, actor.workspaceId);
    throw e;
  }
}

async function* run(
  deps: Deps,
  actor: Actor,
  ctx: RequestCtx,
  olderThanDays: number,
  cutoff: string,
  totals: Counts,
): AsyncGenerator<Progress, Counts> {
  const ws = actor.workspaceId;
  const done: Counts = { messages: 0, files: 0, events: 0, visitorConversations: 0, auditEntries: 0 };
  const step = (kind: Kind): Progress => ({
    kind,
    done: done[kind],
    total: Math.max(totals[kind], done[kind]),
  });
  try {
    for (;;) {
      const batch = await retentionRepo.expiredBatch(deps.db, ws, cutoff, BATCH);
      if (!batch.length) break;
      done.files += await deleteExpiredBatch(deps, ws, batch);
      done.messages += batch.length;
      yield step("messages");
    }
    if (done.files) await files.sweep(deps).catch((e) => console.error("purge: file sweep:", e));
    yield step("files");
    for (;;) {
      const n = await purgeRepo.deleteEvents(deps.db, ws, cutoff, deps.config.ws.replayLimit, BATCH * 10);
      done.events += n;
      if (!n) break;
      yield step("events");
    }
    const store = files.services(deps).storage;
    for (;;) {
      const batch = await purgeRepo.oldVisitorBatch(deps.db, ws, cutoff, BATCH);
      if (!batch.length) break;
      for (const v of batch) {
        if (v.backends.some((b) => b !== store.backend)) continue; // another backend's bytes: its operator's
        for (const k of v.keys) await store.delete(k).catch((e) => console.error(`purge: delete ${k}:`, e));
      }
      done.visitorConversations += await purgeRepo.deleteVisitorConversations(
        deps.db,
        batch.map((v) => v.id),
      );
      yield step("visitorConversations");
    }
    for (;;) {
      const n = await purgeRepo.deleteAudit(deps.db, ws, cutoff, BATCH * 10);
      done.auditEntries += n;
      if (!n) break;
      yield step("auditEntries");
    }
  } finally {
    // Audited with what went, even when the purge stopped half way (an error, the client gone).
    await record(deps.db, actor, ctx, "purge", "", { olderThanDays, cutoff, ...done })
      .catch((e) => console.error("purge: audit:", e));
    await purgeRepo.release(deps.db, ws).catch((e) => console.error("purge: release:", e));
  }
  return done;
}
