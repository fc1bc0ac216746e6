/**
 * Where a grouped send's Postgres CPU goes, per statement and per message:
 * `deno run -A bench/pg_fixed_cost.ts [rounds] [statements per block]`. A throw-away cluster (fsync on,
 * synchronous commit) and one connection; each variant runs a block of statements in turn, round after round
 * (so a busy machine weighs on all alike), and the connection's backend CPU (exact, from the scheduler) is
 * reported per statement and per message, the median over the rounds. The variants separate the statement's
 * fixed cost (planning, the commit's WAL flush) from its cost per message.
 */
import { insertBatch } from "../db/repos/message_batch.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos, treeCpuSeconds } from "./lib/cpu.ts";

const rounds = Number(Deno.args[0] ?? 5);
const block = Number(Deno.args[1] ?? 200);

const c = await costCluster("fixed_cost", { slug: "fc", users: 400, group: 20, tokenPrefix: "fc-" });
const { cluster, postmaster, sql, fx, ws } = c;
const db = c.db;
try {
  const [{ backend }] = await db.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  await db.query("CREATE TABLE floor_probe (x int)");
  const sends = benchSends(fx, ws, "f");
  const grouped = (n: number) => () => insertBatch(db, sends(n), "control.maintenance").then(() => {});
  /** `system`: `set`/`reset` are cluster settings (ALTER SYSTEM, then a reload), run on the admin connection. */
  const VARIANTS: {
    label: string;
    per: number;
    set?: string;
    reset?: string;
    system?: boolean;
    run: () => Promise<void>;
  }[] = [
    { label: "SELECT 1 (a round trip)", per: 1, run: () => db.query("SELECT $1::int", [1]).then(() => {}) },
    {
      label: "a one-column insert and its commit",
      per: 1,
      run: () => db.query("INSERT INTO floor_probe VALUES ($1)", [1]).then(() => {}),
    },
    { label: "grouped send, 1 message", per: 1, run: grouped(1) },
    {
      label: "the same, commit not waiting for the flush (probe only)",
      per: 1,
      set: "SET synchronous_commit = off",
      reset: "SET synchronous_commit = on",
      run: grouped(1),
    },
    {
      label: "the same, generic plan",
      per: 1,
      set: "SET plan_cache_mode = force_generic_plan",
      reset: "SET plan_cache_mode = auto",
      run: grouped(1),
    },
    {
      label: "the same, wal_sync_method = open_datasync",
      per: 1,
      system: true,
      set: "ALTER SYSTEM SET wal_sync_method = open_datasync",
      reset: "ALTER SYSTEM RESET wal_sync_method",
      run: grouped(1),
    },
    {
      label: "a one-column insert, wal_sync_method = open_datasync",
      per: 1,
      system: true,
      set: "ALTER SYSTEM SET wal_sync_method = open_datasync",
      reset: "ALTER SYSTEM RESET wal_sync_method",
      run: () => db.query("INSERT INTO floor_probe VALUES ($1)", [1]).then(() => {}),
    },
    { label: "grouped send, 2 messages", per: 2, run: grouped(2) },
    { label: "grouped send, 5 messages", per: 5, run: grouped(5) },
    { label: "grouped send, 20 messages", per: 20, run: grouped(20) },
  ];
  const only = new RegExp(Deno.env.get("ONLY") ?? ".");
  VARIANTS.splice(0, VARIANTS.length, ...VARIANTS.filter((v) => only.test(v.label)));
  for (const q of (Deno.env.get("SESSION") ?? "").split(";").filter((q) => q.trim())) await db.query(q);
  for (const q of (Deno.env.get("SETUP") ?? "").split(";").filter((q) => q.trim())) await sql.unsafe(q);
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  const res = VARIANTS.map(() => [] as number[]);
  const cl = VARIANTS.map(() => [] as number[]);
  const wall = VARIANTS.map(() => [] as number[]);
  for (let i = 0; i < 30; i++) await grouped(1)(); // warm
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of VARIANTS.entries()) {
      if (Deno.env.get("VACUUM")) await sql.unsafe(Deno.env.get("VACUUM")!);
      const apply = async (q?: string) => {
        if (!q) return;
        if (!v.system) return void await db.query(q);
        await sql.unsafe(q);
        await sql`SELECT pg_reload_conf()`;
        await new Promise((r) => setTimeout(r, 200));
      };
      await apply(v.set);
      for (let j = 0; j < 10; j++) await v.run();
      const b0 = runNanos(backend), c0 = treeCpuSeconds(postmaster), t0 = performance.now();
      for (let j = 0; j < block; j++) await v.run();
      res[i].push((runNanos(backend) - b0) / 1e3 / block);
      cl[i].push((treeCpuSeconds(postmaster) - c0) * 1e6 / block);
      wall[i].push((performance.now() - t0) * 1000 / block);
      await apply(v.reset);
    }
  }
  console.log(
    `${rounds} rounds of ${block} statements; backend CPU (exact), cluster CPU, wall time; medians`,
  );
  if (Deno.env.get("VERBOSE")) {
    VARIANTS.forEach((v, i) => console.log(v.label, res[i].map((x) => x.toFixed(0)).join(" ")));
  }
  for (const [i, v] of VARIANTS.entries()) {
    const st = median(res[i]);
    console.log(
      `${v.label.padEnd(58)} ${st.toFixed(0).padStart(6)} µs/statement ${
        (st / v.per).toFixed(0).padStart(6)
      } µs/msg; cluster ${median(cl[i]).toFixed(0).padStart(6)} µs/statement (ticks), wall ${
        median(wall[i]).toFixed(0).padStart(6)
      } µs/statement`,
    );
  }
  if (Deno.env.get("VERBOSE")) {
    console.log(
      await sql`SELECT relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd,
      pg_relation_size(relid) AS bytes FROM pg_stat_user_tables WHERE n_tup_upd > 0 OR n_dead_tup > 0`,
    );
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
