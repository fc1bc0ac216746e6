/**
 * How a call moves between states once its participants changed (`settle`), and the record it leaves in
 * the conversation when it ends. Used by domain/calls.ts and the sweeper; runs inside their transactions.
 */
import * as callsRepo from "../db/repos/calls.ts";
import * as messagesRepo from "../db/repos/messages.ts";
import * as usersRepo from "../db/repos/users.ts";
import type { Sql } from "../db/client.ts";
import type { CallEndReason, CallInfo } from "../realtime/protocol.ts";
import type { CallRow } from "../db/repos/calls.ts";
import type { Tx } from "./publish.ts";

export async function callInfo(sql: Sql, row: CallRow): Promise<CallInfo> {
  const parts = await callsRepo.participants(sql, [row.id]);
  return toInfo(row, parts);
}

export function toInfo(
  row: CallRow,
  parts: (CallInfo["participants"][number] & { callId: number })[],
): CallInfo {
  return {
    id: row.id,
    channelId: row.channelId,
    media: row.media,
    state: row.state,
    startedBy: row.startedBy,
    startedAt: row.startedAt,
    answeredAt: row.answeredAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    participants: parts.filter((p) => p.callId === row.id).map(({ callId: _, ...p }) => p),
  };
}

/**
 * Decides whether the call goes on after a change, ends it when it should, and tells the conversation.
 * Ringing: nobody left in it -> cancelled; nobody ringing any more -> declined (if someone declined) or
 * missed. Active: one person or nobody in it and nobody ringing -> completed.
 */
export async function settle(tx: Tx, workspaceId: number, callId: number): Promise<CallInfo> {
  const row = (await callsRepo.byId(tx.sql, workspaceId, callId))!;
  let info = await callInfo(tx.sql, row);
  if (info.state !== "ended") {
    const joined = info.participants.filter((p) => p.state === "joined").length;
    const ringing = info.participants.filter((p) => p.state === "ringing").length;
    let reason: CallEndReason | null = null;
    if (info.state === "ringing") {
      if (joined === 0) reason = "cancelled";
      else if (ringing === 0) {
        reason = info.participants.some((p) => p.state === "declined") ? "declined" : "missed";
      }
    } else if (joined <= 1 && ringing === 0) reason = "completed";
    if (reason) {
      await callsRepo.settleRinging(tx.sql, callId, "missed");
      await callsRepo.leaveAll(tx.sql, callId);
      await callsRepo.end(tx.sql, callId, reason);
      info = await callInfo(tx.sql, (await callsRepo.byId(tx.sql, workspaceId, callId))!);
      await record(tx, row.workspaceId, info);
    }
  }
  tx.emit(row.workspaceId, { type: "call_updated", call: info }, {
    kind: "channel",
    channelId: info.channelId,
  });
  return info;
}

const two = (n: number) => String(n).padStart(2, "0");

/** "1:02:03" or "2:05". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** The call's line in the conversation: who started it, how long, who joined, or that it was missed. */
export function recordText(info: CallInfo, names: Map<number, string>): string {
  const kind = info.media === "video" ? "video call" : "audio call";
  const Kind = kind[0].toUpperCase() + kind.slice(1);
  const by = names.get(info.startedBy ?? 0) ?? "someone";
  if (info.endReason === "completed" && info.answeredAt) {
    const ms = new Date(info.endedAt!).getTime() - new Date(info.answeredAt).getTime();
    const joined = info.participants.filter((p) => p.joinedAt).map((p) => names.get(p.userId) ?? "?");
    return `📞 ${Kind} · ${formatDuration(ms)} · started by ${by} · joined: ${joined.join(", ")}`;
  }
  if (info.endReason === "declined") {
    const who = info.participants.filter((p) => p.state === "declined").map((p) =>
      names.get(p.userId) ?? "?"
    );
    return `📞 ${Kind} from ${by} · declined by ${who.join(", ")}`;
  }
  return `📞 Missed ${kind} from ${by}${info.endReason === "cancelled" ? " (cancelled)" : ""}`;
}

async function record(tx: Tx, workspaceId: number, info: CallInfo) {
  const ids = [...new Set([info.startedBy ?? 0, ...info.participants.map((p) => p.userId)])];
  const users = await usersRepo.byIds(tx.sql, workspaceId, ids);
  const names = new Map(users.map((u) => [u.id, u.displayName]));
  await tx.sequenced(workspaceId, info.channelId, async (seq) => {
    const message = await messagesRepo.insert(tx.sql, {
      workspaceId,
      channelId: info.channelId,
      senderId: info.startedBy,
      clientId: `call-${info.id}`,
      seq,
      type: "system",
      body: recordText(info, names),
      replyTo: null,
      mentions: [],
    });
    if (!message) throw new Error(`call ${info.id} was already recorded`);
    return { type: "message_received" as const, channelId: info.channelId, seq, message };
  }, { newMessage: true });
}
