/**
 * Helpers for the realtime tests: real servers (in-process with `startServer`, or a child process when a
 * test needs SIGKILL), real WebSocket clients, sessions, and a client-side channel store that applies
 * events through `applyEvent` with gap detection, as a browser client does.
 */
import assert from "node:assert/strict";
import { type Server, startServer } from "../../main.ts";
import { type Config, loadConfig } from "../../config.ts";
import type { Db } from "../../db/client.ts";
import { openDb } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { sha256 } from "../../domain/auth.ts";
import * as channels from "../../domain/channels.ts";
import {
  applyEvent,
  type ChatState,
  isSequenced,
  type Message,
  type PresenceInfo,
  type SequencedEvent,
} from "../../realtime/protocol.ts";
import { postgresUrl } from "../helpers/db.ts";
import { type Fixture, fixture, passwordHash } from "../helpers/fixture.ts";

// deno-lint-ignore no-explicit-any
export type Frame = { type: string } & Record<string, any>;

export { until } from "./until.ts";
import { until } from "./until.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Creates a session for a user directly in the database and returns its bearer token. */
export async function sessionFor(db: Db, user: { id: number; workspaceId: number }): Promise<string> {
  const token = `t_${crypto.randomUUID()}${crypto.randomUUID()}`.replace(/-/g, "");
  await sessionsRepo.insert(db, {
    tokenHash: await sha256(token),
    userId: user.id,
    workspaceId: user.workspaceId,
    expiresAt: new Date(Date.now() + 86400_000),
    userAgent: "test",
  });
  return token;
}

/** Adds `n` extra members ("user0" ...) to the fixture's workspace, password "pw". */
export async function extraUsers(db: Db, workspaceId: number, n: number): Promise<usersRepo.UserRow[]> {
  const hash = await passwordHash();
  const out: usersRepo.UserRow[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await usersRepo.insert(db, {
        workspaceId,
        username: `user${i}`,
        displayName: `User ${i}`,
        role: "member",
        passwordHash: hash,
      }),
    );
  }
  return out;
}

export type EngineName = "postgres" | "pglite";

/** Postgres when the test runner provides one (always under `deno task test`), PGlite otherwise. */
export const defaultEngine: EngineName = Deno.env.get("TEST_DATABASE_URL") ? "postgres" : "pglite";
export const testEngines: EngineName[] = defaultEngine === "postgres" ? ["pglite", "postgres"] : ["pglite"];

/** A database URL on the real Postgres server; tests that need several processes cannot run without one. */
/** One Parley instance on a shared Postgres, talking to the others over LISTEN/NOTIFY (multi-instance tests). */
export async function pgNotifyInstance(url: string, id: string): Promise<Server> {
  return await startServer(
    loadConfig({
      DEMO: "0",
      PORT: "0",
      HOSTNAME_BIND: "127.0.0.1",
      DATABASE_URL: url,
      PARLEY_BUS: "pg_notify",
      INSTANCE_ID: id,
    }),
    () => {},
  );
}

export async function requirePostgres(): Promise<string> {
  const url = await postgresUrl();
  if (!url) throw new Error("this test needs a real Postgres: run it through `deno task test`");
  return url;
}

