/** Typed queries on calls and their participants. No business rules (those are in domain/calls.ts). */
import type { Sql } from "../client.ts";
import { LIVE_SECONDS } from "./connections.ts";
import type {
  CallEndReason,
  CallInfo,
  CallMedia,
  CallParticipant,
  CallParticipantState,
} from "../../realtime/protocol.ts";

export interface CallRow extends Omit<CallInfo, "participants"> {
  workspaceId: number;
}

const COLS = `c.id, c.workspace_id AS "workspaceId", c.channel_id AS "channelId", c.media, c.state,
  c.started_by AS "startedBy", c.started_at AS "startedAt", c.answered_at AS "answeredAt", c.ended_at AS "endedAt",
  c.end_reason AS "endReason"`;
/**
 * The participant's socket is gone: its connection row was removed (closed) or is no longer refreshed (its
 * instance stopped without closing it; such rows stay until `connectionsRepo.purgeStale`, as for presence).
 */
const SOCKET_GONE = `NOT EXISTS (SELECT 1 FROM connections k WHERE k.id = p.connection_id
  AND k.seen_at > now() - make_interval(secs => ${LIVE_SECONDS}))`;

const PCOLS = `p.user_id AS "userId", p.state, p.connection_id AS "connectionId", p.joined_at AS "joinedAt",
  p.left_at AS "leftAt"`;

export async function byId(sql: Sql, workspaceId: number, id: number, lock = false): Promise<CallRow | null> {
  const r = await sql.query<CallRow>(
    `SELECT ${COLS} FROM calls c WHERE c.workspace_id = $1 AND c.id = $2${lock ? " FOR UPDATE" : ""}`,
    [workspaceId, id],
  );
  return r[0] ?? null;
}

export async function liveInChannel(sql: Sql, channelId: number): Promise<CallRow | null> {
  const r = await sql.query<CallRow>(
    `SELECT ${COLS} FROM calls c WHERE c.channel_id = $1 AND c.state <> 'ended'`,
    [channelId],
  );
  return r[0] ?? null;
}

/** Live calls in the conversations `userId` belongs to. */
export async function liveForUser(sql: Sql, workspaceId: number, userId: number): Promise<CallRow[]> {
  return await sql.query<CallRow>(
    `SELECT ${COLS} FROM calls c JOIN members m ON m.channel_id = c.channel_id AND m.user_id = $2
     WHERE c.workspace_id = $1 AND c.state <> 'ended' ORDER BY c.id`,
    [workspaceId, userId],
  );
}

export async function insert(
  sql: Sql,
  c: { workspaceId: number; channelId: number; startedBy: number; media: CallMedia },
): Promise<CallRow> {
  const r = await sql.query<CallRow>(
    `INSERT INTO calls AS c (workspace_id, channel_id, started_by, media) VALUES ($1, $2, $3, $4)
     RETURNING ${COLS}`,
    [c.workspaceId, c.channelId, c.startedBy, c.media],
  );
  return r[0];
}

export async function setActive(sql: Sql, id: number): Promise<void> {
  await sql.query(
    `UPDATE calls SET state = 'active', answered_at = coalesce(answered_at, now()) WHERE id = $1`,
    [id],
  );
}

export async function end(sql: Sql, id: number, reason: CallEndReason): Promise<boolean> {
  const r = await sql.query(
    `UPDATE calls SET state = 'ended', end_reason = $2, ended_at = now() WHERE id = $1 AND state <> 'ended'
     RETURNING id`,
    [id, reason],
  );
  return r.length > 0;
}

export async function participants(
  sql: Sql,
  callIds: number[],
): Promise<(CallParticipant & { callId: number })[]> {
  if (!callIds.length) return [];
  return await sql.query(
    `SELECT p.call_id AS "callId", ${PCOLS} FROM call_participants p WHERE p.call_id = ANY($1::bigint[])
     ORDER BY p.asked_at, p.user_id`,
    [callIds],
  );
}

export async function participant(
  sql: Sql,
  callId: number,
  userId: number,
): Promise<(CallParticipant & { rating: number | null }) | null> {
  const r = await sql.query<CallParticipant & { rating: number | null }>(
    `SELECT ${PCOLS}, p.rating FROM call_participants p WHERE p.call_id = $1 AND p.user_id = $2`,
    [callId, userId],
  );
  return r[0] ?? null;
}

/** Adds people as ringing (or joined, for the caller); existing rows are left alone unless `reset`. */
export async function ask(sql: Sql, callId: number, userIds: number[]): Promise<void> {
  if (!userIds.length) return;
  await sql.query(
    `INSERT INTO call_participants (call_id, user_id, state) SELECT $1, unnest($2::bigint[]), 'ringing'
     ON CONFLICT (call_id, user_id) DO NOTHING`,
    [callId, userIds],
  );
}

