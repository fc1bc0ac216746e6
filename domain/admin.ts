/** Workspace administration: deactivate and reactivate people, see live connections (settings: domain/settings/). */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import * as connectionsRepo from "../db/repos/connections.ts";
import type { Actor, Deps } from "./deps.ts";
import { forbidden, invalid, notFound } from "./errors.ts";
import { requirePermission, WORKSPACE_RANK } from "./access.ts";
import { withTx } from "./publish.ts";
import { parse } from "./validate.ts";
import { profile } from "./users.ts";
import type { WorkspaceRole } from "./permissions.ts";

/**
 * Workspace rank: nobody acts on someone of equal or higher rank — except admins, the top rank, on other
 * admins (someone must be able to remove an admin; nobody acts on themselves here).
 */
function requireOutranksInWorkspace(actor: Actor, target: WorkspaceRole) {
  const mine = WORKSPACE_RANK[actor.role];
  const theirs = WORKSPACE_RANK[target];
  if (mine < theirs || (mine === theirs && actor.role !== "admin")) {
    throw forbidden("You cannot act on someone of equal or higher rank");
  }
}

/** Deactivates (or reactivates) a person: their sessions end and their sockets close within seconds. */
export async function setDeactivated(deps: Deps, actor: Actor, userId: number, deactivated: boolean) {
  requirePermission(actor, "chat.manage_users");
  if (userId === actor.userId && deactivated) throw invalid("You cannot deactivate yourself");
  await withTx(deps, async (tx) => {
    const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
    if (!u) throw notFound("No such user");
    // Only on someone of lower rank: a moderator cannot deactivate (or reactivate) an admin or a moderator.
    requireOutranksInWorkspace(actor, u.role);
    await usersRepo.setDeactivated(tx.sql, userId, deactivated);
    if (deactivated) await sessionsRepo.removeForUser(tx.sql, userId);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: deactivated ? "user_deactivated" : "user_reactivated",
      target: String(userId),
    });
    if (deactivated) {
      tx.emit(actor.workspaceId, { type: "session_revoked", reason: "deactivated" }, {
        kind: "users",
        userIds: [userId],
      });
    }
  });
  return profile((await usersRepo.byId(deps.db, actor.workspaceId, userId))!);
}

export const RoleInput = z.object({ role: z.enum(["admin", "moderator", "member", "guest"]) }).strict();

/**
 * Changes a person's workspace role. Only on someone of lower rank, and never to a role above one's own
 * (only admins make admins). Every open socket of theirs, on every instance, acts with the new role from
 * its next action (`access_changed`).
 */
export async function setRole(deps: Deps, actor: Actor, userId: number, input: unknown) {
  const { role } = parse(RoleInput, input);
  requirePermission(actor, "chat.manage_users");
  if (userId === actor.userId) throw invalid("You cannot change your own role");
  await withTx(deps, async (tx) => {
    const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
    if (!u) throw notFound("No such user");
    const mine = WORKSPACE_RANK[actor.role];
    requireOutranksInWorkspace(actor, u.role);
    if (WORKSPACE_RANK[role] > mine || (role === actor.role && role !== "admin")) {
      throw forbidden("You cannot give a role as high as your own");
    }
    await usersRepo.setRole(tx.sql, userId, role);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "user_role_changed",
      target: String(userId),
      detail: { from: u.role, to: role },
    });
    tx.emit(actor.workspaceId, { type: "access_changed", userId }, { kind: "users", userIds: [userId] });
  });
  return profile((await usersRepo.byId(deps.db, actor.workspaceId, userId))!);
}

/** Live connections in the workspace, with the page each tab is on. */
export async function connections(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.admin_dashboard");
  return await connectionsRepo.listLive(deps.db, actor.workspaceId);
}
