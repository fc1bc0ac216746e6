/** Channel membership: list, add, remove, change role, block and unblock posting. */
import { z } from "zod";
import * as channelsRepo from "../db/repos/channels.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, forbidden, invalid, notFound } from "./errors.ts";
import {
  CHANNEL_RANK,
  channelRank,
  isChannelModerator,
  isConversation,
  readable,
  requireManager,
  requireModerator,
  requireOutranks,
} from "./access.ts";
import { effectivePermissions } from "./permissions.ts";
import type { Sql } from "../db/client.ts";
import { withTx } from "./publish.ts";
import { parse } from "./validate.ts";

export const AddMembersInput = z.object({ userIds: z.array(z.number().int().positive()).min(1).max(500) })
  .strict();
export const RoleInput = z.object({ role: z.enum(["owner", "admin", "moderator", "member"]) }).strict();

/**
 * The members of a channel as the actor may see them: read positions only where receipts are shown (DMs
 * and groups), who is blocked (and by whom) only to the channel's moderators.
 */
export async function list(deps: Deps, actor: Actor, channelId: number) {
  const a = await readable(deps.db, actor, channelId);
  const receipts = isConversation(a.channel);
  const moderation = actor.permissions.has("chat.moderate_channels") ||
    actor.permissions.has("chat.manage_channels") || isChannelModerator(a.member, a.channel);
  const mems = await channelsRepo.members(deps.db, channelId);
  const users = new Map(
    (await usersRepo.byIds(deps.db, actor.workspaceId, mems.map((m) => m.userId))).map((u) => [u.id, u]),
  );
  return mems.map((m) => {
    const u = users.get(m.userId)!;
    return {
      ...usersRepo.summary(u),
      role: m.role,
      joinedAt: m.joinedAt,
      ...(moderation ? { canPost: m.canPost, blockedBy: m.blockedBy, blockedAt: m.blockedAt } : {}),
      ...(receipts ? { lastReadSeq: m.lastReadSeq } : {}),
    };
  });
}

export async function add(deps: Deps, actor: Actor, channelId: number, input: unknown) {
  const { userIds } = parse(AddMembersInput, input);
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (a.channel.kind === "direct_message") {
      throw new AppError("not_supported", 400, "Start a group to add people");
    }
    if (a.channel.archivedAt) throw new AppError("archived", 403, "This channel is archived");
    if (a.channel.kind === "group") {
      if (!a.member) throw forbidden("Only members can add people to a group");
    } else if (a.channel.kind === "private_channel" || !a.member) requireModerator(actor, a);
    const users = await usersRepo.byIds(tx.sql, actor.workspaceId, userIds);
    if (users.length !== new Set(userIds).size || users.some((u) => u.deactivatedAt)) {
      throw invalid("Some of those people do not exist in this workspace");
    }
    for (const u of users) {
      const added = await channelsRepo.addMember(tx.sql, {
        channelId,
        userId: u.id,
        workspaceId: actor.workspaceId,
        lastReadSeq: 0,
      });
      if (!added) continue;
      const ev = { type: "user_joined", channelId, userId: u.id } as const;
      // The channel audience includes the new member (the hub subscribes them first).
      tx.emit(actor.workspaceId, ev, { kind: "channel", channelId });
    }
  });
  return await list(deps, actor, channelId);
}

export async function remove(deps: Deps, actor: Actor, channelId: number, userId: number) {
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (a.channel.kind === "direct_message") {
      throw new AppError("not_supported", 400, "Nobody can be removed from a DM");
    }
    if (userId !== actor.userId) requireModerator(actor, a);
    const target = await targetOf(tx.sql, actor, channelId, userId);
    if (userId !== actor.userId) {
      requireOutranks(actor, a, target, "You cannot remove someone of equal or higher rank");
    }
    await channelsRepo.removeMember(tx.sql, channelId, userId);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "member_removed",
      target: `${channelId}:${userId}`,
    });
    const ev = { type: "user_left", channelId, userId } as const;
    // The channel audience includes the removed member (the hub unsubscribes them afterwards).
    tx.emit(actor.workspaceId, ev, { kind: "channel", channelId });
  });
}

export async function setRole(deps: Deps, actor: Actor, channelId: number, userId: number, input: unknown) {
  const { role } = parse(RoleInput, input);
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (isConversation(a.channel)) {
      throw new AppError("not_supported", 400, "Direct messages and groups have no roles");
    }
    requireManager(actor, a);
    const target = await targetOf(tx.sql, actor, channelId, userId);
    const mine = channelRank(actor.permissions, a.channel, a.member);
    if (userId === actor.userId) {
      // On oneself: stepping down only.
      if (CHANNEL_RANK[role] > CHANNEL_RANK[target.member.role]) {
        throw forbidden("You cannot promote yourself");
      }
    } else {
      requireOutranks(actor, a, target, "You cannot change the role of someone of equal or higher rank");
      if (CHANNEL_RANK[role] > mine) throw forbidden("You cannot give a role above your own");
    }
    await channelsRepo.setRole(tx.sql, channelId, userId, role);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "member_role_changed",
      target: `${channelId}:${userId}`,
      detail: { role },
    });
  });
  return await list(deps, actor, channelId);
}

/** Blocks (or unblocks) a member from posting. Moderators and chat.moderate_channels holders only. */
export async function setBlocked(
  deps: Deps,
  actor: Actor,
  channelId: number,
  userId: number,
  blocked: boolean,
) {
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    requireModerator(actor, a);
    if (userId === actor.userId) throw invalid("You cannot block yourself");
    const target = await targetOf(tx.sql, actor, channelId, userId);
    requireOutranks(actor, a, target, "You cannot block someone of equal or higher rank");
    await channelsRepo.setBlocked(tx.sql, channelId, userId, blocked ? actor.userId : null);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: blocked ? "member_blocked" : "member_unblocked",
      target: `${channelId}:${userId}`,
    });
  });
  return await list(deps, actor, channelId);
}

/** A member of the channel with their workspace permissions, for rank checks. */
async function targetOf(sql: Sql, actor: Actor, channelId: number, userId: number) {
  const member = await channelsRepo.member(sql, channelId, userId);
  if (!member) throw notFound("That person is not a member");
  const u = await usersRepo.byId(sql, actor.workspaceId, userId);
  return {
    member,
    permissions: u ? effectivePermissions(u.role, u.permissions, u.rolePermissions) : new Set<string>(),
  };
}
