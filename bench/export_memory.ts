/**
 * `deno run -A bench/export_memory.ts [rows]`: the server's resident memory while it streams a Monitor
 * export of `rows` messages (default 100,000) as CSV and as JSON. A measurement, not a test: it starts a
 * throw-away Postgres (or uses DATABASE_URL), Parley in its own process with the demo workspace, inserts the
 * messages with SQL, signs in as the demo admin and reads the export while sampling the server's RSS
 * (/proc) every 20 ms, from a baseline taken after a garbage collection. Bounded memory shows as a peak
 * that does not grow with `rows` (compare 20,000 with 100,000) and nothing retained after the export.
 */
import { startCluster } from "../cli/pg_cluster.ts";
import { startServer } from "./lib/servers.ts";
import { rssBytes } from "./lib/procs.ts";
import { connectSql } from "./lib/fixtures.ts";

const rows = Number(Deno.args[0] ?? 100_000);
const cluster = Deno.env.get("DATABASE_URL") ? null : await startCluster({ fsync: false });
const url = Deno.env.get("DATABASE_URL") ?? cluster!.url;
const server = await startServer("parley", { databaseUrl: url, env: { DEMO: "1", DEMO_PASSWORD: "parley" } });
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
try {
  const sql = connectSql(url);
  const [ch] = await sql`SELECT id, workspace_id FROM channels WHERE name = 'general' LIMIT 1`;
  const [u] = await sql`SELECT id FROM users WHERE username = 'bob' AND workspace_id = ${ch.workspace_id}`;
  await sql`INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, body, created_at)
    SELECT ${ch.workspace_id}, ${ch.id}, ${u.id}, 'export-' || s, 100000000 + s,
      'Export row ' || s || ': status update, the deploy went fine, "quoted", and the tickets are closed',
      now() - make_interval(secs => ${rows} - s)
    FROM generate_series(1, ${rows}) s`;
  await sql`VACUUM ANALYZE messages`;
  await sql.end();

  const login = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ username: "admin", password: "parley" }),
  });
  const { token } = await login.json();
  /** Collects garbage in the server (it runs with --expose-gc) and returns its RSS afterwards. */
  const settled = async () => {
    server.proc.signal("SIGUSR2");
    const s = await server.proc.next((l) => l.event === "stats", 10_000);
    return Number(s.rss);
  };
  for (const format of ["csv", "json"]) {
    const base = await settled();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server.proc.pid))), 20);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/admin/monitor/export?format=${format}&channelId=${ch.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    let bytes = 0;
    for await (const chunk of res.body!) bytes += chunk.byteLength;
    clearInterval(sampler);
    const after = await settled();
    console.log(
      `${format}: ${res.headers.get("x-total-count")} rows, ${mb(bytes)} streamed in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s; server RSS before ${mb(base)}, peak ${
          mb(peak)
        } ` +
        `(+${mb(peak - base)}), after GC ${mb(after)}`,
    );
  }
} finally {
  await server.proc.stop();
  await cluster?.stop();
}