export async function join(sql: Sql, callId: number, userId: number, connectionId: string): Promise<void> {
  await sql.query(
    `INSERT INTO call_participants (call_id, user_id, state, connection_id, joined_at)
     VALUES ($1, $2, 'joined', $3, now())
     ON CONFLICT (call_id, user_id) DO UPDATE SET state = 'joined', connection_id = $3,
       joined_at = coalesce(call_participants.joined_at, now()), left_at = NULL, disconnected_at = NULL`,
    [callId, userId, connectionId],
  );
}

export async function setState(
  sql: Sql,
  callId: number,
  userId: number,
  state: CallParticipantState,
): Promise<void> {
  await sql.query(
    `UPDATE call_participants SET state = $3, connection_id = NULL,
       left_at = CASE WHEN $3 = 'left' THEN now() ELSE left_at END
     WHERE call_id = $1 AND user_id = $2`,
    [callId, userId, state],
  );
}

/** Everyone still ringing in a call becomes `state` (missed when the call ends unanswered). */
export async function settleRinging(sql: Sql, callId: number, state: "missed" | "left"): Promise<void> {
  await sql.query(
    `UPDATE call_participants SET state = $2 WHERE call_id = $1 AND state = 'ringing'`,
    [callId, state],
  );
}

export async function leaveAll(sql: Sql, callId: number): Promise<void> {
  await sql.query(
    `UPDATE call_participants SET state = 'left', left_at = now(), connection_id = NULL
     WHERE call_id = $1 AND state = 'joined'`,
    [callId],
  );
}

export async function moveConnection(sql: Sql, callId: number, userId: number, connectionId: string) {
  await sql.query(
    `UPDATE call_participants SET connection_id = $3, disconnected_at = NULL WHERE call_id = $1 AND user_id = $2`,
    [callId, userId, connectionId],
  );
}

export async function rate(sql: Sql, callId: number, userId: number, rating: number): Promise<void> {
  await sql.query(`UPDATE call_participants SET rating = $3 WHERE call_id = $1 AND user_id = $2`, [
    callId,
    userId,
    rating,
  ]);
}

/** Calls ringing longer than `ms` with nobody answering (for every workspace; the sweeper's query). */
export async function unanswered(sql: Sql, ms: number): Promise<CallRow[]> {
  return await sql.query<CallRow>(
    `SELECT ${COLS} FROM calls c WHERE c.state = 'ringing' AND c.started_at < now() - make_interval(secs => $1)`,
    [ms / 1000],
  );
}

/** Participants of active calls still ringing after `ms` (they missed it). */
export async function staleRinging(sql: Sql, ms: number): Promise<{ callId: number; userId: number }[]> {
  return await sql.query(
    `SELECT p.call_id AS "callId", p.user_id AS "userId" FROM call_participants p JOIN calls c ON c.id = p.call_id
     WHERE c.state = 'active' AND p.state = 'ringing' AND p.asked_at < now() - make_interval(secs => $1)`,
    [ms / 1000],
  );
}

/**
 * Joined participants whose socket is gone (no live connection row): marks them disconnected now, and returns
 * the ones disconnected for longer than `graceMs` (they have left).
 */
export async function goneParticipants(
  sql: Sql,
  graceMs: number,
): Promise<{ callId: number; userId: number }[]> {
  await sql.query(
    `UPDATE call_participants p SET disconnected_at = now()
     WHERE p.state = 'joined' AND p.disconnected_at IS NULL
       AND ${SOCKET_GONE}`,
  );
  return await sql.query(
    `SELECT p.call_id AS "callId", p.user_id AS "userId" FROM call_participants p
     WHERE p.state = 'joined' AND p.disconnected_at < now() - make_interval(secs => $1)
       AND ${SOCKET_GONE}`,
    [graceMs / 1000],
  );
}

/** Marks a participant left if their socket is still gone (a rejoin may have come meanwhile). */
export async function leaveIfGone(sql: Sql, callId: number, userId: number): Promise<boolean> {
  const r = await sql.query(
    `UPDATE call_participants p SET state = 'left', left_at = now(), connection_id = NULL
     WHERE p.call_id = $1 AND p.user_id = $2 AND p.state = 'joined' AND p.disconnected_at IS NOT NULL
       AND ${SOCKET_GONE} RETURNING p.user_id`,
    [callId, userId],
  );
  return r.length > 0;
}

export interface HistoryRow extends CallRow {
  myState: CallParticipantState;
  rating: number | null;
}

/** The calls a person was asked to or joined, newest first. */
export async function historyOf(
  sql: Sql,
  workspaceId: number,
  userId: number,
  beforeId: number | null,
  limit: number,
): Promise<HistoryRow[]> {
  return await sql.query<HistoryRow>(
    `SELECT ${COLS}, p.state AS "myState", p.rating FROM call_participants p JOIN calls c ON c.id = p.call_id
     WHERE p.user_id = $2 AND c.workspace_id = $1 AND ($3::bigint IS NULL OR c.id < $3)
     ORDER BY c.id DESC LIMIT $4`,
    [workspaceId, userId, beforeId, limit],
  );
}
