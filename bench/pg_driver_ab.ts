/**
 * The server's CPU per grouped send statement (postgres.js, `db/client.ts`, `insertBatch`) and Postgres' for
 * the same statement, paired: `deno run -A bench/pg_driver_ab.ts [sizes] [rounds] [block]`
 * (sizes: sends per statement, default `1,3,9,18`; rounds, default 8; statements per block, default 200).
 * Nineteenth pass (bench/notes/driver_cost_per_statement.md).
 *
 * A throw-away cluster (fsync on, synchronous commit; `costCluster`), the latency workload's fixture (2,000
 * users in channels of 20) and its bodies (`~<ms>~<tag>~the quick brown fox ...`, ~90 characters). Each side
 * has its own connection (`openDb`, one connection, as the server's pool makes them) and runs its tree's
 * `insertBatch`: B is this tree (`db/client.ts` and `db/repos/message_batch.ts`); A, with `BASE=/tree`, is
 * that tree's two files (so a change to either is measured); `MORE=/tree,…` adds sides. For each size, round
 * after round each side runs a block of statements (the order alternating per round, A,B then B,A), and the
 * block's CPU is read around it: this process's (every thread's `/proc/self/task/<tid>/schedstat`, exact: what
 * the server pays), the side's backend (`/proc/<pid>/schedstat`, exact) and the whole cluster's (the postmaster
 * and its children: the WAL writer's share of the commits too). Sends of one statement go to distinct
 * channels (`STEP=27`, users 27 apart; `STEP=7`: a few share a channel), so 3 sends take the small
 * statement and 9 or 18 the grouped one. Without `BASE` only this tree runs (the cost per size).
 *
 * `PROFILE=9`: one tree only (BASE's when given, else this one), statements of 9 sends, `rounds` x `block` of them and nothing else, for a CPU
 * profile (`deno run -A --cpu-prof --cpu-prof-dir=DIR bench/pg_driver_ab.ts 9 10 500` with `PROFILE=9`;
 * read with `bench/lib/profile_steps.ts`). `BODY=odd`: bodies with quotes, backslashes, commas, braces,
 * unicode and emoji (the bench's bodies have none).
 */
import process from "node:process";
import { type Db, openDb } from "../db/client.ts";
import type { BatchSend } from "../db/repos/message_batch.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos } from "./lib/cpu.ts";

type Insert = (db: Db, sends: BatchSend[], pause: string) => Promise<unknown[]>;
interface Tree {
  label: string;
  openDb: typeof openDb;
  insertBatch: Insert;
}

const sizes = (Deno.args[0] ?? "1,3,9,18").split(",").map(Number);
const rounds = Number(Deno.args[1] ?? 8);
const block = Number(Deno.args[2] ?? 200);
const step = Number(Deno.env.get("STEP") ?? 27);
const profile = Number(Deno.env.get("PROFILE") ?? 0);
/** Statements each side runs at each size before the blocks (the JIT warms up). */
const warm = Number(Deno.env.get("WARM") ?? 300);
const PAUSE = "control.maintenance";

async function tree(root: string, label: string): Promise<Tree> {
  const url = (p: string) => `file://${root.replace(/\/$/, "")}/${p}`;
  const client = await import(url("db/client.ts"));
  const batch = await import(url("db/repos/message_batch.ts"));
  return { label, openDb: client.openDb, insertBatch: batch.insertBatch };
}
const here = {
  label: "B (this tree)",
  openDb,
  insertBatch: (await import("../db/repos/message_batch.ts")).insertBatch,
};
const trees: Tree[] = [];
const base = Deno.env.get("BASE");
if (base) trees.push(await tree(base, "A (BASE)"));
for (const m of (Deno.env.get("MORE") ?? "").split(",").filter(Boolean)) {
  trees.push(await tree(m, m.split("/").filter(Boolean).pop()!));
}
// A profile runs one tree: BASE's when given, else this one.
if (!profile || !trees.length) trees.push(here);

const PAD = "the quick brown fox jumps over the lazy dog while the team ships";
const ODD = ['say "hi", {ok}', 'back\\slash \\\\ and \\"', "naïve café — ünïcödé", "emoji 🎉👩‍👩‍👧 🇫🇷", "{,}\"'"];
const body = Deno.env.get("BODY") === "odd"
  ? (k: number) => `${ODD[k % ODD.length]} ${k}`
  : (k: number) => `~${(1e6 + k * 0.731).toFixed(3)}~${k}~${PAD}`;

const c = await costCluster("driver_ab", { slug: "drv", users: 2000, group: 20, tokenPrefix: "drv-" });
const { cluster, postmaster, fx, ws } = c;

/** Nanoseconds on a CPU of the postmaster and its live children (exact). */
function clusterNanos(): number {
  let ns = runNanos(postmaster);
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const s = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]) === postmaster) {
        ns += runNanos(Number(e.name));
      }
    } catch {
      // gone
    }
  }
  return ns;
}
/** This process's threads' CPU (schedstat, exact), summed by thread name. */
function threadNanos(): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      const name = Deno.readTextFileSync(`/proc/self/task/${e.name}/comm`).trim();
      const ns = Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[0]);
      out.set(name, (out.get(name) ?? 0) + ns);
    } catch {
      // gone
    }
  }
  return out;
}
/** This process's CPU in µs: every thread's scheduler time (exact; `process.cpuUsage` agrees within ticks). */
const serverMicros = () => [...threadNanos().values()].reduce((a, b) => a + b, 0) / 1e3;
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

