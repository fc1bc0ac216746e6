/**
 * Paired comparisons of what a durable grouped send costs Postgres:
 * `deno run -A bench/pg_send_ab.ts [sends per statement] [rounds] [statements per block]`.
 * A throw-away cluster (fsync on, synchronous commit), the grouped send's own statement
 * (`db/repos/message_batch.ts`) over one connection, sends spread over 20 channels of 20. Each change
 * is measured against the schema as migrated in alternating blocks (as migrated, changed, as migrated, …),
 * so a busy machine or a growing table weighs on both sides alike. Reported, each the median over the
 * rounds: the CPU of the connection's own backend per message (exact, from the scheduler), split into the
 * send statements and the search indexer's passes (which run on the same connection, a pass per ~250
 * messages, as in the server); the CPU of the whole cluster (WAL writer and checkpointer included, in
 * 10 ms ticks) per message; and the median wall time of one send statement.
 */
import { insertBatch } from "../db/repos/message_batch.ts";
import { SearchIndexer } from "../domain/search_indexer.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos, treeCpuSeconds } from "./lib/cpu.ts";

const perStatement = Number(Deno.args[0] ?? 10);
const rounds = Number(Deno.args[1] ?? 6);
const block = Number(Deno.args[2] ?? 60);

/** A change: SQL that makes it, SQL that undoes it (both run between blocks, outside the measurement). */
const CJK = String.raw`[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]`;
const CHANGES: { label: string; on: string; off: string }[] = [
  {
    // The as-migrated side pays the background indexer too (`SearchIndexer`, in the measured block).
    label: "search indexes on messages, in the send (before 0026)",
    on:
      `ALTER TABLE messages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
      CREATE INDEX ab_fts ON messages USING gin (tsv) WHERE deleted_at IS NULL;
      CREATE INDEX ab_trgm ON messages USING gin (lower(body) gin_trgm_ops) WHERE deleted_at IS NULL;
      CREATE INDEX ab_cjk ON messages USING gin (parley_cjk_bigrams(body)) WHERE deleted_at IS NULL AND body ~ '${CJK}'`,
    off: "DROP INDEX ab_fts; DROP INDEX ab_trgm; DROP INDEX ab_cjk; ALTER TABLE messages DROP COLUMN tsv",
  },
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
    on:
      "ALTER INDEX message_search_fts SET (fastupdate = off); ALTER INDEX message_search_trgm SET (fastupdate = off)",
    off:
      "ALTER INDEX message_search_fts SET (fastupdate = on); ALTER INDEX message_search_trgm SET (fastupdate = on)",
  },
  { label: "plan_cache_mode = force_generic_plan", on: "", off: "" },
];

const c = await costCluster("send_ab", { slug: "ab", users: 400, group: 20, tokenPrefix: "ab-" });
const { cluster, postmaster, sql, fx, ws } = c;
const db = c.db;
try {
  const [{ backend }] = await db.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  const sends = benchSends(fx, ws, "c");
  const statement = async () => {
    await insertBatch(db, sends(perStatement), "control.maintenance");
  };
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  // The background search indexer, as the server runs it: a pass per ~250 messages (or 200 ms).
  const indexer = new SearchIndexer(db);
  const every = Math.max(1, Math.ceil(250 / perStatement));
  /**
   * One block, per message: the backend's CPU (exact, from the scheduler) in all, in the send statements
   * alone and in the indexer's passes; the cluster's CPU (WAL writer and checkpointer included, in ticks);
   * and the median wall time of a send statement (what a sender waits for).
   */
  const measure = async (index = true) => {
    const b0 = runNanos(backend), c0 = treeCpuSeconds(postmaster);
    let sendNs = 0;
    const walls: number[] = [];
    for (let i = 0; i < block; i++) {
      const s0 = runNanos(backend), t0 = performance.now();
      await statement();
      walls.push(performance.now() - t0);
      sendNs += runNanos(backend) - s0;
      if (index && (i + 1) % every === 0) await indexer.catchUp();
    }
    if (index) await indexer.catchUp();
    const n = block * perStatement;
    const all = (runNanos(backend) - b0) / 1e3 / n;
    return {
      backend: all,
      send: sendNs / 1e3 / n,
      indexer: all - sendNs / 1e3 / n,
      cluster: (treeCpuSeconds(postmaster) - c0) * 1e6 / n,
      wall: median(walls) * 1000,
    };
  };
  for (let i = 0; i < 20; i++) await statement(); // warm
  console.log(`${perStatement} sends per statement, ${rounds} rounds of ${block} statements per side`);
  for (const ch of CHANGES) {
    const base: Awaited<ReturnType<typeof measure>>[] = [], changed: typeof base = [];
    for (let r = 0; r < rounds; r++) {
      base.push(await measure());
      if (ch.on) { for (const q of ch.on.split(";")) await sql.unsafe(q); }
      else await db.query("SET plan_cache_mode = force_generic_plan");
      const moved = ch.label.startsWith("search indexes on messages");
      changed.push(await measure(!moved));
      if (ch.off) { for (const q of ch.off.split(";")) await sql.unsafe(q); }
      else await db.query("SET plan_cache_mode = auto");
      if (moved) await indexer.catchUp(); // outside the measurement: the old schema indexed its own
    }
    const f = (xs: typeof base, key: keyof (typeof base)[number]) => median(xs.map((x) => x[key])).toFixed(0);
    const pair = (key: keyof (typeof base)[number]) => `${f(base, key)} -> ${f(changed, key)}`;
    console.log(
      `${ch.label.padEnd(52)} backend ${pair("backend")} µs/msg (send ${pair("send")}, indexer ${
        pair("indexer")
      }), cluster ${pair("cluster")} µs/msg, send wall ${pair("wall")} µs/statement`,
    );
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
