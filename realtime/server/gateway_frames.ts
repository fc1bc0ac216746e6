/**
 * The gateway's frames: each one checked (size, JSON, envelope, rate) and run through the action table, and
 * `hello`, which resumes a client from the database (replay, unread counts, presence of whom it follows).
 * Transport only: every rule lives in `domain/`. The protocol is described in `docs/protocol.md`.
 */
import type { UnreadCount } from "../../db/repos/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";
import type { ConnectReads } from "../../domain/connect_reads.ts";
import * as messages from "../../domain/messages.ts";
import * as presence from "../../domain/presence.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { toAppError } from "../../domain/errors.ts";
import type { ErrorBody, SequencedEvent, ServerEvent } from "../protocol.ts";
import { ACTIONS } from "./actions.ts";
import { followPresence } from "./presence_sub.ts";
import { frameId, parseFrame } from "./frames.ts";
import type { Connection, Hub } from "./hub.ts";

function errorFrame(conn: Connection, hub: Hub, id: string | null, e: ErrorBody) {
  hub.sendRaw(conn, JSON.stringify({ type: "error", id, error: e }));
}

/**
 * The unread counts read for a socket when it opened, taken once (by its first hello); null when there are
 * none to take. The promise gives null when that read failed.
 */
export type EarlyCounts = () => Promise<UnreadCount[] | null> | null;
const NO_EARLY_COUNTS: EarlyCounts = () => null;

/**
 * `stored`: settles once this connection's presence row is written (a hello's snapshot counts it).
 * `early`: the unread counts read when the socket opened (`GatewaySocket`), for its first hello.
 */
export async function handleFrame(
  deps: Deps,
  hub: Hub,
  reads: ConnectReads,
  actor: Actor,
  conn: Connection,
  data: unknown,
  stored: () => Promise<unknown>,
  early: EarlyCounts = NO_EARLY_COUNTS,
) {
  const { limits } = deps.config;
  // Every frame counts against the user's rate, whether or not it turns out to be valid. A frame over the
  // rate still gets its answer (with its id when it has one), but nothing else is done for it.
  let limited: ErrorBody | null = null;
  try {
    deps.limiter.take(`frames:${actor.userId}`, limits.framesPerMinute, "Too many frames");
  } catch (err) {
    limited = toAppError(err).toJSON() as ErrorBody;
  }
  const size = typeof data === "string"
    ? data.length
    : data instanceof ArrayBuffer
    ? data.byteLength
    : data instanceof Blob
    ? data.size
    : 0;
  if (size > deps.config.ws.maxFrameBytes) {
    // Deno decodes a whole frame (up to its own 64 MiB cap) before we see it and has no option to refuse
    // it earlier; what we can do is close at once and refuse new sockets to a user who keeps doing it.
    try {
      deps.limiter.take(`oversize:${actor.userId}`, limits.oversizeFramesPerMinute);
    } catch { /* the bucket is empty: the next upgrade is refused */ }
    return hub.close(conn, 1009, "frame too large");
  }
  if (typeof data !== "string") {
    return errorFrame(conn, hub, null, limited ?? { code: "bad_frame", message: "Send JSON text frames" });
  }
  let frame: Record<string, unknown>;
  try {
    const parsed = JSON.parse(data);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    frame = parsed;
  } catch {
    return errorFrame(conn, hub, null, limited ?? { code: "bad_frame", message: "Frames are JSON objects" });
  }
  const id = frameId(frame);
  if (id === null || limited) {
    return errorFrame(
      conn,
      hub,
      id,
      limited ?? {
        code: "bad_frame",
        message: "id: a string of at most 64 characters",
      },
    );
  }
  try {
    // The whole frame is checked (envelope and every field's type) before a handler sees it.
    const checked = parseFrame(frame) as unknown as Record<string, unknown>;
    let data: unknown;
    if (checked.action === "hello") data = await hello(deps, hub, reads, actor, conn, checked, stored, early);
    else {
      const handler = ACTIONS[checked.action as keyof typeof ACTIONS];
      data = await handler({ deps, hub, actor, conn, frame: checked });
    }
    hub.sendRaw(conn, JSON.stringify({ type: "ack", id, data }));
  } catch (err) {
    const e = toAppError(err);
    errorFrame(conn, hub, id, e.toJSON() as ErrorBody);
  }
}

/**
 * Resume: for each channel the client lists with its last sequence, replay exactly what it missed from the
 * database, then flush live events that arrived meanwhile (duplicates skipped by sequence). A client
 * further behind than the replay limit is told to resync that channel.
 */
