/**
 * One benchmark client over a raw Deno WebSocket, speaking whichever protocol the server under test speaks:
 * Parley's (bearer token, ready, hello, send_message, ack), the bare server's subset of it, or Socket.io's
 * (Engine.IO v4 framing: `0` open, `40` connect with auth, `42` event, `42<id>` event with ack, `43<id>`
 * ack, `2`/`3` ping/pong). All three load generators pay the same per-frame cost: no client library, and
 * the send time is read from the frame text without a full JSON parse.
 */
import { RawWebSocket } from "./raw_ws.ts";

export type Kind = "parley" | "bare" | "socketio";

/**
 * How a client reads its socket: `web`, Deno's `WebSocket` (a runtime op, a `MessageEvent` and a dispatch
 * per frame); `raw`, `raw_ws.ts` (the frames of each TCP read split in JavaScript). The same for every
 * server kind.
 */
export type Transport = "web" | "raw";

/** What the client needs of a socket, either transport. */
interface Sock {
  send(data: string): void;
  close(): void;
}

export interface BenchUser {
  id: number;
  token: string;
  channels: number[];
  /** Whose presence a Parley client follows (`presenceSub` in its hello), as the web client does. */
  follows?: number[];
}

export interface Handlers {
  /** A message_received frame (raw text). */
  deliver(c: Client, raw: string): void;
  /** The ack of a send (or its error, with `error` set). */
  ack(c: Client, reqId: number, error: string | null, raw: string): void;
  closed?(c: Client, code: number): void;
  /** The server says a channel must be refetched (its replay would be too long). */
  resync?(c: Client, raw: string): void;
}

const OPEN_TIMEOUT_MS = 60_000;

/** The bare server answers the hello with frames of Parley's size (`servers/bare.ts`). */
const BARE_MIRROR_HELLO = Deno.env.get("BENCH_BARE_MIRROR_HELLO") === "1";

/**
 * `BENCH_COUNT_FRAMES=1`: the frames a client is sent that the bench does not measure (`unread_counts`,
 * `presence_updated`, ...), counted by type over all clients (frames, bytes, and for `presence_updated` the
 * people listed): what the load generator reads besides the acks. Off by default (no cost per frame).
 */
export const otherFrames: Record<string, { frames: number; bytes: number; people: number }> | null =
  Deno.env.get("BENCH_COUNT_FRAMES") === "1" ? {} : null;

function countFrame(raw: string) {
  const type = raw.startsWith('{"type":"') ? raw.slice(9, raw.indexOf('"', 9)) : "other";
  const c = otherFrames![type] ??= { frames: 0, bytes: 0, people: 0 };
  c.frames++;
  c.bytes += raw.length;
  if (type === "presence_updated") c.people += raw.split('"userId"').length - 1;
}

/** Body text that carries the send time and a tag: `~<ms>~<tag>~ padding`. */
export function makeBody(sentAt: number, tag: number, pad: string): string {
  return `~${sentAt.toFixed(3)}~${tag}~${pad}`;
}

/** Reads the send time and tag back out of a frame that contains a body made by `makeBody`. */
export function readBody(raw: string): { sentAt: number; tag: number } | null {
  const i = raw.indexOf('"~');
  if (i < 0) return null;
  const a = raw.indexOf("~", i + 2);
  const b = raw.indexOf("~", a + 1);
  return { sentAt: +raw.slice(i + 2, a), tag: +raw.slice(a + 1, b) };
}

export class Client {
  ws: Sock | null = null;
  live = false;
  /** performance.now() when the last open started, the server said ready, and the client became live. */
  openedAt = 0;
  connectedAt = 0;
  liveAt = 0;
  #helloResolve: (() => void) | null = null;
  #helloReject: ((e: Error) => void) | null = null;
  #joinsLeft = 0;

  constructor(
    readonly kind: Kind,
    readonly baseUrl: string,
    readonly user: BenchUser,
    readonly h: Handlers,
    readonly transport: Transport = "web",
  ) {}

