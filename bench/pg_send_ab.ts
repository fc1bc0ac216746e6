/**
 * Paired comparisons of what a durable grouped send costs Postgres:
 * `deno run -A bench/pg_send_ab.ts [sends per statement] [rounds] [statements per block]`.
 * A throw-away cluster (fsync on, synchronous commit), the grouped send's own statement
 * (`db/repos/message_batch.ts`) over one connection, sends spread over 20 channels of 20. Each change
 * is measured against the schema as migrated in alternating blocks (as migrated, changed, as migrated, …),
 * so a busy machine or a growing table weighs on both sides alike. Reported: the CPU of the connection's
 * own backend and of the whole cluster (WAL writer and checkpointer included) per message, each the
 * median over the rounds.
 */
import { insertBatch } from "../db/repos/message_batch.ts";
import { costCluster } from "./lib/cost_cluster.ts";
import { cpuSeconds, treeCpuSeconds } from "./lib/cpu.ts";

const perStatement = Number(Deno.args[0] ?? 10);
const rounds = Number(Deno.args[1] ?? 6);
const block = Number(Deno.args[2] ?? 60);

/** A change: SQL that makes it, SQL that undoes it (both run between blocks, outside the measurement). */
const CHANGES: { label: string; on: string; off: string }[] = [
  {
    label: "with channel_events.channel_id key (before 0025)",
    on: `ALTER TABLE channel_events ADD CONSTRAINT ab_ev_ch FOREIGN KEY (channel_id) REFERENCES channels(id)
      ON DELETE CASCADE NOT VALID`,
    off: "ALTER TABLE channel_events DROP CONSTRAINT ab_ev_ch",
  },
  {
    label: "without messages.sender_id key",
    on: "ALTER TABLE messages DROP CONSTRAINT messages_sender_id_fkey",
    off:
      `ALTER TABLE messages ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES users(id)
      ON DELETE SET NULL NOT VALID`,
  },
  {
    label: "without messages.channel_id key",
    on: "ALTER TABLE messages DROP CONSTRAINT messages_channel_id_fkey",
    off: `ALTER TABLE messages ADD CONSTRAINT messages_channel_id_fkey FOREIGN KEY (channel_id)
      REFERENCES channels(id) ON DELETE CASCADE NOT VALID`,
  },
  {
    label: "search GIN indexes with fastupdate = off",
    on: "ALTER INDEX messages_fts SET (fastupdate = off); ALTER INDEX messages_trgm SET (fastupdate = off)",
    off: "ALTER INDEX messages_fts SET (fastupdate = on); ALTER INDEX messages_trgm SET (fastupdate = on)",
  },
  { label: "plan_cache_mode = force_generic_plan", on: "", off: "" },
];

const c = await costCluster("send_ab", { slug: "ab", users: 400, group: 20, tokenPrefix: "ab-" });
const { cluster, postmaster, sql, fx, ws } = c;
const db = c.db;
try {
  const [{ backend }] = await db.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  let k = 0;
  const statement = async () => {
    const sends = [];
    for (let i = 0; i < perStatement; i++, k++) {
      const u = fx.users[(k * 7) % fx.users.length];
      sends.push({
        workspaceId: Number(ws),
        channelId: u.channels[0],
        senderId: u.id,
        clientId: `c${k}`,
        type: "text" as const,
        body: `the quick brown fox jumps over the lazy dog while the team ships release ${k}`,
        moderator: false,
        maintenanceExempt: false,
      });
    }
    await insertBatch(db, sends, "control.maintenance");
  };
  /** One block: µs per message of the backend and of the cluster. */
  const measure = async () => {
    const b0 = cpuSeconds(backend), c0 = treeCpuSeconds(postmaster);
    for (let i = 0; i < block; i++) await statement();
    const n = block * perStatement;
    return {
      backend: (cpuSeconds(backend) - b0) * 1e6 / n,
      cluster: (treeCpuSeconds(postmaster) - c0) * 1e6 / n,
    };
  };
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (let i = 0; i < 20; i++) await statement(); // warm
  console.log(`${perStatement} sends per statement, ${rounds} rounds of ${block} statements per side`);
  for (const ch of CHANGES) {
    const base: { backend: number; cluster: number }[] = [], changed: typeof base = [];
    for (let r = 0; r < rounds; r++) {
      base.push(await measure());
      if (ch.on) { for (const q of ch.on.split(";")) await sql.unsafe(q); }
      else await db.query("SET plan_cache_mode = force_generic_plan");
      changed.push(await measure());
      if (ch.off) { for (const q of ch.off.split(";")) await sql.unsafe(q); }
      else await db.query("SET plan_cache_mode = auto");
    }
    const f = (xs: typeof base, key: "backend" | "cluster") => median(xs.map((x) => x[key])).toFixed(0);
    console.log(
      `${ch.label.padEnd(52)} backend ${f(base, "backend")} -> ${f(changed, "backend")} µs/msg, cluster ${
        f(base, "cluster")
      } -> ${f(changed, "cluster")} µs/msg`,
    );
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
