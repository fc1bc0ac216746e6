/**
 * Search and files workloads (issue 12):
 * - `search`: p50/p95 of the domain search (the same code the route runs) for one person who can read 50
 *   channels, over `channels x perChannel` messages: a common word, a rare word, a phrase, a Japanese
 *   substring, a ticket number and a filtered query.
 * - `files`: 20 concurrent 10 MB uploads to a running server (database storage; another backend with
 *   BENCH_SERVER_ENV='{"FILES_STORAGE":"local","FILES_DIR":"/tmp/x"}'); the server's peak RSS (VmHWM)
 *   before and after, and the throughput.
 * - the write cost the two search indexes add to storing a message (inserts with them / without them).
 */
import { openDb } from "../../db/client.ts";
import { loadConfig } from "../../config.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { actorFromUser } from "../../domain/auth.ts";
import { RateLimiter } from "../../domain/rate_limit.ts";
import * as search from "../../domain/search.ts";
import type { Deps } from "../../domain/deps.ts";
import { SearchIndexer } from "../../domain/search_indexer.ts";
import { memoryBus } from "../../realtime/server/bus/memory.ts";
import { connectSql, indexAllForSearch, makeFixture } from "../lib/fixtures.ts";
import { startServer } from "../lib/servers.ts";
import { exactPercentile, round } from "../lib/stats.ts";
import type { Ctx } from "./ctx.ts";
import { parleyDatabase } from "./realtime.ts";

const QUERIES: Record<string, string> = {
  common: "deploy",
  rare: "zephyrine",
  phrase: '"quarterly roadmap"',
  substring_ja: "東京",
  ticket: "#4521",
  filtered: "deploy from:@u2 has:link",
};

