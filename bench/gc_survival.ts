/**
 * How much of a loop's garbage survives V8's scavenges (bench/notes/gc_and_heap.md, "History tail and the
 * scavenges"). Runs one loop in a child process with `--trace-gc` and sums up the scavenges between its start
 * and end marks: how many per 1,000 iterations, MB allocated between two scavenges, MB each one moved to the
 * old generation (promoted) and that share, and the pauses.
 *
 *   deno run -A bench/gc_survival.ts js-wrapped      # a promise resolved through a wrapper closure on `this`
 *   deno run -A bench/gc_survival.ts js-plain        # the same with the resolve function itself: nothing kept
 *   deno run -A bench/gc_survival.ts js-query        # postgres.js's `Query` shape, awaited: its value is kept
 *   deno run -A bench/gc_survival.ts js-query-field  # its `resolve` field replaced by our promise's: kept alike
 *   deno run -A bench/gc_survival.ts js-query-settled # ... and given back once settled (db/client.ts): nothing
 *   deno run -A bench/gc_survival.ts pg-rows         # 51 rows of 40 columns through db/client.ts (postgres.js)
 *   deno run -A bench/gc_survival.ts history     # the latest history page as the REST route answers it
 *   deno run -A bench/gc_survival.ts session     # a request's session lookup (`authenticate` of a token)
 *   deno run -A bench/gc_survival.ts app         # the latest page through the whole app in-process (app.fetch)
 *                                                # (`--path=/healthz`, `--no-encoding`)
 *   deno run -A bench/gc_survival.ts http        # a 17 KB body through Hono, routes/middleware/compress.ts and
 *                                                # a header set after next() as routes/app.ts does (`--bare`: neither)
 *
 * `pg-rows`, `history` and `session` start a throw-away cluster (or uses `DATABASE_URL`, an empty database), fills it as the quick
 * history bench does (100 channels of 1,000 messages; with `GC_HISTORY=workspace,channel,user` beside
 * `DATABASE_URL` it uses that filled database as it is), and loops over the latest page of one channel: the
 * domain's history and the JSON text the route sends (`historyResponse` when the tree has it, else
 * `JSON.stringify(history(...))` as `c.json` did). `--root=/path/to/another/checkout` runs that tree's domain
 * and db code instead (A/B against a worktree of main; `pg-rows` too); it also reports KB allocated per page.
 *
 * `--n=3000` iterations, `--v8=--max-semi-space-size=2` more V8 flags for the child. Wrap it in
 * `flock /tmp/bench.lock` on a shared machine like every bench run.
 */
import { setImmediate } from "node:timers";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { startCluster } from "../cli/pg_cluster.ts";
import { bulkMessages, connectSql, makeFixture } from "./lib/fixtures.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const mode = args[0] ?? "js-wrapped";
const n = Number(opt("n") ?? 3000);

/** 50 objects of 40 string properties: about the rows of a page of messages. */
function rows(): object[] {
  const out = [];
  for (let i = 0; i < 50; i++) {
    const o: Record<string, string> = {};
    for (let k = 0; k < 40; k++) o[`c${k}`] = `v${k}-${i}`;
    out.push(o);
  }
  return out;
}

/** postgres.js's `Query` shape: `new` stores a closure around the promise's resolve on the instance. */
class Wrapped {
  resolve: (x: unknown) => void;
  constructor(resolve: (x: unknown) => void) {
    this.resolve = (x) => resolve(x);
    setImmediate(() => this.resolve(rows()));
  }
}
class Plain {
  resolve: (x: unknown) => void;
  constructor(resolve: (x: unknown) => void) {
    this.resolve = resolve;
    setImmediate(() => this.resolve(rows()));
  }
}

/**
 * postgres.js's `Query` (src/query.js): the promise it resolves, with closures reaching itself stored on it
 * by its constructor; settled later from a callback, as connection.js does at ReadyForQuery.
 */
