/** Who may see and post in a channel. Every domain operation on a channel goes through these checks. */
import type { Sql } from "../db/client.ts";
import { canManageChannel, canModerateChannel, isModeratorRole } from "../shared/rules.ts";
import * as channelsRepo from "../db/repos/channels.ts";
import type { ChannelRow, MemberRow } from "../db/repos/channels.ts";
import type { Actor } from "./deps.ts";
import { AppError, forbidden, notFound } from "./errors.ts";
import type { Permission, WorkspaceRole } from "./permissions.ts";

export function requirePermission(actor: Actor, p: Permission, why?: string) {
  if (!actor.permissions.has(p)) throw forbidden(why ?? `You need the ${p} permission`);
}

export const isPrivateKind = (c: ChannelRow) => c.kind !== "public_channel";
/** DMs and groups: conversations between people, with no owners or moderators among them. */
export const isConversation = (c: ChannelRow) => c.kind === "direct_message" || c.kind === "group";
/** A channel role with moderating power (never in a DM or group, whatever its row says). */
export const isChannelModerator = (m: MemberRow | null, c?: ChannelRow) =>
  !!m && !(c && isConversation(c)) && isModeratorRole(m.role);

// ---- rank: nobody acts on someone of equal or higher rank -----------------------------------------

/** Workspace roles by rank. */
export const WORKSPACE_RANK: Record<WorkspaceRole, number> = { guest: 0, member: 1, moderator: 2, admin: 3 };

/**
 * Rank within a channel, from the channel role (not in DMs and groups, which have none) and the workspace
 * permissions: holders of chat.manage_channels outrank every channel role, moderators of the workspace
 * rank above channel moderators and below channel admins.
 */
export const CHANNEL_RANK: Record<MemberRow["role"], number> = {
  member: 1,
  moderator: 2,
  admin: 3,
  owner: 4,
};

export function channelRank(
  perms: ReadonlySet<string>,
  channel: ChannelRow,
  member: MemberRow | null,
): number {
  let r = member ? (isConversation(channel) ? 1 : CHANNEL_RANK[member.role]) : 0;
  if (perms.has("chat.manage_channels")) r = Math.max(r, 5);
  else if (perms.has("chat.moderate_channels") || perms.has("chat.delete_messages")) r = Math.max(r, 2.5);
  return r;
}

/** Throws unless the actor outranks the target (a workspace member with their membership) in this channel. */
export function requireOutranks(
  actor: Actor,
  a: ChannelAccess,
  target: { permissions: ReadonlySet<string>; member: MemberRow | null },
  why = "You cannot act on someone of equal or higher rank",
) {
  if (
    channelRank(actor.permissions, a.channel, a.member) <=
      channelRank(target.permissions, a.channel, target.member)
  ) {
    throw forbidden(why);
  }
}

export interface ChannelAccess {
  channel: ChannelRow;
  member: MemberRow | null;
}

/**
 * Loads a channel the actor may read. Private channels, DMs and groups do not exist for non-members
 * (404, so their existence does not leak), unless the actor holds chat.monitor_all; for guests, no
 * channel they were not invited to exists.
 */
export async function readable(
  sql: Sql,
  actor: Actor,
  channelId: number,
  lock = false,
): Promise<ChannelAccess> {
  return mayRead(actor, await channelsRepo.withMember(sql, actor.workspaceId, channelId, actor.userId, lock));
}

/** `readable`'s rule on a channel and membership already loaded (null: no such channel). */
export function mayRead(actor: Actor, found: ChannelAccess | null): ChannelAccess {
  if (!found) throw notFound("No such channel");
  const { channel, member } = found;
  // Guests see only the channels they were invited to, public ones included.
  if (
    !member && (isPrivateKind(channel) || actor.role === "guest") &&
    !actor.permissions.has("chat.monitor_all")
  ) {
    throw notFound("No such channel");
  }
  requirePermission(actor, "chat.access_channels");
  return { channel, member };
}

/** Channel managers: its owner/admin, or holders of chat.manage_channels. */
export function requireManager(actor: Actor, a: ChannelAccess) {
  if (canManageChannel(actor.permissions, a.member?.role, isConversation(a.channel))) return;
  throw forbidden("Only the channel's owners and admins can do that");
}

/** Channel moderators: owner/admin/moderator of the channel, or chat.moderate_channels holders. */
export function requireModerator(actor: Actor, a: ChannelAccess) {
  if (canModerateChannel(actor.permissions, a.member?.role, isConversation(a.channel))) return;
  throw forbidden("Only the channel's moderators can do that");
}

/** Throws the reason the actor cannot post here, if any. */
export function requirePost(actor: Actor, a: ChannelAccess) {
  const { channel, member } = a;
  if (!member) throw new AppError("not_member", 403, "Join the channel to post in it");
  if (channel.archivedAt) throw new AppError("archived", 403, "This channel is archived and read-only");
  const mod = isChannelModerator(member, channel) || actor.permissions.has("chat.moderate_channels");
  if (!member.canPost) {
    throw new AppError("blocked", 403, "You have been blocked from posting in this channel");
  }
  if ((channel.readOnly || !channel.allowPosting) && !mod) {
    throw new AppError("read_only", 403, "This channel is read-only: only moderators can post");
  }
}

export function canPost(actor: Actor, a: ChannelAccess): boolean {
  try {
    requirePost(actor, a);
    return true;
  } catch {
    return false;
  }
}
