/**
 * Calls: who may start, answer, join, leave and signal, in DMs and groups (docs/calls.md). The server keeps
 * the call's state and relays WebRTC signaling between the sockets that are in the call; media goes
 * browser to browser (mesh, up to the `calls.max_participants` setting), or through TURN, never through Parley.
 *
 * Every function takes the socket id (`connId`) that acts: a person is in a call from one tab, and the
 * other tabs stop ringing when that tab answers.
 */
import { z } from "zod";
import * as callsRepo from "../db/repos/calls.ts";
import * as channelsRepo from "../db/repos/channels.ts";
import * as usersRepo from "../db/repos/users.ts";
import type { CallInfo } from "../realtime/protocol.ts";
import type { Actor, Deps } from "./deps.ts";
import { readable, requirePermission } from "./access.ts";
import { AppError, forbidden, notFound } from "./errors.ts";
import { effectivePermissions } from "./permissions.ts";
import { publishNow, type Tx, withTx } from "./publish.ts";
import { parse } from "./validate.ts";
import { callInfo, settle, toInfo } from "./call_state.ts";
import type { Sql } from "../db/client.ts";
import { readSettings } from "./settings/workspace.ts";

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StartInput = z.object({ channelId: Id, media: z.enum(["audio", "video"]) }).strict();
const CallRef = z.object({ callId: Id }).strict();
const Sdp = z.string().min(1).max(30_000);
const Signal = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["offer", "answer"]), sdp: Sdp }).strict(),
  z.object({
    kind: z.literal("ice"),
    candidate: z.object({
      candidate: z.string().max(1000),
      sdpMid: z.string().max(64).nullish(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
      usernameFragment: z.string().max(256).nullish(),
    }).strict().nullable(),
  }).strict(),
  z.object({
    kind: z.literal("media"),
    audio: z.boolean(),
    video: z.boolean(),
    screen: z.enum(["off", "replace", "beside"]),
  })
    .strict(),
]);
const SignalInput = z.object({ callId: Id, toUserId: Id, signal: Signal }).strict();
export const RatingInput = z.object({ rating: z.number().int().min(1).max(5) }).strict();
export const HistoryInput = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
}).strict();

const callEnded = () => new AppError("call_ended", 409, "This call has ended");

/** The call and the actor's access to its conversation; non-members are told it does not exist. */
async function loadCall(sql: Sql, actor: Actor, callId: number, lock = false) {
  const call = await callsRepo.byId(sql, actor.workspaceId, callId, lock);
  if (!call) throw notFound("No such call");
  const a = await readable(sql, actor, call.channelId).catch(() => null);
  if (!a?.member) throw notFound("No such call");
  return { call, access: a };
}

/** Starts a call in a DM or group: the caller is in it from `connId`; every other member who may receive calls rings. */
export async function start(deps: Deps, actor: Actor, connId: string, input: unknown): Promise<CallInfo> {
  const p = parse(StartInput, input);
  requirePermission(
    actor,
    p.media === "video" ? "chat.make_video_calls" : "chat.make_audio_calls",
    p.media === "video" ? "You may not make video calls" : "You may not make calls",
  );
  deps.limiter.take(`call-start:${actor.userId}`, 30, "You are starting calls too fast");
  return await withTx(deps, async (tx) => {
    const a = await readable(tx.sql, actor, p.channelId, true);
    if (!a.member) throw new AppError("not_member", 403, "Only members of this conversation can call it");
    if (a.channel.kind !== "direct_message" && a.channel.kind !== "group") {
      throw new AppError("invalid_input", 400, "Calls are made from direct messages and groups");
    }
    if (a.channel.archivedAt) throw forbidden("This conversation is archived");
    const settings = await readSettings(tx.sql, actor.workspaceId);
    if (!settings["calls.enabled"]) throw new AppError("calls_disabled", 403, "Calls are turned off here");
    const max = settings["calls.max_participants"];
    const members = await channelsRepo.members(tx.sql, p.channelId);
    if (a.channel.kind === "group") {
      requirePermission(actor, "chat.group_call", "You may not make group calls");
    }
    if (members.length > max) {
      throw new AppError(
        "call_too_large",
        400,
        `Calls have at most ${max} people; this conversation has ${members.length}`,
      );
    }
    const live = await callsRepo.liveInChannel(tx.sql, p.channelId);
    if (live) {
      throw new AppError("call_in_progress", 409, "A call is already going on here: join it", {
        callId: live.id,
      });
    }
    const call = await callsRepo.insert(tx.sql, {
      workspaceId: actor.workspaceId,
      channelId: p.channelId,
      startedBy: actor.userId,
      media: p.media,
    });
    await callsRepo.join(tx.sql, call.id, actor.userId, connId);
    const others = await usersRepo.byIds(
      tx.sql,
      actor.workspaceId,
      members.map((m) => m.userId).filter((u) => u !== actor.userId),
    );
    const callable = others.filter((u) =>
      !u.deactivatedAt &&
      effectivePermissions(u.role, u.permissions, u.rolePermissions).has("chat.receive_calls")
    );
    if (!callable.length) throw new AppError("nobody_to_call", 400, "Nobody here can receive calls");
    await callsRepo.ask(tx.sql, call.id, callable.map((u) => u.id));
    return await settle(tx, actor.workspaceId, call.id);
  });
}