class QueryLike extends Promise<unknown> {
  resolve: (x: unknown) => void;
  reject: (x: unknown) => void;
  active = false;
  constructor() {
    let resolve!: (x: unknown) => void, reject!: (x: unknown) => void;
    super((a, b) => {
      resolve = a;
      reject = b;
    });
    this.resolve = (x) => (this.active = false, resolve(x));
    this.reject = (x) => (this.active = false, reject(x));
  }
  static override get [Symbol.species]() {
    return Promise;
  }
  start() {
    setImmediate(() => this.resolve(rows()));
  }
}

/** `js-query-field` / `js-query-settled`: our own promise's `resolve` in the field (given back or not). */
async function queryThroughField(giveBack: boolean) {
  const q = new QueryLike();
  const own = q.resolve;
  const ours = Promise.withResolvers<unknown>();
  q.resolve = ours.resolve;
  q.start();
  const value = await ours.promise;
  if (giveBack) q.resolve = own;
  return value;
}

/** `http`: a Hono app's response of a page-sized body, with the repo's compress() and a late `c.header`. */
async function httpStep(): Promise<() => Promise<unknown>> {
  const root = opt("root") ?? new URL("..", import.meta.url).pathname;
  const { Hono } = await import("hono");
  const { compress } = await import(`${root}/routes/middleware/compress.ts`);
  const app = new Hono();
  if (!Deno.args.includes("--bare")) {
    app.use("*", compress());
    app.use("*", async (c, next) => {
      await next();
      c.header("X-Content-Type-Options", "nosniff");
    });
  }
  const page = JSON.stringify({
    messages: Array.from({ length: 50 }, (_, i) => ({ id: i, body: "x".repeat(300) })),
  });
  app.get("/p", (c) => c.body(page.replace("x", "y"), 200, { "content-type": "application/json" }));
  const headers = { "accept-encoding": "gzip, br" };
  return async () => await (await app.fetch(new Request("http://localhost/p", { headers }))).arrayBuffer();
}

/** The latest page of one channel, through the domain of `root` (this tree by default), as response text. */
async function historyStep(): Promise<{ step: () => Promise<unknown>; close: () => Promise<void> }> {
  const root = opt("root") ?? new URL("..", import.meta.url).pathname;
  const client = await import(`${root}/db/client.ts`);
  const messages = await import(`${root}/domain/messages.ts`);
  const db = await client.openDb({
    databaseUrl: Deno.env.get("DATABASE_URL"),
    dataDir: "",
    maxConnections: 1,
  });
  const [workspaceId, channelId, userId] = Deno.env.get("GC_HISTORY")!.split(",").map(Number);
  const deps = { db };
  const actor = {
    userId,
    workspaceId,
    username: "u1",
    displayName: "u1",
    role: "member",
    permissions: new Set(["chat.access_channels"]),
    sessionHash: null,
  };
  const step = messages.historyResponse
    ? () => messages.historyResponse(deps, actor, channelId, {})
    : async () => JSON.stringify(await messages.history(deps, actor, channelId, {}));
  const text = await step() as string;
  console.log(`PAGE ${text.length} ${JSON.parse(text).messages.length}`);
  return { step, close: () => db.close() };
}

/**
 * `app`: the latest page as a client asks for it (`Authorization: Bearer`, `accept-encoding: gzip, br`)
 * through the whole app of `root` in-process (`createApp` with `buildDeps`, every middleware, the session
 * lookup, the route), the response read to its end; no server, no socket, no background job.
 * `--path=/healthz` asks for that instead; `--no-encoding` drops `accept-encoding`.
 */
