/**
 * Rank between workspace roles, as in domain/admin.ts: nobody acts on someone of equal or higher rank
 * (except admins, the top rank, on other admins), nobody acts on themselves here, and nobody hands out a
 * role above their own (only admins make admins) or with permissions they do not hold.
 */
import type { Actor } from "../deps.ts";
import { forbidden } from "../errors.ts";
import { WORKSPACE_RANK } from "../access.ts";
import { ROLE_PERMISSIONS, type WorkspaceRole } from "../permissions.ts";

export function requireAbove(actor: Actor, target: { id: number; role: WorkspaceRole }) {
  if (target.id === actor.userId) throw forbidden("You cannot do that to yourself here");
  const mine = WORKSPACE_RANK[actor.role];
  const theirs = WORKSPACE_RANK[target.role];
  if (mine < theirs || (mine === theirs && actor.role !== "admin")) {
    throw forbidden("You can only act on people of lower rank than yours");
  }
}

export function requireMayGrant(actor: Actor, role: WorkspaceRole) {
  const mine = WORKSPACE_RANK[actor.role];
  if (WORKSPACE_RANK[role] > mine || (role === actor.role && role !== "admin")) {
    throw forbidden("You cannot give a role equal to or above your own");
  }
  // A custom role may rank high and hold little: nobody grants permissions they do not hold.
  const missing = ROLE_PERMISSIONS[role].filter((p) => !actor.permissions.has(p));
  if (missing.length) throw forbidden(`You cannot grant permissions you do not hold: ${missing.join(", ")}`);
}
