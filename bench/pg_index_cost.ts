/**
 * What the background search indexer costs Postgres per message, and of what:
 * `deno run -A bench/pg_index_cost.ts [rounds] [messages per block] [messages per pass]`.
 * A throw-away cluster (fsync on, synchronous commit, autovacuum off so that no other process does part of
 * the work), the grouped send's own statement (`db/repos/message_batch.ts`, 10 messages each, the bench's
 * message body) fills `messages`, and the indexer's pass (the clock, then `INSERT … SELECT` of the messages
 * without a search row above the watermark, which lags two passes as in the server) runs after every
 * `messages per pass`. Only the passes are measured, on their connection's backend (exact CPU from
 * `/proc/<pid>/schedstat`), and, at the end of each block, the cleanup of the GIN indexes' pending lists
 * (`gin_clean_pending_list`, which otherwise lands on whichever insert finds a list full, or on autovacuum):
 * so each block pays for exactly its own messages. Variants (`ONLY=<regexp>` picks some) run in turn, block
 * after block, round after round (a busy machine weighs on all alike); medians over the rounds.
 */
import { startCluster } from "../cli/pg_cluster.ts";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { insertBatch } from "../db/repos/message_batch.ts";
import * as repo from "../db/repos/message_search.ts";
import { connectSql, freshDatabase, makeFixture } from "./lib/fixtures.ts";
import { runNanos } from "./lib/cpu.ts";
import { benchSends } from "./lib/cost_cluster.ts";

const rounds = Number(Deno.args[0] ?? 5);
const perBlock = Number(Deno.args[1] ?? 2000);
const perPass = Number(Deno.args[2] ?? 100);
const PAD = "the quick brown fox jumps over the lazy dog while the team ships";

/** The pass as it was at the start of this work (`indexAbove` before issue 16's seventh pass). */
const PASS_BEFORE = `WITH c AS (
       SELECT m.id, m.workspace_id, m.channel_id, m.sender_id, m.created_at, m.body FROM messages m
       WHERE m.id > $1 AND m.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM message_search s WHERE s.message_id = m.id)
       ORDER BY m.id LIMIT $2 FOR SHARE OF m),
     ins AS (
       INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
       SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body)
       FROM c ORDER BY id
       ON CONFLICT (message_id) DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM c)::int AS picked, (SELECT max(id) FROM c) AS last,
       (SELECT count(*) FROM ins)::int AS stored`;

/** The clock as it was at the start: a statement of its own, over the `pg_stat_activity` view. */
const CLOCK_BEFORE = `SELECT (extract(epoch FROM clock_timestamp()) * 1e6)::bigint AS now,
       (extract(epoch FROM CASE WHEN current_setting('track_activities')::bool THEN
          (SELECT min(xact_start) FROM pg_stat_activity
           WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'
             AND datname = current_database())
        ELSE clock_timestamp() - interval '10 minutes' END) * 1e6)::bigint AS oldest,
       pg_sequence_last_value(pg_get_serial_sequence('messages', 'id')::regclass) AS seq,
       coalesce((SELECT low FROM message_search_state), 0) AS low`;

interface Variant {
  label: string;
  /** SQL run before the block (outside the measurement), and after it. */
  on?: string;
  off?: string;
  /** The pass's statement, after the clock statement; default: the repository's `indexAbove` (clock in it). */
  pass?: string;
  /** No clock statement before `pass`. */
  noClock?: boolean;
  /** Messages per pass in this variant's blocks (default: the third argument; not with `INTERLEAVE`). */
  perPass?: number;
  /**
   * The watermark lags this many passes (default 3, as the server's; 1 = the previous pass's highest id, so
   * the window holds only what came since): what re-reading the lagging part of the window costs.
   */
  lag?: number;
}

