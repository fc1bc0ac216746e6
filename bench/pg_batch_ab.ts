/**
 * Paired: the grouped send statement of another tree against this one's, on one connection each, backend
 * CPU exact: `BASE=/tmp/base/db/repos/message_batch.ts deno run -A bench/pg_batch_ab.ts [per] [rounds] [block]`.
 * A throw-away cluster (fsync on, synchronous commit; `costCluster`), the latency workload's fixture (2,000
 * users in channels of 20; `USERS`), two connections (A runs the BASE module's `insertBatch`, B this tree's),
 * each with its own backend. Round after round each runs a block of statements of `per` messages, the order
 * alternating per round (A,B then B,A), so a busy machine weighs on both alike; both write to the same
 * tables, so both see the same table and index sizes. Prints each side's backend µs per statement (from
 * `/proc/<pid>/schedstat`: user and kernel, the commit's flush included), per message, and wall µs per
 * statement, as medians over the rounds, with the median of the per-round differences (`MORE=path,…` adds
 * sides between the two, the order rotating per round; `STEP=27`: each statement's sends to distinct
 * channels). `SETUP=sql;…` runs on
 * the admin connection first (e.g. a migration being tried).
 */
import { openDb } from "../db/client.ts";
import { insertBatch as insertThis } from "../db/repos/message_batch.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { connectSql, freshDatabase, makeFixture } from "./lib/fixtures.ts";
import { runNanos } from "./lib/cpu.ts";

const per = Number(Deno.args[0] ?? 1);
const rounds = Number(Deno.args[1] ?? 8);
const block = Number(Deno.args[2] ?? 300);
const basePath = Deno.env.get("BASE");
if (!basePath) throw new Error("BASE=path of the other tree's db/repos/message_batch.ts");
const load = async (path: string) =>
  ((await import(path.startsWith("/") ? `file://${path}` : path)) as { insertBatch: typeof insertThis })
    .insertBatch;
const insertBase = await load(basePath);
/** `MORE=path,…`: more modules of the same shape, measured between A and this tree (probes of a shape). */
const more = (Deno.env.get("MORE") ?? "").split(",").filter((p) => p);
const insertMore = await Promise.all(more.map(load));

const users = Number(Deno.env.get("USERS") ?? 2000);
/** `STEP=27`: the sends of a statement go to distinct channels (users 27 apart; 7, the default: one channel). */
const step = Number(Deno.env.get("STEP") ?? 7);
const c = await costCluster("batch_ab", { slug: "ab", users, group: 20, tokenPrefix: "ab-" });
const { cluster, sql, fx, ws } = c;
try {
  for (const q of (Deno.env.get("SETUP") ?? "").split(";").filter((q) => q.trim())) await sql.unsafe(q);
  // `MIGRATE_A=path of the other tree's db/migrate.ts`: A gets a database of its own, migrated by that tree
  // (a schema change measured against the schema before it); the fixture is made the same way in both.
  const migrateA = Deno.env.get("MIGRATE_A");
  let dbA = c.db, fxA = fx, wsA = ws;
  if (migrateA) {
    const { migrate } = await import(migrateA.startsWith("/") ? `file://${migrateA}` : migrateA);
    const urlA = await freshDatabase(cluster.url, "batch_ab_a");
    dbA = await openDb({ databaseUrl: urlA, dataDir: "", maxConnections: 1 });
    await migrate(dbA, () => {});
    const sqlA = connectSql(urlA);
    fxA = await makeFixture(sqlA, { slug: "ab", users, group: 20, tokenPrefix: "ab-" });
    wsA = (await sqlA`SELECT workspace_id AS ws FROM channels WHERE id = ${fxA.users[0].channels[0]}`)[0].ws;
    await sqlA.end();
  }
  const dbB = migrateA ? c.db : await openDb({ databaseUrl: c.url, dataDir: "", maxConnections: 1 });
  const pid = async (db: typeof dbA) => (await db.query<{ p: number }>("SELECT pg_backend_pid() AS p"))[0].p;
  const side = async (label: string, db: typeof dbA, run: typeof insertThis) => ({
    label,
    db,
    run,
    sends: db === dbA
      ? benchSends(fxA, wsA, `a${label}-`, undefined, step)
      : benchSends(fx, ws, `b${label}-`, undefined, step),
    backend: await pid(db),
    cpu: [] as number[],
    wall: [] as number[],
  });
  const sides = [await side("A (BASE)", dbA, insertBase)];
  for (const [i, run] of insertMore.entries()) {
    const db = await openDb({ databaseUrl: c.url, dataDir: "", maxConnections: 1 });
    sides.push(await side(more[i].split("/").pop()!.replace(/\.ts$/, ""), db, run));
  }
  sides.push(await side("B (this tree)", dbB, insertThis));
  // `SESSION=sql;…` on every side's connection (e.g. `SET plan_cache_mode = force_generic_plan`).
  for (const s of sides) {
    for (const q of (Deno.env.get("SESSION") ?? "").split(";").filter((q) => q.trim())) await s.db.query(q);
  }
  for (const s of sides) {
    for (let i = 0; i < 100; i++) {
      const rows = await s.run(s.db, s.sends(per), "control.maintenance");
      if (rows.length !== per) throw new Error(`${s.label} stored ${rows.length} of ${per}`);
    }
  }
  for (let r = 0; r < rounds; r++) {
    const turn = [...sides.slice(r % sides.length), ...sides.slice(0, r % sides.length)];
    for (const s of r % 2 ? turn.toReversed() : turn) {
      const b0 = runNanos(s.backend), t0 = performance.now();
      for (let i = 0; i < block; i++) await s.run(s.db, s.sends(per), "control.maintenance");
      s.cpu.push((runNanos(s.backend) - b0) / 1e3 / block);
      s.wall.push((performance.now() - t0) * 1e3 / block);
    }
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const s of sides) {
    const [p] = await s.db.query<{ g: number; c: number }>(
      `SELECT sum(generic_plans)::int AS g, sum(custom_plans)::int AS c FROM pg_prepared_statements
       WHERE statement LIKE '%unnest($1::int[]%' OR statement LIKE '%WITH bumped AS (%UPDATE channels c%'
         OR statement LIKE '%WITH bumped0 AS (%UPDATE channels c%'`,
    );
    s.label += ` (${p.g}g/${p.c}c)`;
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(
    `${per} per statement, ${rounds} rounds of ${block}, load ${load}; backend µs (exact), medians`,
  );
  for (const s of sides) {
    console.log(
      `${s.label.padEnd(24)} ${median(s.cpu).toFixed(0).padStart(6)} µs/statement ${
        (median(s.cpu) / per).toFixed(0).padStart(5)
      } µs/msg  wall ${median(s.wall).toFixed(0).padStart(6)}  rounds: ${
        s.cpu.map((x) => x.toFixed(0)).join(" ")
      }`,
    );
  }
  for (const s of sides.slice(1)) {
    const diffs = sides[0].cpu.map((a, i) => s.cpu[i] - a);
    console.log(
      `${s.label} - A per statement: median ${median(diffs).toFixed(0)} µs (${
        (100 * median(diffs) / median(sides[0].cpu)).toFixed(1)
      } %), rounds: ${diffs.map((x) => x.toFixed(0)).join(" ")}`,
    );
  }
  for (const s of sides) await s.db.close();
  await sql.end();
} finally {
  await cluster.stop();
}