/**
 * Answers a ringing call, or joins one going on in the conversation, from `connId`. Returns the people
 * already in it: the newcomer sends each of them an offer.
 */
export async function join(
  deps: Deps,
  actor: Actor,
  connId: string,
  input: unknown,
): Promise<{ call: CallInfo; peers: number[] }> {
  const { callId } = parse(CallRef, input);
  requirePermission(actor, "chat.receive_calls", "You may not take calls");
  return await withTx(deps, async (tx) => {
    const { call, access } = await loadCall(tx.sql, actor, callId, true);
    if (call.state === "ended") throw callEnded();
    if (access.channel.kind === "group") {
      requirePermission(actor, "chat.group_call", "You may not join group calls");
    }
    const parts = (await callInfo(tx.sql, call)).participants;
    const peers = parts.filter((x) => x.state === "joined" && x.userId !== actor.userId).map((x) => x.userId);
    if (peers.length + 1 > (await readSettings(tx.sql, actor.workspaceId))["calls.max_participants"]) {
      throw new AppError("call_full", 409, "This call is full");
    }
    await callsRepo.join(tx.sql, callId, actor.userId, connId);
    await callsRepo.setActive(tx.sql, callId);
    return { call: await settle(tx, actor.workspaceId, callId), peers };
  });
}

/** Declines a call that rings for the actor (on every tab). */
export async function decline(deps: Deps, actor: Actor, input: unknown): Promise<CallInfo> {
  const { callId } = parse(CallRef, input);
  return await withTx(deps, async (tx) => {
    const { call } = await loadCall(tx.sql, actor, callId, true);
    if (call.state === "ended") throw callEnded();
    const me = await callsRepo.participant(tx.sql, callId, actor.userId);
    if (me?.state !== "ringing") throw new AppError("not_ringing", 409, "This call is not ringing for you");
    await callsRepo.setState(tx.sql, callId, actor.userId, "declined");
    return await settle(tx, actor.workspaceId, callId);
  });
}

/** Leaves (hangs up). The call ends when fewer than two people are left in it and nobody is ringing. */
export async function leave(deps: Deps, actor: Actor, input: unknown): Promise<CallInfo> {
  const { callId } = parse(CallRef, input);
  return await withTx(deps, async (tx) => {
    const { call } = await loadCall(tx.sql, actor, callId, true);
    if (call.state === "ended") return await callInfo(tx.sql, call);
    const me = await callsRepo.participant(tx.sql, callId, actor.userId);
    if (me?.state !== "joined") throw new AppError("not_in_call", 409, "You are not in this call");
    await callsRepo.setState(tx.sql, callId, actor.userId, "left");
    return await settle(tx, actor.workspaceId, callId);
  });
}

/** After a reconnect: the new socket takes the person's place in the call (signaling goes there now). */
export async function rejoin(
  deps: Deps,
  actor: Actor,
  connId: string,
  input: unknown,
): Promise<{ call: CallInfo; peers: number[] }> {
  const { callId } = parse(CallRef, input);
  return await withTx(deps, async (tx) => {
    const { call } = await loadCall(tx.sql, actor, callId, true);
    if (call.state === "ended") throw callEnded();
    const me = await callsRepo.participant(tx.sql, callId, actor.userId);
    if (me?.state !== "joined") throw new AppError("not_in_call", 409, "You are not in this call any more");
    await callsRepo.moveConnection(tx.sql, callId, actor.userId, connId);
    const info = await settle(tx, actor.workspaceId, callId);
    const peers = info.participants.filter((x) => x.state === "joined" && x.userId !== actor.userId);
    return { call: info, peers: peers.map((x) => x.userId) };
  });
}

/**
 * Relays one signaling message to the socket through which `toUserId` is in the call. Both must be in
 * the call (the sender from this very socket) and still members of the conversation.
 */
