/**
 * The control panel: maintenance mode (a workspace setting, so it reaches open pages through
 * `settings_updated`), signing everyone out, and system broadcasts that each person acknowledges.
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as broadcastsRepo from "../../db/repos/broadcasts.ts";
import * as peopleRepo from "../../db/repos/admin_people.ts";
import type { Actor, Deps } from "../deps.ts";
import { AppError, notFound } from "../errors.ts";
import { requirePermission } from "../access.ts";
import { withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import { readSetting, updateSettings } from "../settings/workspace.ts";
import type { WorkspaceSettingKey } from "../settings/catalog.ts";
import { record, type RequestCtx } from "./audit.ts";

export const MaintenanceInput = z.object({
  on: z.boolean(),
  message: z.string().trim().max(300).optional(),
}).strict();
export const BroadcastInput = z.object({ body: z.string().trim().min(1).max(2000) }).strict();

/** The setting that pauses sends (the grouped send checks it in its own statement). */
export const MAINTENANCE_SETTING = "control.maintenance" satisfies WorkspaceSettingKey;

/** Administrators keep working during maintenance; everyone else is refused sends. */
export async function requireNotMaintenance(sql: Sql, actor: Actor) {
  if (actor.role === "admin") return;
  if (await readSetting(sql, actor.workspaceId, MAINTENANCE_SETTING)) {
    throw new AppError("maintenance", 503, "Parley is under maintenance; sending is paused for now");
  }
}

export async function setMaintenance(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const p = parse(MaintenanceInput, input);
  const patch: Record<string, unknown> = { "control.maintenance": p.on };
  if (p.message !== undefined) patch["control.maintenance_message"] = p.message || null;
  const settings = await updateSettings(deps, actor, patch);
  await record(deps.db, actor, ctx, p.on ? "maintenance_on" : "maintenance_off");
  return { maintenance: settings["control.maintenance"], message: settings["control.maintenance_message"] };
}

/** Ends every session in the workspace but the caller's; every open tab closes within seconds. */
export async function signOutEveryone(deps: Deps, actor: Actor, ctx: RequestCtx) {
  requirePermission(actor, "chat.admin_dashboard");
  return await withTx(deps, async (tx) => {
    const n = await peopleRepo.removeSessionsOfWorkspace(tx.sql, actor.workspaceId, actor.sessionHash);
    await record(tx.sql, actor, ctx, "everyone_signed_out", "", { sessions: n });
    return { sessionsEnded: n };
  });
}

export async function broadcast(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.system_broadcast");
  const { body } = parse(BroadcastInput, input);
  return await withTx(deps, async (tx) => {
    const b = await broadcastsRepo.insert(tx.sql, actor.workspaceId, actor.userId, body);
    await record(tx.sql, actor, ctx, "broadcast_sent", b.id, { body });
    tx.emit(actor.workspaceId, { type: "system_broadcast", broadcast: b }, {
      kind: "workspace",
      workspaceId: actor.workspaceId,
    });
    return b;
  });
}

export async function listBroadcasts(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.system_broadcast");
  return await broadcastsRepo.recent(deps.db, actor.workspaceId, 20);
}

/** Who has and has not acknowledged a broadcast yet. */
export async function report(deps: Deps, actor: Actor, id: number) {
  requirePermission(actor, "chat.system_broadcast");
  const b = await broadcastsRepo.byId(deps.db, actor.workspaceId, id);
  if (!b) throw notFound("No such broadcast");
  const people = await broadcastsRepo.report(deps.db, actor.workspaceId, id);
  return { broadcast: b, people, acknowledged: people.filter((p) => p.ackedAt).length, total: people.length };
}

export async function endBroadcast(deps: Deps, actor: Actor, ctx: RequestCtx, id: number) {
  requirePermission(actor, "chat.system_broadcast");
  await withTx(deps, async (tx) => {
    if (!await broadcastsRepo.byId(tx.sql, actor.workspaceId, id)) throw notFound("No such broadcast");
    await broadcastsRepo.end(tx.sql, actor.workspaceId, id);
    await record(tx.sql, actor, ctx, "broadcast_ended", id);
  });
  return await report(deps, actor, id);
}

/** The broadcasts this person still has to acknowledge (any signed-in person). */
export async function pending(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.access_channels");
  return await broadcastsRepo.pendingFor(deps.db, actor.workspaceId, actor.userId);
}

/** Records that the person saw the broadcast (the senders' report reads it). */
export async function acknowledge(deps: Deps, actor: Actor, id: number) {
  requirePermission(actor, "chat.access_channels");
  await withTx(deps, async (tx) => {
    const b = await broadcastsRepo.byId(tx.sql, actor.workspaceId, id);
    if (!b) throw notFound("No such broadcast");
    await broadcastsRepo.ack(tx.sql, id, actor.userId);
  });
  return { ok: true };
}
