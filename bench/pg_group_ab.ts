/**
 * Paired comparison of group-commit settings at a steady send rate, Postgres only:
 * `deno run -A bench/pg_group_ab.ts [messages/s] [seconds per block] [rounds]`. A throw-away cluster (fsync on,
 * synchronous commit), a pool of 10 connections as in the server, and the grouped send's own statement
 * (`db/repos/message_batch.ts`) behind a `GroupCommit` keyed by channel as `domain/send_batch.ts` builds it.
 * Sends arrive at the given rate (a 1 ms tick, spread over 25 channels of 20 senders, as the steady workload);
 * each setting runs a block in turn, round after round, so a busy machine weighs on all alike. Reported, the
 * median over the rounds: the pool's backends' CPU per message (exact, from the scheduler), the whole
 * cluster's (in ticks, WAL writer and checkpointer included), messages per statement, and each send's wait
 * from submit to commit (p50 / p99). No fan-out, no load generator: what the batching changes in Postgres.
 */
import { openDb } from "../db/client.ts";
import { type BatchSend, insertBatch } from "../db/repos/message_batch.ts";
import { GroupCommit } from "../domain/group_commit.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos, treeCpuSeconds } from "./lib/cpu.ts";
import { exactPercentile } from "./lib/stats.ts";

const rate = Number(Deno.args[0] ?? 1000);
const seconds = Number(Deno.args[1] ?? 5);
const rounds = Number(Deno.args[2] ?? 3);

/**
 * The settings compared: batches in flight, the hold, the pace, the most it grows to (0 or under the pace:
 * fixed) and its floor (under one send per pace; default the pace) (`GroupCommitOptions`):
 * `4/5/0,4/5/3,4/5/2/5,4/5/2/8/0`.
 */
const SETTINGS = (Deno.env.get("SETTINGS") ?? "4/5/0,4/5/3").split(",").map((s) => {
  const [inFlight, hold, pace = 0, paceMax = 0, floor = pace] = s.split("/").map(Number);
  const label = `${inFlight} in flight, hold ${hold}, pace ${pace}${paceMax > pace ? `-${paceMax}` : ""}${
    floor < pace ? ` from ${floor}` : ""
  }`;
  return { label, inFlight, hold, pace, paceMax, floor };
});

const c = await costCluster("group_ab", { slug: "gab", users: 500, group: 20, tokenPrefix: "gab-" });
const { cluster, postmaster, sql, fx, ws, url } = c;
await c.db.close();
// PLAN_CACHE_MODE=force_custom_plan: the pool plans every statement for its parameters (a probe, not a setting).
if (Deno.env.get("PLAN_CACHE_MODE")) {
  await sql.unsafe(`ALTER DATABASE group_ab SET plan_cache_mode = ${Deno.env.get("PLAN_CACHE_MODE")}`);
}
const db = openDb({ databaseUrl: url, dataDir: "", maxConnections: 10 });
const pool = await db;
try {
  // Open the pool's ten connections, then find their backends.
  await Promise.all(Array.from({ length: 20 }, () => pool.query("SELECT pg_sleep(0.05)", [])));
  const backends = (await sql`SELECT pid FROM pg_stat_activity WHERE application_name = 'parley'`)
    .map((r) => Number(r.pid));
  const poolNanos = () => backends.reduce((a, p) => a + runNanos(p), 0);
  const sends = benchSends(fx, ws, "g");
  const send = (): BatchSend => sends(1)[0];
  const block = async (s: (typeof SETTINGS)[number], secs: number) => {
    let statements = 0;
    const g = new GroupCommit<BatchSend, unknown>(async (items) => {
      statements++;
      await insertBatch(pool, items, "control.maintenance");
      return items;
    }, {
      maxBatch: 256,
      inFlight: () => s.inFlight,
      holdMs: () => s.hold,
      paceMs: () => s.pace,
      paceMaxMs: () => s.paceMax,
      paceFloorMs: () => s.floor,
      key: (it) => it.channelId,
    });
    const waits: number[] = [];
    const pending: Promise<unknown>[] = [];
    const wal = () =>
      sql`SELECT wal_records::float8 AS records, wal_fpi::float8 AS fpi, wal_bytes::float8 AS bytes FROM pg_stat_wal`
        .then((r) => r[0] as unknown as { records: number; fpi: number; bytes: number });
    const w0 = await wal();
    const b0 = poolNanos(), c0 = treeCpuSeconds(postmaster), t0 = performance.now();
    let due = 0;
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - t0;
        if (elapsed >= secs * 1000) {
          clearInterval(tick);
          return done();
        }
        for (; due < (elapsed / 1000) * rate; due++) {
          const at = performance.now();
          pending.push(g.submit(send()).then(() => waits.push(performance.now() - at)));
        }
      }, 1);
    });
    await Promise.all(pending);
    const n = pending.length;
    const w1 = await wal();
    return {
      walRecords: (w1.records - w0.records) / n,
      walFpi: (w1.fpi - w0.fpi) / n,
      walBytes: (w1.bytes - w0.bytes) / n,
      backend: (poolNanos() - b0) / 1e3 / n,
      cluster: (treeCpuSeconds(postmaster) - c0) * 1e6 / n,
      perStatement: n / statements,
      p50: exactPercentile(waits, 50),
      p99: exactPercentile(waits, 99),
    };
  };
  await block(SETTINGS[0], 1); // warm
  const res = SETTINGS.map(() => [] as Awaited<ReturnType<typeof block>>[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, s] of SETTINGS.entries()) {
      const x = await block(s, seconds);
      res[i].push(x);
      console.log(
        `round ${r + 1} ${s.label.padEnd(30)} backends ${x.backend.toFixed(0)} µs/msg, ${
          x.perStatement.toFixed(2)
        } msgs/statement, wait p50 ${x.p50.toFixed(1)} / p99 ${x.p99.toFixed(1)} ms (load ${
          Deno.loadavg()[0].toFixed(2)
        })`,
      );
    }
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${rate} messages/s, ${rounds} rounds of ${seconds} s per setting; medians`);
  for (const [i, s] of SETTINGS.entries()) {
    const m = (key: keyof (typeof res)[number][number]) => median(res[i].map((x) => x[key]));
    console.log(
      `${s.label.padEnd(30)} backends ${m("backend").toFixed(0).padStart(5)} µs/msg, cluster ${
        m("cluster").toFixed(0).padStart(5)
      } µs/msg, ${m("perStatement").toFixed(2)} msgs/statement, wait p50 ${m("p50").toFixed(1)} / p99 ${
        m("p99").toFixed(1)
      } ms; WAL per message ${m("walRecords").toFixed(1)} records, ${m("walFpi").toFixed(2)} full pages, ${
        m("walBytes").toFixed(0)
      } bytes`,
    );
  }
  await sql.end();
  await pool.close();
} finally {
  await cluster.stop();
}
