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

export async function costCluster(name: string, fixture: Parameters<typeof makeFixture>[1]) {
  const cluster = await startCluster({
    fsync: true,
    extra: ["-c shared_buffers=256MB", "-c max_wal_size=2GB"],
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
) {
  let k = 0;
  return (n: number): BatchSend[] =>
    Array.from({ length: n }, () => {
      const u = fx.users[(k * 7) % fx.users.length];
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
