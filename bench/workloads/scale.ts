/**
 * Workloads 3 (idle connections and memory), 4 (history pages over a million messages) and 5 (the
 * reconnect storm). Parley is the subject; the baselines join workload 3 for scale.
 */
import type { Kind } from "../loadgen/client.ts";
import { bulkMessages, connectSql, makeFixture, makeWorkspaces, withJwts } from "../lib/fixtures.ts";
import {
  JWT_SECRET,
  loadgenResult,
  type MemoryStats,
  memoryStats,
  runLoadgen,
  startLoadgen,
  startServer,
} from "../lib/servers.ts";
import { perUnitMs } from "../lib/cpu.ts";
import { rssBytes } from "../lib/procs.ts";
import { round } from "../lib/stats.ts";
import type { Ctx } from "./ctx.ts";
import { parleyDatabase, quiet } from "./realtime.ts";
import { pageWithAccessSql } from "../../db/repos/messages.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function connections(ctx: Ctx) {
  const p = ctx.params.connections;
  const dbUrl = await parleyDatabase(ctx, "bench_connections");
  const sql = connectSql(dbUrl);
  // Presence goes to the whole workspace, so the connections are spread over workspaces of a set size.
  const fx = await makeWorkspaces(sql, {
    slug: "idle",
    users: p.count,
    group: p.group,
    workspaceUsers: p.workspaceUsers,
    tokenPrefix: ctx.tokenPrefix,
  });
  await sql.end();
  const kinds: Kind[] = p.baselines ? ctx.kinds : ["parley"];
  const out: Record<string, unknown> = {};
  for (const kind of kinds) {
    ctx.log(
      `connections: ${kind}, ${p.count} idle authenticated connections (workspaces of ${p.workspaceUsers})`,
    );
    const s = await startServer(kind, {
      databaseUrl: dbUrl,
      verbose: ctx.verbose,
      cpuProfDir: kind === "parley" ? ctx.cpuProfDir : undefined,
    });
    try {
      const users = kind === "socketio" ? await withJwts(fx.users, JWT_SECRET) : fx.users;
      await sleep(1500);
      await quiet(ctx);
      const before = await memoryStats(s);
      const lg = await startLoadgen({
        scenario: "idle",
        kind,
        url: s.url,
        users,
        openConcurrency: 100,
        serverPid: s.proc.pid,
        pgPid: kind === "bare" ? undefined : ctx.pgPid,
        pingSeconds: 20,
      }, { verbose: ctx.verbose });
      const holding = await lg.next((l) => l.event === "holding", 15 * 60_000);
      const rssRightAfter = rssBytes(s.proc.pid);
      // Right after connecting, a garbage-collected heap still holds the pages its churn needed; V8 gives
      // them back after some idle seconds. Measure both, report the settled one per connection.
      await sleep(3000);
      const early = await memoryStats(s);
      await sleep(Math.max(0, p.settleSeconds - 3) * 1000);
      const after = await memoryStats(s);
      // V8's memory reducer gives the burst's pages back after ~8 s without a mark-compact and with a low
      // allocation rate, which may come after the settled reading: a later one shows where the RSS goes.
      let late: MemoryStats | null = null;
      if (p.lateSeconds > p.settleSeconds) {
        await sleep((p.lateSeconds - Math.max(3, p.settleSeconds)) * 1000);
        late = await memoryStats(s);
      }
      const open = Number(holding.open);
      await lg.write("release");
      const r = await loadgenResult<
        {
          connect: {
            seconds: number;
            failed: number;
            cpu: { server?: number; postgres?: number };
            phases: Record<string, { p50_ms: number; p99_ms: number }>;
          };
          frames?: Record<string, { frames: number; bytes: number; people: number }>;
        }
      >(
        lg,
        120_000,
      );
      const perConn = (a: number, b: number) => round((a - b) / Math.max(1, open) / 1024, 1);
      out[kind] = {
        count: open,
        kb_per_connection: perConn(after.rss, before.rss),
        heap_kb_per_connection: perConn(after.heapUsed + after.external, before.heapUsed + before.external),
        // What V8 holds from the system for its heap (used or not): the rest of the RSS is outside V8.
        heap_committed_kb_per_connection: perConn(after.heapTotal, before.heapTotal),
        // Per V8 heap space: [committed, live] KB per connection (where the committed heap grew).
        heap_spaces_kb_per_connection: spacesPerConn(after, before, open),
        rss_before_mb: round(before.rss / 2 ** 20, 1),
        rss_after_mb: round(after.rss / 2 ** 20, 1),
        rss_peak_kb_per_connection: perConn(rssRightAfter, before.rss),
        rss_3s_kb_per_connection: perConn(early.rss, before.rss),
        ...late
          ? {
            [`rss_${p.lateSeconds}s_kb_per_connection`]: perConn(late.rss, before.rss),
            [`heap_committed_${p.lateSeconds}s_kb_per_connection`]: perConn(late.heapTotal, before.heapTotal),
          }
          : {},
        threads: threadCount(s.proc.pid),
        connect_seconds: r.connect.seconds,
        connects_per_s: Math.round(open / Math.max(0.001, r.connect.seconds)),
        server_cpu_ms_per_connect: round(
          (r.connect.cpu.server ?? 0) * r.connect.seconds * 1000 / Math.max(1, open),
          2,
        ),
        // Postgres' CPU over the connect burst per connect (Parley; Socket.io stores nothing at connect).
        ...r.connect.cpu.postgres === undefined ? {} : {
          postgres_cpu_ms_per_connect: round(
            r.connect.cpu.postgres * r.connect.seconds * 1000 / Math.max(1, open),
            2,
          ),
        },
        failed: r.connect.failed,
        connect_cpu: r.connect.cpu,
        // Per connection: open until "ready" (upgrade, session, channel list) and hello until its ack.
        connect_phases: r.connect.phases,
        // BENCH_COUNT_FRAMES=1: the frames the clients were sent, by type, per connection.
        ...r.frames ? { frames_per_connection: perConnection(r.frames, open) } : {},
      };
      ctx.log(`  ${JSON.stringify(out[kind])}`);
    } finally {
      await s.proc.stop();
    }
  }
  return out;
}

