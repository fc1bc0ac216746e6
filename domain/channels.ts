/**
 * Channels, direct messages and groups: listing, creating, updating, archiving, joining and leaving.
 * Membership management is in `members.ts`.
 */
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import * as channelsRepo from "../db/repos/channels.ts";
import type { ChannelRow, MemberRow } from "../db/repos/channels.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as sessionsRepo from "../db/repos/sessions.ts";
import type { ChannelSummary } from "../realtime/protocol.ts";
import type { Actor, Deps } from "./deps.ts";
import { AppError, conflict, invalid, notFound } from "./errors.ts";
import { channelDisplayName } from "../shared/naming.ts";
import { canPost, isConversation, readable, requireManager, requirePermission } from "./access.ts";
import { withTx } from "./publish.ts";
import { parse } from "./validate.ts";

export const ChannelName = z.string().trim().toLowerCase().min(1).max(80)
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u,
    "use letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const CreateChannelInput = z.object({
  name: ChannelName,
  kind: z.enum(["public_channel", "private_channel"]).default("public_channel"),
  description: z.string().trim().max(500).default(""),
  readOnly: z.boolean().default(false),
  memberIds: z.array(z.number().int().positive()).max(500).default([]),
}).strict();

export const UpdateChannelInput = z.object({
  name: ChannelName.optional(),
  description: z.string().trim().max(500).optional(),
  readOnly: z.boolean().optional(),
  allowPosting: z.boolean().optional(),
  archived: z.boolean().optional(),
}).strict();

export const DirectInput = z.object({ userId: z.number().int().positive() }).strict();
export const GroupInput = z.object({
  userIds: z.array(z.number().int().positive()).min(2).max(50),
  name: z.string().trim().max(80).optional(),
}).strict();
export const BrowseInput = z.object({
  q: z.string().max(80).default(""),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Builds what a user sees of a channel, with smart names for DMs and groups. */
export async function summarize(
  sql: Sql,
  actor: Actor,
  rows:
    (ChannelRow & { member?: MemberRow | null; unread?: number; mentions?: number; memberCount?: number })[],
): Promise<ChannelSummary[]> {
  const convIds = rows.filter((r) => r.kind === "direct_message" || r.kind === "group").map((r) => r.id);
  const mems = await channelsRepo.membersOf(sql, convIds);
  const users = new Map(
    (await usersRepo.byIds(sql, actor.workspaceId, [...new Set(mems.map((m) => m.userId))])).map((
      u,
    ) => [u.id, u]),
  );
  return rows.map((r) => {
    const people = mems.filter((m) => m.channelId === r.id).map((m) => users.get(m.userId)).filter((u) => !!u)
      .map(usersRepo.summary);
    const isConv = r.kind === "direct_message" || r.kind === "group";
    const member = r.member ?? null;
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      displayName: r.kind === "group" && r.name
        ? r.name
        : channelDisplayName(r.kind, r.name, people, actor.userId),
      description: r.description,
      readOnly: r.readOnly,
      allowPosting: r.allowPosting,
      archived: !!r.archivedAt,
      lastSeq: r.lastSeq,
      lastMessageAt: r.lastMessageAt,
      memberCount: r.memberCount ?? people.length,
      ...(isConv ? { members: people } : {}),
      myRole: member?.role ?? null,
      canPost: member ? canPost(actor, { channel: r, member }) : false,
      lastReadSeq: member?.lastReadSeq ?? 0,
      unread: r.unread ?? 0,
      mentions: r.mentions ?? 0,
    };
  });
}

export async function listMine(deps: Deps, actor: Actor): Promise<ChannelSummary[]> {
  requirePermission(actor, "chat.access_channels");
  const rows = await channelsRepo.forUser(deps.db, actor.workspaceId, actor.userId);
  return await summarize(deps.db, actor, rows);
}

export async function get(deps: Deps, actor: Actor, channelId: number): Promise<ChannelSummary> {
  const a = await readable(deps.db, actor, channelId);
  const count = (await channelsRepo.members(deps.db, channelId)).length;
  return (await summarize(deps.db, actor, [{ ...a.channel, member: a.member, memberCount: count }]))[0];
}

export async function browsePublic(deps: Deps, actor: Actor, input: unknown): Promise<ChannelSummary[]> {
  requirePermission(actor, "chat.access_channels");
  const { q, limit } = parse(BrowseInput, input);
  const rows = await channelsRepo.browsePublic(deps.db, actor.workspaceId, q, limit);
  const mine = new Set(await channelsRepo.channelIdsForUser(deps.db, actor.userId));
  const withMember = await Promise.all(
    rows.map(async (r) => ({
      ...r,
      member: mine.has(r.id) ? await channelsRepo.member(deps.db, r.id, actor.userId) : null,
    })),
  );
  return await summarize(deps.db, actor, withMember);
}

async function requireUsers(sql: Sql, actor: Actor, ids: number[]) {
  const found = await usersRepo.byIds(sql, actor.workspaceId, ids);
  const live = found.filter((u) => !u.deactivatedAt);
  if (live.length !== new Set(ids).size) throw invalid("Some of those people do not exist in this workspace");
  return live;
}

export async function create(deps: Deps, actor: Actor, input: unknown): Promise<ChannelSummary> {
  const p = parse(CreateChannelInput, input);
  requirePermission(actor, "chat.create_channels", "You are not allowed to create channels");
  if (p.kind === "private_channel") {
    requirePermission(actor, "chat.access_private", "You cannot create private channels");
  }
  const channelId = await withTx(deps, async (tx) => {
    if (await channelsRepo.byName(tx.sql, actor.workspaceId, p.name)) {
      throw conflict(`#${p.name} already exists`);
    }
    const others = p.memberIds.filter((id) => id !== actor.userId);
    await requireUsers(tx.sql, actor, others);
    const c = await channelsRepo.insert(tx.sql, {
      workspaceId: actor.workspaceId,
      kind: p.kind,
      name: p.name,
      description: p.description,
      readOnly: p.readOnly,
      createdBy: actor.userId,
    });
    await channelsRepo.addMember(tx.sql, {
      channelId: c.id,
      userId: actor.userId,
      workspaceId: actor.workspaceId,
      role: "owner",
    });
    for (const id of others) {
      await channelsRepo.addMember(tx.sql, { channelId: c.id, userId: id, workspaceId: actor.workspaceId });
    }
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "channel_created",
      target: String(c.id),
      detail: { name: c.name, kind: c.kind },
    });
    for (const id of [actor.userId, ...others]) {
      tx.emit(actor.workspaceId, { type: "user_joined", channelId: c.id, userId: id }, {
        kind: "users",
        userIds: [actor.userId, ...others],
      });
    }
    return c.id;
  });
  return await get(deps, actor, channelId);
}

