/**
 * The socket part of the browser client: one WebSocket, a heartbeat, reconnection with exponential backoff
 * and jitter (with a visible countdown and "retry now"), and request/ack matching. It knows nothing about
 * chat state: a `ready` frame is handed to `hooks.ready` (the hello), events to `hooks.event`.
 * No Deno APIs: bundled for the browser.
 */
import { signal } from "@preact/signals";
import type { ServerEvent } from "../protocol.ts";
import { ApiError } from "./rest.ts";

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_BACKOFF_MS = 30_000;

export type ConnectionStatus = "connecting" | "open" | "offline";

/** Sends one action on one socket and resolves with the ack's data. */
export type RequestFn = <T>(action: string, payload: Record<string, unknown>) => Promise<T>;

export interface TransportHooks {
  /** The server said `ready`: say hello on this socket; the connection counts as open once it resolves. */
  ready(request: RequestFn): Promise<void>;
  event(e: ServerEvent): void;
  /** The hello succeeded: the connection is open. */
  opened(): void;
  /** The socket closed (pending requests are already rejected). Return false to stay closed. */
  closed(code: number, reason: string): boolean;
}

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
};

/** The next reconnect delay: exponential from 500 ms, capped at 30 s, with jitter (half to all of it). */
export function backoffMs(attempt: number, random = Math.random()): number {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.5 + random / 2);
}

export class Transport {
  readonly status = signal<ConnectionStatus>("connecting");
  /** When the next reconnect attempt happens (epoch ms), while one is scheduled. */
  readonly retryAt = signal<number | null>(null);

  #ws: WebSocket | null = null;
  #stopped = true;
  #attempt = 0;
  #reqId = 0;
  #pending = new Map<string, Pending>();
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setTimeout> | null = null;

  /**
   * `token`: a bearer header for non-browser clients. `ticket`: fetched before every connection and put in
   * the URL, for browsers on another origin (they cannot set a header on a WebSocket; docs/widget.md).
   */
  constructor(
    private url: string,
    private hooks: TransportHooks,
    private token?: string,
    private ticket?: () => Promise<string>,
  ) {}

  start() {
    this.#stopped = false;
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    this.retryAt.value = null;
    this.#ws?.close(1000, "bye");
    this.#ws = null;
    this.#rejectAll();
  }

  /** Reconnects now (the browser is online again, the tab became visible, the person asked). */
  reconnectNow() {
    if (this.#ws || this.#stopped) return;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#attempt = 0;
    this.#connect();
  }

  /** Sends any protocol action and resolves with the ack's data (rejects with ApiError). */
  request<T = unknown>(action: string, payload: Record<string, unknown> = {}): Promise<T> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ApiError("offline", "Not connected", 0));
    }
    return this.#requestOn<T>(ws, action, payload);
  }

  #connect() {
    if (this.#stopped) return;
    this.retryAt.value = null;
    this.status.value = "connecting";
    if (!this.ticket) return this.#open(this.url);
    const generation = ++this.#generation;
    this.ticket().then((t) => {
      if (generation !== this.#generation || this.#stopped) return;
      const u = new URL(this.url);
      u.searchParams.set("ticket", t);
      this.#open(u.toString());
    }, (err) => {
      if (generation !== this.#generation) return;
      // The session behind the tickets ended (401) or this site may no longer use it (403): retrying cannot
      // help, so it ends like a socket closed with "session ended".
      const status = (err as { status?: number })?.status;
      if (status === 401 || status === 403) {
        this.status.value = "offline";
        if (!this.hooks.closed(4001, (err as Error).message)) return;
      }
      this.#scheduleReconnect();
    });
  }

  #generation = 0;

  #open(url: string) {
    let ws: WebSocket;
    try {
      ws = this.token
        // deno-lint-ignore no-explicit-any
        ? new (WebSocket as any)(url, { headers: { authorization: `Bearer ${this.token}` } })
        : new WebSocket(url);
    } catch {
      return this.#scheduleReconnect();
    }
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onFrame(ws, ev.data);
    ws.onclose = (ev) => this.#onClosed(ws, ev.code, ev.reason);
  }

  #rejectAll() {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError("offline", "Disconnected", 0));
    }
    this.#pending.clear();
  }

  #onClosed(ws: WebSocket, code: number, reason: string) {
    if (this.#ws !== ws) return;
    this.#ws = null;
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    this.status.value = "offline";
    this.#rejectAll();
    if (this.hooks.closed(code, reason)) this.#scheduleReconnect();
  }

  /** Pings every ~interval (with jitter); a server that does not answer in time is treated as gone. */
  #startHeartbeat(ws: WebSocket, intervalMs: number) {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    const tick = () => {
      if (this.#ws !== ws) return;
      this.#requestOn(ws, "ping", {}).catch(() => {
        // Do not wait for a dead peer's closing handshake: drop it and reconnect now.
        this.#onClosed(ws, 4000, "heartbeat timeout");
        ws.close(4000, "heartbeat timeout");
      });
      this.#heartbeat = setTimeout(tick, intervalMs * (0.75 + Math.random() * 0.25));
    };
    this.#heartbeat = setTimeout(tick, intervalMs * (0.75 + Math.random() * 0.25));
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    const delay = backoffMs(this.#attempt++);
    this.retryAt.value = Date.now() + delay;
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #onFrame(ws: WebSocket, data: unknown) {
    if (typeof data !== "string") return;
    let f: {
      type: string;
      id?: string;
      data?: unknown;
      error?: { code: string; message: string; retryAfter?: number };
      heartbeatMs?: number;
    };
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (f.type === "ready") {
      this.#startHeartbeat(ws, Number(f.heartbeatMs) || 35_000);
      const request: RequestFn = (action, payload) => this.#requestOn(ws, action, payload);
      this.hooks.ready(request).then(() => {
        if (this.#ws !== ws) return;
        this.#attempt = 0;
        this.status.value = "open";
        this.hooks.opened();
      }, () => ws.close(4000, "hello failed"));
      return;
    }
    if (f.type === "ack" || f.type === "error") {
      const p = f.id ? this.#pending.get(f.id) : undefined;
      if (!p) return;
      this.#pending.delete(f.id!);
      clearTimeout(p.timer);
      if (f.type === "ack") p.resolve(f.data);
      else p.reject(new ApiError(f.error!.code, f.error!.message, 0, f.error!.retryAfter));
      return;
    }
    this.hooks.event(f as unknown as ServerEvent);
  }

  #requestOn<T>(ws: WebSocket, action: string, payload: Record<string, unknown>): Promise<T> {
    const id = String(++this.#reqId);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ApiError("timeout", "No answer from the server", 0));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        ws.send(JSON.stringify({ ...payload, id, action }));
      } catch (e) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(e);
      }
    });
  }
}
