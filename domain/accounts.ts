/**
 * Accounts without single sign-on: an admin creates people and resets their passwords; everyone changes
 * their own. Rank is respected: nobody creates, or resets the password of, someone of their own rank or
 * higher (admin > moderator > member > guest), so a moderator cannot take over another moderator or an admin.
 * The first admin comes from the command line (`deno task seed` / the admin CLI), not from this API.
 */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, conflict, forbidden, notFound } from "./errors.ts";
import { requirePermission } from "./access.ts";
import type { WorkspaceRole } from "./permissions.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { withTx } from "./publish.ts";
import { parse } from "./validate.ts";
import { profile } from "./users.ts";

export const RANK: Record<WorkspaceRole, number> = { guest: 0, member: 1, moderator: 2, admin: 3 };

/** The form's rules are these (islands/chat/PasswordForm.tsx shows the same limits). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
const Password = z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);

export const CreateUserInput = z.object({
  username: z.string().trim().regex(/^[a-zA-Z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'"),
  displayName: z.string().trim().min(1).max(80),
  email: z.email().max(254).optional(),
  role: z.enum(["admin", "moderator", "member", "guest"]).default("member"),
  password: Password,
}).strict();

export const ResetPasswordInput = z.object({ password: Password }).strict();

export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: Password,
}).strict();

function requireOutranks(actor: Actor, role: WorkspaceRole, what: string) {
  if (RANK[actor.role] <= RANK[role]) {
    throw forbidden(`You can only ${what} people of a lower rank than yours`);
  }
}

/** Creates a person who signs in with a username and password. */
export async function createUser(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const p = parse(CreateUserInput, input);
  requireOutranks(actor, p.role, "create");
  const passwordHash = await hashPassword(p.password);
  const created = await withTx(deps, async (tx) => {
    if (await usersRepo.byUsername(tx.sql, actor.workspaceId, p.username)) {
      throw conflict(`The username ${p.username} is taken`);
    }
    const u = await usersRepo.insert(tx.sql, {
      workspaceId: actor.workspaceId,
      username: p.username,
      displayName: p.displayName,
      email: p.email ?? null,
      role: p.role,
      passwordHash,
    });
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "user_created",
      target: String(u.id),
      detail: { username: u.username, role: u.role },
    });
    return u;
  });
  return profile(created);
}

/** Sets someone's password; their sessions end and their sockets close (they sign in with the new one). */
export async function resetPassword(deps: Deps, actor: Actor, userId: number, input: unknown) {
  requirePermission(actor, "chat.manage_users");
  const p = parse(ResetPasswordInput, input);
  const target = await usersRepo.byId(deps.db, actor.workspaceId, userId);
  if (!target) throw notFound("No such user");
  if (target.id === actor.userId) {
    throw forbidden("Change your own password with your current one (PUT /api/chat/me/password)");
  }
  requireOutranks(actor, target.role, "reset the password of");
  const hash = await hashPassword(p.password);
  await withTx(deps, async (tx) => {
    await usersRepo.setPasswordHash(tx.sql, target.id, hash);
    await sessionsRepo.removeForUser(tx.sql, target.id);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "password_reset",
      target: String(target.id),
    });
    tx.emit(actor.workspaceId, { type: "session_revoked", reason: "password reset" }, {
      kind: "users",
      userIds: [target.id],
    });
  });
  return profile(target);
}

/** Changes the actor's own password; their other sessions end, this one stays. */
export async function changeOwnPassword(deps: Deps, actor: Actor, input: unknown) {
  const p = parse(ChangePasswordInput, input);
  deps.limiter.take(`password:${actor.userId}`, 10, "Too many password attempts");
  const me = await usersRepo.byId(deps.db, actor.workspaceId, actor.userId);
  if (!me) throw notFound("No such user");
  if (!me.passwordHash) {
    throw new AppError(
      "no_password",
      400,
      "Your account signs in through single sign-on; it has no password",
    );
  }
  if (!(await verifyPassword(p.currentPassword, me.passwordHash))) {
    const message = "is not your current password";
    throw new AppError("wrong_password", 400, `currentPassword: ${message}`, {
      issues: [{ path: "currentPassword", message }],
    });
  }
  if (p.newPassword === p.currentPassword) {
    const message = "must differ from the current one";
    throw new AppError("invalid_input", 400, `newPassword: ${message}`, {
      issues: [{ path: "newPassword", message }],
    });
  }
  const hash = await hashPassword(p.newPassword);
  await withTx(deps, async (tx) => {
    await usersRepo.setPasswordHash(tx.sql, me.id, hash);
    await sessionsRepo.removeForUserExcept(tx.sql, me.id, actor.sessionHash);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "password_changed",
      target: String(me.id),
    });
  });
  return { ok: true as const };
}
