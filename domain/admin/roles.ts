/**
 * Roles (chat.manage_users): the seed's permission list, the built-in roles, custom roles made from the
 * permissions, and who holds which.
 *
 * Rules: a custom role sits at the rank of a built-in role below admin (guest, member or moderator) and
 * its permissions replace that role's defaults for its holders. Nobody creates, edits, deletes or hands
 * out a custom role at or above their own rank (admins: any), nor one with a permission they do not hold
 * themselves; assigning also needs the person to rank below the actor (`rank.ts`). A role still held
 * cannot be deleted (409): move its holders to another role first. Every change is audited, and holders'
 * open sockets act with the new permissions from their next frame (`access_changed`).
 */
import { z } from "zod";
import * as rolesRepo from "../../db/repos/custom_roles.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { Actor, Deps } from "../deps.ts";
import { AppError, conflict, forbidden, notFound } from "../errors.ts";
import { requirePermission, WORKSPACE_RANK } from "../access.ts";
import { type Tx, withTx } from "../publish.ts";
import { parse } from "../validate.ts";
import { CUSTOM_RANKS, type CustomRank, PERMISSIONS, ROLE_PERMISSIONS } from "../permissions.ts";
import { record, type RequestCtx } from "./audit.ts";
import { requireAbove } from "./rank.ts";

const BUILT_IN = ["admin", "moderator", "member", "guest"] as const;

export const RoleInput = z.object({
  name: z.string().trim().min(1, "a name").max(40).refine(
    (n) => !(BUILT_IN as readonly string[]).includes(n.toLowerCase()),
    "that is a built-in role's name",
  ),
  rank: z.enum(CUSTOM_RANKS),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).transform((ps) =>
    [...new Set(ps)].sort()
  ),
}).strict();
export const RolePatch = RoleInput.partial().strict();

/** Throws unless the actor may create, change or hand out a role at this rank with these permissions. */
export function requireMayDefine(actor: Actor, rank: CustomRank, permissions: readonly string[]) {
  if (WORKSPACE_RANK[rank] >= WORKSPACE_RANK[actor.role]) {
    throw forbidden("You can only manage roles ranked below your own");
  }
  const missing = permissions.filter((p) => !actor.permissions.has(p as never));
  if (missing.length) throw forbidden(`You cannot grant permissions you do not hold: ${missing.join(", ")}`);
}

export async function overview(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.manage_users");
  const [custom, holders, counts] = await Promise.all([
    rolesRepo.list(deps.db, actor.workspaceId),
    rolesRepo.holders(deps.db, actor.workspaceId),
    rolesRepo.builtInCounts(deps.db, actor.workspaceId),
  ]);
  return {
    permissions: [...PERMISSIONS],
    roles: BUILT_IN.map((id) => ({ id, permissions: [...ROLE_PERMISSIONS[id]], people: counts[id] })),
    custom: custom.map((r) => ({
      ...r,
      people: holders.filter((h) => h.customRoleId === r.id).map(({ id, username, displayName }) => ({
        id,
        username,
        displayName,
      })),
    })),
    /** What this actor may hand out (the UI disables the rest; the server checks again). */
    mine: { rank: actor.role, permissions: [...actor.permissions] },
  };
}

const isUnique = (e: unknown) => (e as { code?: string })?.code === "23505";

async function lockRole(tx: Tx, actor: Actor, id: number) {
  const r = await rolesRepo.lock(tx.sql, actor.workspaceId, id);
  if (!r) throw notFound("No such role");
  return r;
}

export async function create(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const p = parse(RoleInput, input);
  requireMayDefine(actor, p.rank, p.permissions);
  try {
    const id = await withTx(deps, async (tx) => {
      if (await rolesRepo.nameTaken(tx.sql, actor.workspaceId, p.name)) throw taken();
      const id = await rolesRepo.insert(tx.sql, actor.workspaceId, p);
      await record(tx.sql, actor, ctx, "role_created", id, p);
      return id;
    });
    return (await rolesRepo.byId(deps.db, actor.workspaceId, id))!;
  } catch (e) {
    throw isUnique(e) ? taken() : e;
  }
}

