/**
 * Retention (issue 13): each workspace may keep messages for a number of days (`messages.retention_days`,
 * 0 = forever). A job (`retention_worker.ts`) and administrators ("Run retention now", with a dry run)
 * delete older messages through the same path as a person's delete: text and mentions erased, reactions
 * removed, files marked deleted and their bytes swept, a `message_deleted` event in the channel's log, so
 * search, history, replay, threads and file lists no longer show them. Channels on legal hold are skipped.
 * Every run is logged (`retention_runs`) with its counts and written to the audit log.
 */
import { z } from "zod";
import * as retentionRepo from "../../db/repos/retention.ts";
import * as messagesRepo from "../../db/repos/messages.ts";
import * as filesRepo from "../../db/repos/files.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import type { Actor, Deps } from "../deps.ts";
import { invalid, notFound } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import { readSetting } from "../settings/workspace.ts";
import * as files from "../files.ts";
import { record, type RequestCtx } from "./audit.ts";

export const RetentionRunInput = z.object({ dryRun: z.boolean().default(false) }).strict();
export const LegalHoldInput = z.object({
  on: z.boolean(),
  reason: z.string().trim().max(500).default(""),
}).strict();

const BATCH = 500;

interface RunOptions {
  trigger: "schedule" | "admin";
  dryRun: boolean;
  /** Who asked (null: the schedule), for the audit log. */
  by: { actor: Actor; ctx: RequestCtx } | null;
}

/** One retention pass over a workspace; null when its retention is off. */
export async function runForWorkspace(deps: Deps, workspaceId: number, o: RunOptions) {
  const days = await readSetting(deps.db, workspaceId, "messages.retention_days");
  if (days <= 0) return null;
  const cutoff = new Date(deps.now().getTime() - days * 86_400_000).toISOString();
  const held = (await retentionRepo.heldChannels(deps.db, workspaceId)).length;
  const runId = await retentionRepo.startRun(deps.db, {
    workspaceId,
    cutoff,
    days,
    dryRun: o.dryRun,
    trigger: o.trigger,
    held,
  });
  let messages = 0;
  let fileCount = 0;
  if (o.dryRun) {
    ({ messages, files: fileCount } = await retentionRepo.countExpired(deps.db, workspaceId, cutoff));
  } else {
    for (;;) {
      const batch = await retentionRepo.expiredBatch(deps.db, workspaceId, cutoff, BATCH);
      if (!batch.length) break;
      fileCount += await deleteExpiredBatch(deps, workspaceId, batch);
      messages += batch.length;
    }
    if (fileCount) await files.sweep(deps).catch((e) => console.error("retention: file sweep:", e));
  }
  const run = await retentionRepo.finishRun(deps.db, runId, messages, fileCount);
  const detail = {
    run: runId,
    days,
    cutoff,
    dryRun: o.dryRun,
    messages,
    files: fileCount,
    heldChannels: held,
  };
  if (o.by) await record(deps.db, o.by.actor, o.by.ctx, "retention_run", runId, detail);
  else {
    await sessionsRepo.audit(deps.db, {
      workspaceId,
      actorId: null,
      action: "retention_run",
      target: String(runId),
      detail,
    });
  }
  return run;
}

/**
 * Deletes one batch in one transaction, as `messages.remove` does; returns how many files went with it.
 * Purge (`purge.ts`) deletes old messages through it too.
 */
export async function deleteExpiredBatch(deps: Deps, workspaceId: number, batch: retentionRepo.Expired[]) {
  return await withTx(deps, async (tx) => {
    let n = 0;
    for (const m of batch) {
      const deletedAt = await messagesRepo.softDelete(tx.sql, m.id);
      n += await filesRepo.markDeletedForMessage(tx.sql, m.id);
      await tx.sequenced(workspaceId, m.channelId, (seq) => ({
        type: "message_deleted" as const,
        channelId: m.channelId,
        seq,
        messageId: m.id,
        deletedAt,
      }));
    }
    return n;
  });
}

/** `POST /api/admin/retention/run`: a run now (or a dry run that only counts). */
export async function runNow(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const { dryRun } = parse(RetentionRunInput, input);
  const run = await runForWorkspace(deps, actor.workspaceId, {
    trigger: "admin",
    dryRun,
    by: { actor, ctx },
  });
  if (!run) throw invalid("Retention is off: set “Keep messages for (days)” in Settings first");
  return { run };
}

/** `GET /api/admin/retention`: the period, the channels on hold and the recent runs. */
export async function overview(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.admin_dashboard");
  const [days, held, runs] = await Promise.all([
    readSetting(deps.db, actor.workspaceId, "messages.retention_days"),
    retentionRepo.heldChannels(deps.db, actor.workspaceId),
    retentionRepo.recentRuns(deps.db, actor.workspaceId),
  ]);
  return { days, heldChannels: held, runs };
}

/** `PUT /api/admin/channels/:id/legal-hold`: puts a channel on legal hold (or lifts it), audited. */
export async function setLegalHold(
  deps: Deps,
  actor: Actor,
  ctx: RequestCtx,
  channelId: number,
  input: unknown,
) {
  requirePermission(actor, "chat.admin_dashboard");
  const { on, reason } = parse(LegalHoldInput, input);
  const c = await channelsRepo.byId(deps.db, actor.workspaceId, channelId);
  if (!c) throw notFound("No such channel");
  await deps.db.tx(async (sql) => {
    await retentionRepo.setLegalHold(sql, c.id, on);
    await record(sql, actor, ctx, on ? "legal_hold_on" : "legal_hold_off", c.id, { name: c.name, reason });
  });
  return { channelId: c.id, legalHold: on };
}