const VARIANTS: Variant[] = [
  // The first is the base each other variant is paired with.
  // The schema as at the start: the key of message_search.message_id (dropped by migration 0030) put back.
  {
    label: "the pass as at the start (clock, pass, key)",
    pass: PASS_BEFORE,
    on: `ALTER TABLE message_search ADD CONSTRAINT message_search_message_id_fkey FOREIGN KEY (message_id)
      REFERENCES messages(id) ON DELETE CASCADE NOT VALID`,
    off: "ALTER TABLE message_search DROP CONSTRAINT message_search_message_id_fkey",
  },
  { label: "as is (repo indexAbove, clock inside)" },
  { label: "start, without its clock statement", pass: PASS_BEFORE, noClock: true },
  { label: "start, without FOR SHARE", pass: PASS_BEFORE.replace(" FOR SHARE OF m", "") },
  {
    label: "start, no tsvector (empty)",
    pass: PASS_BEFORE.replace("to_tsvector('english', body)", "''::tsvector"),
  },
  {
    label: "start, without message_search_trgm",
    pass: PASS_BEFORE,
    on: "DROP INDEX message_search_trgm",
    off: "CREATE INDEX message_search_trgm ON message_search USING gin (body_lower gin_trgm_ops)",
  },
  {
    label: "start, without message_search_fts",
    pass: PASS_BEFORE,
    on: "DROP INDEX message_search_fts",
    off: "CREATE INDEX message_search_fts ON message_search USING gin (tsv)",
  },
  {
    label: "start, without message_search_cjk",
    pass: PASS_BEFORE,
    on: "DROP INDEX message_search_cjk",
    off: String
      .raw`CREATE INDEX message_search_cjk ON message_search USING gin (parley_cjk_bigrams(body_lower))
      WHERE body_lower ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]'`,
  },
  {
    label: "start, without the sender and date B-trees",
    pass: PASS_BEFORE,
    on: "DROP INDEX message_search_sender; DROP INDEX message_search_created",
    off: `CREATE INDEX message_search_sender ON message_search (sender_id, message_id);
      CREATE INDEX message_search_created ON message_search (created_at)`,
  },
  { label: "start, without the key to messages (0030)", pass: PASS_BEFORE },
  {
    label: "start, GIN fastupdate = off",
    pass: PASS_BEFORE,
    on:
      `ALTER INDEX message_search_trgm SET (fastupdate = off); ALTER INDEX message_search_fts SET (fastupdate = off);
      ALTER INDEX message_search_cjk SET (fastupdate = off)`,
    off:
      `ALTER INDEX message_search_trgm SET (fastupdate = on); ALTER INDEX message_search_fts SET (fastupdate = on);
      ALTER INDEX message_search_cjk SET (fastupdate = on)`,
  },
];

const extra = (Deno.env.get("EXTRA") ?? "").split(";;").filter((s) => s.trim());
for (const e of extra) VARIANTS.push(JSON.parse(e));
const only = new RegExp(Deno.env.get("ONLY") ?? ".");
const START_KEY = { on: VARIANTS[0].on!, off: VARIANTS[0].off! };
for (const v of VARIANTS.slice(1)) {
  if (!v.label.startsWith("start,") || v.label.includes("key")) continue;
  v.on = [START_KEY.on, v.on].filter(Boolean).join(";\n");
  v.off = [v.off, START_KEY.off].filter(Boolean).join(";\n");
}
// `NOBASE=1`: the first variant `ONLY` matches is the base (e.g. "as is" against an `EXTRA` variant of it).
const chosen = VARIANTS.filter((v, i) => (i === 0 && !Deno.env.get("NOBASE")) || only.test(v.label));
if (chosen.length < 2) throw new Error("ONLY matched no variant");

