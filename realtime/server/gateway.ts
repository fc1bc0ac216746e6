/**
 * The WebSocket gateway at `/api/chat/ws`: authenticates at the handshake (session cookie or bearer token),
 * checks Origin, decodes frames, runs the action table, and resumes clients from the database.
 * Transport only: every rule lives in `domain/`. The protocol is described in `docs/protocol.md`.
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import * as auth from "../../domain/auth.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";
import { effectivePermissions } from "../../domain/permissions.ts";
import * as messages from "../../domain/messages.ts";
import * as presence from "../../domain/presence.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { AppError, toAppError, unauthenticated } from "../../domain/errors.ts";
import type { AppEnv } from "../../routes/env.ts";
import { originAllowed, tokenFrom } from "../../routes/middleware/auth.ts";
import { clientIp } from "../../routes/middleware/client_address.ts";
import type { ErrorBody, SequencedEvent, ServerEvent } from "../protocol.ts";
import { ACTIONS } from "./actions.ts";
import { followPresence } from "./presence_sub.ts";
import { hostAllowed, originOf, redeemSocketTicket } from "../../domain/embed.ts";
import { frameId, parseFrame } from "./frames.ts";
import { Connection, type Hub } from "./hub.ts";

const HELLO_TIMEOUT_MS = 10_000;
/** Connections whose hello is reading the replay from the database. */
const resuming = new WeakSet<Connection>();
const SESSION_CHECK_MS = 3_000;
/** The periodic check walks the sockets in this many slices per `SESSION_CHECK_MS`. */
const CHECK_SLICES = 10;