function perConnection(frames: Record<string, { frames: number; bytes: number; people: number }>, n: number) {
  return Object.fromEntries(
    Object.entries(frames).map((
      [type, c],
    ) => [type, {
      frames: round(c.frames / n, 2),
      bytes: Math.round(c.bytes / n),
      people: round(c.people / n, 2),
    }]),
  );
}

function spacesPerConn(after: MemoryStats, before: MemoryStats, open: number) {
  const out: Record<string, [number, number]> = {};
  for (const [name, [size, used]] of Object.entries(after.spaces ?? {})) {
    const [size0, used0] = before.spaces?.[name] ?? [0, 0];
    const kb = (a: number, b: number) => round((a - b) / Math.max(1, open) / 1024, 2);
    if (size !== size0 || used !== used0) out[name] = [kb(size, size0), kb(used, used0)];
  }
  return out;
}

export async function history(ctx: Ctx) {
  const p = ctx.params.history;
  const dbUrl = await parleyDatabase(ctx, "bench_history");
  const sql = connectSql(dbUrl);
  const total = p.channels * p.perChannel;
  ctx.log(`history: generating ${total} messages in ${p.channels} channels`);
  const t0 = performance.now();
  const fx = await makeFixture(sql, {
    slug: "history",
    users: p.channels,
    group: 1,
    tokenPrefix: ctx.tokenPrefix,
  });
  await bulkMessages(sql, fx.workspaceId, fx.channels, fx.users.slice(0, 100).map((u) => u.id), p.perChannel);
  const genSeconds = (performance.now() - t0) / 1000;
  const deepRows = await sql`SELECT channel_id, id FROM messages
    WHERE seq = ${p.deepSeq} AND channel_id = ANY(${fx.channels}::bigint[])`;
  const deep: [number, number][] = deepRows.map((r) => [Number(r.channel_id), Number(r.id)]);
  // The plan of the latest page's one statement (channel, membership and page), as the server sends it.
  const [ch] = fx.channels;
  const plan = (await sql.unsafe(
    `EXPLAIN (ANALYZE, BUFFERS, TIMING) ${pageWithAccessSql(false)}`,
    [fx.workspaceId, ch, fx.users[0].id, Number.MAX_SAFE_INTEGER, 51],
  )).map((r) => r["QUERY PLAN"] as string);
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM messages`;
  const [{ size }] = await sql`SELECT pg_size_pretty(pg_total_relation_size('messages')) AS size`;
  // The fixture's million rows leave ~1 GB of WAL and dirty buffers behind: without this the checkpoint it
  // triggered writes them out, spread over minutes, while the requests run, and the page's statements take
  // 2x their median in its tail (bench/notes/history_page.md, "History tail, the idle heap and JIT", tenth
  // pass).
  const c0 = performance.now();
  // (A role without the right to checkpoint, on a BENCH_DATABASE_URL cluster, measures without it.)
  await sql`CHECKPOINT`.catch((e) => ctx.log(`  note: no checkpoint after the fixture (${e.message})`));
  const checkpointSeconds = (performance.now() - c0) / 1000;
  await sql.end();
  ctx.log(
    `  generated in ${genSeconds.toFixed(1)} s (${size}), checkpoint ${checkpointSeconds.toFixed(1)} s`,
  );
  const s = await startServer("parley", {
    databaseUrl: dbUrl,
    verbose: ctx.verbose,
    cpuProfDir: ctx.cpuProfDir,
  });
  try {
    await quiet(ctx);
    const r = await runLoadgen<{
      latest: { p50_ms: number; p95_ms: number; p99_ms: number };
      deep: { p50_ms: number; p95_ms: number; p99_ms: number };
      healthz: { p50_ms: number; p99_ms: number };
      errors: number;
      requests_per_s: number;
      cpu_seconds: { server?: number; postgres?: number; loadgen: number };
    }>(
      {
        scenario: "history",
        kind: "parley",
        url: s.url,
        users: [],
        openConcurrency: 1,
        serverPid: s.proc.pid,
        pgPid: ctx.pgPid,
        token: fx.users[0].token,
        deep,
        requests: p.requests,
        concurrency: 1,
      },
      10 * 60_000,
      ctx.verbose,
    );
    ctx.log(
      `  latest p50/p99 ${r.latest.p50_ms}/${r.latest.p99_ms} ms, deep ${r.deep.p50_ms}/${r.deep.p99_ms} ms, ` +
        `healthz ${r.healthz.p50_ms}/${r.healthz.p99_ms} ms`,
    );
    return {
      parley: {
        messages: Number(n),
        channels: p.channels,
        table_size: size,
        generate_seconds: round(genSeconds, 1),
        latest_p50_ms: r.latest.p50_ms,
        latest_p95_ms: r.latest.p95_ms,
        latest_p99_ms: r.latest.p99_ms,
        deep_p50_ms: r.deep.p50_ms,
        deep_p95_ms: r.deep.p95_ms,
        deep_p99_ms: r.deep.p99_ms,
        // A /healthz request (one trivial query) after each page: the floor of a request at that moment.
        healthz_p50_ms: r.healthz.p50_ms,
        healthz_p99_ms: r.healthz.p99_ms,
        // CPU ms per page (latest and deep together, measured requests only), each page's /healthz included
        // and nothing subtracted.
        ...perUnitMs("page", r.cpu_seconds, p.requests),
        requests: p.requests,
        requests_per_s: r.requests_per_s,
        errors: r.errors,
        cpu_seconds: r.cpu_seconds,
        latest_page_plan: plan,
      },
    };
  } finally {
    await s.proc.stop();
  }
}

export async function reconnect(ctx: Ctx) {
  const p = ctx.params.reconnect;
  const dbUrl = await parleyDatabase(ctx, "bench_reconnect");
  const sql = connectSql(dbUrl);
  const fx = await makeWorkspaces(sql, {
    slug: "storm",
    users: p.clients,
    group: p.group,
    senders: true,
    workspaceUsers: p.workspaceUsers,
    tokenPrefix: ctx.tokenPrefix,
  });
  await sql.end();
  ctx.log(
    `reconnect: ${p.clients} clients (workspaces of ${p.workspaceUsers}) drop at once and resume while ${fx.senders.length} senders post`,
  );
  const s = await startServer("parley", {
    databaseUrl: dbUrl,
    verbose: ctx.verbose,
    cpuProfDir: ctx.cpuProfDir,
  });
  try {
    await quiet(ctx);
    const r = await runLoadgen<Record<string, unknown>>(
      {
        scenario: "storm",
        kind: "parley",
        url: s.url,
        users: fx.users,
        senders: fx.senders,
        openConcurrency: 100,
        serverPid: s.proc.pid,
        pgPid: ctx.pgPid,
        msgsPerSecond: p.msgsPerSecond,
        beforeSeconds: p.beforeSeconds,
        afterSeconds: p.afterSeconds,
      },
      10 * 60_000,
      ctx.verbose,
    );
    const integrity = await checkSequences(dbUrl);
    const server = await memoryStats(s).catch(() => null);
    if (server) (r as Record<string, unknown>).server = server;
    ctx.log(`  ${JSON.stringify({ ...r, deliver: undefined, connect: undefined, integrity })}`);
    const storm = r as {
      clients: number;
      seconds: number;
      cpu_seconds: { server?: number; postgres?: number };
      cpu_before_storm: { server?: number; postgres?: number };
    };
    // The same less the senders' share: the cores each part used before the storm, over the storm's seconds.
    const less = (k: "server" | "postgres") => {
      const used = storm.cpu_seconds[k];
      return used === undefined
        ? undefined
        : Math.max(0, used - (storm.cpu_before_storm[k] ?? 0) * storm.seconds);
    };
    const net = perUnitMs("client", { server: less("server"), postgres: less("postgres") }, storm.clients);
    return {
      parley: {
        ...r,
        // CPU ms per resumed client over the storm's window (all close .. the last is live again), the
        // senders' posts during it included (`cpu_before_storm`: what they cost before it).
        ...perUnitMs("client", storm.cpu_seconds, storm.clients),
        ...Object.fromEntries(Object.entries(net).map(([k, v]) => [`net_${k}`, v])),
        workspace_users: p.workspaceUsers,
        integrity,
      },
    };
  } finally {
    await s.proc.stop();
  }
}

/**
 * The database side of "never loses, duplicates or reorders": in every channel the event log holds
 * exactly sequences 1..last_seq, and every message's sequence has its event.
 */
export async function checkSequences(dbUrl: string) {
  const sql = connectSql(dbUrl);
  try {
    const [r] = await sql`SELECT
        (SELECT count(*)::int FROM channels) AS channels,
        (SELECT count(*)::int FROM (
           SELECT c.id FROM channels c LEFT JOIN channel_events e ON e.channel_id = c.id
           GROUP BY c.id, c.last_seq
           HAVING count(e.seq) <> c.last_seq OR coalesce(max(e.seq), 0) <> c.last_seq) x) AS bad_channels,
        (SELECT count(*)::int FROM messages m
           WHERE NOT EXISTS (SELECT 1 FROM channel_events e WHERE e.channel_id = m.channel_id AND e.seq = m.seq))
          AS messages_without_event,
        (SELECT count(*)::int FROM messages) AS messages`;
    return r;
  } finally {
    await sql.end();
  }
}

function threadCount(pid: number): number {
  try {
    return Number(/Threads:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
