/**
 * `deno run -A bench/dashboard_queries.ts [messages]`: how long the admin dashboard and Analytics take over
 * a large workspace (default 1,000,000 messages), on Postgres. A measurement, not a test: it starts a
 * throw-away Postgres (or uses DATABASE_URL), Parley in its own process with the demo workspace, inserts
 * the messages with SQL (20 channels, 10 senders, spread over the last 60 days, as the scale workload's
 * bulk insert does), 5,000 files and 2,000 visitor conversations with ratings, then times
 * - each query behind the dashboard and Analytics, called directly (the repos), and
 * - the endpoints as an administrator calls them (`GET /api/admin/dashboard`, `/api/admin/analytics?days=`),
 * 7 runs each after one warm-up, printing the median and the slowest.
 */
import { startCluster } from "../cli/pg_cluster.ts";
import { startServer } from "./lib/servers.ts";
import { connectSql } from "./lib/fixtures.ts";
import { openDb } from "../db/client.ts";
import * as stats from "../db/repos/admin_stats.ts";
import * as analytics from "../db/repos/analytics.ts";

const total = Number(Deno.args[0] ?? 1_000_000);
const RUNS = 7;
const cluster = Deno.env.get("DATABASE_URL") ? null : await startCluster({ fsync: false });
const url = Deno.env.get("DATABASE_URL") ?? cluster!.url;
const server = await startServer("parley", { databaseUrl: url, env: { DEMO: "1", DEMO_PASSWORD: "parley" } });
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