/** The `/ws` route and a `stop` that ends the background checks (session revocation, heartbeats). */
export function createGateway(deps: Deps, hub: Hub) {
  const app = new Hono<AppEnv>();
  /** Who each socket acts as: re-read when the user's role or permissions change. */
  const actors = new WeakMap<Connection, Actor>();
  /** The channel ids read with the session at the upgrade (a ticket's upgrade reads them when it opens). */
  const upgradeChannels = new WeakMap<Actor, number[]>();
  const timer = startBackgroundChecks(deps, hub, actors);

  app.get(
    "/ws",
    async function authenticateUpgrade(c, next) {
      // Non-browser clients send no Origin; browsers always do, and it must be ours or allow-listed, or
      // the socket opens with a ticket issued to that very origin (the staff widget on a host
      // application's origin, docs/widget.md), whose embed session is bound to it.
      const ticket = c.req.query("ticket");
      if (!ticket && c.req.header("origin") && !originAllowed(c, deps)) {
        throw new AppError("bad_origin", 403, "This origin may not open a Parley socket");
      }
      deps.limiter.take(
        `connect-ip:${clientIp(c, deps.config.trustedProxies)}`,
        deps.config.limits.connectsPerMinute * 20,
        "Too many connections",
      );
      let actor: Actor | null;
      if (ticket) {
        actor = await redeemSocketTicket(deps, ticket, originOf(c.req.header("origin")));
        if (!actor) throw new AppError("bad_ticket", 403, "This socket ticket is not valid here");
      } else {
        const { token } = tokenFrom(c);
        const found = await auth.authenticateSocket(deps, token);
        if (!found) throw unauthenticated(token ? "Your session has ended; sign in again" : "Sign in first");
        actor = found.actor;
        upgradeChannels.set(actor, found.channelIds);
        // An embed session's bearer token opens sockets only through tickets.
        if (actor.embedOrigin) throw new AppError("bad_origin", 403, "Open the socket with a ticket");
      }
      if (!deps.limiter.available(`oversize:${actor.userId}`, deps.config.limits.oversizeFramesPerMinute)) {
        throw new AppError("rate_limited", 429, "Too many oversized frames; try again in a minute", {
          retryAfter: 60,
        });
      }
      deps.limiter.take(
        `connect:${actor.userId}`,
        deps.config.limits.connectsPerMinute,
        "Too many connection attempts",
      );
      c.set("actor", actor);
      await next();
    },
    upgradeWebSocket((c) => {
      let actor = c.get("actor");
      let refreshing: Promise<Actor | null> | null = null;
      /**
       * The actor for the next frame: after a role or permission change (`access_changed` through the bus,
       * or the background check) it is read again, once, before any further action runs.
       */
      const current = (conn: Connection): Actor | null | Promise<Actor | null> => {
        // The common case, answered synchronously: no promise per frame.
        if (!conn.stale && !refreshing) return actor;
        if (conn.stale) {
          conn.stale = false;
          refreshing = reloadActor(deps, actor).then((a) => {
            if (a) {
              actor = a;
              actors.set(conn, a);
            }
            conn.mayMonitor = !!a?.permissions.has("chat.monitor_all");
            if (!conn.mayMonitor) hub.endWatches(conn, "access_changed");
            return a;
          }).finally(() => (refreshing = null));
        }
        return refreshing ?? actor;
      };
      const userAgent = c.req.header("user-agent") ?? "";
      const address = clientIp(c, deps.config.trustedProxies);
      let conn: Connection | null = null;
      // A client may send `hello` as soon as the socket opens, before `ready`: frames wait until the
      // connection is registered with its channels, in the order they came.
      const registered = Promise.withResolvers<void>();
      /** Set with `registered`: later frames start at once instead of through a promise each. */
      let isRegistered = false;
      const register = () => {
        isRegistered = true;
        registered.resolve();
      };
      let present: Promise<unknown> = Promise.resolve();
      const frame = (c: Connection, now: Actor | null, data: unknown) => {
        if (c.closed) return;
        if (!now) {
          hub.sendRaw(c, JSON.stringify({ type: "session_revoked", reason: "session ended" }));
          return hub.close(c, 4001, "session ended");
        }
        void handleFrame(deps, hub, now, c, data, () => present);
      };
      return {
        onOpen: async (_evt, ws) => {
          const raw = ws.raw as WebSocket;
          conn = new Connection(crypto.randomUUID(), actor.userId, actor.workspaceId, actor.sessionHash, raw);
          conn.pending = [];
          conn.mayMonitor = actor.permissions.has("chat.monitor_all");
          conn.address = address;
          actors.set(conn, actor);
          let channelIds: number[];
          try {
            const preloaded = upgradeChannels.get(actor);
            upgradeChannels.delete(actor);
            channelIds = preloaded ?? await channelsRepo.channelIdsForUser(deps.db, actor.userId);
          } catch (err) {
            // A socket registered with no channels would look connected and never receive anything.
            console.error("gateway: loading the channels of a new connection failed", err);
            conn.closed = true;
            register();
            raw.close(1011, "could not load your channels");
            return;
          }
          register();
          if (conn.closed) return;
          hub.add(conn, channelIds);
          hub.sendRaw(
            conn,
            JSON.stringify({
              type: "ready",
              connectionId: conn.id,
              userId: actor.userId,
              heartbeatMs: deps.config.ws.heartbeatMs,
            }),
          );
          const opened = conn;
          // Not while a hello is reading its replay: live events flushed now would go out before the replayed
          // ones, which would then be skipped as already sent.
          setTimeout(
            () => opened.pending && !resuming.has(opened) && hub.endResume(opened),
            HELLO_TIMEOUT_MS,
          );
          present = presence.connected(deps, actor, conn.id, "", userAgent).catch((e) =>
            console.error("presence", e)
          );
        },
        onMessage: (evt, _ws) => {
          if (!conn || conn.closed) return;
          conn.lastSeen = Date.now();
          const c = conn;
          const run = () => {
            if (c.closed) return;
            const now = current(c);
            // Frames start in the order they came: a frame waiting for the actor's re-read holds the next
            // ones behind it exactly as before (each awaited the same re-read, in order).
            if (!(now instanceof Promise)) return void frame(c, now, evt.data);
            now.then((a) => frame(c, a, evt.data), (err) => {
              // Never act with the old permissions: this frame is refused, the next one reads again.
              c.stale = true;
              console.error("gateway: reading the user again failed", err);
              errorFrame(c, hub, null, { code: "unavailable", message: "Please try again" });
            });
          };
          // Before registration, frames wait for it in order; after, they start at once (no promise each).
          if (isRegistered) run();
          else void registered.promise.then(run);
        },
        onClose: () => {
          if (!conn) return;
          hub.remove(conn);
          // After the connection row exists, or a fast close would leave a ghost "online" row behind.
          const id = conn.id;
          void present.then(() => presence.disconnected(deps, actor, id)).catch(() => {});
        },
        onError: () => {
          if (conn) hub.remove(conn);
        },
      };
    }, { idleTimeout: 60 }),
  );
  return { routes: app, stop: () => clearInterval(timer) };
}

