/**
 * The server's CPU per Postgres round trip, over loopback TCP and over the cluster's unix socket:
 * `deno run -A bench/pg_roundtrip.ts [rounds] [select block] [send block] [in flight, e.g. 1,4,10]`.
 *
 * A throw-away cluster (fsync on, synchronous commit) with the bench fixture; two pools of 10 through
 * `db/client.ts` `openDb` as the server opens them, one connecting to 127.0.0.1 and one to the unix socket
 * (a URL without a host, `postgres:///db`, and PGHOST set to the socket's directory: postgres.js reads libpq's
 * variables). The eighth pass also compared a socket of its own over `Deno.connect` here (commit fbc0b90).
 * For each statement shape (`SELECT $1`, and the real grouped send of one message, `insertBatch`) and each
 * number of queries in flight, blocks run on the pools in turn (`rounds` rounds, each starting with the next pool), and each
 * block reports this process's CPU (user + system, `process.cpuUsage`: every thread of the process, as the
 * server pays it) and the cluster's (the scheduler's exact time of the postmaster and its children) per
 * round trip, and the round trips per second. Medians over the rounds, then every block with the load average.
 * Wrap it in `flock /tmp/bench.lock` on a shared machine.
 */
import process from "node:process";
import { type Db, openDb } from "../db/client.ts";
import { insertBatch } from "../db/repos/message_batch.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";

const rounds = Number(Deno.args[0] ?? 4);
const selectBlock = Number(Deno.args[1] ?? 4000);
const sendBlock = Number(Deno.args[2] ?? 400);
const inFlight = (Deno.args[3] ?? "1,4,10").split(",").map(Number);
const only = new RegExp(Deno.env.get("ONLY") ?? ".");

/** Nanoseconds on a CPU of the postmaster and its live children (`/proc/<pid>/schedstat`, exact). */
function clusterNanos(postmaster: number): number {
  const run = (pid: number | string) => {
    try {
      return Number(Deno.readTextFileSync(`/proc/${pid}/schedstat`).split(" ")[0]);
    } catch {
      return 0;
    }
  };
  let ns = run(postmaster);
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const s = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]) === postmaster) ns += run(e.name);
    } catch {
      // gone
    }
  }
  return ns;
}

const cpuMicros = () => process.cpuUsage();
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];

const c = await costCluster("pg_roundtrip", { slug: "rt", users: 400, group: 20, tokenPrefix: "rt-" });
const { cluster, postmaster, url, fx, ws } = c;
try {
  await c.db.close();
  // The cluster's unix socket: a URL without a host takes postgres.js to PGHOST/PGPORT (libpq's names).
  const u = new URL(url);
  Deno.env.set("PGHOST", cluster.socketPath.slice(0, cluster.socketPath.lastIndexOf("/")));
  Deno.env.set("PGPORT", u.port);
  Deno.env.set("PGUSER", u.username);
  const pools: { label: string; db: Db }[] = [
    { label: "TCP 127.0.0.1", db: await openDb({ databaseUrl: url, dataDir: "" }) },
    { label: "unix socket", db: await openDb({ databaseUrl: `postgres://${u.pathname}`, dataDir: "" }) },
  ];
  const sends = benchSends(fx, ws, "rt");
  const shapes = [
    {
      label: "SELECT $1",
      block: selectBlock,
      run: (db: Db) => db.query("SELECT $1::int AS n", [1]).then(() => {}),
    },
    {
      label: "grouped send, 1 message",
      block: sendBlock,
      run: (db: Db) => insertBatch(db, sends(1), "control.maintenance").then(() => {}),
    },
  ].filter((s) => only.test(s.label));

  /** `n` round trips, `k` at a time. */
  const drive = async (db: Db, run: (db: Db) => Promise<void>, n: number, k: number) => {
    let left = n;
    await Promise.all(Array.from({ length: k }, async () => {
      while (left-- > 0) await run(db);
    }));
  };

  // Warm both pools: every connection open, statements prepared on each.
  for (const p of pools) for (const s of shapes) await drive(p.db, s.run, 200, 10);
  await c.sql.unsafe("ANALYZE messages");

  const rows: string[] = [];
  const summary: string[] = [];
  for (const s of shapes) {
    for (const k of inFlight) {
      // Fresh statistics of the growing `messages` (the sends' retry check would scan it otherwise: fifth pass).
      await c.sql.unsafe("ANALYZE messages");
      const res = pools.map(() => ({
        server: [] as number[],
        sys: [] as number[],
        pg: [] as number[],
        rate: [] as number[],
        ratio: [] as number[],
      }));
      for (let r = 0; r < rounds; r++) {
        // The pools in turn, each round starting one further: none always goes first.
        const order = pools.map((_, i) => (i + r) % pools.length);
        for (const i of order) {
          const p = pools[i];
          await drive(p.db, s.run, Math.min(100, s.block / 10), k);
          const l = load();
          const c0 = cpuMicros(), p0 = clusterNanos(postmaster), t0 = performance.now();
          await drive(p.db, s.run, s.block, k);
          const wall = performance.now() - t0;
          const c1 = cpuMicros();
          const server = (c1.user + c1.system - c0.user - c0.system) / s.block;
          const sys = (c1.system - c0.system) / s.block;
          const pg = (clusterNanos(postmaster) - p0) / 1e3 / s.block;
          res[i].server.push(server);
          res[i].sys.push(sys);
          res[i].pg.push(pg);
          res[i].rate.push(s.block / wall * 1000);
          rows.push(
            `| ${s.label} | ${k} | ${r + 1} | ${p.label} | ${server.toFixed(1)} | ${sys.toFixed(1)} | ${
              pg.toFixed(1)
            } | ${(s.block / wall * 1000).toFixed(0)} | ${l} |`,
          );
        }
        // Each pool against the first (TCP) in the same round: the pairs the machine's drift spares.
        for (const x of res) x.ratio.push(x.server.at(-1)! / res[0].server.at(-1)!);
      }
      for (const [i, p] of pools.entries()) {
        summary.push(
          `| ${s.label} | ${k} | ${p.label} | ${median(res[i].server).toFixed(1)} | ${
            median(res[i].sys).toFixed(1)
          } | ${median(res[i].ratio).toFixed(2)} | ${median(res[i].pg).toFixed(1)} | ${
            median(res[i].rate).toFixed(0)
          } |`,
        );
      }
    }
  }
  console.log(
    `${rounds} rounds (pools in turn), blocks of ${selectBlock} SELECTs / ${sendBlock} sends; medians:`,
  );
  console.log(
    "| shape | in flight | socket | server µs / round trip | of it system | server vs TCP, same round | Postgres µs | round trips/s |",
  );
  console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of summary) console.log(row);
  console.log("\nevery block:");
  console.log(
    "| shape | in flight | round | socket | server µs | of it system | Postgres µs | round trips/s | load |",
  );
  console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  for (const p of pools) await p.db.close();
} finally {
  await cluster.stop();
}
