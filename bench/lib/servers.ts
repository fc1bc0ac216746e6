/**
 * Starting the three servers under test and the load generators, each in its own process: the server on
 * one core, the load generator on the other (when `taskset` is available), Postgres left to the scheduler.
 */
import { existsSync } from "node:fs";
import type { Kind } from "../loadgen/client.ts";
import type { Spec } from "./spec.ts";
import { Proc } from "./procs.ts";

const here = new URL("..", import.meta.url).pathname; // bench/
const deno = Deno.execPath();

export const SERVER_CPU = "0";
export const LOADGEN_CPU = "1";
export const JWT_SECRET = "parley-bench-secret";

export interface Running {
  kind: Kind;
  url: string;
  proc: Proc;
  /** Where the server writes its event-loop lag samples (`lib/lag.ts`; Parley and bare). */
  lagFile?: string;
}

export interface ServerOptions {
  databaseUrl?: string;
  verbose?: boolean;
  /** Folder for a V8 CPU profile of the server (Parley and bare). */
  cpuProfDir?: string;
  env?: Record<string, string>;
  /** Event-loop lag samples for the load generator's steps (`lib/lag.ts`; Parley and bare; a 10 ms timer). */
  lag?: boolean;
}

let pgSocketDir: string | null = null;

/**
 * `--pg-socket` (or BENCH_PG_SOCKET=1): the servers reach the bench's cluster through its Unix socket in `dir`
 * (the directory `startCluster` made and gave Postgres as `unix_socket_directories`) instead of loopback TCP.
 * Parley and Socket.io both, so both pay the same transport (bench/notes/postgres_unix_socket.md).
 */
export const setPgSocket = (dir: string | null) => pgSocketDir = dir;

/**
 * The URL a server is given for a database of the bench's cluster: as it is, or with `--pg-socket` in the
 * socket form libpq, node-postgres and Parley (db/pg_url.ts) take, `postgres://user@/db?host=/dir&port=N`.
 */
export function serverDatabaseUrl(url: string): string {
  if (!pgSocketDir) return url;
  const u = new URL(url);
  const port = u.port || "5432";
  const user = u.username ? `${u.username}${u.password ? `:${u.password}` : ""}@` : "";
  return `${u.protocol}//${user}${u.pathname}?host=${encodeURIComponent(pgSocketDir)}&port=${port}`;
}

/** Environment for Parley under load: real Postgres, no demo data, rate limits out of the way. */
export function parleyEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: serverDatabaseUrl(databaseUrl),
    PORT: "0",
    HOSTNAME_BIND: "127.0.0.1",
    DEMO: "0",
    RATE_SENDS_PER_MINUTE: "100000000",
    RATE_CONNECTS_PER_MINUTE: "100000000",
    RATE_TYPING_PER_MINUTE: "100000000",
    INSTANCE_ID: "bench",
  };
}

export async function startServer(kind: Kind, o: ServerOptions = {}): Promise<Running> {
  let proc: Proc;
  const lagFile = !o.lag || kind === "socketio"
    ? undefined
    : await Deno.makeTempFile({ prefix: "parley-bench-lag-" });
  const lagEnv: Record<string, string> = lagFile ? { BENCH_LAG_FILE: lagFile } : {};
  if (kind === "parley") {
    const prof = o.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfDir}`] : [];
    // The V8 flags of `deno task start` (what production runs with), then BENCH_PARLEY_V8_FLAGS: more V8
    // flags for Parley (comma-separated, as --v8-flags takes them; a later flag overrides an earlier one).
    const extra = [...startV8Flags(), ...(Deno.env.get("BENCH_PARLEY_V8_FLAGS")?.split(",") ?? [])];
    const v8 = `--v8-flags=${["--expose-gc", ...extra].filter(Boolean).join(",")}`;
    proc = new Proc([deno, "run", "-A", v8, ...prof, `${here}servers/parley.ts`], {
      cpu: SERVER_CPU,
      env: {
        ...parleyEnv(o.databaseUrl!),
        ...lagEnv,
        ...o.env,
        ...JSON.parse(Deno.env.get("BENCH_SERVER_ENV") ?? "{}"),
      },
      label: "parley",
      verbose: o.verbose,
    });
  } else if (kind === "bare") {
    const prof = o.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfDir}`] : [];
    // BENCH_BARE_V8_FLAGS: more V8 flags for bare (comma-separated), as BENCH_PARLEY_V8_FLAGS for Parley.
    const v8 = `--v8-flags=${
      ["--expose-gc", ...(Deno.env.get("BENCH_BARE_V8_FLAGS")?.split(",") ?? [])].join(",")
    }`;
    proc = new Proc([deno, "run", "-A", v8, ...prof, `${here}servers/bare.ts`], {
      cpu: SERVER_CPU,
      env: { PORT: "0", ...lagEnv },
      label: "bare",
      verbose: o.verbose,
    });
  } else {
    await ensureSocketIoInstalled();
    proc = new Proc(["node", "--expose-gc", `${here}socketio/server.js`], {
      cpu: SERVER_CPU,
      env: {
        PORT: "0",
        DATABASE_URL: serverDatabaseUrl(o.databaseUrl!),
        JWT_SECRET,
        PATH: Deno.env.get("PATH") ?? "",
      },
      label: "socketio",
      verbose: o.verbose,
    });
  }
  if (lagFile) void proc.status.then(() => Deno.remove(lagFile).catch(() => {}));
  const ready = await proc.next((l) => typeof l.url === "string", 60_000);
  return { kind, url: String(ready.url), proc, lagFile };
}

