/**
 * What one durable send costs Postgres, and which part of the schema costs what:
 * `deno run -A bench/pg_insert_cost.ts [messages]`. Starts a throw-away cluster (fsync on, synchronous
 * commit), stores `messages` sends one per statement and transaction through the grouped send's own
 * statement (`db/repos/message_batch.ts`), as at a low send rate, and reports the Postgres processes' CPU
 * per message; then again without each index or foreign key in turn, to show what each one costs.
 */
import { openDb } from "../db/client.ts";
import { insertBatch } from "../db/repos/message_batch.ts";
import { SearchIndexer } from "../domain/search_indexer.ts";
import { costCluster } from "./lib/cost_cluster.ts";
import { connectSql } from "./lib/fixtures.ts";
import { treeCpuSeconds } from "./lib/cpu.ts";

const n = Number(Deno.args[0] ?? 2000);
const c = await costCluster("insert_cost", { slug: "cost", users: 20, group: 20, tokenPrefix: "c-" });
const { cluster, postmaster, sql, fx, ws, url } = c;
let db = c.db;
try {
  let k = 0;
  const run = async (label: string, indexer?: SearchIndexer) => {
    for (let i = 0; i < 50; i++) await send(); // warm
    await indexer?.catchUp();
    const c0 = treeCpuSeconds(postmaster);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await send();
      if (indexer && (i + 1) % 250 === 0) await indexer.catchUp();
    }
    await indexer?.catchUp();
    const us = (treeCpuSeconds(postmaster) - c0) * 1e6 / n;
    const wall = (performance.now() - t0) * 1000 / n;
    console.log(
      `${label.padEnd(48)} ${us.toFixed(0).padStart(6)} µs CPU/msg ${
        wall.toFixed(0).padStart(6)
      } µs wall/msg`,
    );
  };
  const send = async () => {
    const u = fx.users[k % fx.users.length];
    k++;
    await insertBatch(db, [{
      workspaceId: Number(ws),
      channelId: u.channels[0],
      senderId: u.id,
      clientId: `c${k}`,
      type: "text",
      body: `the quick brown fox jumps over the lazy dog while the team ships ${k}`,
      moderator: false,
      maintenanceExempt: false,
    }], "control.maintenance");
  };
  // The floor: one trivial durable transaction (a one-column insert and its commit).
  await sql`CREATE TABLE floor_probe (x int)`;
  {
    const c0 = treeCpuSeconds(postmaster);
    for (let i = 0; i < n; i++) await db.query("INSERT INTO floor_probe VALUES ($1)", [i]);
    const us = (treeCpuSeconds(postmaster) - c0) * 1e6 / n;
    console.log(
      `${"a trivial insert and commit (the floor)".padEnd(48)} ${us.toFixed(0).padStart(6)} µs CPU/msg`,
    );
  }
  await run("as migrated");
  // The background indexer's passes (one per 250 sends, as a busy server runs them) counted in.
  await run("as migrated + search indexer passes", new SearchIndexer(db));
  // Before migration 0026: the search indexes on messages, updated by every send.
  const CJK = String.raw`[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]`;
  const before = [
    "ALTER TABLE messages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX ab_fts ON messages USING gin (tsv) WHERE deleted_at IS NULL",
    "CREATE INDEX ab_trgm ON messages USING gin (lower(body) gin_trgm_ops) WHERE deleted_at IS NULL",
    `CREATE INDEX ab_cjk ON messages USING gin (parley_cjk_bigrams(body)) WHERE deleted_at IS NULL AND body ~ '${CJK}'`,
  ];
  for (const q of before) await sql.unsafe(q);
  await run("search indexes on messages (before 0026)");
  await sql.unsafe(
    "DROP INDEX ab_fts; DROP INDEX ab_trgm; DROP INDEX ab_cjk; ALTER TABLE messages DROP COLUMN tsv",
  );
  // The same with a generic plan (planned once per connection, not for every call).
  await db.close();
  const admin2 = connectSql(cluster.url);
  await admin2.unsafe("ALTER DATABASE insert_cost SET plan_cache_mode = force_generic_plan");
  await admin2.end();
  db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  await run("plan_cache_mode = force_generic_plan");
  const steps: [string, string][] = [
    ["- messages.sender_id key", "ALTER TABLE messages DROP CONSTRAINT messages_sender_id_fkey"],
    ["- messages.channel_id key", "ALTER TABLE messages DROP CONSTRAINT messages_channel_id_fkey"],
    ["- messages_ws_created", "DROP INDEX messages_ws_created"],
    ["- messages_channel_id", "DROP INDEX messages_channel_id"],
    [
      "- foreign keys of messages and channel_events",
      `DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint
        WHERE contype = 'f' AND conrelid IN ('messages'::regclass, 'channel_events'::regclass) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
      END LOOP; END $$`,
    ],
  ];
  for (const [label, stmt] of steps) {
    try {
      await sql.unsafe(stmt);
    } catch (err) {
      console.log(`${label}: ${(err as Error).message}`);
      continue;
    }
    await run(label);
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