async function appStep(): Promise<{ step: () => Promise<unknown>; close: () => Promise<void> }> {
  const root = opt("root") ?? new URL("..", import.meta.url).pathname;
  const { loadConfig } = await import(`${root}/config.ts`);
  const client = await import(`${root}/db/client.ts`);
  const { buildDeps } = await import(`${root}/main.ts`);
  const { createApp } = await import(`${root}/routes/app.ts`);
  const { memoryBus } = await import(`${root}/realtime/server/bus/memory.ts`);
  const { RateLimiter } = await import(`${root}/domain/rate_limit.ts`);
  const config = loadConfig({ DATABASE_URL: Deno.env.get("DATABASE_URL")!, DEMO: "0" }, []);
  const db = await client.openDb({ databaseUrl: Deno.env.get("DATABASE_URL"), dataDir: "" });
  const deps = buildDeps({
    db,
    bus: memoryBus(),
    config,
    now: () => new Date(),
    limiter: new RateLimiter(),
    files: { storage: null, images: null, orphanSeconds: 3600 },
  });
  const app = createApp(deps);
  const [, channelId, userId] = Deno.env.get("GC_HISTORY")!.split(",").map(Number);
  const path = opt("path") ?? `/api/chat/channels/${channelId}/messages?limit=50`;
  const headers: Record<string, string> = { authorization: `Bearer gc-${userId}` };
  if (!Deno.args.includes("--no-encoding")) headers["accept-encoding"] = "gzip, br";
  const step = async () => {
    const res = await app.fetch(new Request(`http://localhost${path}`, { headers }));
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return await res.arrayBuffer();
  };
  const first = new Uint8Array(await step() as ArrayBuffer);
  console.log(`PAGE ${first.byteLength} 0`);
  return { step, close: () => db.close() };
}

/** A request's session lookup: `authenticate` of one user's token, through the domain of `root`. */
async function sessionStep(): Promise<{ step: () => Promise<unknown>; close: () => Promise<void> }> {
  const root = opt("root") ?? new URL("..", import.meta.url).pathname;
  const client = await import(`${root}/db/client.ts`);
  const auth = await import(`${root}/domain/auth.ts`);
  const db = await client.openDb({
    databaseUrl: Deno.env.get("DATABASE_URL"),
    dataDir: "",
    maxConnections: 1,
  });
  const userId = Deno.env.get("GC_HISTORY")!.split(",").map(Number)[2];
  const deps = { db };
  const step = async () => {
    if (!await auth.authenticate(deps, `gc-${userId}`)) throw new Error("no session");
  };
  return { step, close: () => db.close() };
}

async function child() {
  const root = opt("root") ?? new URL("..", import.meta.url).pathname;
  const db = mode === "pg-rows"
    ? await (await import(`${root}/db/client.ts`)).openDb({
      databaseUrl: Deno.env.get("DATABASE_URL"),
      dataDir: "",
    })
    : null;
  const hist = mode === "history"
    ? await historyStep()
    : mode === "session"
    ? await sessionStep()
    : mode === "app"
    ? await appStep()
    : null;
  const http = mode === "http" ? await httpStep() : null;
  const cols = Array.from({ length: 40 }, (_, k) => `'v${k}-' || g AS c${k}`).join(", ");
  const step = mode === "js-wrapped"
    ? () => new Promise((r) => new Wrapped(r))
    : mode === "js-plain"
    ? () => new Promise((r) => new Plain(r))
    : mode === "js-query"
    ? () => {
      const q = new QueryLike();
      q.start();
      return q;
    }
    : mode === "js-query-field"
    ? () => queryThroughField(false)
    : mode === "js-query-settled"
    ? () => queryThroughField(true)
    : http
    ? http
    : hist
    ? hist.step
    : () => db!.query(`SELECT ${cols} FROM generate_series(1, $1::int) g`, [51]);
  for (let i = 0; i < 200; i++) await step();
  console.log(`MARK start ${performance.now()}`);
  for (let i = 0; i < n; i++) await step();
  console.log(`MARK end ${performance.now()}`);
  await db?.close();
  await hist?.close();
}

