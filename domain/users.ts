/** People in the workspace: search, profiles, the actor's own status. */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
import { readSetting } from "./settings/workspace.ts";
import type { Actor, Deps } from "./deps.ts";
import { notFound } from "./errors.ts";
import { requirePermission } from "./access.ts";
import { parse } from "./validate.ts";
import * as presence from "./presence.ts";
import { StatusInput } from "./presence.ts";

export const SearchInput = z.object({
  q: z.string().max(80).default(""),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export { StatusInput } from "./presence.ts";

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

/** `PUT /me/status`: the same domain function as the socket's `update_presence` (it announces), then my profile. */
export async function setStatus(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.access_channels");
  // REST's rule: a status change must name something (the socket's update_presence may carry only a page).
  const p = parse(StatusInput, input);
  await presence.setStatus(deps, actor, p);
  return await get(deps, actor, actor.userId);
}