function errorFrame(conn: Connection, hub: Hub, id: string | null, e: ErrorBody) {
  hub.sendRaw(conn, JSON.stringify({ type: "error", id, error: e }));
}

/** `stored`: settles once this connection's presence row is written (a hello's snapshot counts it). */
async function handleFrame(
  deps: Deps,
  hub: Hub,
  actor: Actor,
  conn: Connection,
  data: unknown,
  stored: () => Promise<unknown>,
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
    if (checked.action === "hello") data = await hello(deps, hub, actor, conn, checked, stored);
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
  actor: Actor,
  conn: Connection,
  frame: Record<string, unknown>,
  stored: () => Promise<unknown>,
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
  if (!conn.pending) conn.pending = [];
  resuming.add(conn);
  let replay: SequencedEvent[] = [];
  let resync: number[] = [];
  try {
    const list: { channelId: number; after: number }[] = [];
    for (const [key, last] of Object.entries(wanted).slice(0, 2000)) {
      const ch = Number(key);
      if (conn.channels.has(ch) && typeof last === "number" && Number.isSafeInteger(last) && last >= 0) {
        list.push({ channelId: ch, after: last });
      }
    }
    // One query for every channel listed. A channel to resync keeps its live events flowing: its `last`
    // means nothing here (it may even be ahead of the channel).
    const r = await messages.resume(deps, actor, list);
    replay = r.events;
    resync = r.resync;
    for (const [ch, last] of r.resumed) conn.sent.set(ch, Math.max(conn.sent.get(ch) ?? 0, last));
  } finally {
    resuming.delete(conn);
    // Synchronously: write the replay, then whatever arrived while we read.
    const pending = conn.pending;
    conn.pending = null;
    for (const e of replay) hub.write(conn, JSON.stringify(e), e);
    for (const ch of resync) {
      const e: ServerEvent = { type: "resync_required", channelId: ch, reason: "too far behind" };
      hub.write(conn, JSON.stringify(e), e);
    }
    conn.pending = pending;
    hub.endResume(conn);
  }
  const counts = await channelsRepo.unreadCounts(deps.db, actor.workspaceId, actor.userId);
  const ev: ServerEvent = { type: "unread_counts", counts };
  hub.write(conn, JSON.stringify(ev), ev);
  // Presence of the people the socket follows, only when asked: a collapsed widget or a bot needs none.
  if (sub === null && frame.presence !== true) return { replayed: replay.length, resync };
  // After this connection's own row is stored (rows are written in groups), so the list counts it.
  await stored();
  return { replayed: replay.length, resync, presence: await followPresence(deps, hub, actor, conn, sub) };
}

/** The actor of a session as it is now; null when the session ended or the user was deactivated. */
async function reloadActor(deps: Deps, actor: Actor): Promise<Actor | null> {
  if (!actor.sessionHash) return actor;
  const u = await usersRepo.bySession(deps.db, actor.sessionHash);
  return u && !u.deactivatedAt ? actorFromUser(u, actor.sessionHash) : null;
}

/**
 * Embed sockets (the staff widget on a host application's origin) whose origin was taken off the workspace's
 * `widget.host_origins`: their API calls are refused at once; this ends their sockets within a check too.
 */
async function closeDisallowedEmbeds(
  deps: Deps,
  hub: Hub,
  conns: Connection[],
  actors: WeakMap<Connection, Actor>,
) {
  const verdicts = new Map<string, Promise<boolean>>();
  for (const c of conns) {
    const a = actors.get(c);
    if (!a?.embedOrigin || c.closed) continue;
    const key = `${a.workspaceId} ${a.embedOrigin}`;
    if (!verdicts.has(key)) verdicts.set(key, hostAllowed(deps, a.workspaceId, a.embedOrigin));
    if (await verdicts.get(key)) continue;
    hub.sendRaw(
      c,
      JSON.stringify({ type: "session_revoked", reason: "This site may no longer embed Parley" }),
    );
    hub.close(c, 4001, "origin not allowed");
  }
}