const cluster = await startCluster({
  fsync: true,
  extra: ["-c shared_buffers=256MB", "-c max_wal_size=2GB", "-c autovacuum=off"],
});
try {
  const url = await freshDatabase(cluster.url, "index_cost");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  await migrate(db, () => {});
  const sql = connectSql(url);
  const fx = await makeFixture(sql, { slug: "ic", users: 400, group: 20, tokenPrefix: "ic-" });
  const [{ ws }] = await sql`SELECT workspace_id AS ws FROM channels WHERE id = ${fx.users[0].channels[0]}`;
  // The indexer's own connection, measured; the sends go through another (as in the server's pool).
  const idx = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  const [{ backend }] = await idx.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  // SESSION: settings of the indexer's connection (e.g. `SET plan_cache_mode = force_custom_plan`).
  for (const q of (Deno.env.get("SESSION") ?? "").split(";").filter((q) => q.trim())) await idx.query(q);
  // Bodies as the load generator's (`bench/loadgen/client.ts` makeBody): send time, step tag, padding.
  const sends = benchSends(
    fx,
    Number(ws),
    "ic",
    (k) => `~${(performance.now() + k).toFixed(3)}~${k % 7}~${PAD}`,
  );
  const fill = async (n: number) => {
    for (let i = 0; i < n; i += 10) await insertBatch(db, sends(Math.min(10, n - i)), "control.maintenance");
  };
  const gins = ["message_search_trgm", "message_search_fts", "message_search_cjk"];
  // The watermark: the highest id indexed three passes ago (`SearchIndexer` lags two or three passes; no
  // other transaction is open here, so every id below it is indexed). Shared by the variants.
  const lasts: number[] = [];
  let low = 0, clockNs = 0;
  const pass = async (v: Variant) => {
    let last: number | null;
    const from = v.lag && v.lag < 3 ? Math.max(low, lasts.at(-v.lag) ?? low) : low;
    if (v.pass) {
      const t = runNanos(backend);
      if (!v.noClock) await idx.query(CLOCK_BEFORE);
      clockNs += runNanos(backend) - t;
      last = (await idx.query<{ last: number | null }>(v.pass, [from, 1000]))[0].last;
    } else last = (await repo.indexAbove(idx, from, 1000)).last;
    lasts.push(last == null ? low : Number(last));
    if (lasts.length > 3) low = Math.max(low, lasts.shift()!);
  };
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  const block = async (v: Variant) => {
    let passNs = 0, cleanNs = 0, wal = 0;
    clockNs = 0;
    const lsn = async () => Number((await sql`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS b`)[0].b);
    const pp = v.perPass ?? perPass;
    for (let i = 0; i < perBlock; i += pp) {
      await fill(pp);
      const w = await lsn();
      const t = runNanos(backend);
      await pass(v);
      passNs += runNanos(backend) - t;
      wal += await lsn() - w;
    }
    const w0 = await lsn();
    const t = runNanos(backend);
    const present = await idx.query<{ n: string }>(
      "SELECT indexname AS n FROM pg_indexes WHERE tablename = 'message_search' AND indexname = ANY($1)",
      [gins],
    );
    for (const { n } of present) await idx.query(`SELECT gin_clean_pending_list('${n}'::regclass)`);
    cleanNs += runNanos(backend) - t;
    if (Deno.env.get("VERBOSE")) {
      console.error(
        `${v.label}: clock ${(clockNs / 1e3 / perBlock).toFixed(0)} of ${
          (passNs / 1e3 / perBlock).toFixed(0)
        } µs/msg`,
      );
    }
    return {
      pass: passNs / 1e3 / perBlock,
      clean: cleanNs / 1e3 / perBlock,
      wal: (wal + await lsn() - w0) / perBlock,
    };
  };
  // Messages already indexed: 20,000 (the indexes' trees exist; their pending lists empty).
  const t0 = performance.now();
  await fill(Number(Deno.env.get("PREFILL") ?? 20_000));
  const t1 = performance.now();
  await repo.indexAbove(idx, 0, 1_000_000);
  console.error(`prefill ${(t1 - t0).toFixed(0)} ms, indexed in ${(performance.now() - t1).toFixed(0)} ms`);
  for (const g of gins) await idx.query(`SELECT gin_clean_pending_list('${g}'::regclass)`);
  await sql`VACUUM ANALYZE`;
  await block(chosen[0]); // warm
  type R = { pass: number; clean: number; wal: number };
  const run = async (v: Variant) => {
    for (const q of (v.on ?? "").split(";").filter((q) => q.trim())) await sql.unsafe(q);
    const r = await block(v);
    for (const q of (v.off ?? "").split(";").filter((q) => q.trim())) await sql.unsafe(q);
    if (v.off) await sql`VACUUM ANALYZE message_search`;
    return r;
  };
  if (Deno.env.get("INTERLEAVE")) {
    if (Deno.env.get("KEY")) { for (const q of START_KEY.on.split(";")) await sql.unsafe(q); }
    // Variants that differ only in the pass's SQL: one block, passes alternating between the base and each
    // variant (each pass indexes the messages sent since the one before), so both see the same machine.
    const per = chosen.map(() => [] as number[]);
    const loadsI: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const ns = chosen.map(() => 0);
      for (let i = 0; i < perBlock; i += perPass * chosen.length) {
        for (const [j, v] of (r % 2 ? chosen.toReversed() : chosen).entries()) {
          const k = r % 2 ? chosen.length - 1 - j : j;
          await fill(perPass);
          const t = runNanos(backend);
          await pass(v);
          ns[k] += runNanos(backend) - t;
        }
      }
      const n = perBlock / chosen.length;
      ns.forEach((x, k) => per[k].push(x / 1e3 / n));
      for (const g of gins) await idx.query(`SELECT gin_clean_pending_list('${g}'::regclass)`);
      loadsI.push(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
    }
    console.log(
      `${rounds} rounds of ${perBlock} messages, passes of ${perPass} alternating between the variants; ` +
        `indexer backend µs per message in the passes (exact; cleanup not included), medians; load ${
          loadsI.join(" ")
        }`,
    );
    for (const [k, v] of chosen.entries()) {
      const d = per[k].map((x, r) => x - per[0][r]);
      console.log(
        `${v.label.padEnd(44)} ${median(per[k]).toFixed(0).padStart(5)} (vs base ${
          median(d).toFixed(0).padStart(5)
        }) rounds ${per[k].map((x) => x.toFixed(0)).join(" ")}`,
      );
    }
  } else {
    // Pairs: the base and a variant back to back, in alternating order (base first in even rounds).
    const base = chosen.map(() => [] as R[]), changed = chosen.map(() => [] as R[]);
    const loads: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [i, v] of chosen.entries()) {
        if (i === 0) continue;
        if (r % 2 === 0) {
          base[i].push(await run(chosen[0]));
          changed[i].push(await run(v));
        } else {
          changed[i].push(await run(v));
          base[i].push(await run(chosen[0]));
        }
      }
      loads.push(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
    }
    console.log(
      `${rounds} rounds, ${perBlock} messages per block, a pass per ${perPass}; indexer backend µs per message ` +
        `(exact; pass + pending-list cleanup), medians of pairs; load after each round ${loads.join(" ")}`,
    );
    const all = (x: R) => x.pass + x.clean;
    for (const [i, v] of chosen.entries()) {
      if (i === 0) continue;
      const diffs = changed[i].map((c, j) => all(c) - all(base[i][j]));
      const m = (xs: R[], f: (x: R) => number) => median(xs.map(f)).toFixed(0).padStart(5);
      console.log(
        `${v.label.padEnd(44)} base ${m(base[i], all)} -> ${m(changed[i], all)} (diff ${
          median(diffs).toFixed(0).padStart(5)
        }; pass ${m(base[i], (x) => x.pass)} -> ${m(changed[i], (x) => x.pass)}, cleanup ${
          m(base[i], (x) => x.clean)
        } -> ${m(changed[i], (x) => x.clean)}, WAL B/msg ${m(base[i], (x) => x.wal)} -> ${
          m(changed[i], (x) => x.wal)
        }) diffs ${diffs.map((d) => d.toFixed(0)).join(" ")}`,
      );
    }
  }
  if (Deno.env.get("PLANS")) {
    // The plans of the pass as a prepared statement (as the server runs it): custom, and generic (what the
    // plan cache switches to after five executions when it prices the generic plan no dearer).
    const [{ top }] = await idx.query<{ top: number }>("SELECT max(message_id) AS top FROM message_search");
    await fill(perPass);
    const explain = async (label: string) => {
      const plan = await idx.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS) EXECUTE ip(${Number(top) - 200}, 1000)`,
      );
      console.log(`--- ${label}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
    };
    for (const [label, text] of [["start", PASS_BEFORE], ["as is", repo.INDEX_ABOVE]]) {
      if (!text) continue;
      await idx.query("BEGIN");
      await idx.query(`PREPARE ip(bigint, int) AS ${text}`);
      await explain(`${label}, custom`);
      await idx.query("SET LOCAL plan_cache_mode = force_generic_plan");
      await explain(`${label}, generic`);
      await idx.query("ROLLBACK");
      await idx.query("DEALLOCATE ip");
    }
  }
  await sql.end();
  await idx.close();
  await db.close();
} finally {
  await cluster.stop();
}