try {
  await c.db.close();
  const sides: (Tree & { db: Db; backend: number; sends: (n: number) => BatchSend[] })[] = [];
  for (const [i, t] of trees.entries()) {
    const db = await t.openDb({ databaseUrl: c.url, dataDir: "", maxConnections: 1 });
    const [{ p }] = await db.query<{ p: number }>("SELECT pg_backend_pid() AS p");
    sides.push({ ...t, db, backend: p, sends: benchSends(fx, ws, `s${i}-`, body, step) });
  }
  const run = async (s: (typeof sides)[number], per: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const rows = await s.insertBatch(s.db, s.sends(per), PAUSE);
      if (rows.length !== per) throw new Error(`${s.label} stored ${rows.length} of ${per}`);
    }
  };
  if (profile) {
    await run(sides[0], profile, 200);
    const t0 = performance.now(), u0 = process.cpuUsage(), b0 = runNanos(sides[0].backend);
    const threads0 = threadNanos();
    console.log(`profile: statements from ${(t0 / 1e3).toFixed(3)} s of the process`);
    await run(sides[0], profile, rounds * block);
    const n = rounds * block, u = process.cpuUsage(u0), threads = threadNanos();
    const byThread = [...threads].map(([name, ns]) =>
      [name, (ns - (threads0.get(name) ?? 0)) / 1e3 / n] as const
    )
      .filter(([, us]) => us >= 0.5).sort((a, b) => b[1] - a[1]);
    console.log(
      `profile: ${n} statements of ${profile} until ${
        (performance.now() / 1e3).toFixed(3)
      } s; µs/statement: ` +
        `server ${((u.user + u.system) / n).toFixed(0)} (user ${(u.user / n).toFixed(0)}, system ${
          (u.system / n).toFixed(0)
        }), backend ${((runNanos(sides[0].backend) - b0) / 1e3 / n).toFixed(0)}, wall ${
          ((performance.now() - t0) * 1e3 / n).toFixed(0)
        }; by thread ${byThread.map(([k, us]) => `${k} ${us.toFixed(1)}`).join(", ")}; load ${load()}`,
    );
  } else {
    console.log(
      `start ${new Date().toISOString()}, load ${load()}, step ${step}, ${rounds} rounds of ${block}`,
    );
    for (const per of sizes) {
      for (const s of sides) await run(s, per, warm);
      const cpu = sides.map(() => ({
        server: [] as number[],
        backend: [] as number[],
        cluster: [] as number[],
      }));
      for (let r = 0; r < rounds; r++) {
        const order = sides.map((_, i) => i);
        const turn = [...order.slice(r % sides.length), ...order.slice(0, r % sides.length)];
        for (const i of r % 2 ? turn.toReversed() : turn) {
          const s = sides[i];
          const s0 = serverMicros(), b0 = runNanos(s.backend), c0 = clusterNanos();
          await run(s, per, block);
          cpu[i].server.push((serverMicros() - s0) / block);
          cpu[i].backend.push((runNanos(s.backend) - b0) / 1e3 / block);
          cpu[i].cluster.push((clusterNanos() - c0) / 1e3 / block);
        }
      }
      console.log(
        `\n${per} sends per statement (load ${load()}); µs per statement, medians of ${rounds} blocks`,
      );
      for (const [i, s] of sides.entries()) {
        const m = (k: "server" | "backend" | "cluster") => median(cpu[i][k]);
        const total = median(cpu[i].server.map((x, r) => x + cpu[i].cluster[r]));
        console.log(
          `${s.label.padEnd(20)} server ${m("server").toFixed(0).padStart(5)}  backend ${
            m("backend").toFixed(0).padStart(5)
          }  cluster ${m("cluster").toFixed(0).padStart(5)}  server+cluster ${total.toFixed(0).padStart(5)}` +
            `  (per send: server ${(m("server") / per).toFixed(1)}, total ${(total / per).toFixed(1)})`,
        );
        console.log(`${"".padEnd(20)} server by block: ${cpu[i].server.map((x) => x.toFixed(0)).join(" ")}`);
        console.log(
          `${"".padEnd(20)} cluster by block: ${cpu[i].cluster.map((x) => x.toFixed(0)).join(" ")}`,
        );
      }
      const last = sides.length - 1;
      for (let i = 0; i < last; i++) {
        for (const k of ["server", "cluster"] as const) {
          const d = cpu[last][k].map((x, r) => x - cpu[i][k][r]);
          const d2 = cpu[last].server.map((x, r) =>
            x + cpu[last].cluster[r] - cpu[i].server[r] - cpu[i].cluster[r]
          );
          const dd = k === "server" ? d : d2;
          console.log(
            `B - ${sides[i].label} ${k === "server" ? "server" : "server+cluster"}: median ${
              median(dd).toFixed(0)
            } µs/statement, ${dd.filter((x) => x < 0).length} of ${dd.length} lower; ${
              dd.map((x) => x.toFixed(0)).join(" ")
            }`,
          );
        }
      }
    }
  }
  for (const s of sides) await s.db.close();
  await c.sql.end();
} finally {
  await cluster.stop();
}
