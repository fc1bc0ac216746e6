/** Workspace administration: deactivate and reactivate people, see live connections (settings: domain/settings/). */
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import * as connectionsRepo from "../db/repos/connections.ts";
import type { Actor, Deps } from "./deps.ts";
import { invalid, notFound } from "./errors.ts";
import { requirePermission } from "./access.ts";
import { withTx } from "./publish.ts";
import { profile } from "./users.ts";

/** Deactivates (or reactivates) a person: their sessions end and their sockets close within seconds. */
export async function setDeactivated(deps: Deps, actor: Actor, userId: number, deactivated: boolean) {
  requirePermission(actor, "chat.manage_users");
  if (userId === actor.userId && deactivated) throw invalid("You cannot deactivate yourself");
  await withTx(deps, async (tx) => {
    const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
    if (!u) throw notFound("No such user");
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

/** Live connections in the workspace, with the page each tab is on. */
export async function connections(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.admin_dashboard");
  return await connectionsRepo.listLive(deps.db, actor.workspaceId);
}