export async function searchBench(ctx: Ctx) {
  const p = ctx.params.search;
  const url = await parleyDatabase(ctx, "bench_search");
  const sql = connectSql(url);
  const fx = await makeFixture(sql, {
    slug: "search",
    users: p.channels,
    group: 1,
    tokenPrefix: ctx.tokenPrefix,
  });
  const me = fx.users[0].id;
  await sql`INSERT INTO members (channel_id, user_id, workspace_id)
    SELECT unnest(${fx.channels.slice(1, p.readable)}::bigint[]), ${me}, ${fx.workspaceId}`;
  ctx.log(`search: generating ${p.channels * p.perChannel} messages`);
  const t0 = performance.now();
  const senders = fx.users.slice(0, 20).map((u) => u.id);
  await sql`INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, created_at)
    SELECT ${fx.workspaceId}, c.id, (${senders}::bigint[])[1 + (c.ord + s) % 20], 'gen-' || c.id || '-' || s, s, 'text',
      (ARRAY['Status update','Quick question','Heads up','Reminder','FYI'])[1 + (s + c.ord) % 5] || ': ' ||
      (ARRAY['the deploy went fine','budget review moved','lunch at noon','tests are green','new hire starts',
        'server restarted','see the design doc','customer call notes'])[1 + (s * 7 + c.ord) % 8] ||
      CASE WHEN (s + c.ord) % 100 = 0 THEN ' before the quarterly roadmap meeting' ELSE '' END ||
      CASE WHEN (s * 3 + c.ord) % 500 = 0 THEN ' 明日は東京で会議があります' ELSE '' END ||
      CASE WHEN (s + c.ord * 7) % 1000 = 0 THEN ' zephyrine' ELSE '' END ||
      CASE WHEN s % 50 = 0 THEN ' https://example.com/x' ELSE '' END ||
      ' ticket #' || ((s * 31 + c.ord * 17) % 20000)::text,
      now() - make_interval(secs => ${p.perChannel} - s)
    FROM generate_series(1, ${p.perChannel}) s
    CROSS JOIN unnest(${fx.channels}::bigint[]) WITH ORDINALITY AS c(id, ord)`;
  await indexAllForSearch(sql);
  await sql`VACUUM ANALYZE messages`;
  const genSeconds = (performance.now() - t0) / 1000;
  const plans: Record<string, string> = {};
  await sql.end();
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 2 });
  const deps = {
    db,
    bus: memoryBus(),
    config: loadConfig({ DEMO: "0" }),
    now: () => new Date(),
    limiter: new RateLimiter(),
    searchIndexer: new SearchIndexer(db),
  } as unknown as Deps;
  const actor = actorFromUser((await usersRepo.byId(db, fx.workspaceId, me))!, null);
  const out: Record<string, unknown> = {
    messages: p.channels * p.perChannel,
    channels: p.channels,
    readable_channels: p.readable,
    generate_seconds: round(genSeconds, 1),
  };
  try {
    for (const [name, q] of Object.entries(QUERIES)) {
      const times: number[] = [];
      let hits = 0;
      for (let i = 0; i < p.runs; i++) {
        const s = performance.now();
        const r = await search.search(deps, actor, { q, kinds: "messages" });
        times.push(performance.now() - s);
        hits = r.messages.length;
      }
      out[name] = {
        p50_ms: round(exactPercentile(times, 50)),
        p95_ms: round(exactPercentile(times, 95)),
        hits,
      };
      ctx.log(
        `  ${name} (${q}): p50 ${round(exactPercentile(times, 50))} ms, p95 ${
          round(exactPercentile(times, 95))
        } ms`,
      );
    }
    // The plan of each query as the domain sends it: run it once more through a db that explains it.
    for (const [name, q] of Object.entries(QUERIES)) {
      const explaining = {
        ...db,
        query: async <T>(text: string, params?: unknown[]) => {
          if (!text.trimStart().startsWith("SELECT m.id, m.channel_id")) {
            return await db.query<T>(text, params);
          }
          const plan = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE) ${text}`, params);
          plans[name] = plan.map((r) => r["QUERY PLAN"]).join("\n");
          return [] as T[];
        },
      };
      await search.search({ ...deps, db: explaining } as Deps, actor, { q, kinds: "messages" });
    }
    out.plans = plans;
    out.index_write_cost = await indexWriteCost(db, fx.workspaceId, fx.channels[0], me, p.writeSamples);
  } finally {
    await db.close();
  }
  return { parley: out };
}

/**
 * Time of `n` single-row inserts with the message's search row stored in the same statement (the send path
 * before migration 0026), and of the message alone (the send path now; the indexer stores the row later):
 * the ratio.
 */
async function indexWriteCost(
  db: Awaited<ReturnType<typeof openDb>>,
  ws: number,
  channelId: number,
  sender: number,
  n: number,
) {
  const run = async (tag: string) => {
    const insert = `INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, body)
      VALUES ($1, $2, $3, $4, 1000000 + $5, $6) RETURNING id, workspace_id, channel_id, sender_id, created_at, body`;
    const text = tag === "with"
      ? `WITH m AS (${insert})
         INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
         SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body)
         FROM m`
      : insert;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await db.query(text, [
        ws,
        channelId,
        sender,
        `${tag}-${i}`,
        i + (tag === "with" ? 0 : n),
        `Write cost sample ${i}: the deploy went fine ${tag}`,
      ]);
    }
    return (performance.now() - t0) / n;
  };
  const withIdx = await run("with");
  const without = await run("without");
  return { with_ms: round(withIdx, 3), without_ms: round(without, 3), ratio: round(withIdx / without, 2) };
}

function peakRss(pid: number): number {
  const s = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? 0) * 1024;
}
function rssNow(pid: number): number {
  const s = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1] ?? 0) * 1024;
}

export async function filesBench(ctx: Ctx) {
  const p = ctx.params.files;
  const url = await parleyDatabase(ctx, "bench_files");
  const sql = connectSql(url);
  const fx = await makeFixture(sql, {
    slug: "files",
    users: p.uploads,
    group: p.uploads,
    tokenPrefix: ctx.tokenPrefix,
  });
  await sql.end();
  const s = await startServer("parley", { databaseUrl: url, verbose: ctx.verbose });
  try {
    // One small upload first, so the first-use costs (routes, statements) are not counted as the bound.
    await upload(s.url, fx.users[0].token, fx.channels[0], 64 * 1024);
    const rss0 = rssNow(s.proc.pid);
    const peak0 = peakRss(s.proc.pid);
    const t0 = performance.now();
    const statuses = await Promise.all(
      fx.users.slice(0, p.uploads).map((u) => upload(s.url, u.token, fx.channels[0], p.bytes)),
    );
    const seconds = (performance.now() - t0) / 1000;
    const peak1 = peakRss(s.proc.pid);
    const ok = statuses.filter((x) => x === 201).length;
    const r = {
      uploads: p.uploads,
      bytes_each: p.bytes,
      ok,
      seconds: round(seconds, 2),
      mb_per_s: round((p.uploads * p.bytes) / 1e6 / seconds, 1),
      rss_before_mb: round(rss0 / 1e6, 1),
      peak_rss_before_mb: round(peak0 / 1e6, 1),
      peak_rss_after_mb: round(peak1 / 1e6, 1),
      rss_rise_mb: round((peak1 - Math.max(rss0, 0)) / 1e6, 1),
    };
    ctx.log(
      `files: ${ok}/${p.uploads} x ${p.bytes / 1e6} MB in ${r.seconds} s; peak RSS rise ${r.rss_rise_mb} MB`,
    );
    return { parley: r };
  } finally {
    await s.proc.stop();
  }
}

/**
 * Uploads `bytes` of a PDF-looking file. The client holds it as a Blob (so fetch sends Content-Length, as
 * browsers do for a File); the server streams it.
 */
async function upload(base: string, token: string, channelId: number, bytes: number): Promise<number> {
  const data = new Uint8Array(bytes).fill(0x41);
  data.set(new TextEncoder().encode("%PDF-1.4\n%bench\n"));
  const res = await fetch(`${base}/api/chat/channels/${channelId}/files?name=bench.pdf`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: new Blob([data]),
  });
  const text = await res.text();
  if (res.status !== 201) console.error(`bench upload: ${res.status} ${text.slice(0, 200)}`);
  return res.status;
}