/** Publishes a fresh channel_updated to its members (each member computes their own view on refetch). */
async function announceUpdate(deps: Deps, actor: Actor, channelId: number) {
  const summary = await get(deps, actor, channelId);
  const ids = (await channelsRepo.members(deps.db, channelId)).map((m) => m.userId);
  deps.bus.publish([{
    event: {
      type: "channel_updated",
      // Without the fields that are the actor's own (role, read position, counts).
      channel: {
        ...summary,
        members: summary.members,
        myRole: undefined,
        canPost: undefined,
        lastReadSeq: undefined,
        unread: undefined,
        mentions: undefined,
      },
    },
    audience: { kind: "users", userIds: ids },
    workspaceId: actor.workspaceId,
  }]);
  return summary;
}

export async function update(
  deps: Deps,
  actor: Actor,
  channelId: number,
  input: unknown,
): Promise<ChannelSummary> {
  const p = parse(UpdateChannelInput, input);
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (a.channel.kind === "direct_message") {
      throw new AppError("not_supported", 400, "Direct messages have no settings");
    }
    // A group has no owners: its members may describe it; anything else takes a channel manager.
    const describing = Object.keys(p).every((k) => k === "description");
    if (!(a.channel.kind === "group" && a.member && describing)) requireManager(actor, a);
    if (p.name && a.channel.kind === "group") throw invalid("Rename groups with the group name");
    if (p.name && p.name !== a.channel.name) {
      const clash = await channelsRepo.byName(tx.sql, actor.workspaceId, p.name);
      if (clash && clash.id !== channelId) throw conflict(`#${p.name} already exists`);
    }
    await channelsRepo.update(tx.sql, channelId, p);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: p.archived === undefined
        ? "channel_updated"
        : p.archived
        ? "channel_archived"
        : "channel_unarchived",
      target: String(channelId),
      detail: p,
    });
  });
  return await announceUpdate(deps, actor, channelId);
}

export async function remove(deps: Deps, actor: Actor, channelId: number): Promise<void> {
  requirePermission(
    actor,
    "chat.manage_channels",
    "Only chat managers can delete channels; archive it instead",
  );
  const ids = await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    const ids = (await channelsRepo.members(tx.sql, channelId)).map((m) => m.userId);
    await channelsRepo.remove(tx.sql, a.channel.id);
    await sessionsRepo.audit(tx.sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "channel_deleted",
      target: String(channelId),
      detail: { name: a.channel.name },
    });
    tx.emit(actor.workspaceId, { type: "channel_removed", channelId }, { kind: "users", userIds: ids });
    return ids;
  });
  void ids;
}

