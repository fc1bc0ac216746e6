/**
 * Accounts without single sign-on: everyone changes their own password here. Administrators create people
 * and set or reset passwords in `domain/admin/people.ts` (rank-checked, audited). The first admin comes from
 * the command line (`deno task seed` / the admin CLI).
 */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, notFound } from "./errors.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { withTx } from "./publish.ts";
import { parse } from "./validate.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "../shared/password_rules.ts";

export { PASSWORD_MAX, PASSWORD_MIN };
const Password = z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);

export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: Password,
}).strict();

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
