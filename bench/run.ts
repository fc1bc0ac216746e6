/**
 * `deno task bench [--quick]
 *   [--only=fanout,latency,connections,reconnect,history,search,files,visitors,lighthouse,calls]
 *   [--servers=parley,bare,socketio] [--profile] [--no-pin] [--pg-socket] [--verbose] [--out=path]
 *   [--groups=1000] [--fanout-steps=20000,40000] [--step-seconds=3] [--curve=250,500] [--quiet=60]
 *   [--connections=10000] [--baselines] [--history-requests=2000] [--pg-cpu=1]`
 *
 * Starts a throw-away Postgres (Debian's binaries; installs them with apt-get when root and missing),
 * runs the workloads against Parley, a bare Deno fan-out server and a Socket.io 4 server, prints a table
 * and writes bench/results/latest.json. Described in bench/README.md.
 */
import { findPgBin, startCluster } from "../cli/pg_cluster.ts";
import type { Kind } from "./loadgen/client.ts";
import { pinning, pinPostgres, setPinning } from "./lib/procs.ts";
import { setPgSocket } from "./lib/servers.ts";
import { consoleTable, machine, markdownTable, rows } from "./lib/report.ts";
import { type Ctx, FULL, QUICK } from "./workloads/ctx.ts";
import { fanout, latency } from "./workloads/realtime.ts";
import { connections, history, reconnect } from "./workloads/scale.ts";
import { connectSql } from "./lib/fixtures.ts";
import { benchPgSettings, warmWal } from "./lib/cost_cluster.ts";
import { lighthouseRun } from "./workloads/lighthouse.ts";
import { filesBench, searchBench } from "./workloads/files_search.ts";
import { callFirstFrame } from "./workloads/calls.ts";
import { visitorsBench } from "./workloads/visitors.ts";

const WORKLOADS = [
  "fanout",
  "latency",
  "connections",
  "reconnect",
  "history",
  "search",
  "files",
  "visitors",
  "lighthouse",
  "calls",
] as const;
type Workload = typeof WORKLOADS[number];

const args = Deno.args;
const FLAGS = ["quick", "profile", "no-pin", "pg-socket", "verbose", "baselines"];
const OPTIONS = [
  "only",
  "servers",
  "out",
  "groups",
  "fanout-steps",
  "step-seconds",
  "curve",
  "pg-cpu",
  "connections",
  "history-requests",
  "quiet",
];
// An argument the runner does not know (`--help` among them) prints the usage and runs nothing: a full run
// started by a mistyped option would measure for a quarter of an hour beside whatever else the machine does.
const unknown = args.filter((a) =>
  !FLAGS.some((f) => a === `--${f}`) && !OPTIONS.some((o) => a.startsWith(`--${o}=`))
);
if (unknown.length) {
  const usage = new TextDecoder().decode(Deno.readFileSync(new URL(import.meta.url))).split("*/")[0];
  console.error(usage.replace(/^\/\*\*\n/, "").replace(/^ \* ?/gm, ""));
  if (!unknown.includes("--help")) console.error(`bench: unknown argument(s): ${unknown.join(" ")}`);
  Deno.exit(unknown.includes("--help") ? 0 : 2);
}
const flag = (name: string) => args.includes(`--${name}`);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const only = (opt("only")?.split(",") ?? [...WORKLOADS]) as Workload[];
const strange = only.filter((w) => !WORKLOADS.includes(w));
if (strange.length) {
  console.error(`bench: no workload named ${strange.join(", ")} (known: ${WORKLOADS.join(", ")})`);
  Deno.exit(2);
}
const kinds = (opt("servers")?.split(",") ?? ["parley", "bare", "socketio"]) as Kind[];
const verbose = flag("verbose");
const profile = flag("profile");
if (flag("no-pin")) setPinning(false);
const here = new URL(".", import.meta.url).pathname;
const outFile = opt("out") ?? `${here}results/latest.json`;

