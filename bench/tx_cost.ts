/**
 * What `db.tx` costs on Postgres under concurrency, for comparing two trees' `db/client.ts` (e.g. `sql.begin`
 * against `sql.reserve`): `workers` loops each run transactions of four statements (a sends-like shape:
 * read, insert, update, read) while `plain` loops run single statements on the same pool, for `seconds`.
 * Prints transactions per second, their p50/p99 latency, and the plain statements' p50/p99.
 *
 * `deno run -A bench/tx_cost.ts <tree> [workers=20] [plain=20] [seconds=5]`, `<tree>` being a worktree whose
 * `db/client.ts` is measured (a throw-away Postgres cluster is started here, fsync on, pool of 10).
 */
import { startCluster } from "../cli/pg_cluster.ts";

const [tree, workers = "20", plain = "20", seconds = "5"] = Deno.args;
if (!tree) throw new Error("usage: bench/tx_cost.ts <tree> [workers] [plain] [seconds]");
const { openDb } = await import(`${tree.replace(/\/$/, "")}/db/client.ts`);
const cluster = await startCluster({ fsync: true });
const db = await openDb({ databaseUrl: cluster.url, dataDir: "", maxConnections: 10 });
try {
  await db.query("CREATE TABLE c (id int PRIMARY KEY, n bigint NOT NULL)");
  await db.query("CREATE TABLE m (id bigserial PRIMARY KEY, c int NOT NULL, body text NOT NULL)");
  await db.query("INSERT INTO c SELECT g, 0 FROM generate_series(1, 100) g");
  const txMs: number[] = [];
  const plainMs: number[] = [];
  let errors = 0;
  const end = performance.now() + Number(seconds) * 1000;
  const txLoop = async (w: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await db.tx(async (sql: { query: (t: string, p?: unknown[]) => Promise<unknown[]> }) => {
        const c = (w % 100) + 1;
        await sql.query("SELECT n FROM c WHERE id = $1", [c]);
        await sql.query("INSERT INTO m (c, body) VALUES ($1, $2)", [c, "hello"]);
        await sql.query("UPDATE c SET n = n + 1 WHERE id = $1", [c]);
        await sql.query("SELECT count(*) FROM m WHERE c = $1 AND id > 0", [c]);
      }).catch(() => errors++);
      txMs.push(performance.now() - t0);
    }
  };
  const plainLoop = async (w: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await db.query("SELECT n FROM c WHERE id = $1", [(w % 100) + 1]).catch(() => errors++);
      plainMs.push(performance.now() - t0);
    }
  };
  await Promise.all([
    ...Array.from({ length: Number(workers) }, (_, w) => txLoop(w)),
    ...Array.from({ length: Number(plain) }, (_, w) => plainLoop(w)),
  ]);
  const q = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)].toFixed(2);
  console.log(
    `tx/s ${(txMs.length / Number(seconds)).toFixed(0)} tx p50/p99 ${q(txMs, 0.5)}/${q(txMs, 0.99)} ms; ` +
      `plain/s ${(plainMs.length / Number(seconds)).toFixed(0)} plain p50/p99 ${q(plainMs, 0.5)}/${
        q(plainMs, 0.99)
      } ms; errors ${errors}`,
  );
} finally {
  await db.close();
  await cluster.stop();
}
