/**
 * The WebSocket gateway at `/api/chat/ws`: authenticates at the handshake (session cookie or bearer token),
 * checks Origin, upgrades, and runs the background checks (ended sessions, changed access, heartbeats).
 * Each socket is a `GatewaySocket` (`gateway_socket.ts`); its frames and its hello are in `gateway_frames.ts`.
 * Transport only: every rule lives in `domain/`. The protocol is described in `docs/protocol.md`.
 */
import { Hono } from "hono";
import * as usersRepo from "../../db/repos/users.ts";
import { connectReads } from "../../domain/connect_reads.ts";
import { effectivePermissions } from "../../domain/permissions.ts";
import * as presence from "../../domain/presence.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { AppError, unauthenticated } from "../../domain/errors.ts";
import type { AppEnv } from "../../routes/env.ts";
import { originAllowed, tokenFrom } from "../../routes/middleware/auth.ts";
import { clientIp } from "../../routes/middleware/client_address.ts";
import { hostAllowed, originOf, redeemSocketTicket } from "../../domain/embed.ts";
import type { Connection, Hub } from "./hub.ts";
import { type GatewayShared, GatewaySocket, ResumeDeadlines } from "./gateway_socket.ts";

const HELLO_TIMEOUT_MS = 10_000;
const SESSION_CHECK_MS = 3_000;
/** The periodic check walks the sockets in this many slices per `SESSION_CHECK_MS`. */
const CHECK_SLICES = 10;

/** The `/ws` route and a `stop` that ends the background checks (session revocation, heartbeats). */
export function createGateway(deps: Deps, hub: Hub) {
  const app = new Hono<AppEnv>();
  const shared: GatewayShared = {
    deps,
    hub,
    actors: new WeakMap<Connection, Actor>(),
    // The session at the upgrade, unread counts and presence at hello: one statement for the sockets
    // connecting at the same moment.
    reads: connectReads(deps),
    deadlines: new ResumeDeadlines(hub, HELLO_TIMEOUT_MS),
  };
  const timer = startBackgroundChecks(deps, hub, shared.actors);

  app.get("/ws", async function upgrade(c) {
    // Non-browser clients send no Origin; browsers always do, and it must be ours or allow-listed, or
    // the socket opens with a ticket issued to that very origin (the staff widget on a host
    // application's origin, docs/widget.md), whose embed session is bound to it.
    const ticket = c.req.query("ticket");
    if (!ticket && c.req.header("origin") && !originAllowed(c, deps)) {
      throw new AppError("bad_origin", 403, "This origin may not open a Parley socket");
    }
    const address = clientIp(c, deps.config.trustedProxies);
    deps.limiter.take(
      `connect-ip:${address}`,
      deps.config.limits.connectsPerMinute * 20,
      "Too many connections",
    );
    let actor: Actor | null;
    let channelIds: number[] | null = null;
    if (ticket) {
      actor = await redeemSocketTicket(deps, ticket, originOf(c.req.header("origin")));
      if (!actor) throw new AppError("bad_ticket", 403, "This socket ticket is not valid here");
    } else {
      const { token } = tokenFrom(c);
      const found = await shared.reads.session(token);
      if (!found) throw unauthenticated(token ? "Your session has ended; sign in again" : "Sign in first");
      actor = found.actor;
      channelIds = found.channelIds;
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
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.notFound();
    const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
    // Before the upgrade: after it the request is closed, and its headers with it.
    const userAgent = c.req.header("user-agent") ?? "";
    const { response, socket } = Deno.upgradeWebSocket(c.req.raw, {
      // Deno pings a socket silent for half of this and closes its connection when the other half passes
      // without an answer: the only way to end a peer gone without a FIN (a socket's own close() waits for
      // the peer's close frame). Measured against a sweep (bench/notes/cpu_per_message.md, "The idle timer
      // per frame, per-frame and per-delivery work", fourteenth pass): kept.
      idleTimeout: deps.config.ws.idleTimeoutS,
      ...protocol ? { protocol } : {},
    });
    // The socket's one listener holds its state (no closure per event per socket). No "error" listener: a
    // socket's error event is always followed by its close event, which unregisters it.
    const s = new GatewaySocket(shared, actor, socket, address, userAgent, channelIds);
    socket.addEventListener("open", s, { once: true });
    socket.addEventListener("message", s);
    socket.addEventListener("close", s);
    return response;
  });
  return {
    routes: app,
    stop: () => {
      clearInterval(timer);
      shared.deadlines.stop();
    },
  };
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