async function hello(
  deps: Deps,
  hub: Hub,
  reads: ConnectReads,
  actor: Actor,
  conn: Connection,
  frame: Record<string, unknown>,
  stored: () => Promise<unknown>,
  early: EarlyCounts,
) {
  // Checked before anything is done: a refused list leaves the socket as it was.
  const sub = frame.presenceSub === undefined ? null : presence.subscriptionIds(frame.presenceSub);
  const wanted = frame.channels && typeof frame.channels === "object" && !Array.isArray(frame.channels)
    ? frame.channels as Record<string, unknown>
    : {};
  if (typeof frame.page === "string") {
    conn.page = frame.page.slice(0, 300);
    // Stored once this connection's row is written (rows are written in groups), for the admin's list.
    const page = conn.page, id = conn.id;
    void stored().then(() => presence.reportPage(deps, id, page)).catch(() => {});
  }
  const late = conn.resume === "late";
  // The counts read when the socket opened: only for its first hello, and only while every event since the
  // open still waits in `pending` (the hold did not end, no hello flushed it).
  const taken = early();
  const opened = conn.pending && !late ? taken : null;
  if (!conn.pending) conn.pending = [];
  conn.resume = "reading";
  let replay: SequencedEvent[] = [];
  let resync: number[] = [];
  let counted: UnreadCount[] | null = null;
  try {
    const list: { channelId: number; after: number }[] = [];
    const lateResync: number[] = [];
    for (const [key, last] of Object.entries(wanted).slice(0, 2000)) {
      const ch = Number(key);
      if (conn.channels.has(ch) && typeof last === "number" && Number.isSafeInteger(last) && last >= 0) {
        // Live events of this channel went out after the hold ended: what the client lacks before them
        // would come after them, or (written already by sequence) never. The client reloads the channel.
        if (late && (conn.sent.get(ch) ?? -1) > last) lateResync.push(ch);
        else list.push({ channelId: ch, after: last });
      }
    }
    // One query for every channel listed. A channel to resync keeps its live events flowing: its `last`
    // means nothing here (it may even be ahead of the channel).
    const r = await messages.resume(deps, actor, list);
    replay = r.events;
    resync = [...r.resync, ...lateResync];
    for (const [ch, last] of r.resumed) conn.sent.set(ch, Math.max(conn.sent.get(ch) ?? 0, last));
    // Still holding the socket's live events: they wait for this read (started at the open) too.
    if (opened) counted = await opened;
  } finally {
    conn.resume = "";
    // Synchronously: write the replay, then whatever arrived while we read.
    const pending = conn.pending;
    conn.pending = null;
    for (const e of replay) hub.write(conn, JSON.stringify(e), e);
    for (const ch of resync) {
      const e: ServerEvent = { type: "resync_required", channelId: ch, reason: "too far behind" };
      hub.write(conn, JSON.stringify(e), e);
    }
    // The counts read at the open are a snapshot taken after the socket joined its channels: every event
    // since then is in `pending`. None that can change a count (only presence and typing came): every later
    // change reaches the client after this frame, which it adds to the counts. Otherwise they are read
    // again below, after the held events are written, as a hello without them does.
    if (counted && pending && !pending.some(changesCounts)) {
      const ev: ServerEvent = { type: "unread_counts", counts: counted };
      hub.write(conn, JSON.stringify(ev), ev);
    } else counted = null;
    conn.pending = pending;
    hub.endResume(conn);
  }
  // Read with the hellos of the sockets connecting at the same moment (one statement for all of them).
  const counts = counted ? null : reads.unreadCounts(actor);
  // Presence of the people the socket follows, only when asked: a collapsed widget or a bot needs none.
  // Read beside the unread counts (not after them: one round trip less before the ack), after this
  // connection's own row is stored (rows are written in groups), so the list counts it.
  const followed = sub === null && frame.presence !== true
    ? null
    : stored().then(() => followPresence(deps, hub, actor, conn, sub, reads.presence));
  // As when they ran in turn: the counts go out when read, and a failed read fails the hello.
  const [unread, now] = await Promise.allSettled([counts, followed]);
  if (unread.status === "rejected") throw unread.reason;
  if (unread.value) {
    const ev: ServerEvent = { type: "unread_counts", counts: unread.value };
    hub.write(conn, JSON.stringify(ev), ev);
  }
  if (now.status === "rejected") throw now.reason;
  if (now.value === null) return { replayed: replay.length, resync };
  return { replayed: replay.length, resync, presence: now.value };
}

/** The actor of a session as it is now; null when the session ended or the user was deactivated. */
export async function reloadActor(deps: Deps, actor: Actor): Promise<Actor | null> {
  if (!actor.sessionHash) return actor;
  const u = await usersRepo.bySession(deps.db, actor.sessionHash);
  return u && !u.deactivatedAt ? actorFromUser(u, actor.sessionHash) : null;
}

/** Events that cannot change anyone's unread counts: they may come between the open and the hello. */
const COUNTS_UNCHANGED = new Set<ServerEvent["type"]>(["presence_updated", "user_typing"]);
const changesCounts = (p: { event: ServerEvent }) => !COUNTS_UNCHANGED.has(p.event.type);
