/**
 * A C-level profile of the Postgres backend while it runs the grouped send:
 * `deno run -A bench/pg_perf_profile.ts [messages per statement] [seconds] [out dir]`. A throw-away cluster
 * (fsync on, synchronous commit, as `pg_fixed_cost.ts`), one connection; after a warm-up (the plan cache has
 * chosen its plan) `perf record` samples that connection's backend (user and kernel) while the statement runs
 * in a loop, then `perf report` writes the flat profile (self time per symbol) and the call graph (children
 * included) to the out dir, and prints the statement's phases (each sample counted once, by the first phase
 * whose function is on its stack). `CALLGRAPH=dwarf` (default) or `fp`; `FREQ` samples per second (default 2999).
 * `USERS` (default 2,000, channels of 20, as the latency workload). `STATEMENT=sql` profiles another statement instead (it gets no parameters). Needs `perf` (linux-perf).
 */
import { insertBatch } from "../db/repos/message_batch.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos } from "./lib/cpu.ts";

const per = Number(Deno.args[0] ?? 1);
const seconds = Number(Deno.args[1] ?? 8);
const out = Deno.args[2] ?? `/tmp/pgperf-${per}`;
const callgraph = Deno.env.get("CALLGRAPH") ?? "dwarf";
const freq = Deno.env.get("FREQ") ?? "2999";

/** Phases of a statement, by the first of these functions found on a sample's stack. */
const PHASES: [string, string[]][] = [
  ["commit: WAL flush, fdatasync (kernel)", ["__GI_fdatasync", "__x64_sys_fdatasync"]],
  ["commit: WAL write (pwrite)", ["__libc_pwrite64", "__x64_sys_pwrite64"]],
  ["commit: WAL flush, other", ["XLogFlush"]],
  ["commit: the rest (locks, resources, portals)", ["CommitTransactionCommand"]],
  ["foreign-key checks (RI triggers, SPI)", ["AfterTriggerEndQuery"]],
  ["CHECK constraints (parsed and planned per statement)", ["ExecConstraints"]],
  ["planning (custom plans)", ["standard_planner", "pg_plan_queries"]],
  ["executor start (plan tree init)", ["standard_ExecutorStart"]],
  ["executor end", ["standard_ExecutorEnd"]],
  ["index inserts", ["ExecInsertIndexTuples"]],
  ["WAL inserts (XLogInsert)", ["XLogInsert", "XLogInsertRecord"]],
  ["heap insert / update / lock", ["heap_insert", "heap_update", "heap_lock_tuple", "heap_multi_insert"]],
  ["md5(body)", ["md5_text"]],
  ["executor run, the rest (scans, joins, sorts, CTEs)", ["standard_ExecutorRun"]],
  ["executor finish, the rest (CTEs nobody reads)", ["standard_ExecutorFinish"]],
  ["bind: plan cache, parameters", ["GetCachedPlan", "OidInputFunctionCall", "array_in"]],
  ["socket send", ["secure_write"]],
  ["socket receive and wait", ["pq_getbyte", "secure_read", "pq_getmessage"]],
  ["the rest of the portal", ["PortalRun", "PortalStart", "PortalDrop"]],
  ["the rest of the protocol loop", ["PostgresMain"]],
];

await Deno.mkdir(out, { recursive: true });
const users = Number(Deno.env.get("USERS") ?? 2000); // the latency workload's 2,000 in channels of 20
const c = await costCluster("perf_profile", { slug: "pp", users, group: 20, tokenPrefix: "pp-" });
const { cluster, sql, fx, ws } = c;
const db = c.db;
try {
  const [{ backend }] = await db.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  const sends = benchSends(fx, ws, "p");
  const statement = Deno.env.get("STATEMENT");
  const run = statement
    ? () => db.query(statement).then(() => {})
    : () => insertBatch(db, sends(per), "control.maintenance").then(() => {});
  for (let i = 0; i < 300; i++) await run(); // warm: the plan cache's choice is made, buffers are hot
  const perf = new Deno.Command("perf", {
    args: [
      "record",
      "-F",
      freq,
      "--call-graph",
      callgraph === "dwarf" ? "dwarf,32768" : "fp",
      "-p",
      String(backend),
      "-o",
      `${out}/perf.data`,
      "--",
      "sleep",
      String(seconds),
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await new Promise((r) => setTimeout(r, 300)); // perf attaches
  let n = 0, done = false;
  const b0 = runNanos(backend), t0 = performance.now();
  const status = perf.status.then((s) => (done = true, s));
  let b1 = b0, n1 = 0;
  while (!done) {
    await run();
    n++;
    if (performance.now() - t0 < seconds * 1000 - 200) b1 = runNanos(backend), n1 = n;
  }
  const perfErr = new TextDecoder().decode((await perf.output()).stderr);
  await status;
  console.log(
    `${n} statements of ${per} message(s) in ${seconds} s; backend ${
      ((b1 - b0) / 1e3 / n1).toFixed(0)
    } µs CPU per statement (schedstat)`,
  );
  if (perfErr.trim()) console.log(perfErr.trim().split("\n").slice(-3).join("\n"));
  const report = async (file: string, args: string[]) => {
    const r = await new Deno.Command("perf", {
      args: ["report", "-i", `${out}/perf.data`, "--stdio", ...args],
      stdout: "piped",
      stderr: "null",
    }).output();
    await Deno.writeFile(`${out}/${file}`, r.stdout);
  };
  await report("flat.txt", ["--no-children", "--sort", "symbol", "-g", "none", "--percent-limit", "0.3"]);
  await report("children.txt", ["--children", "--sort", "symbol", "-g", "none", "--percent-limit", "1"]);
  await report("dso.txt", ["--no-children", "--sort", "dso", "-g", "none"]);
  await report("graph.txt", [
    "--no-children",
    "--sort",
    "symbol",
    "-g",
    "caller,0.5,callee",
    "--percent-limit",
    "2",
  ]);
  console.log(`reports in ${out}: flat.txt children.txt dso.txt graph.txt`);
  // The phases of a statement: each sample goes to the first rule with a function on its stack (static
  // functions have no name in Debian's binary, so the nearest named frames decide).
  const script = await new Deno.Command("perf", {
    args: ["script", "-i", `${out}/perf.data`, "-F", "comm,tid,ip,sym,dso"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const stacks: Set<string>[] = [];
  let cur: Set<string> | null = null;
  for (const line of new TextDecoder().decode(script.stdout).split("\n")) {
    if (!line.trim()) {
      if (cur) stacks.push(cur);
      cur = null;
    } else if (!line.startsWith("\t")) cur = new Set();
    else cur?.add(line.trim().split(" ").slice(1).join(" ").replace(/ \([^)]*\)$/, ""));
  }
  if (cur) stacks.push(cur);
  const counts = new Map<string, number>();
  for (const st of stacks) {
    const phase = PHASES.find(([, fns]) => fns.some((f) => st.has(f)))?.[0] ?? "outside the protocol loop";
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  const perStatement = (b1 - b0) / 1e3 / n1;
  console.log(
    `phases of ${stacks.length} samples (µs: share of ${perStatement.toFixed(0)} µs per statement)`,
  );
  for (const [phase] of [...PHASES, ["outside the protocol loop"]]) {
    const share = (counts.get(phase as string) ?? 0) / stacks.length;
    console.log(
      `  ${(phase as string).padEnd(56)} ${(100 * share).toFixed(1).padStart(5)} % ${
        (share * perStatement).toFixed(0).padStart(5)
      } µs`,
    );
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