export async function signal(deps: Deps, actor: Actor, connId: string, input: unknown): Promise<void> {
  const p = parse(SignalInput, input);
  deps.limiter.take(
    `call-signal:${actor.userId}`,
    deps.config.calls.signalsPerMinute,
    "Too many call signals",
  );
  const rows = await deps.db.query<{ userId: number; connectionId: string | null }>(
    `SELECT p.user_id AS "userId", p.connection_id AS "connectionId"
     FROM call_participants p JOIN calls c ON c.id = p.call_id
     JOIN members m ON m.channel_id = c.channel_id AND m.user_id = p.user_id
     WHERE c.id = $1 AND c.workspace_id = $2 AND c.state <> 'ended' AND p.state = 'joined'
       AND p.user_id = ANY($3::bigint[])`,
    [p.callId, actor.workspaceId, [actor.userId, p.toUserId]],
  );
  const me = rows.find((r) => r.userId === actor.userId);
  const to = rows.find((r) => r.userId === p.toUserId);
  if (!me || me.connectionId !== connId) throw new AppError("not_in_call", 403, "You are not in this call");
  if (!to?.connectionId || p.toUserId === actor.userId) {
    throw new AppError("peer_gone", 409, "That person is not in this call");
  }
  publishNow(deps, [{
    event: { type: "call_signal", callId: p.callId, fromUserId: actor.userId, signal: p.signal },
    audience: { kind: "connection", connectionId: to.connectionId },
    workspaceId: actor.workspaceId,
  }]);
}

/** Live calls in the actor's conversations (a new tab rings, and shows "Join call"). */
export async function live(deps: Deps, actor: Actor): Promise<CallInfo[]> {
  const rows = await callsRepo.liveForUser(deps.db, actor.workspaceId, actor.userId);
  const parts = await callsRepo.participants(deps.db, rows.map((r) => r.id));
  return rows.map((r) => toInfo(r, parts));
}

/** The actor's call history, newest first, with how each call went for them. */
export async function history(deps: Deps, actor: Actor, input: unknown) {
  const p = parse(HistoryInput, input);
  const rows = await callsRepo.historyOf(deps.db, actor.workspaceId, actor.userId, p.before ?? null, p.limit);
  const parts = await callsRepo.participants(deps.db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...toInfo(r, parts), myState: r.myState, rating: r.rating }));
}

/** One-click rating after a call, by someone who was in it. */
export async function rate(deps: Deps, actor: Actor, callId: number, input: unknown): Promise<void> {
  const { rating } = parse(RatingInput, input);
  const { call } = await loadCall(deps.db, actor, callId);
  const me = await callsRepo.participant(deps.db, call.id, actor.userId);
  if (!me?.joinedAt) throw new AppError("not_in_call", 403, "Only people who were in the call can rate it");
  await callsRepo.rate(deps.db, call.id, actor.userId, rating);
}

/**
 * The ring timeout and lost sockets, run every second or so by main.ts on every instance (each update is
 * conditional, so two instances never settle the same change twice).
 */
export async function sweep(deps: Deps): Promise<void> {
  const cfg = deps.config.calls;
  for (const c of await callsRepo.unanswered(deps.db, cfg.ringTimeoutMs)) {
    await withTx(deps, async (tx) => {
      const row = await callsRepo.byId(tx.sql, c.workspaceId, c.id, true);
      if (row?.state !== "ringing") return;
      await callsRepo.settleRinging(tx.sql, c.id, "missed");
      await settle(tx, c.workspaceId, c.id);
    });
  }
  const gone = [
    ...(await callsRepo.staleRinging(deps.db, cfg.ringTimeoutMs)).map((x) => ({
      ...x,
      to: "missed" as const,
    })),
    ...(await callsRepo.goneParticipants(deps.db, cfg.disconnectGraceMs)).map((x) => ({
      ...x,
      to: "left" as const,
    })),
  ];
  for (const g of gone) {
    await withTx(deps, async (tx: Tx) => {
      const ws = await tx.sql.query<{ workspaceId: number }>(
        `SELECT workspace_id AS "workspaceId" FROM calls WHERE id = $1 AND state <> 'ended' FOR UPDATE`,
        [g.callId],
      );
      if (!ws[0]) return;
      if (g.to === "left") {
        if (!(await callsRepo.leaveIfGone(tx.sql, g.callId, g.userId))) return;
      } else {
        const now = await callsRepo.participant(tx.sql, g.callId, g.userId);
        if (now?.state !== "ringing") return;
        await callsRepo.setState(tx.sql, g.callId, g.userId, "missed");
      }
      await settle(tx, ws[0].workspaceId, g.callId);
    });
  }
}
