/**
 * Rank between workspace roles: nobody acts on someone of equal or higher rank, and nobody hands out a role
 * above their own. (The security work adds `requireOutranks` in domain/access.ts with the same rule; this
 * module is the admin console's use of it.)
 */
import type { Actor } from "../deps.ts";
import { forbidden } from "../errors.ts";
import type { WorkspaceRole } from "../permissions.ts";

export const RANK: Record<WorkspaceRole, number> = { guest: 0, member: 1, moderator: 2, admin: 3 };

export function requireAbove(actor: Actor, target: { id: number; role: WorkspaceRole }) {
  if (target.id === actor.userId) throw forbidden("You cannot do that to yourself here");
  if (RANK[actor.role] <= RANK[target.role]) {
    throw forbidden("You can only act on people of lower rank than yours");
  }
}

export function requireMayGrant(actor: Actor, role: WorkspaceRole) {
  if (RANK[role] > RANK[actor.role] || (RANK[role] === RANK[actor.role] && actor.role !== "admin")) {
    throw forbidden("You cannot give a role equal to or above your own");
  }
}