const taken = () => conflict("A role with that name exists");

export async function update(deps: Deps, actor: Actor, ctx: RequestCtx, id: number, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const p = parse(RolePatch, input);
  try {
    await withTx(deps, async (tx) => {
      const old = await lockRole(tx, actor, id);
      requireMayDefine(actor, old.rank, old.permissions);
      const next = {
        name: p.name ?? old.name,
        rank: p.rank ?? old.rank,
        permissions: p.permissions ?? old.permissions,
      };
      requireMayDefine(actor, next.rank, next.permissions);
      if (p.name && await rolesRepo.nameTaken(tx.sql, actor.workspaceId, p.name, id)) throw taken();
      const holders = await rolesRepo.update(tx.sql, id, next);
      await record(tx.sql, actor, ctx, "role_changed", id, {
        from: { name: old.name, rank: old.rank, permissions: old.permissions },
        to: next,
      });
      if (holders.length) {
        for (const userId of holders) {
          tx.emit(actor.workspaceId, { type: "access_changed", userId }, {
            kind: "users",
            userIds: [userId],
          });
        }
      }
    });
  } catch (e) {
    throw isUnique(e) ? taken() : e;
  }
  return (await rolesRepo.byId(deps.db, actor.workspaceId, id))!;
}

export async function remove(deps: Deps, actor: Actor, ctx: RequestCtx, id: number) {
  requirePermission(actor, "chat.manage_users");
  await withTx(deps, async (tx) => {
    const r = await lockRole(tx, actor, id);
    requireMayDefine(actor, r.rank, r.permissions);
    if (r.holders > 0) {
      throw new AppError(
        "role_in_use",
        409,
        `${r.holders} ${
          r.holders === 1 ? "person holds" : "people hold"
        } this role: give them another role first`,
        { holders: r.holders },
      );
    }
    await rolesRepo.remove(tx.sql, id);
    await record(tx.sql, actor, ctx, "role_deleted", id, { name: r.name });
  });
}

/** Gives a person a custom role (replacing their built-in or custom role). */
export async function assign(deps: Deps, actor: Actor, ctx: RequestCtx, roleId: number, userId: number) {
  requirePermission(actor, "chat.manage_users");
  await withTx(deps, async (tx) => {
    const r = await lockRole(tx, actor, roleId);
    requireMayDefine(actor, r.rank, r.permissions);
    const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
    if (!u) throw notFound("No such person");
    requireAbove(actor, u);
    if (u.customRoleId === r.id) return;
    await rolesRepo.assign(tx.sql, u.id, r.id, r.rank);
    await record(tx.sql, actor, ctx, "role_assigned", u.id, {
      username: u.username,
      from: u.customRoleName ?? u.role,
      to: r.name,
      roleId: r.id,
    });
    tx.emit(actor.workspaceId, { type: "access_changed", userId: u.id }, { kind: "users", userIds: [u.id] });
  });
  return (await rolesRepo.byId(deps.db, actor.workspaceId, roleId))!;
}

/** Takes a custom role from a person: they keep the built-in role of its rank. */
export async function unassign(deps: Deps, actor: Actor, ctx: RequestCtx, roleId: number, userId: number) {
  requirePermission(actor, "chat.manage_users");
  await withTx(deps, async (tx) => {
    const r = await lockRole(tx, actor, roleId);
    requireMayDefine(actor, r.rank, ROLE_PERMISSIONS[r.rank]);
    const u = await usersRepo.byId(tx.sql, actor.workspaceId, userId);
    if (!u || u.customRoleId !== r.id) throw notFound("That person does not hold this role");
    requireAbove(actor, u);
    await usersRepo.setRole(tx.sql, u.id, r.rank);
    await record(tx.sql, actor, ctx, "role_unassigned", u.id, {
      username: u.username,
      from: r.name,
      to: r.rank,
    });
    tx.emit(actor.workspaceId, { type: "access_changed", userId: u.id }, { kind: "users", userIds: [u.id] });
  });
  return (await rolesRepo.byId(deps.db, actor.workspaceId, roleId))!;
}