/**
 * The `--v8-flags=` of deno.json's `start` task, one flag an item: the bench runs Parley as production does
 * (none: bench/notes/gc_and_heap.md, "The young generation flag (issue 16, seventh pass)").
 */
export function startV8Flags(): string[] {
  const json = JSON.parse(Deno.readTextFileSync(`${here}../deno.json`)) as { tasks: Record<string, string> };
  const m = json.tasks.start.match(/--v8-flags=(\S+)/);
  return m ? m[1].split(",") : [];
}

let installed = false;

/** `npm ci` in bench/socketio the first time (pinned by its package-lock.json). */
export async function ensureSocketIoInstalled() {
  if (installed || existsSync(`${here}socketio/node_modules/socket.io/package.json`)) {
    installed = true;
    return;
  }
  console.error("bench: installing the Socket.io baseline (npm ci in bench/socketio)…");
  const out = await new Deno.Command("npm", {
    args: ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    cwd: `${here}socketio`,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("npm ci in bench/socketio failed");
  installed = true;
}

/** Starts a load generator with `spec`; resolves with the process (read its result with `result`). */
export async function startLoadgen(spec: Spec, o: { verbose?: boolean; label?: string } = {}): Promise<Proc> {
  const file = await Deno.makeTempFile({ prefix: "parley-bench-spec-", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(spec));
  // BENCH_LOADGEN_PROF=<dir>: profile the load generators too (to see whether they are the bottleneck).
  const profDir = Deno.env.get("BENCH_LOADGEN_PROF");
  const prof = profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];
  const proc = new Proc([deno, "run", "-A", ...prof, `${here}loadgen/main.ts`, file], {
    cpu: LOADGEN_CPU,
    label: `loadgen:${spec.scenario}:${spec.kind}`,
    verbose: o.verbose,
  });
  void proc.status.then(() => Deno.remove(file).catch(() => {}));
  return proc;
}

export async function loadgenResult<T>(proc: Proc, timeoutMs: number): Promise<T> {
  const line = await proc.next((l) => l.event === "result", timeoutMs);
  await proc.status;
  return line.result as T;
}

/** Runs a load generator to completion and returns its result. */
export async function runLoadgen<T>(spec: Spec, timeoutMs: number, verbose?: boolean): Promise<T> {
  const proc = await startLoadgen(spec, { verbose });
  try {
    return await loadgenResult<T>(proc, timeoutMs);
  } finally {
    if (!proc.exited) await proc.stop(1000);
  }
}

export interface MemoryStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** V8's heap per space (`new_space`, `old_space`, `code_space`, `large_object_space`, …): [committed, live]. */
  spaces?: Record<string, [number, number]>;
}

/** Asks a server to collect garbage and report its memory (SIGUSR2); resolves with its stats line. */
export async function memoryStats(
  s: Running,
): Promise<MemoryStats> {
  s.proc.signal("SIGUSR2");
  const line = await s.proc.next((l) => l.event === "stats", 30_000);
  return line as unknown as MemoryStats;
}
