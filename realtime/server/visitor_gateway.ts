/**
 * The visitors' WebSocket at `/api/visitor/ws`, and the small hub that fans visitor events out to them.
 * A visitor socket's first frame is `{"action":"auth","token":…}` (a browser cannot set headers on a
 * WebSocket, and a token in the URL would be logged); until then nothing else is accepted. It then reaches
 * exactly the token's conversation: events with the audience `{kind:"visitor", conversationId}` and the
 * actions send, typing, seen, ping, which call the same domain functions as the REST API.
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { Deps } from "../../domain/deps.ts";
import { AppError, toAppError } from "../../domain/errors.ts";
import { authenticateVisitor, type VisitorActor } from "../../domain/visitor/access.ts";
import * as chat from "../../domain/visitor/chat.ts";
import * as presenceRepo from "../../db/repos/visitor_presence.ts";
import type { AppEnv } from "../../routes/env.ts";
import { originAllowed } from "../../routes/middleware/auth.ts";
import { clientIp } from "../../routes/middleware/client_address.ts";
import type { Envelope } from "../protocol.ts";

interface VisitorSocket {
  socket: WebSocket;
  actor: VisitorActor | null;
  lastSeen: number;
}

/** Visitor connections by conversation. Never touches SQL. */
export class VisitorHub {
  readonly #byConv = new Map<number, Set<VisitorSocket>>();
  stats = { delivered: 0 };

  add(s: VisitorSocket) {
    const id = s.actor!.conversationId;
    let set = this.#byConv.get(id);
    if (!set) this.#byConv.set(id, set = new Set());
    set.add(s);
  }
  remove(s: VisitorSocket) {
    if (!s.actor) return;
    const set = this.#byConv.get(s.actor.conversationId);
    set?.delete(s);
    if (set && !set.size) this.#byConv.delete(s.actor.conversationId);
  }
  deliver(env: Envelope) {
    if (env.audience.kind !== "visitor") return;
    const set = this.#byConv.get(env.audience.conversationId);
    if (!set) return;
    const text = JSON.stringify(env.event);
    for (const s of set) {
      if (s.socket.readyState !== WebSocket.OPEN) continue;
      if (s.socket.bufferedAmount > 1024 * 1024) {
        s.socket.close(1013, "too slow");
        continue;
      }
      s.socket.send(text);
      this.stats.delivered++;
    }
  }
  conversations(): number[] {
    return [...this.#byConv.keys()];
  }
  all(): VisitorSocket[] {
    return [...this.#byConv.values()].flatMap((s) => [...s]);
  }
}

const AUTH_TIMEOUT_MS = 10_000;

export function createVisitorGateway(deps: Deps, hub: VisitorHub) {
  const app = new Hono<AppEnv>();
  const unsubscribe = deps.bus.subscribe((env) => hub.deliver(env));
  const timer = setInterval(async () => {
    const now = Date.now();
    for (const s of hub.all()) {
      if (now - s.lastSeen > deps.config.ws.heartbeatMs * 2.5) s.socket.close(4000, "heartbeat timeout");
    }
    await presenceRepo.touchVisitors(deps.db, hub.conversations()).catch(() => {});
  }, 10_000);
  Deno.unrefTimer(timer);

  app.get(
    "/ws",
    async function checkUpgrade(c, next) {
      if (c.req.header("origin") && !originAllowed(c, deps)) {
        throw new AppError("bad_origin", 403, "This origin may not open a visitor socket");
      }
      deps.limiter.take(
        `visitor-connect:${clientIp(c, deps.config.trustedProxies)}`,
        deps.config.limits.connectsPerMinute * 5,
        "Too many connections",
      );
      await next();
    },
    upgradeWebSocket((c) => {
      const ip = clientIp(c, deps.config.trustedProxies);
      let s: VisitorSocket | null = null;
      let chain: Promise<unknown> = Promise.resolve();
      return {
        onOpen: (_evt, ws) => {
          s = { socket: ws.raw as WebSocket, actor: null, lastSeen: Date.now() };
          const me = s;
          me.socket.send(
            JSON.stringify({
              type: "ready",
              connectionId: crypto.randomUUID(),
              heartbeatMs: deps.config.ws.heartbeatMs,
            }),
          );
          setTimeout(() => !me.actor && me.socket.close(4001, "auth expected"), AUTH_TIMEOUT_MS);
        },
        onMessage: (evt) => {
          const me = s;
          if (!me) return;
          me.lastSeen = Date.now();
          chain = chain.then(() => handle(deps, hub, me, evt.data, ip)).catch(() => {});
        },
        onClose: () => {
          if (!s) return;
          hub.remove(s);
          if (s.actor) {
            void presenceRepo.visitorConnected(deps.db, s.actor.conversationId, -1).catch(() => {});
          }
        },
      };
    }, { idleTimeout: deps.config.ws.idleTimeoutS }),
  );
  return {
    routes: app,
    stop() {
      clearInterval(timer);
      unsubscribe();
      for (const s of hub.all()) s.socket.close(1001, "server shutting down");
    },
  };
}

async function handle(deps: Deps, hub: VisitorHub, s: VisitorSocket, data: unknown, ip: string) {
  const send = (x: unknown) => s.socket.readyState === WebSocket.OPEN && s.socket.send(JSON.stringify(x));
  if (typeof data !== "string" || data.length > deps.config.ws.maxFrameBytes) {
    return send({ type: "error", id: null, error: { code: "bad_frame", message: "Send JSON text frames" } });
  }
  let frame: Record<string, unknown>;
  try {
    frame = JSON.parse(data);
    if (!frame || typeof frame !== "object" || Array.isArray(frame)) throw new Error();
  } catch {
    return send({
      type: "error",
      id: null,
      error: { code: "bad_frame", message: "Frames are JSON objects" },
    });
  }
  const id = typeof frame.id === "string" && frame.id.length <= 64 ? frame.id : null;
  try {
    if (id === null) throw new AppError("bad_frame", 400, "id: a string of at most 64 characters");
    let out: unknown;
    if (frame.action === "auth") {
      if (s.actor) throw new AppError("bad_frame", 400, "Already authenticated");
      const actor = await authenticateVisitor(deps, typeof frame.token === "string" ? frame.token : null);
      if (s.socket.readyState !== WebSocket.OPEN) return;
      s.actor = actor;
      hub.add(s);
      await presenceRepo.visitorConnected(deps.db, actor.conversationId, 1);
      out = { conversationId: actor.conversationId, heartbeatMs: deps.config.ws.heartbeatMs };
    } else {
      if (!s.actor) throw new AppError("unauthenticated", 401, "Send auth first");
      deps.limiter.take(`visitor-frames:${s.actor.conversationId}`, 600, "Too many frames");
      if (frame.action === "ping") out = { pong: Date.now() };
      else if (frame.action === "send") {
        out = await chat.visitorSend(deps, s.actor, { clientId: frame.clientId, body: frame.body }, ip);
      } else if (frame.action === "typing") {
        out = await chat.visitorTyping(deps, s.actor, frame.typing === true);
      } else if (frame.action === "seen") out = await chat.visitorSeen(deps, s.actor, frame.seq);
      else {throw new AppError(
          "unknown_action",
          400,
          `Unknown action ${JSON.stringify(String(frame.action)).slice(0, 80)}`,
        );}
    }
    send({ type: "ack", id, data: out });
  } catch (err) {
    const e = toAppError(err);
    send({ type: "error", id, error: e.toJSON() });
    // A failed `auth` ends the socket; other refusals only answer.
    if (frame.action === "auth" && !s.actor) s.socket.close(4001, e.code);
  }
}
