/** People in the workspace: search, profiles, the actor's own status. */
import { z } from "zod";
import * as usersRepo from "../db/repos/users.ts";
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

export function profile(u: usersRepo.UserRow) {
  return {
    ...usersRepo.summary(u),
    email: u.email,
    role: u.role,
    status: u.status,
    statusText: u.statusText,
    awayMessage: u.awayMessage,
    deactivated: !!u.deactivatedAt,
  };
}

export async function search(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.access_channels");
  const { q, limit } = parse(SearchInput, input);
  return (await usersRepo.search(deps.db, actor.workspaceId, q, limit)).map(profile);
}

export async function get(deps: Deps, actor: Actor, userId: number) {
  requirePermission(actor, "chat.access_channels");
  const u = await usersRepo.byId(deps.db, actor.workspaceId, userId);
  if (!u) throw notFound("No such user");
  return profile(u);
}

/** `PUT /me/status`: the same domain function as the socket's `update_presence` (it announces), then my profile. */
export async function setStatus(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.access_channels");
  // REST's rule: a status change must name something (the socket's update_presence may carry only a page).
  const p = parse(StatusInput, input);
  await presence.setStatus(deps, actor, p);
  return await get(deps, actor, actor.userId);
}