/** A database filled as the quick history bench fills it; returns its URL and `workspace,channel,user`. */
async function historyDatabase(
  messages = 1000,
): Promise<{ url: string; ids: string; stop: () => Promise<void> }> {
  const cluster = Deno.env.get("DATABASE_URL") ? null : await startCluster();
  const url = Deno.env.get("DATABASE_URL") ?? cluster!.url;
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  await migrate(db, () => {});
  await db.close();
  const sql = connectSql(url);
  const fx = await makeFixture(sql, { slug: "gc", users: 100, group: 1, tokenPrefix: "gc-" });
  if (messages) await bulkMessages(sql, fx.workspaceId, fx.channels, fx.users.map((u) => u.id), messages);
  await sql.end();
  return {
    url,
    ids: [fx.workspaceId, fx.channels[0], fx.users[0].id].join(","),
    stop: async () => await cluster?.stop(),
  };
}

async function parent() {
  const v8 = ["--trace-gc", ...(opt("v8")?.split(",") ?? [])].join(",");
  const given = Deno.env.get("GC_HISTORY");
  const cluster = mode === "pg-rows" && !Deno.env.get("DATABASE_URL") ? await startCluster() : null;
  const hdb = mode === "pg-rows"
    ? { url: Deno.env.get("DATABASE_URL") ?? cluster!.url, ids: "", stop: async () => await cluster?.stop() }
    : mode !== "history" && mode !== "session" && mode !== "app"
    ? null
    : given
    ? { url: Deno.env.get("DATABASE_URL")!, ids: given, stop: async () => {} }
    : await historyDatabase(mode === "session" ? 0 : 1000);
  const roots = opt("root") ? [`--root=${opt("root")}`] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--v8-flags=${v8}`,
      new URL(import.meta.url).pathname,
      mode,
      `--n=${n}`,
      ...Deno.args.filter((a) => a === "--bare" || a === "--no-encoding" || a.startsWith("--path=")),
      ...roots,
      "--child",
    ],
    env: hdb ? { DATABASE_URL: hdb.url, GC_HISTORY: hdb.ids } : {},
    stderr: "inherit",
  }).output();
  await hdb?.stop();
  const text = new TextDecoder().decode(out.stdout);
  const mark = (k: string) => Number(text.match(new RegExp(`MARK ${k} ([\\d.]+)`))?.[1]);
  const [t0, t1] = [mark("start"), mark("end")];
  const re =
    /\s([\d.]+) ms: Scavenge (?:\([^)]*\) )?([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, pooled: [\d.]+ MB, ([\d.]+) \//g;
  const sc = [...text.matchAll(re)].map((m) => m.slice(1).map(Number)).filter(([t]) => t >= t0 && t <= t1);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  // Between two scavenges with no mark-compact between them: allocated = young generation filled since the
  // last one, promoted = the growth of the heap after it (what moved to the old generation).
  const steps = sc.slice(1).map(([, before, after], i) => ({
    alloc: before - sc[i][2],
    promoted: after - sc[i][2],
  }))
    .filter((s) => s.promoted >= 0);
  const sum = (k: "alloc" | "promoted") => steps.reduce((a, s) => a + s[k], 0);
  const pauses = sc.map(([, , , ms]) => ms);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const page = text.match(/PAGE (\d+) (\d+)/);
  console.log(JSON.stringify({
    mode,
    ...(opt("root") ? { root: opt("root") } : {}),
    v8,
    iterations: n,
    seconds: Math.round(t1 - t0) / 1000,
    ...(page ? { page_chars: Number(page[1]), page_messages: Number(page[2]) } : {}),
    kb_allocated_per_iteration: r2(
      sum("alloc") * 1024 / (steps.length ? steps.length : 1) /
        (n / Math.max(1, sc.length)),
    ),
    scavenges_per_1000: Math.round(sc.length / n * 10000) / 10,
    mb_allocated_between_scavenges: r2(median(steps.map((s) => s.alloc))),
    mb_promoted_per_scavenge: r2(median(steps.map((s) => s.promoted))),
    promoted_share: r2(sum("promoted") / (sum("alloc") || 1)),
    pause_ms_median: median(pauses),
    pause_ms_max: Math.max(0, ...pauses),
  }));
}

if (Deno.args.includes("--child")) await child();
else await parent();