async function ensurePostgres(): Promise<void> {
  if (findPgBin()) return;
  if (Deno.uid?.() !== 0) {
    throw new Error("No Postgres binaries: apt-get install postgresql, or set BENCH_DATABASE_URL");
  }
  console.error("bench: installing Debian's postgresql (apt-get)…");
  for (const a of [["update"], ["install", "-y", "--no-install-recommends", "postgresql"]]) {
    const out = await new Deno.Command("apt-get", {
      args: a,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`apt-get ${a.join(" ")} failed`);
  }
}

const pgSocket = flag("pg-socket") || Deno.env.get("BENCH_PG_SOCKET") === "1";
if (pgSocket && Deno.env.get("BENCH_DATABASE_URL")) {
  console.error(
    "bench: --pg-socket gives the servers the socket of the cluster the bench starts (not BENCH_DATABASE_URL)",
  );
  Deno.exit(2);
}
const started = performance.now();
let adminUrl = Deno.env.get("BENCH_DATABASE_URL");
let stopCluster: (() => Promise<void>) | null = null;
if (!adminUrl) {
  await ensurePostgres();
  const extra = benchPgSettings();
  if (profile) {
    extra.push("-c shared_preload_libraries=pg_stat_statements", "-c pg_stat_statements.track=all");
  }
  const cluster = await startCluster({ fsync: true, maxConnections: 300, extra });
  adminUrl = cluster.url;
  stopCluster = cluster.stop;
  // --pg-socket (or BENCH_PG_SOCKET=1): Parley and Socket.io reach the cluster through its Unix socket (in the
  // directory the bench made for it) instead of loopback TCP; the bench's own connections stay on TCP.
  if (pgSocket) setPgSocket(cluster.socketPath.slice(0, cluster.socketPath.lastIndexOf("/")));
  // WAL segments made and recycled before any workload, as on a Postgres that has run a while, so every
  // server's commits reuse segment files instead of creating new ones (bench/README.md, "How it measures").
  // BENCH_WAL_WARM=0 measures a freshly made cluster, as runs before the eleventh pass did.
  const warm = Number(Deno.env.get("BENCH_WAL_WARM") ?? 64);
  if (warm > 0) {
    const t0 = performance.now();
    const n = await warmWal(adminUrl, warm);
    console.error(
      `bench: ${n} WAL segments after warming ${warm} (${Math.round(performance.now() - t0)} ms)`,
    );
  }
}
/** The postmaster of the cluster the bench started (its processes' CPU is measured), or undefined. */
async function postmasterPid(url: string): Promise<number | undefined> {
  const sql = connectSql(url);
  try {
    const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
    const f = await Deno.readTextFile(`/proc/${pid}/stat`);
    return Number(f.slice(f.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  } finally {
    await sql.end();
  }
}
const pgPid = stopCluster ? await postmasterPid(adminUrl) : undefined;
// --pg-cpu=N pins the cluster (postmaster, its helpers and every backend it forks later) to CPU N; by
// default it is left to the scheduler, as in every earlier run (bench/README.md, "How it measures":
// Processes).
const pgCpu = opt("pg-cpu");
if (pgCpu !== undefined && pinning) {
  const sql = connectSql(adminUrl);
  const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
  await pinPostgres(Number(pid), pgCpu);
  await sql.end();
}
const cleanup = async () => {
  if (stopCluster) await stopCluster();
  stopCluster = null;
};
Deno.addSignalListener("SIGINT", async () => {
  await cleanup();
  Deno.exit(130);
});

const params = structuredClone(quick ? QUICK : FULL);
// --groups=1000: fan-out only in channels of these sizes (a partial run to look at one group).
if (opt("groups")) params.fanout.groups = opt("groups")!.split(",").map(Number);
// --fanout-steps=20000,40000 and --step-seconds=3: the fan-out's rates (deliveries/s) and step length.
if (opt("fanout-steps")) params.fanout.steps = opt("fanout-steps")!.split(",").map(Number);
if (opt("step-seconds")) params.fanout.stepSeconds = Number(opt("step-seconds"));
// --curve=250,500,1000: the steady workload's rates (a partial run to look at the knee).
if (opt("curve")) params.latency.curve = opt("curve")!.split(",").map(Number);
// --connections=N: that many idle connections; --baselines: bare and Socket.io join a quick connections run.
if (opt("connections")) params.connections.count = Number(opt("connections"));
if (flag("baselines")) params.connections.baselines = true;
// --history-requests=N: more samples for the history page's p99 (quick runs take 300).
if (opt("history-requests")) params.history.requests = Number(opt("history-requests"));
// --profile: V8 CPU profiles of the servers, one folder per run and per workload
// (bench/results/profiles/<time>/<workload>/, git-ignored), so each profile is known to be its workload's.
const profileRun = profile
  ? `${here}results/profiles/${new Date().toISOString().slice(0, 19).replace(/:/g, "")}`
  : undefined;
const ctx: Ctx = {
  params,
  adminUrl,
  kinds,
  pgPid,
  tokenPrefix: `bench-${crypto.randomUUID().slice(0, 8)}-`,
  verbose,
  cpuProfDir: undefined,
  quietSeconds: Number(opt("quiet") ?? (quick ? 2 : 60)),
  log: (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
};

/**
 * With --profile: the statements that took Postgres the most time during the workload (printed, and kept
 * in the results as `postgres_statements`), with the total count of statements run, then reset.
 */
async function topStatements(workload: string) {
  const sql = connectSql(adminUrl!);
  try {
    const rows = await sql`SELECT calls::int, round(total_exec_time::numeric, 1)::float AS total_ms,
        round(mean_exec_time::numeric, 3)::float AS mean_ms, round(max_exec_time::numeric, 1)::float AS max_ms,
        rows::int, jit_functions::int AS jit_functions,
        round((jit_generation_time + jit_optimization_time + jit_emission_time)::numeric, 1)::float AS jit_ms,
        left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 160) AS query
      FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`;
    const [all] = await sql`SELECT coalesce(sum(calls), 0)::bigint AS calls,
        round(coalesce(sum(total_exec_time), 0)::numeric, 1)::float AS total_ms,
        coalesce(sum(jit_functions), 0)::bigint AS jit_functions, round(coalesce(sum(jit_generation_time
          + jit_optimization_time + jit_emission_time), 0)::numeric, 1)::float AS jit_ms FROM pg_stat_statements`;
    console.log(`\n-- ${workload}: top statements by total time (pg_stat_statements)`);
    // JIT compilation (Postgres' default `jit=on` compiles any statement whose plan costs > 100,000).
    console.log(
      `   all statements: ${all.calls} calls, ${all.total_ms} ms; JIT ${all.jit_functions} functions, ${all.jit_ms} ms`,
    );
    for (const r of rows) {
      console.log(
        `${String(r.total_ms).padStart(9)} ms ${String(r.calls).padStart(8)} calls ${
          String(r.mean_ms).padStart(8)
        } ms/call ${String(r.max_ms).padStart(7)} ms max ${
          r.jit_functions ? ` (JIT ${r.jit_functions} functions, ${r.jit_ms} ms)` : ""
        } ${r.query}`,
      );
    }
    await sql`SELECT pg_stat_statements_reset()`;
    return {
      calls: Number(all.calls),
      total_ms: all.total_ms,
      jit_functions: Number(all.jit_functions),
      jit_ms: all.jit_ms,
      top: rows.map((r) => ({ ...r })),
    };
  } finally {
    await sql.end();
  }
}

const results: Record<string, unknown> = {};
const timings: Record<string, number> = {};
try {
  results.machine = await machine(adminUrl, pinning, pgCpu);
  if (profile) {
    const sql = connectSql(adminUrl);
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
    await sql.end();
  }
  const run: Record<Workload, (c: Ctx) => Promise<unknown>> = {
    fanout,
    latency,
    connections,
    reconnect,
    history,
    search: searchBench,
    files: filesBench,
    visitors: visitorsBench,
    lighthouse: () => lighthouseRun(ctx.log),
    calls: () => callFirstFrame(ctx.log, quick ? 3 : 10),
  };
  for (const w of WORKLOADS) {
    if (!only.includes(w)) continue;
    const t0 = performance.now();
    if (profileRun) {
      ctx.cpuProfDir = `${profileRun}/${w}`;
      await Deno.mkdir(ctx.cpuProfDir, { recursive: true });
    }
    try {
      results[w] = await run[w](ctx);
    } catch (err) {
      console.error(`bench: ${w} failed:`, err);
      results[w] = { error: String((err as Error).message ?? err).slice(0, 2000) };
    }
    timings[w] = Math.round((performance.now() - t0) / 1000);
    if (profile) {
      const st = await topStatements(w).catch((err) => ({ error: String(err) }));
      if (results[w] && typeof results[w] === "object") {
        (results[w] as Record<string, unknown>).postgres_statements = st;
      }
    }
  }
} finally {
  await cleanup();
}

// A partial run (--only) keeps the other workloads' latest results in the file.
const previous: Record<string, unknown> = opt("only")
  ? await Deno.readTextFile(outFile).then(JSON.parse).catch(() => ({}))
  : {};
const kept = Object.fromEntries(
  Object.entries(previous).filter(([k]) =>
    (WORKLOADS as readonly string[]).includes(k) && !only.includes(k as Workload)
  ),
);
const out: Record<string, unknown> = {
  ...kept,
  generated_at: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  duration_seconds: Math.round((performance.now() - started) / 1000),
  workload_seconds: timings,
  ...results,
  parameters: { ...params, servers: kinds, workloads: only, pg_transport: pgSocket ? "unix" : "tcp" },
};
(out.machine as Record<string, unknown>).loadavg_at_end = (await Deno.readTextFile("/proc/loadavg")).split(
  " ",
)
  .slice(0, 3).map(Number);
await Deno.mkdir(`${here}results`, { recursive: true });
await Deno.writeTextFile(outFile, JSON.stringify(out, null, 2) + "\n");
const table = rows(out);
await Deno.writeTextFile(outFile.replace(/\.json$/, ".md"), markdownTable(table) + "\n");
console.log("\n" + consoleTable(table));
if (profileRun) {
  // The profiled run's report (bench/profile_report.ts makes it again from the files): bench/results/profile.md.
  // Loaded only here, at the end of a profiled run; a failure leaves the results written and says so.
  try {
    const { profileReport } = await import("./lib/profile_report.ts");
    const md = profileReport(out, profileRun, { command: `deno task bench ${args.join(" ")}` });
    await Deno.writeTextFile(`${here}results/profile.md`, md);
    console.log(`wrote ${here}results/profile.md (profiles in ${profileRun})`);
  } catch (err) {
    console.error(
      `bench: no profile.md (${err}); make it with bench/profile_report.ts ${outFile} ${profileRun}`,
    );
  }
}
console.log(`\n${out.mode} run in ${out.duration_seconds} s; wrote ${outFile}`);
