/**
 * Presence: online, away, busy, offline, with custom status text and an away message. Several tabs are one
 * user with N connections (across instances, counted in the database); a user goes offline only when the
 * last connection has gone and a short grace period has passed. Changes reach the whole workspace.
 */
import { z } from "zod";
import * as connectionsRepo from "../db/repos/connections.ts";
import * as usersRepo from "../db/repos/users.ts";
import type { PresenceInfo, PresenceStatus } from "../realtime/protocol.ts";
import type { Actor, Deps } from "./deps.ts";
import { parse } from "./validate.ts";

export const GRACE_MS = 5_000;

export const PresenceInput = z.object({
  status: z.enum(["online", "away", "busy"]).optional(),
  statusText: z.string().trim().max(100).optional(),
  awayMessage: z.string().trim().max(200).optional(),
  page: z.string().max(300).optional(),
}).strict();

function effective(u: usersRepo.UserRow, connections: number): PresenceInfo {
  const status: PresenceStatus = connections === 0 ? "offline" : u.status === "offline" ? "online" : u.status;
  return { userId: u.id, status, statusText: u.statusText, awayMessage: u.awayMessage, connections };
}

async function announce(deps: Deps, workspaceId: number, userId: number) {
  const u = await usersRepo.byId(deps.db, workspaceId, userId);
  if (!u) return;
  const info = effective(u, await connectionsRepo.liveCount(deps.db, userId));
  deps.bus.publish([{
    event: { type: "presence_updated", ...info },
    audience: { kind: "workspace", workspaceId },
    workspaceId,
  }]);
}

export async function connected(deps: Deps, actor: Actor, connId: string, page: string, userAgent: string) {
  await connectionsRepo.insert(deps.db, {
    id: connId,
    userId: actor.userId,
    workspaceId: actor.workspaceId,
    instanceId: deps.config.instanceId,
    page,
    userAgent,
  });
  await announce(deps, actor.workspaceId, actor.userId);
}

/** Forgets the connection; the user is announced offline after the grace period if nothing reconnected. */
export async function disconnected(deps: Deps, actor: Actor, connId: string, graceMs = GRACE_MS) {
  await connectionsRepo.remove(deps.db, connId);
  const check = async () => {
    try {
      if (await connectionsRepo.liveCount(deps.db, actor.userId) === 0) {
        await announce(deps, actor.workspaceId, actor.userId);
      }
    } catch { /* shutting down */ }
  };
  if (graceMs <= 0) await check();
  else setTimeout(check, graceMs);
}

/** Status change from the client (also automatic away after inactivity) and the page a tab is on. */
export async function update(deps: Deps, actor: Actor, connId: string, input: unknown) {
  const p = parse(PresenceInput, input);
  if (p.page !== undefined) await connectionsRepo.setPage(deps.db, connId, p.page);
  if (p.status !== undefined || p.statusText !== undefined || p.awayMessage !== undefined) {
    deps.limiter.take(`presence:${actor.userId}`, 60, "Too many status changes");
    await usersRepo.updateStatus(deps.db, actor.userId, p);
    await announce(deps, actor.workspaceId, actor.userId);
  }
  return await one(deps, actor, actor.userId);
}

export async function one(deps: Deps, actor: Actor, userId: number): Promise<PresenceInfo | null> {
  const u = await usersRepo.byId(deps.db, actor.workspaceId, userId);
  if (!u) return null;
  return effective(u, await connectionsRepo.liveCount(deps.db, userId));
}

/** Everyone's presence in the actor's workspace. */
export async function snapshot(deps: Deps, actor: Actor): Promise<PresenceInfo[]> {
  const users = await usersRepo.inWorkspace(deps.db, actor.workspaceId);
  const counts = await connectionsRepo.liveCounts(deps.db, actor.workspaceId);
  return users.filter((u) => !u.deactivatedAt).map((u) => effective(u, counts.get(u.id) ?? 0));
}

export async function heartbeat(deps: Deps, connIds: string[]) {
  await connectionsRepo.touch(deps.db, connIds);
}
