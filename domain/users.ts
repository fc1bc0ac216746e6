/** People in the workspace: search, profiles, the actor's own status. */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
import { readSetting } from "./settings/workspace.ts";
import type { Actor, Deps } from "./deps.ts";
import { notFound } from "./errors.ts";
import { requirePermission } from "./access.ts";
import { parse } from "./validate.ts";
import { withTx } from "./publish.ts";

export const SearchInput = z.object({
  q: z.string().max(80).default(""),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const StatusInput = z.object({
  status: z.enum(["online", "away", "busy", "offline"]).optional(),
  statusText: z.string().trim().max(100).optional(),
  awayMessage: z.string().trim().max(200).optional(),
}).strict();

/** A person as others see them; `showEmail` false hides their email address (null). */
export function profile(u: usersRepo.UserRow, showEmail = true) {
  return {
    ...usersRepo.summary(u),
    email: showEmail ? u.email : null,
    role: u.role,
    status: u.status,
    statusText: u.statusText,
    awayMessage: u.awayMessage,
    deactivated: !!u.deactivatedAt,
  };
}

/**
 * Whether the actor sees other people's email addresses: admins (chat.admin_dashboard) do; everyone else
 * only when the workspace turns `directory.show_emails` on. One's own address is always shown.
 */
export async function emailsVisible(deps: Deps, actor: Actor): Promise<boolean> {
  if (actor.permissions.has("chat.admin_dashboard")) return true;
  return await readSetting(deps.db, actor.workspaceId, "directory.show_emails");
}

export async function search(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.access_channels");
  const { q, limit } = parse(SearchInput, input);
  const show = await emailsVisible(deps, actor);
  return (await usersRepo.search(deps.db, actor.workspaceId, q, limit)).map((u) =>
    profile(u, show || u.id === actor.userId)
  );
}

export async function get(deps: Deps, actor: Actor, userId: number) {
  requirePermission(actor, "chat.access_channels");
  const u = await usersRepo.byId(deps.db, actor.workspaceId, userId);
  if (!u) throw notFound("No such user");
  return profile(u, u.id === actor.userId || await emailsVisible(deps, actor));
}

/** Stores the chosen status, custom status text and away message; presence.ts makes it live. */
export async function setStatus(deps: Deps, actor: Actor, input: unknown) {
  const p = parse(StatusInput, input);
  await withTx(deps, async (tx) => {
    await usersRepo.updateStatus(tx.sql, actor.userId, p);
  });
  return await get(deps, actor, actor.userId);
}
