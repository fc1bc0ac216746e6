/**
 * Channel administration (chat.manage_channels): every public and private channel with members and
 * activity (content only through Monitor), archive, unarchive and delete (with the name typed as
 * confirmation). The actions reuse the channel rules in domain/channels.ts and add the request's address
 * to the audit log.
 */
import { z } from "zod";
import * as adminChannelsRepo from "../../db/repos/admin_channels.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import type { Actor, Deps } from "../deps.ts";
import { invalid, notFound } from "../errors.ts";
import { requirePermission } from "../access.ts";
import * as channels from "../channels.ts";
import { parse } from "../validate.ts";
import { withTx } from "../publish.ts";
import { record, type RequestCtx } from "./audit.ts";

export const ChannelsQuery = z.object({
  q: z.string().trim().max(80).optional(),
  kind: z.enum(["public_channel", "private_channel", ""]).optional(),
  state: z.enum(["active", "archived", ""]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(25),
}).strict();
export const DeleteChannelInput = z.object({ confirm: z.string().max(100) }).strict();
export const OwnerInput = z.object({ owner: z.boolean() }).strict();
export const MembersQuery = z.object({ q: z.string().trim().max(80).default("") }).strict();

/** The channel's members for the owner picker (names and channel roles only; content only through Monitor). */
export async function members(deps: Deps, actor: Actor, id: number, input: unknown) {
  requirePermission(actor, "chat.manage_channels");
  const { q } = parse(MembersQuery, input);
  const c = await channelOf(deps, actor, id);
  return { members: await adminChannelsRepo.members(deps.db, c.id, q, 50) };
}

export async function list(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.manage_channels");
  const p = parse(ChannelsQuery, input);
  const f = { q: p.q || undefined, kind: p.kind || undefined, state: p.state || undefined };
  const [rows, total] = await Promise.all([
    adminChannelsRepo.page(deps.db, actor.workspaceId, f, p.limit, (p.page - 1) * p.limit),
    adminChannelsRepo.count(deps.db, actor.workspaceId, f),
  ]);
  return { channels: rows, total, page: p.page, pages: Math.max(1, Math.ceil(total / p.limit)) };
}

async function channelOf(deps: Deps, actor: Actor, id: number) {
  const c = await channelsRepo.byId(deps.db, actor.workspaceId, id);
  if (!c || (c.kind !== "public_channel" && c.kind !== "private_channel")) throw notFound("No such channel");
  return c;
}

export async function setArchived(deps: Deps, actor: Actor, ctx: RequestCtx, id: number, archived: boolean) {
  requirePermission(actor, "chat.manage_channels");
  const c = await channelOf(deps, actor, id);
  const out = await channels.update(deps, actor, id, { archived });
  await record(deps.db, actor, ctx, archived ? "admin_channel_archived" : "admin_channel_unarchived", id, {
    name: c.name,
  });
  return out;
}

/** Deletes a channel and everything in it, once its name is typed as confirmation. */
export async function remove(deps: Deps, actor: Actor, ctx: RequestCtx, id: number, input: unknown) {
  requirePermission(actor, "chat.manage_channels");
  const { confirm } = parse(DeleteChannelInput, input);
  const c = await channelOf(deps, actor, id);
  if (confirm.trim().replace(/^#/, "") !== c.name) {
    throw invalid("confirm: type the channel's name to delete it", [{
      path: "confirm",
      message: "mismatch",
    }]);
  }
  await channels.remove(deps, actor, id);
  await record(deps.db, actor, ctx, "admin_channel_deleted", id, { name: c.name });
}

/**
 * Makes a member of the channel one of its owners (`owner: true`) or takes ownership away (back to member).
 * The person must already be a member. Audited with the address; their open pages learn it at once.
 */
export async function setOwner(
  deps: Deps,
  actor: Actor,
  ctx: RequestCtx,
  id: number,
  userId: number,
  input: unknown,
) {
  requirePermission(actor, "chat.manage_channels");
  const { owner } = parse(OwnerInput, input);
  const c = await channelOf(deps, actor, id);
  await withTx(deps, async ({ sql, emit }) => {
    const m = await channelsRepo.member(sql, c.id, userId);
    if (!m) throw notFound("That person is not a member of this channel");
    const role = owner ? "owner" : m.role === "owner" ? "member" : m.role;
    if (role === m.role) return;
    await channelsRepo.setRole(sql, c.id, userId, role);
    await record(sql, actor, ctx, "admin_channel_owner_changed", c.id, {
      name: c.name,
      userId,
      from: m.role,
      to: role,
    });
    // Live: their open pages refetch what they may do in the channel.
    emit(actor.workspaceId, { type: "access_changed", userId }, { kind: "users", userIds: [userId] });
  });
  return (await adminChannelsRepo.one(deps.db, actor.workspaceId, c.id))!;
}