export async function join(deps: Deps, actor: Actor, channelId: number): Promise<ChannelSummary> {
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (a.member) return;
    if (a.channel.kind !== "public_channel") throw notFound("No such channel");
    if (a.channel.archivedAt) throw new AppError("archived", 403, "This channel is archived");
    await channelsRepo.addMember(tx.sql, {
      channelId,
      userId: actor.userId,
      workspaceId: actor.workspaceId,
      lastReadSeq: a.channel.lastSeq,
    });
    // The channel audience includes the joiner: the hub subscribes their connections before fanning out.
    tx.emit(actor.workspaceId, { type: "user_joined", channelId, userId: actor.userId }, {
      kind: "channel",
      channelId,
    });
  });
  return await get(deps, actor, channelId);
}

export async function leave(deps: Deps, actor: Actor, channelId: number): Promise<void> {
  await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, channelId, true);
    if (!a.member) throw new AppError("not_member", 400, "You are not a member of this channel");
    if (a.channel.kind === "direct_message") {
      throw new AppError("not_supported", 400, "You cannot leave a direct message");
    }
    if (a.member.role === "owner" && !isConversation(a.channel)) {
      const owners = (await channelsRepo.members(tx.sql, channelId)).filter((m) => m.role === "owner");
      const others = (await channelsRepo.members(tx.sql, channelId)).filter((m) => m.userId !== actor.userId);
      if (owners.length === 1 && others.length > 0) {
        throw new AppError("last_owner", 400, "Make someone else an owner before you leave");
      }
    }
    await channelsRepo.removeMember(tx.sql, channelId, actor.userId);
    // The channel audience includes the leaver: the hub unsubscribes their connections after fanning out.
    tx.emit(actor.workspaceId, { type: "user_left", channelId, userId: actor.userId }, {
      kind: "channel",
      channelId,
    });
  });
}

/** Creates or returns the one DM between the actor and another user. */
export async function openDirect(deps: Deps, actor: Actor, input: unknown): Promise<ChannelSummary> {
  const { userId } = parse(DirectInput, input);
  requirePermission(actor, "chat.create_direct", "You cannot start direct messages");
  const ids = [actor.userId, userId].sort((a, b) => a - b);
  const dmKey = `dm:${ids[0]}:${ids[1]}`;
  const existing = await channelsRepo.byDmKey(deps.db, actor.workspaceId, dmKey);
  if (existing) return await get(deps, actor, existing.id);
  const id = await withTx(deps, async (tx) => {
    await requireUsers(tx.sql, actor, [userId]);
    const again = await channelsRepo.byDmKey(tx.sql, actor.workspaceId, dmKey);
    if (again) return again.id;
    const c = await channelsRepo.insert(tx.sql, {
      workspaceId: actor.workspaceId,
      kind: "direct_message",
      name: "",
      dmKey,
      createdBy: actor.userId,
    });
    for (const u of new Set(ids)) {
      await channelsRepo.addMember(tx.sql, { channelId: c.id, userId: u, workspaceId: actor.workspaceId });
      tx.emit(actor.workspaceId, { type: "user_joined", channelId: c.id, userId: u }, {
        kind: "users",
        userIds: ids,
      });
    }
    return c.id;
  }).catch(async (err) => {
    // Two people opening the same DM at once: the unique index lets one win; return that one.
    const winner = await channelsRepo.byDmKey(deps.db, actor.workspaceId, dmKey);
    if (winner) return winner.id;
    throw err;
  });
  return await get(deps, actor, id);
}

/** Creates a group conversation of three or more people (the actor plus at least two others). */
export async function openGroup(deps: Deps, actor: Actor, input: unknown): Promise<ChannelSummary> {
  const p = parse(GroupInput, input);
  requirePermission(actor, "chat.create_direct", "You cannot start group conversations");
  const others = [...new Set(p.userIds.filter((id) => id !== actor.userId))];
  if (others.length < 2) throw invalid("A group needs at least three people; use a direct message for two");
  const id = await withTx(deps, async (tx) => {
    await requireUsers(tx.sql, actor, others);
    const c = await channelsRepo.insert(tx.sql, {
      workspaceId: actor.workspaceId,
      kind: "group",
      name: p.name ?? "",
      createdBy: actor.userId,
    });
    const all = [actor.userId, ...others];
    for (const u of all) {
      await channelsRepo.addMember(tx.sql, {
        channelId: c.id,
        userId: u,
        workspaceId: actor.workspaceId,
        // Groups have no owners: the one who started it has no power over the others' messages.
        role: "member",
      });
      tx.emit(actor.workspaceId, { type: "user_joined", channelId: c.id, userId: u }, {
        kind: "users",
        userIds: all,
      });
    }
    return c.id;
  });
  return await get(deps, actor, id);
}