export interface TestServer {
  server: Server;
  url: string;
  f: Fixture;
  token(name: keyof Fixture["users"]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * An in-process server on a random loopback port with the fixture workspace (admin, mod, alice, bob,
 * carol; eve in another workspace). `env` overrides settings the way the environment would.
 */
export async function testServer(
  opts: { engine?: EngineName; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const engine = opts.engine ?? defaultEngine;
  const databaseUrl = engine === "postgres" ? await requirePostgres() : undefined;
  const config: Config = loadConfig({
    DEMO: "0",
    PORT: "0",
    HOSTNAME_BIND: "127.0.0.1",
    DATA_DIR: "memory://",
    PARLEY_BUS: "memory",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...opts.env,
  });
  const server = await startServer(config, () => {});
  const f = await fixture(server.deps.db, { config });
  // Domain calls made by the test go through the server's own bus, so clients see them.
  f.deps = server.deps;
  const url = server.url.replace("localhost", "127.0.0.1");
  return {
    server,
    url,
    f,
    token: (name) => sessionFor(server.deps.db, f.users[name]),
    async stop() {
      await server.shutdown();
    },
  };
}

/** Registers `fn` once per engine (PGlite, and Postgres when available) with a fresh server. */
export function serverTest(
  name: string,
  fn: (t: TestServer) => Promise<void>,
  opts: { env?: Record<string, string>; engines?: EngineName[] } = {},
) {
  for (const engine of opts.engines ?? testEngines) {
    Deno.test({
      name: `${name} [${engine}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const t = await testServer({ engine, env: opts.env });
        try {
          await fn(t);
        } finally {
          await t.stop();
        }
      },
    });
  }
}

// ---- WebSocket client ---------------------------------------------------------------------------

export interface Closed {
  code: number;
  reason: string;
}

interface Waiter {
  pred: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
}

/** A real WebSocket client that records every frame it receives. */
export class WsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  isClosed = false;
  ready: Frame | null = null;
  #waiters = new Set<Waiter>();
  #n = 0;
  #onFrame: ((f: Frame) => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        this.isClosed = true;
        resolve({ code: e.code, reason: e.reason });
        for (const w of [...this.#waiters]) w.reject(new Error(`socket closed (${e.code}) while waiting`));
        this.#waiters.clear();
      });
    });
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      const f = JSON.parse(e.data) as Frame;
      this.frames.push(f);
      this.#onFrame?.(f);
      for (const w of [...this.#waiters]) {
        if (w.pred(f)) {
          this.#waiters.delete(w);
          w.resolve(f);
        }
      }
    });
  }

  /** Opens a socket; by default waits for the `ready` frame (rejects when the server refuses). */
  static async open(
    baseUrl: string,
    token: string | null,
    opts: { origin?: string; waitReady?: boolean; headers?: Record<string, string>; query?: string } = {},
  ): Promise<WsClient> {
    const headers: Record<string, string> = { ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.origin) headers.origin = opts.origin;
    // Deno accepts `{ headers }` here; the project's "dom" lib only knows the browser signature.
    const init = { headers } as unknown as string[];
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/chat/ws${opts.query ?? ""}`, init);
    const c = new WsClient(ws);
    if (opts.waitReady === false) return c;
    const r = await Promise.race([
      c.next((f) => f.type === "ready", 15_000).then((f) => ({ f }), async (e) => {
        if (!c.isClosed) throw e;
        return { cl: await c.closed };
      }),
      c.closed.then((cl) => ({ cl })),
    ]);
    if ("cl" in r) throw new Error(`socket refused or closed before ready: ${r.cl.code} ${r.cl.reason}`);
    c.ready = r.f;
    return c;
  }

  /** Calls `fn` for every frame from now on (used by stores). */
  onFrame(fn: (f: Frame) => void) {
    this.#onFrame = fn;
  }

  send(data: unknown) {
    this.ws.send(typeof data === "string" || data instanceof Uint8Array ? data : JSON.stringify(data));
  }

  /** The next frame (from now on) that matches; rejects when the socket closes first. */
  next(pred: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(new Error("socket closed"));
      const w: Waiter = {
        pred,
        resolve: (f) => (clearTimeout(t), resolve(f)),
        reject: (e) => (clearTimeout(t), reject(e)),
      };
      const t = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** A frame already received at or after index `from`, or the next one that matches. */
  waitFor(pred: (f: Frame) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const found = this.frames.slice(opts.from ?? 0).find(pred);
    return found ? Promise.resolve(found) : this.next(pred, opts.timeoutMs);
  }

  /** Sends a request frame and resolves with its ack or error frame. */
  request(action: string, fields: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Frame> {
    const id = `r${++this.#n}`;
    const p = this.next((f) => (f.type === "ack" || f.type === "error") && f.id === id, timeoutMs);
    this.send({ id, action, ...fields });
    return p;
  }

  /** A request that must succeed; returns the ack's data. */
  async ok(action: string, fields: Record<string, unknown> = {}) {
    const f = await this.request(action, fields);
    if (f.type !== "ack") throw new Error(`${action} failed: ${JSON.stringify(f.error)}`);
    return f.data;
  }

  /** A request that must fail; returns the error body. */
  async fails(action: string, fields: Record<string, unknown> = {}) {
    const f = await this.request(action, fields);
    if (f.type !== "error") throw new Error(`${action} should have failed, got ${JSON.stringify(f)}`);
    return f.error as { code: string; message: string; retryAfter?: number };
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(code = 1000) {
    try {
      this.ws.close(code);
    } catch { /* already closed */ }
  }
}

/**
 * Sends a raw HTTP upgrade request over TCP and returns the status code and body: a WebSocket client
 * cannot see why an upgrade was refused.
 */
/** The entry for `userId` when `f` is a `presence_updated` event that lists them. */
export function presenceIn(f: Frame, userId: number): PresenceInfo | undefined {
  return f.type === "presence_updated"
    ? (f.users as PresenceInfo[]).find((p) => p.userId === userId)
    : undefined;
}

export async function rawUpgrade(baseUrl: string, headers: Record<string, string>, query = "") {
  const u = new URL(baseUrl);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  try {
    const lines = [
      `GET /api/chat/ws${query} HTTP/1.1`,
      `Host: ${u.host}`,
      "Connection: Upgrade",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${btoa(crypto.randomUUID().slice(0, 16))}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n")));
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      const head = text.indexOf("\r\n\r\n");
      if (head < 0) continue;
      const status = Number(text.slice(9, 12));
      if (status === 101) return { status, body: "" };
      const len = Number(/content-length: (\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
      if (text.length >= head + 4 + len) return { status, body: text.slice(head + 4, head + 4 + len) };
    }
    throw new Error(`no complete response: ${JSON.stringify(text.slice(0, 200))}`);
  } finally {
    conn.close();
  }
}

// ---- a client-side store with gap detection --------------------------------------------------------

/**
 * What a browser client keeps per channel: events applied in sequence order through `applyEvent`. Live
 * events that skip a sequence wait in `ahead` while a `replay` fetches the gap. It also checks what the
 * server promises about one connection: after `hello` with the last sequences, the live events of a
 * channel come exactly once and in order (`duplicates` counts repeats or steps back, `liveGaps` skips).
 */
export class ChannelStore {
  state: ChatState = {};
  ahead = new Map<number, Map<number, SequencedEvent>>();
  duplicates = 0;
  liveGaps = 0;
  gapReplays = 0;
  resyncs = 0;
  #replaying = new Set<number>();
  /** The highest sequence received live on the current connection, per channel. */
  #liveMax = new Map<number, number>();
  client: WsClient | null = null;

  constructor(channelIds: number[]) {
    for (const id of channelIds) this.state[id] = { lastSeq: 0, messages: [] };
  }

  lastSeqs(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.state).map(([k, v]) => [k, v.lastSeq]));
  }

  lastSeq(ch: number) {
    return this.state[ch]?.lastSeq ?? 0;
  }

  messages(ch: number): Message[] {
    return this.state[ch]?.messages ?? [];
  }

  /**
   * Attaches to a new connection, before its `hello` with `lastSeqs()`: its sequenced events go through
   * `receive`; an earlier connection's no longer do.
   */
  attach(c: WsClient) {
    this.client = c;
    this.#liveMax = new Map(Object.keys(this.state).map((ch) => [Number(ch), this.lastSeq(Number(ch))]));
    c.onFrame((f) => {
      if (this.client !== c) return;
      if (f.type === "resync_required") this.resyncs++;
      if (isSequenced(f as never)) this.receive(f as unknown as SequencedEvent, true);
    });
  }

  receive(e: SequencedEvent, live: boolean) {
    if (!(e.channelId in this.state)) return;
    if (live) {
      const max = this.#liveMax.get(e.channelId) ?? 0;
      if (e.seq <= max) this.duplicates++;
      else if (e.seq > max + 1) this.liveGaps++;
      this.#liveMax.set(e.channelId, Math.max(max, e.seq));
    }
    // Replayed and live events may overlap: what is already applied is skipped.
    if (e.seq <= this.lastSeq(e.channelId)) return;
    const ahead = this.ahead.get(e.channelId) ?? new Map<number, SequencedEvent>();
    this.ahead.set(e.channelId, ahead);
    ahead.set(e.seq, e);
    this.#drain(e.channelId);
    if (ahead.size && live) void this.#fillGap(e.channelId);
  }

  #drain(ch: number) {
    const ahead = this.ahead.get(ch)!;
    for (;;) {
      const next = ahead.get(this.lastSeq(ch) + 1);
      if (!next) break;
      ahead.delete(next.seq);
      this.state = applyEvent(this.state, next);
    }
  }

  async #fillGap(ch: number) {
    const c = this.client;
    if (!c || c.isClosed || this.#replaying.has(ch)) return;
    this.#replaying.add(ch);
    this.gapReplays++;
    try {
      while ((this.ahead.get(ch)?.size ?? 0) > 0 && !c.isClosed) {
        const f = await c.request("replay", { channelId: ch, afterSeq: this.lastSeq(ch) });
        if (f.type !== "ack" || !f.data.events) break;
        for (const e of f.data.events as SequencedEvent[]) this.receive(e, false);
        if (!f.data.events.length) break;
      }
    } catch {
      /* the connection went away; hello on reconnect catches up */
    } finally {
      this.#replaying.delete(ch);
    }
  }

  /** Applies the events a `replay` ack returned. */
  applyReplay(events: SequencedEvent[]) {
    for (const e of events) this.receive(e, false);
  }
}

/** The ordered history of a channel as the database holds it, in the shape the reducer produces. */
export async function dbHistory(
  db: Db,
  channelId: number,
): Promise<{ id: number; seq: number; body: string }[]> {
  const rows = await db.query<{ id: number; seq: number; body: string }>(
    `SELECT id, seq, CASE WHEN deleted_at IS NULL THEN body ELSE '' END AS body FROM messages
     WHERE channel_id = $1 ORDER BY seq`,
    [channelId],
  );
  return rows.map((r) => ({ id: r.id, seq: r.seq, body: r.body }));
}

export const brief = (ms: Message[]) => ms.map((m) => ({ id: m.id, seq: m.seq, body: m.body }));

/**
 * Waits until every sender has reached `lastSeq` in the channel, then checks each holds exactly the
 * database's history (`history`, from `dbHistory`) and saw no event twice.
 */
export async function expectConverged(
  clients: KeyedSender[],
  channelId: number,
  lastSeq: number,
  history: { id: number; seq: number; body: string }[],
) {
  await until(
    "every client has every event",
    () => clients.every((c) => c.store.lastSeq(channelId) === lastSeq),
    60_000,
  );
  for (const c of clients) {
    assert.deepEqual(brief(c.store.messages(channelId)), history, `${c.name} holds the database's history`);
    assert.equal(c.store.duplicates, 0, `${c.name}: no event twice`);
  }
}

// ---- child processes --------------------------------------------------------------------------------

/** A server in its own process (`deno run main.ts`), for SIGKILL and multi-instance tests. */
export class ChildServer {
  log = "";
  url = "";
  readonly status: Promise<Deno.CommandStatus>;
  exited = false;

  private constructor(readonly child: Deno.ChildProcess) {
    this.status = child.status.then((s) => {
      this.exited = true;
      return s;
    });
  }

  static async start(env: Record<string, string>): Promise<ChildServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-broadcast-channel", "main.ts"],
      cwd: ROOT,
      env: {
        DEMO: "0",
        PORT: "0",
        HOSTNAME_BIND: "127.0.0.1",
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const s = new ChildServer(child);
    s.#pump(child.stdout);
    s.#pump(child.stderr);
    await until(
      "the child server to listen",
      () => {
        if (s.exited) throw new Error(`child server exited:\n${s.log}`);
        const m = /running at (http:\/\/\S+?) on/.exec(s.log);
        if (m) s.url = m[1].replace("localhost", "127.0.0.1");
        return s.url;
      },
      60_000,
    );
    return s;
  }

  async #pump(stream: ReadableStream<Uint8Array>) {
    const dec = new TextDecoder();
    for await (const chunk of stream) this.log += dec.decode(chunk);
  }

  async kill(signal: Deno.Signal = "SIGKILL") {
    if (!this.exited) {
      try {
        this.child.kill(signal);
      } catch { /* already gone */ }
    }
    await this.status;
  }
}

/** Opens the test database, migrates it and builds the fixture there (for child-process servers). */
export async function prepareDb(databaseUrl: string) {
  const db = await openDb({ databaseUrl, dataDir: "" });
  await migrate(db, () => {});
  const f = await fixture(db);
  return { db, f };
}

/** What `withServerProcesses` gives a test: the database, its users, the channel, and lists to clean up. */
export interface ProcessScene {
  db: Db;
  f: Fixture;
  users: usersRepo.UserRow[];
  ch: number;
  /** The environment for `ChildServer.start`: the database and the LISTEN/NOTIFY bus. */
  env: Record<string, string>;
  servers: ChildServer[];
  stops: (() => Promise<void>)[];
}

/**
 * Tests with server processes on the real Postgres: a migrated database, `users` extra users in one channel,
 * and, however the test ends, senders stopped, servers stopped and the database closed (on a failure, each
 * server's log tail on stderr).
 */
export async function withServerProcesses(
  opts: { users: number; channel: string },
  fn: (scene: ProcessScene) => Promise<void>,
) {
  const url = await requirePostgres();
  const { db, f } = await prepareDb(url);
  const servers: ChildServer[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    const users = await extraUsers(db, f.ws, opts.users);
    const ch = (await channels.create(f.deps, f.actor("mod"), {
      name: opts.channel,
      memberIds: users.map((u) => u.id),
    })).id;
    await fn({ db, f, users, ch, env: { DATABASE_URL: url, PARLEY_BUS: "pg_notify" }, servers, stops });
  } catch (err) {
    for (const s of servers) console.error(`--- ${s.url} log ---\n${s.log.slice(-3000)}`);
    throw err;
  } finally {
    for (const stop of stops) await stop();
    for (const s of servers) await s.kill("SIGTERM");
    await db.close();
  }
}

// ---- a client that sends keyed messages until each is acknowledged ----------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A chat client for the burst tests: connects (to whatever `url()` says now), resumes with its last
 * sequences, and sends its keyed messages with a few in flight until every one is acknowledged,
 * reconnecting with jittered exponential backoff whenever the socket goes away.
 */
export class KeyedSender {
  readonly store: ChannelStore;
  readonly acked = new Map<string, { id: number; seq: number; created: boolean }>();
  inFlight = 0;
  connects = 0;
  /** Acks for a key this client had already sent on an earlier connection (answered from the database). */
  resentAcks = 0;
  ws: WsClient | null = null;
  #tried = new Set<string>();
  #stop = new AbortController();
  #stopped = new Promise((r) => this.#stop.signal.addEventListener("abort", r));

  constructor(
    readonly name: string,
    readonly token: string,
    readonly channelId: number,
    readonly url: () => string,
    readonly keys: string[],
    readonly window = 4,
  ) {
    this.store = new ChannelStore([channelId]);
  }

  get done() {
    return this.acked.size === this.keys.length;
  }

  /**
   * Sends until every key is acknowledged, then stays connected for live events, reconnecting and
   * resuming whenever the socket goes away, until `stop()`. A send refused for good is a test failure.
   */
  async run(deadline: number) {
    let backoff = 50;
    while (!this.#stop.signal.aborted) {
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: ${this.acked.size}/${this.keys.length} acked`);
      }
      try {
        if (!this.ws || this.ws.isClosed) await this.connect();
        backoff = 50;
        if (!this.done) await this.#sendAll(this.ws!);
        else await Promise.race([this.ws!.closed, this.#stopped]);
        continue;
      } catch (err) {
        if (err instanceof SendRefused) throw err;
        this.ws?.close();
      }
      await sleep(backoff * (0.5 + Math.random()));
      backoff = Math.min(backoff * 2, 800);
    }
    this.ws?.close();
  }

  stop() {
    this.#stop.abort();
  }

  async connect() {
    this.ws?.close();
    const ws = await WsClient.open(this.url(), this.token);
    this.connects++;
    this.ws = ws;
    this.store.attach(ws);
    const h = await ws.request("hello", { channels: this.store.lastSeqs() });
    if (h.type !== "ack") throw new Error(`hello refused: ${JSON.stringify(h.error)}`);
  }

  async #sendAll(ws: WsClient) {
    const todo = this.keys.filter((k) => !this.acked.has(k));
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const key = todo[next++];
        this.inFlight++;
        try {
          const again = this.#tried.has(key);
          this.#tried.add(key);
          const r = await ws.request("send_message", {
            channelId: this.channelId,
            clientId: key,
            body: `body of ${key}`,
          });
          if (r.type === "ack") {
            const m = r.data.message;
            this.acked.set(key, { id: m.id, seq: m.seq, created: r.data.created });
            if (again && !r.data.created) this.resentAcks++;
          } else if (r.error.code === "rate_limited") {
            todo.push(key);
            await sleep((r.error.retryAfter ?? 1) * 1000);
          } else throw new SendRefused(`${this.name} ${key}: ${JSON.stringify(r.error)}`);
        } finally {
          this.inFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: this.window }, worker));
  }
}

/** The server refused a send for a reason a retry cannot fix: the test fails. */
export class SendRefused extends Error {}

/** Starts every sender; `acked` resolves once all keys are acknowledged (or rejects on a failure). */
export function runSenders(clients: KeyedSender[], timeoutMs: number) {
  const failures: unknown[] = [];
  const deadline = Date.now() + timeoutMs;
  const runs = clients.map((c) => c.run(deadline).catch((e) => void failures.push(e)));
  return {
    acked: until("every message acknowledged", () => {
      if (failures.length) throw failures[0];
      return clients.every((c) => c.done);
    }, timeoutMs),
    async stop() {
      for (const c of clients) c.stop();
      await Promise.all(runs);
    },
  };
}
