/**
 * Workspace administration: live connections. People (roles, deactivation, passwords) are in
 * `domain/admin/people.ts`; settings in `domain/settings/`.
 */
import * as connectionsRepo from "../db/repos/connections.ts";
import type { Actor, Deps } from "./deps.ts";
import { requirePermission } from "./access.ts";

/** Live connections in the workspace, with the page each tab is on. */
export async function connections(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.admin_dashboard");
  return await connectionsRepo.listLive(deps.db, actor.workspaceId);
}
