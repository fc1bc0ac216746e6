/**
 * Every statement of one visitors workload (issue 16, twenty-first pass, `visit21`): starts a cluster with
 * pg_stat_statements as `bench/run.ts --profile` does, runs `visitorsBench` (quick sizes unless `--full`),
 * and prints all statements of the workload's database (not only the top 12), with calls per conversation,
 * so a conversation's statements can be counted by kind.
 * `flock /tmp/bench.lock deno run -A bench/visitor_statements.ts [--full] [--json=path]`
 */
import { startCluster } from "../cli/pg_cluster.ts";
import { benchPgSettings, warmWal } from "./lib/cost_cluster.ts";
import { connectSql } from "./lib/fixtures.ts";
import { type Ctx, FULL, QUICK } from "./workloads/ctx.ts";
import { visitorsBench } from "./workloads/visitors.ts";

const full = Deno.args.includes("--full");
const jsonOut = Deno.args.find((a) => a.startsWith("--json="))?.slice(7);
const cluster = await startCluster({
  fsync: true,
  maxConnections: 300,
  extra: [
    ...benchPgSettings(),
    "-c shared_preload_libraries=pg_stat_statements",
    "-c pg_stat_statements.track=all",
    "-c pg_stat_statements.max=5000",
  ],
});
try {
  await warmWal(cluster.url, 64);
  const admin = connectSql(cluster.url);
  await admin`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
  const [{ pid }] = await admin`SELECT pg_backend_pid() AS pid`;
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const pgPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  await admin`SELECT pg_stat_statements_reset()`;
  const ctx: Ctx = {
    params: structuredClone(full ? FULL : QUICK),
    adminUrl: cluster.url,
    kinds: ["parley"],
    pgPid,
    tokenPrefix: `vs-${crypto.randomUUID().slice(0, 8)}-`,
    verbose: false,
    quietSeconds: full ? 10 : 2,
    log: (line) => console.log(line),
  };
  const r = (await visitorsBench(ctx) as { parley: Record<string, unknown> }).parley;
  const n = Number(r.started) || 1;
  const rows = await admin`SELECT s.calls::int, round(s.total_exec_time::numeric, 1)::float AS total_ms,
      round(s.mean_exec_time::numeric, 3)::float AS mean_ms, s.rows::int, s.toplevel,
      regexp_replace(s.query, '[[:space:]]+', ' ', 'g') AS query
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = 'bench_visitors' ORDER BY s.toplevel DESC, s.calls DESC`;
  await admin.end();
  // Top-level statements (the server's); nested ones (foreign-key checks, triggers) are listed after them.
  const top = rows.filter((x) => x.toplevel);
  const calls = top.reduce((a, x) => a + x.calls, 0);
  const ms = top.reduce((a, x) => a + x.total_ms, 0);
  console.log(
    `server ${r.server_cpu_ms_per_conversation} ms, Postgres ${r.postgres_cpu_ms_per_conversation} ms per conversation; ` +
      `${n} conversations, ${r.staff_messages} staff messages; statements ${calls} (${
        (calls / n).toFixed(1)
      } per conversation), ${ms.toFixed(0)} ms executing`,
  );
  for (const x of rows) {
    console.log(
      `${x.toplevel ? " " : "n"} ${String(x.calls).padStart(6)} ${
        (x.calls / n).toFixed(2).padStart(6)
      }/conv ${String(x.total_ms).padStart(8)} ms ${String(x.mean_ms).padStart(7)} ms/call ${
        String(x.rows).padStart(6)
      } rows  ${x.query.slice(0, 150)}`,
    );
  }
  if (jsonOut) {
    await Deno.writeTextFile(jsonOut, JSON.stringify({ result: r, statements: rows }, null, 1));
  }
} finally {
  await cluster.stop();
}
