/**
 * The throw-away Postgres the cost scripts measure on (`bench/pg_insert_cost.ts`, `bench/pg_send_ab.ts`):
 * fsync on and synchronous commit as in production, a migrated database with a bench fixture, and the
 * postmaster's pid, whose process tree's CPU is the whole cluster's (WAL writer and checkpointer included).
 */
import { startCluster } from "../../cli/pg_cluster.ts";
import { openDb } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import type { BatchSend } from "../../db/repos/message_batch.ts";
import { connectSql, freshDatabase, makeFixture } from "./fixtures.ts";

/**
 * The settings every bench cluster starts with (`bench/run.ts`, the cost scripts), beyond fsync and
 * synchronous commit as in production: shared buffers, checkpoints left to the timer (`max_wal_size`), WAL
 * segments kept for reuse at a checkpoint (`min_wal_size`, as on a server that has run a while: see
 * `warmWal`), then `BENCH_PG_SETTINGS` (comma-separated `name=value`, an experiment's extra settings).
 */
export function benchPgSettings(): string[] {
  const more = Deno.env.get("BENCH_PG_SETTINGS")?.split(",").filter(Boolean) ?? [];
  return ["shared_buffers=256MB", "max_wal_size=2GB", "min_wal_size=2GB", ...more].map((s) => `-c ${s}`);
}

/**
 * Makes `segments` WAL segments and lets a checkpoint recycle them, as a Postgres that has been running a
 * while has them: a commit that crosses into the next 16 MB then reuses a file instead of creating,
 * zero-filling and fsyncing a new one (23-29 ms on this machine's disk, every ~9 s at 500 msg/s:
 * bench/notes/steady_tail.md, "The steady tail in time" and "The steady tail's WAL and the load generator").
 * Needs `min_wal_size` of at least `segments` x 16 MB (`benchPgSettings`), or the checkpoint removes them.
 */
export async function warmWal(adminUrl: string, segments: number): Promise<number> {
  const sql = connectSql(adminUrl);
  try {
    await sql`CREATE TABLE IF NOT EXISTS bench_wal_warm (x int)`;
    for (let i = 0; i < segments; i++) {
      await sql`INSERT INTO bench_wal_warm VALUES (${i})`;
      await sql`SELECT pg_switch_wal()`;
    }
    await sql`DROP TABLE bench_wal_warm`;
    await sql`CHECKPOINT`;
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM pg_ls_waldir()`;
    return n;
  } finally {
    await sql.end();
  }
}

export async function costCluster(name: string, fixture: Parameters<typeof makeFixture>[1]) {
  const cluster = await startCluster({
    fsync: true,
    extra: benchPgSettings(),
  });
  try {
    const admin = connectSql(cluster.url);
    const [{ pid }] = await admin`SELECT pg_backend_pid() AS pid`;
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const postmaster = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    await admin.end();
    const url = await freshDatabase(cluster.url, name);
    const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
    await migrate(db, () => {});
    const sql = connectSql(url);
    const fx = await makeFixture(sql, fixture);
    const [{ ws }] = await sql`SELECT workspace_id AS ws FROM channels WHERE id = ${fx.users[0].channels[0]}`;
    return { cluster, postmaster, url, db, sql, fx, ws: ws as number };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/**
 * A maker of sends for the cost scripts: each call gives `n` more, from the fixture's people in turn (every
 * 7th, so consecutive sends go to different channels), client ids `prefix` + a running number, bodies from
 * `body` (by default a fixed sentence and the number).
 */
export function benchSends(
  fx: { users: { id: number; channels: number[] }[] },
  ws: number,
  prefix: string,
  body: (k: number) => string = (k) =>
    `the quick brown fox jumps over the lazy dog while the team ships release ${k}`,
  /** Users apart from one send to the next (7: a few sends in a row share a channel of 20; 27: none do). */
  step = 7,
) {
  let k = 0;
  return (n: number): BatchSend[] =>
    Array.from({ length: n }, () => {
      const u = fx.users[(k * step) % fx.users.length];
      k++;
      return {
        workspaceId: Number(ws),
        channelId: u.channels[0],
        senderId: u.id,
        clientId: `${prefix}${k}`,
        type: "text" as const,
        body: body(k),
        moderator: false,
        maintenanceExempt: false,
      };
    });
}