const accessKey = (role: string, perms: Iterable<string>) => `${role}:${[...perms].sort().join(",")}`;
/** An actor's access key, computed once per actor (actors are replaced, never changed, when access changes). */
const actorKeys = new WeakMap<Actor, string>();
function actorKey(a: Actor): string {
  let k = actorKeys.get(a);
  if (k === undefined) actorKeys.set(a, k = accessKey(a.role, a.permissions));
  return k;
}

/**
 * Every few seconds: close sockets whose session ended; mark sockets whose user's role or permissions
 * changed by any means (the event covers the domain's own changes at once; this covers the rest, such as
 * a sign-in that brought new roles); refresh this instance's connection rows.
 *
 * Incremental: every socket is still checked once per `SESSION_CHECK_MS`, but in `CHECK_SLICES` slices
 * spread over that time (a tenth of the sockets every 300 ms), so a large instance never stops its event
 * loop for one walk over every socket and one statement with every session (with 10,000 sockets that walk
 * and the decoding of its rows held every frame and fan-out behind it).
 */
function startBackgroundChecks(deps: Deps, hub: Hub, actors: WeakMap<Connection, Actor>) {
  let beat = 0;
  /** The sockets of this round not checked yet (a Map's iterator sees sockets added meanwhile). */
  let round: Iterator<Connection> | null = null;
  let perSlice = 0;
  let busy = false;
  const id = setInterval(async () => {
    if (busy) return;
    if (!round) {
      if (!hub.conns.size) return;
      round = hub.conns.values();
      perSlice = Math.ceil(hub.conns.size / CHECK_SLICES);
    }
    const conns: Connection[] = [];
    while (conns.length < perSlice) {
      const next = round.next();
      if (next.done) {
        round = null;
        break;
      }
      if (!next.value.closed) conns.push(next.value);
    }
    busy = true;
    try {
      if (conns.length) await checkSockets(deps, hub, actors, conns);
      // Once per ten rounds (30 s), the connection rows of every socket, as before.
      if (!round && ++beat % 10 === 0) await presence.heartbeat(deps, [...hub.conns.keys()]);
    } catch (err) {
      console.error("gateway background check failed", err);
    } finally {
      busy = false;
    }
  }, SESSION_CHECK_MS / CHECK_SLICES);
  Deno.unrefTimer(id);
  return id;
}

/** One slice of the periodic check: sessions ended, access changed, embed origins, heartbeats. */
async function checkSockets(deps: Deps, hub: Hub, actors: WeakMap<Connection, Actor>, conns: Connection[]) {
  const hashes = [...new Set(conns.map((c) => c.sessionHash).filter((h): h is string => !!h))];
  // One statement for both questions: which sessions still live, and with what role and permissions.
  const rows = hashes.length ? await usersRepo.accessBySessions(deps.db, hashes) : [];
  const live = new Set<string>();
  const access = new Map<string, string>();
  /** Most sockets share a few roles: each distinct stored access is resolved once per check. */
  const keys = new Map<string, string>();
  for (const x of rows) {
    if (x.live) live.add(x.hash);
    const stored = JSON.stringify([x.role, x.permissions, x.rolePermissions]);
    let key = keys.get(stored);
    if (key === undefined) {
      keys.set(
        stored,
        key = accessKey(x.role, effectivePermissions(x.role, x.permissions, x.rolePermissions)),
      );
    }
    access.set(x.hash, key);
  }
  for (const c of conns) {
    if (c.sessionHash && !live.has(c.sessionHash)) {
      hub.sendRaw(c, JSON.stringify({ type: "session_revoked", reason: "session ended" }));
      hub.close(c, 4001, "session ended");
    }
  }
  await closeDisallowedEmbeds(deps, hub, conns, actors);
  for (const c of conns) {
    const a = actors.get(c);
    const now = c.sessionHash ? access.get(c.sessionHash) : undefined;
    if (a && now !== undefined && now !== actorKey(a)) c.stale = true;
  }
  const now = Date.now();
  for (const c of conns) {
    const jitter = (c.id.charCodeAt(0) % 10) / 100;
    if (now - c.lastSeen > deps.config.ws.heartbeatMs * (2.5 + jitter)) {
      hub.close(c, 4000, "heartbeat timeout");
    }
  }
}