  /** Connects and becomes live (hello acknowledged / rooms joined). `resume` = last seq per channel. */
  open(resume: Record<string, number> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`open timed out for user ${this.user.id}`)),
        OPEN_TIMEOUT_MS,
      );
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.#helloResolve = null;
        try {
          this.ws?.close();
        } catch { /* closing */ }
        reject(e);
      };
      this.openedAt = performance.now();
      this.#helloResolve = () => {
        clearTimeout(timer);
        this.liveAt = performance.now();
        this.#helloResolve = null;
        this.live = true;
        resolve();
      };
      this.#helloReject = fail;
      const base = this.baseUrl.replace(/^http/, "ws");
      let url: string;
      const headers: Record<string, string> = {};
      if (this.kind === "parley") {
        url = `${base}/api/chat/ws`;
        headers.authorization = `Bearer ${this.user.token}`;
      } else if (this.kind === "bare") {
        url = `${base}/api/chat/ws?user=${this.user.id}`;
      } else {
        url = `${base}/socket.io/?EIO=4&transport=websocket`;
      }
      const onClose = (ws: Sock, code: number, reason: string) => {
        if (this.ws !== ws) return;
        const wasLive = this.live;
        this.live = false;
        if (this.#helloResolve) fail(new Error(`closed during open (${code} ${reason})`));
        else if (wasLive) this.h.closed?.(this, code);
      };
      if (this.transport === "raw") {
        // A dropped socket's late frames and close belong to the past: ignore them.
        const ws: RawWebSocket = new RawWebSocket(url, headers, {
          text: (data) => this.ws === ws && this.#onFrame(data, resume),
          close: (code, reason) => onClose(ws, code, reason),
        });
        this.ws = ws;
        return;
      }
      const ws = this.kind === "parley"
        ? new WebSocket(url, { headers } as unknown as string[])
        : new WebSocket(url);
      this.ws = ws;
      // A dropped socket's late frames and close event belong to the past: ignore them.
      ws.onmessage = (e) => this.ws === ws && this.#onFrame(e.data as string, resume);
      ws.onerror = () => {};
      ws.onclose = (e) => onClose(ws, e.code, e.reason);
    });
  }

  #onFrame(raw: string, resume: Record<string, number>) {
    if (this.kind === "socketio") return this.#onSocketIo(raw);
    if (otherFrames) countFrame(raw);
    // Parley and bare: JSON objects that start with their type; replayed events come from jsonb, whose
    // keys are in another order, so look for the type anywhere in frames that are not acks.
    if (raw.startsWith('{"type":"message_received"')) return this.h.deliver(this, raw);
    if (!raw.startsWith('{"type":"') && raw.includes('"type":"message_received"')) {
      return this.h.deliver(this, raw);
    }
    if (raw.startsWith('{"type":"ack","id":"')) {
      const end = raw.indexOf('"', 20);
      const id = raw.slice(20, end);
      if (id === "h") return this.#helloResolve?.();
      if (id === "p") return;
      return this.h.ack(this, +id, null, raw);
    }
    if (raw.startsWith('{"type":"ready"')) {
      this.connectedAt = performance.now();
      const hello: Record<string, unknown> = { id: "h", action: "hello", channels: resume };
      if (this.kind === "bare") hello.join = this.user.channels;
      // Bare answers it as Parley does with BENCH_BARE_MIRROR_HELLO=1 (`servers/bare.ts`).
      if (this.user.follows && (this.kind === "parley" || BARE_MIRROR_HELLO)) {
        hello.presenceSub = this.user.follows;
      }
      this.ws!.send(JSON.stringify(hello));
      return;
    }
    if (raw.startsWith('{"type":"error"')) {
      const f = JSON.parse(raw);
      if (f.id === "h") return this.#helloReject?.(new Error(`hello failed: ${f.error?.code}`));
      if (typeof f.id === "string" && /^\d+$/.test(f.id)) {
        this.h.ack(this, +f.id, f.error?.code ?? "error", raw);
      }
    }
    if (raw.startsWith('{"type":"resync_required"')) this.h.resync?.(this, raw);
    // presence_updated, unread_counts, user_typing …: not measured.
  }

  #onSocketIo(raw: string) {
    const c0 = raw.charCodeAt(0);
    if (c0 === 50 /* 2 */ && raw.length === 1) return this.ws!.send("3");
    if (raw.startsWith('42["message_received"')) return this.h.deliver(this, raw);
    if (raw.startsWith("43")) {
      const b = raw.indexOf("[");
      const id = +raw.slice(2, b);
      if (id === 0) {
        if (--this.#joinsLeft <= 0) this.#helloResolve?.();
        return;
      }
      const err = raw.startsWith('[{"error"', b) ? "error" : null;
      return this.h.ack(this, id, err, raw);
    }
    if (raw.startsWith("0{")) {
      this.ws!.send(`40${JSON.stringify({ token: this.user.token })}`);
      return;
    }
    if (raw.startsWith("40")) {
      this.connectedAt = performance.now();
      this.#joinsLeft = this.user.channels.length;
      if (!this.#joinsLeft) return this.#helloResolve?.();
      // The Orvale design joins rooms by event; ack id 0 marks join acks.
      for (const ch of this.user.channels) this.ws!.send(`420["join_channel",${ch}]`);
      return;
    }
    if (raw.startsWith("44")) this.#helloReject?.(new Error(`socket.io connect refused: ${raw}`));
  }

  /** Sends one message; the ack arrives through `h.ack` with the same `reqId` (a positive integer). */
  send(reqId: number, channelId: number, clientId: string, body: string) {
    const ws = this.ws!;
    if (this.kind === "socketio") {
      ws.send(
        `42${reqId}["send_message",{"channelId":${channelId},"clientId":"${clientId}","message":"${body}"}]`,
      );
    } else {
      ws.send(
        `{"id":"${reqId}","action":"send_message","channelId":${channelId},"clientId":"${clientId}","body":"${body}"}`,
      );
    }
  }

  /** Parley's heartbeat: any frame counts, `ping` is the cheapest. */
  ping() {
    if (this.kind !== "socketio" && this.live) this.ws?.send('{"id":"p","action":"ping"}');
  }

  close() {
    this.live = false;
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.close();
    } catch { /* already closed */ }
  }
}

/** Opens clients with at most `concurrency` handshakes in flight; returns the ones that failed. */
export async function openAll(
  clients: Client[],
  concurrency: number,
  resume?: (c: Client) => Record<string, number>,
): Promise<{ failed: number; errors: string[] }> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++];
      try {
        await c.open(resume?.(c));
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push(String((e as Error).message));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return { failed, errors };
}