async function time(label: string, fn: () => Promise<unknown>) {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} median ${ms(t[RUNS >> 1]).padStart(8)}   max ${ms(t[RUNS - 1]).padStart(8)}`,
  );
}

try {
  const sql = connectSql(url);
  const [{ workspace_id }] = await sql`SELECT workspace_id FROM channels WHERE name = 'general' LIMIT 1`;
  const ws = Number(workspace_id);
  const users = (await sql`SELECT id FROM users WHERE workspace_id = ${ws} ORDER BY id LIMIT 10`).map((u) =>
    Number(u.id)
  );
  const [{ n: have }] = await sql`SELECT count(*)::int AS n FROM messages WHERE workspace_id = ${ws}`;
  if (have < total) {
    const channels: number[] = [];
    for (let c = 0; c < 20; c++) {
      const [r] = await sql`INSERT INTO channels (workspace_id, name, kind, created_by)
        VALUES (${ws}, ${"bench-" + c}, 'public_channel', ${users[0]}) RETURNING id`;
      channels.push(Number(r.id));
    }
    const perChannel = Math.ceil((total - have) / channels.length);
    const step = 50_000 / channels.length;
    const t0 = performance.now();
    for (let from = 1; from <= perChannel; from += step) {
      const to = Math.min(perChannel, from + step - 1);
      await sql`INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, created_at)
        SELECT ${ws}, c.id, (${users}::bigint[])[1 + (c.ord + s) % ${users.length}], 'dash-' || c.id || '-' || s,
          s, 'text', 'Message ' || s || ' in channel ' || c.id || ': status update, the deploy went fine',
          now() - make_interval(secs => (60 * 86400.0 * (${perChannel} - s) / ${perChannel}))
        FROM generate_series(${from}::int, ${to}::int) s
        CROSS JOIN unnest(${channels}::bigint[]) WITH ORDINALITY AS c(id, ord)`;
      console.log(
        `inserted ${to * channels.length} messages (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    await sql`UPDATE channels SET last_seq = ${perChannel}, last_message_at = now()
      WHERE id = ANY(${channels}::bigint[])`;
    await sql`INSERT INTO files (workspace_id, channel_id, uploader_id, message_id, name, mime, kind, size,
        backend, storage_key, status, created_at)
      SELECT m.workspace_id, m.channel_id, m.sender_id, m.id, 'report.pdf', 'application/pdf', 'pdf', 250000,
        'database', 'bench/' || m.id, 'ready', m.created_at
      FROM messages m WHERE m.workspace_id = ${ws} AND m.id % 200 = 0`;
    await sql`INSERT INTO visitor_conversations (workspace_id, token_hash, status, agent_id, team, queued_at,
        assigned_at, ended_at)
      SELECT ${ws}, 'bench-' || g, 'ended', ${users[1]}, 'support', now() - make_interval(hours => g),
        now() - make_interval(hours => g) + interval '40 seconds', now() - make_interval(hours => g) + interval '9 minutes'
      FROM generate_series(1, 2000) g`;
    await sql`INSERT INTO visitor_ratings (conversation_id, workspace_id, agent_id, team, scale, value, created_at)
      SELECT id, workspace_id, agent_id, team, 'stars', 1 + id % 5, ended_at FROM visitor_conversations
      WHERE workspace_id = ${ws} AND token_hash LIKE 'bench-%'`;
    await sql`VACUUM ANALYZE`;
  }
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM messages WHERE workspace_id = ${ws}`;
  await sql.end();
  console.log(`\n${n} messages in the workspace; ${RUNS} runs each after a warm-up\n`);

  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 4 });
  const now = () => new Date().toISOString();
  // The first read computes the rollups of every closed day (once; later reads compute only new days).
  await db.query("DELETE FROM analytics_days WHERE workspace_id = $1", [ws]);
  let t0 = performance.now();
  await analytics.perDay(db, ws, 365, now());
  console.log(`${"rollups: first computation (365 days)".padEnd(44)} ${ms(performance.now() - t0)}`);
  await db.query(
    "DELETE FROM analytics_days WHERE workspace_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date - 1",
    [
      ws,
    ],
  );
  t0 = performance.now();
  await analytics.perDay(db, ws, 30, now());
  console.log(`${"rollups: one more day (yesterday)".padEnd(44)} ${ms(performance.now() - t0)}`);
  // What the rollups replace: the same figures counted from the messages on every read.
  const live = (days: number) => () =>
    db.query(
      `SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*), count(DISTINCT sender_id)
       FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
         AND created_at >= now() - make_interval(days => $2) GROUP BY 1`,
      [ws, days],
    );
  await time("without rollups: per day (30 d)", live(30));
  await time("without rollups: per day (365 d)", live(365));
  await time("without rollups: busiest channels (30 d)", () =>
    db.query(
      `SELECT channel_id, count(*) FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL
         AND created_at >= now() - interval '30 days' GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
      [ws],
    ));
  await time(
    "without rollups: messages stored (count)",
    () => db.query("SELECT count(*) FROM messages WHERE workspace_id = $1 AND deleted_at IS NULL", [ws]),
  );
  console.log("");
  await time("dashboard: messages stored (rollups + today)", () => analytics.totalMessages(db, ws));
  await time("dashboard: live (connections, counts)", () => stats.live(db, ws));
  await time("dashboard: database size", () => stats.databaseBytes(db));
  await time("dashboard: storage (messages, files)", () => stats.storage(db, ws));
  await time("dashboard: visitors waiting / active", () => stats.visitors(db, ws));
  await time("dashboard: messages per hour (24 h)", () => analytics.perHour(db, ws, now()));
  for (const days of [30, 365]) {
    await time(`analytics: per day (${days} d)`, () => analytics.perDay(db, ws, days, now()));
    await time(`analytics: hour of week (${days} d)`, () => analytics.byWeekHour(db, ws, days, now()));
    await time(
      `analytics: busiest channels (${days} d)`,
      () => analytics.busiestChannels(db, ws, days, now()),
    );
    await time(`analytics: visitor figures (${days} d)`, () => analytics.visitorFigures(db, ws, days, now()));
    await time(`analytics: ratings (${days} d)`, () => analytics.ratingsByAgent(db, ws, days, now()));
  }
  await db.close();

  const login = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ username: "admin", password: "parley" }),
  });
  const { token } = await login.json();
  const get = (path: string) => async () => {
    const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  console.log("");
  await time("GET /api/admin/dashboard", get("/api/admin/dashboard"));
  for (const days of [7, 30, 90, 365]) {
    await time(`GET /api/admin/analytics?days=${days}`, get(`/api/admin/analytics?days=${days}`));
  }
} finally {
  await server.proc.stop();
  await cluster?.stop();
}
