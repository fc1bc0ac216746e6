/**
 * Workloads 1 (fan-out) and 2 (latency at a steady load), run against every server kind: Parley, the bare
 * ceiling and the Socket.io baseline, each on a fresh fixture and a fresh server process.
 */
import type { BenchUser, Kind, Transport } from "../loadgen/client.ts";
import type { StepResult } from "../loadgen/traffic.ts";
import type { Cost } from "../loadgen/main.ts";
import { connectSql, freshDatabase, makeFixture, makeWorkspaces, withJwts } from "../lib/fixtures.ts";
import { openDb } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { JWT_SECRET, memoryStats, runLoadgen, startServer } from "../lib/servers.ts";
import { cpuSeconds, waitQuiet } from "../lib/cpu.ts";
import type { Ctx } from "./ctx.ts";
import { round } from "../lib/stats.ts";
import type { LagSummary } from "../lib/lag.ts";

export interface FanoutResult {
  group: number;
  /** CPU per message and per delivery at the best step held (or the first step when none held). */
  cost?: Cost | null;
  users: number;
  deliveries_per_s: number;
  p99_ms_at_best: number;
  peak_deliveries_per_s: number;
  connect: { seconds: number; failed: number };
  steps: (StepResult & { ok: boolean; cost?: Cost; lag?: LagSummary | null })[];
}

/** Starts `kind` on `dbUrl`, makes the users it needs (Parley's schema exists only once Parley ran). */
async function withServer<T>(
  ctx: Ctx,
  kind: Kind,
  dbUrl: string,
  users: BenchUser[],
  fn: (url: string, users: BenchUser[], pid: number, lagFile?: string) => Promise<T>,
): Promise<T> {
  const s = await startServer(kind, {
    databaseUrl: dbUrl,
    verbose: ctx.verbose,
    // Parley's profile; bare's too (the fan-out's per-delivery comparison: bench/notes/fan_out_channels_of_100.md).
    cpuProfDir: kind !== "socketio" ? ctx.cpuProfDir : undefined,
    lag: true,
  });
  try {
    const u = kind === "socketio" ? await withJwts(users, JWT_SECRET) : users;
    await quiet(ctx);
    const r = await fn(s.url, u, s.proc.pid, s.lagFile);
    if (kind === "parley") {
      const st = await memoryStats(s).catch(() => null);
      if (st && r && typeof r === "object") {
        (r as Record<string, unknown>).hub = (st as { hub?: unknown }).hub;
      }
    }
    return r;
  } finally {
    await s.proc.stop();
  }
}

/** Waits for the shared machine to calm down (other people's tests) and notes it when it does not. */
export async function quiet(ctx: Ctx) {
  const busy = await waitQuiet(ctx.quietSeconds);
  if (busy > 0.3) ctx.log(`  note: the machine is busy with other work (${busy} cores) as this run starts`);
  return busy;
}

/** A fresh database with Parley's schema (its own migrations) for fixtures. */
export async function parleyDatabase(ctx: Ctx, name: string): Promise<string> {
  const url = await freshDatabase(ctx.adminUrl, name);
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  try {
    await migrate(db, () => {});
  } finally {
    await db.close();
  }
  return url;
}

/**
 * How the fan-out's clients read their sockets, the same for every server kind: Deno's `WebSocket` (`web`,
 * the default, as in every run), or with `BENCH_LOADGEN_WS=raw` the frames of each TCP read split in
 * JavaScript (`loadgen/raw_ws.ts`). The tenth pass measured raw at 2-5 % less of the load generator's CPU per
 * delivery, with no change in the steps held (bench/notes/fan_out.md, "Fan-out and the load generator's share
 * (issue 16, tenth pass)").
 */
function fanoutTransport(): Transport {
  const t = Deno.env.get("BENCH_LOADGEN_WS") ?? "web";
  if (t !== "raw" && t !== "web") throw new Error(`BENCH_LOADGEN_WS=${t}: raw or web`);
  return t;
}

export async function fanout(ctx: Ctx) {
  const p = ctx.params.fanout;
  const dbUrl = await parleyDatabase(ctx, "bench_fanout");
  const sql = connectSql(dbUrl);
  const out: Record<string, Record<string, FanoutResult>> = {};
  try {
    for (const group of p.groups) {
      const fx = await makeFixture(sql, {
        slug: `fanout-${group}`,
        users: Math.max(p.users, group),
        group,
        tokenPrefix: ctx.tokenPrefix,
      });
      for (const kind of ctx.kinds) {
        ctx.log(`fanout: ${kind}, ${fx.users.length} users in channels of ${group}`);
        const r = await withServer(ctx, kind, dbUrl, fx.users, async (url, users, pid, lagFile) => {
          const cpu0 = cpuSeconds(pid);
          const res = await runLoadgen<FanoutResult>(
            {
              scenario: "fanout",
              kind,
              url,
              users,
              openConcurrency: 50,
              serverPid: pid,
              pgPid: kind === "bare" ? undefined : ctx.pgPid,
              lagFile,
              group,
              steps: p.steps,
              stepSeconds: p.stepSeconds,
              drainSeconds: 1.5,
              p99LimitMs: 50,
              transport: fanoutTransport(),
            },
            20 * 60_000,
            ctx.verbose,
          );
          const best = res.steps.find((s) => s.ok && s.deliveries_per_s === res.deliveries_per_s) ??
            res.steps[0];
          return { ...res, cost: best?.cost ?? null, server_cpu_seconds: round(cpuSeconds(pid) - cpu0) };
        });
        (out[kind] ??= {})[String(group)] = r;
        ctx.log(
          `  held ${r.deliveries_per_s}/s (p99 ${r.p99_ms_at_best} ms); steps: ${
            r.steps.map((s) =>
              `${s.deliveries_per_s}${s.ok ? "" : "✗"}@${s.deliver.p99_ms}ms[cpu ${s.cpu?.server}/${
                s.cpu?.postgres ?? "-"
              }/${s.cpu?.loadgen}/${s.cpu?.machine}${lagText(s.lag)}]`
            ).join(" ")
          }`,
        );
      }
    }
  } finally {
    await sql.end();
  }
  const summary: Record<string, unknown> = {};
  for (const [kind, byGroup] of Object.entries(out)) {
    const best = Object.values(byGroup).reduce((m, r) => Math.max(m, r.deliveries_per_s), 0);
    summary[kind] = { deliveries_per_s: best, by_group: byGroup };
  }
  return summary;
}

/** ` lag p99/max 3.1/12.0 ms` for a step's progress line. */
const lagText = (l?: LagSummary | null) => l ? ` lag p99/max ${l.p99_ms}/${l.max_ms} ms` : "";

export interface SteadyResult extends StepResult {
  cost: Cost;
  lag?: LagSummary | null;
  idle_cores?: Record<string, number>;
  curve?: (StepResult & { cost: Cost; lag?: LagSummary | null })[];
  users: number;
  connect: { seconds: number; failed: number };
}

export async function latency(ctx: Ctx) {
  const p = ctx.params.latency;
  const dbUrl = await parleyDatabase(ctx, "bench_latency");
  const sql = connectSql(dbUrl);
  const out: Record<string, unknown> = {};
  let timeline: (() => Promise<void>) | null = null;
  try {
    const fx = await makeWorkspaces(sql, {
      slug: "latency",
      users: p.users,
      group: p.group,
      workspaceUsers: p.workspaceUsers,
      tokenPrefix: ctx.tokenPrefix,
    });
    timeline = Deno.env.get("BENCH_TIMELINE") ? await pgTimeline(ctx.adminUrl, dbUrl) : null;
    for (const kind of ctx.kinds) {
      ctx.log(`latency: ${kind}, ${p.users} users, ${p.msgsPerSecond} msgs/s over channels of ${p.group}`);
      const r = await withServer(ctx, kind, dbUrl, fx.users, async (url, users, pid, lagFile) => {
        const cpu0 = cpuSeconds(pid);
        const res = await runLoadgen<SteadyResult>(
          {
            scenario: "steady",
            kind,
            url,
            users,
            openConcurrency: 50,
            serverPid: pid,
            pgPid: kind === "bare" ? undefined : ctx.pgPid,
            lagFile,
            msgsPerSecond: p.msgsPerSecond,
            curve: p.curve,
            warmupSeconds: p.warmupSeconds,
            seconds: p.seconds,
          },
          10 * 60_000,
          ctx.verbose,
        );
        return { ...res, server_cpu_seconds: round(cpuSeconds(pid) - cpu0) };
      });
      out[kind] = {
        p50_ms: r.deliver.p50_ms,
        p95_ms: r.deliver.p95_ms,
        p99_ms: r.deliver.p99_ms,
        ack_p50_ms: r.ack.p50_ms,
        ack_p95_ms: r.ack.p95_ms,
        ack_p99_ms: r.ack.p99_ms,
        deliveries_per_s: r.deliveries_per_s,
        msgs_per_s: r.msgs_per_s,
        delivered: r.delivered,
        expected_deliveries: r.expected_deliveries,
        errors: r.errors,
        skipped_backlog: r.skipped_backlog,
        connect_seconds: r.connect.seconds,
        server_cpu_seconds: (r as unknown as { server_cpu_seconds: number }).server_cpu_seconds,
        cpu: r.cpu,
        cost: r.cost,
        idle_cores: r.idle_cores,
        curve: r.curve?.map((c) => ({
          msgs_per_s: c.target_msgs_per_s,
          p50_ms: c.deliver.p50_ms,
          p99_ms: c.deliver.p99_ms,
          ack_p99_ms: c.ack.p99_ms,
          delivered: c.delivered,
          expected_deliveries: c.expected_deliveries,
          skipped_backlog: c.skipped_backlog,
          errors: c.errors,
          cpu: c.cpu,
          cost: c.cost,
          lag: c.lag,
        })),
        lag: r.lag,
        hub: (r as { hub?: unknown }).hub,
      };
      ctx.log(
        `  deliver p50/p95/p99 ${r.deliver.p50_ms}/${r.deliver.p95_ms}/${r.deliver.p99_ms} ms, ack p99 ${r.ack.p99_ms} ms, ${r.delivered}/${r.expected_deliveries} delivered, cpu ${
          JSON.stringify(r.cpu)
        }; cost ${JSON.stringify(r.cost)}; curve ${
          (r.curve ?? []).map((c) =>
            `${c.target_msgs_per_s}/s p50 ${c.deliver.p50_ms} p99 ${c.deliver.p99_ms} ms machine ${c.cpu?.machine}${
              lagText(c.lag)
            }`
          ).join(", ")
        }`,
      );
    }
  } finally {
    await timeline?.();
    await sql.end();
  }
  return out;
}

/**
 * `BENCH_TIMELINE=DIR` (`bench/timeline.ts`): what Postgres does while the steady workload runs. Turns on
 * the logging of checkpoints and of every autovacuum (timestamped lines, copied to DIR/postgres.log at the
 * end), and samples `pg_stat_activity` every 10 ms into DIR/pg_activity.txt: wall ms, then for each backend
 * not idle its pid, type, state, wait event and the start of its statement, and the WAL position with each
 * sample into DIR/wal_lsn.txt. At the stop, `walByRelation` reads each step's WAL with `pg_waldump`. A timed
 * checkpoint would recycle the segments before that, so `checkpoint_timeout` is 30 min in this mode (the
 * steps never reached the 5 min timer anyway: tenth pass). Returns the stop function.
 */
async function pgTimeline(adminUrl: string, dbUrl: string): Promise<() => Promise<void>> {
  const dir = Deno.env.get("BENCH_TIMELINE")!;
  const sql = connectSql(adminUrl);
  await sql`ALTER SYSTEM SET log_checkpoints = on`;
  await sql`ALTER SYSTEM SET log_autovacuum_min_duration = 0`;
  await sql`ALTER SYSTEM SET log_line_prefix = '%m [%p] '`;
  await sql`ALTER SYSTEM SET checkpoint_timeout = '30min'`;
  await sql`SELECT pg_reload_conf()`;
  const [{ data_directory: dataDir }] = await sql`SHOW data_directory`;
  let stop = false;
  let lines: string[] = [];
  let wal: string[] = [];
  // The data directory's disk as the kernel counts it (every process's I/O on it, other helpers' too) and
  // the page cache's dirty and writeback totals, with each sample: DIR/disk.txt.
  let disk: string[] = [];
  const dev = Deno.statSync(dataDir).dev;
  const devId = `${(dev >> 8) & 0xfff} ${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  const diskLine = () => {
    const f = Deno.readTextFileSync("/proc/diskstats").split("\n").map((l) => l.trim().split(/\s+/))
      .find((x) => `${x[0]} ${x[1]}` === devId) ?? [];
    const mi = Deno.readTextFileSync("/proc/meminfo");
    const kb = (n: string) => new RegExp(`^${n}:\\s+(\\d+)`, "m").exec(mi)?.[1] ?? "0";
    // writes, sectors written, ms writing, in flight, discards, ms discarding, flushes, ms flushing
    return `${[7, 9, 10, 11, 14, 17, 18, 19].map((i) => f[i] ?? "0").join(" ")} ${kb("Dirty")} ${
      kb("Writeback")
    }`;
  };
  // Where in the kernel a backend waiting on WAL I/O sleeps: the innermost frames of /proc/PID/stack
  // (root only; empty otherwise), e.g. a flush of the disk's cache or a journal commit.
  const kernelStack = (pid: number) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/stack`).split("\n").map((l) => /\] ([\w.]+)\+/.exec(l)?.[1])
        .filter((f) => f && !/^(do_syscall|entry_SYSCALL|__x64_sys|__schedule|schedule$)/.test(f))
        .slice(0, 6).join(">");
    } catch {
      return "";
    }
  };
  // Who dirties the page cache: every process's `write_bytes` (/proc/PID/io, counted when a page is dirtied;
  // root only) summed by name (a Postgres process by its title, "postgres: walwriter"), every ~0.5 s, the
  // names whose count grew into DIR/io.txt: wall, then name=bytes since the previous sample. A process that
  // ended between two samples is not counted (its pages stay dirty).
  let io: string[] = [];
  let ioPrev = new Map<string, number>();
  let ioAt = 0;
  let bufPrev: number[] | null = null;
  const ioSample = () => {
    const now = new Map<string, number>();
    const names = new Map<string, string>();
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const w = /write_bytes: (\d+)/.exec(Deno.readTextFileSync(`/proc/${e.name}/io`))?.[1];
        if (!w || w === "0") continue;
        const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
        const name = (cmd[0].startsWith("postgres:")
          ? cmd[0].split(" ").slice(0, 3).join("_")
          : cmd[0]
          ? cmd.slice(0, 3).map((c) =>
            c.split("/").pop()
          ).join("_")
          : `[${Deno.readTextFileSync(`/proc/${e.name}/comm`).trim()}]`).replace(/\s/g, "_").slice(0, 60);
        now.set(e.name, Number(w));
        names.set(e.name, name);
      } catch { /* ended meanwhile */ }
    }
    const grew = new Map<string, number>();
    for (const [k, w] of now) {
      // A kernel worker's name changes with its work item: keyed by pid; a process new since the last sample
      // counts from 0.
      const d = w - (ioPrev.get(k) ?? (ioAt ? 0 : w));
      const name = names.get(k)!;
      if (d > 0) grew.set(name, (grew.get(name) ?? 0) + d);
    }
    ioPrev = now;
    ioAt = Date.now();
    if (grew.size) io.push(`${ioAt} ${[...grew].map(([k, d]) => `${k}=${d}`).join(" ")}`);
  };
  const loop = (async () => {
    while (!stop) {
      const rows = await sql`
        SELECT pid, backend_type AS bt, state, coalesce(wait_event, '') AS we,
          regexp_replace(left(query, 50), '\\s+', '_', 'g') AS q, extract(epoch FROM clock_timestamp()) * 1000 AS t,
          (pg_current_wal_lsn() - '0/0'::pg_lsn)::float8 AS lsn
        FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (state IS NULL OR state NOT IN ('idle'))`;
      const t = rows.length ? Number(rows[0].t) : Date.now();
      if (rows.length) wal.push(`${t.toFixed(1)} ${rows[0].lsn}`);
      disk.push(`${Date.now()} ${diskLine()}`);
      if (Date.now() - ioAt >= 500) {
        ioSample();
        // Data-file pages Postgres wrote into the page cache (8 kB each): by checkpoints, the background
        // writer, and backends (evictions, rings); and WAL written / synced.
        const [b] = await sql`SELECT buffers_checkpoint AS c, buffers_clean AS w, buffers_backend AS b
          FROM pg_stat_bgwriter`;
        const now = [Number(b.c), Number(b.w), Number(b.b)];
        if (bufPrev) {
          const d = now.map((n, i) => (n - bufPrev![i]) * 8192);
          if (d.some((x) => x > 0)) {
            io.push(
              `${Date.now()} pg:checkpoint_buffers=${d[0]} pg:bgwriter_buffers=${d[1]} pg:backend_buffers=${
                d[2]
              }`,
            );
          }
        }
        bufPrev = now;
      }
      lines.push(
        `${t.toFixed(1)}\t${
          rows.filter((r) => r.state !== null || r.we !== "" && !/Main$/.test(r.we)).map((r) =>
            `${r.pid}|${String(r.bt).replace(/ /g, "_")}|${r.state ?? ""}|${r.we}|${r.q ?? ""}${
              /^(WAL|DataFile)/.test(r.we) ? `|${kernelStack(r.pid)}` : ""
            }`
          ).join("\t")
        }`,
      );
      if (lines.length >= 100) {
        await Deno.writeTextFile(`${dir}/pg_activity.txt`, lines.join("\n") + "\n", { append: true });
        await Deno.writeTextFile(`${dir}/wal_lsn.txt`, wal.join("\n") + "\n", { append: true });
        await Deno.writeTextFile(`${dir}/disk.txt`, disk.join("\n") + "\n", { append: true });
        await Deno.writeTextFile(`${dir}/io.txt`, io.map((l) => l + "\n").join(""), { append: true });
        io = [];
        lines = [];
        wal = [];
        disk = [];
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return async () => {
    stop = true;
    await loop;
    await Deno.writeTextFile(`${dir}/pg_activity.txt`, lines.join("\n") + "\n", { append: true });
    await Deno.writeTextFile(`${dir}/wal_lsn.txt`, wal.join("\n") + "\n", { append: true });
    await Deno.writeTextFile(`${dir}/disk.txt`, disk.join("\n") + "\n", { append: true });
    await Deno.writeTextFile(`${dir}/io.txt`, io.map((l) => l + "\n").join(""), { append: true });
    await walByRelation(dir, `${dataDir}/pg_wal`, dbUrl).catch((e) =>
      console.error(`bench: pg_waldump: ${e}`)
    );
    await sql`ALTER SYSTEM RESET checkpoint_timeout`;
    await sql`SELECT pg_reload_conf()`;
    await sql.end();
    await Deno.copyFile(`${dataDir}/../log`, `${dir}/postgres.log`).catch(() => {});
  };
}

/**
 * `BENCH_TIMELINE` only: what each step's WAL is made of. The step's send times (DIR/deliveries.txt) give
 * its WAL range (DIR/wal_lsn.txt); `pg_waldump` over that range writes `--stats=record` to
 * DIR/walstats_tag<N>.txt, and every record is counted by resource manager and the relation of its first
 * block (named from the bench database's `pg_class`; full-page images counted apart) into
 * DIR/wal_by_rel_tag<N>.txt: rmgr/record type, relation, records, bytes, full-page images, bytes of those.
 */
async function walByRelation(dir: string, walDir: string, dbUrl: string): Promise<void> {
  const bin = [...Deno.readDirSync("/usr/lib/postgresql")].map((d) =>
    `/usr/lib/postgresql/${d.name}/bin/pg_waldump`
  )
    .find((f) => {
      try {
        return Deno.statSync(f).isFile;
      } catch {
        return false;
      }
    });
  if (!bin) return;
  const lsns = Deno.readTextFileSync(`${dir}/wal_lsn.txt`).split("\n").filter(Boolean).map((l) =>
    l.split(" ").map(Number)
  );
  const steps = new Map<number, [number, number]>();
  for (const l of Deno.readTextFileSync(`${dir}/deliveries.txt`).split("\n")) {
    if (!l) continue;
    const [t, , tag] = l.split(" ").map(Number);
    const r = steps.get(tag);
    if (!r) steps.set(tag, [t, t]);
    else if (t < r[0]) r[0] = t;
    else if (t > r[1]) r[1] = t;
  }
  const sql = connectSql(dbUrl);
  const names = new Map<string, string>();
  try {
    for (const r of await sql`SELECT pg_relation_filenode(oid)::text AS f, relname FROM pg_class`) {
      if (r.f) names.set(r.f, r.relname);
    }
  } finally {
    await sql.end();
  }
  const hex = (n: number) => `${Math.floor(n / 2 ** 32).toString(16)}/${(n % 2 ** 32).toString(16)}`;
  for (const [tag, [t0, t1]] of steps) {
    if (tag === 0) continue;
    const a = lsns.find(([t]) => t >= t0)?.[1];
    const z = lsns.findLast(([t]) => t <= t1)?.[1];
    if (a === undefined || z === undefined || z <= a) continue;
    const args = ["-p", walDir, "-s", hex(a), "-e", hex(z)];
    const stats = await new Deno.Command(bin, { args: [...args, "--stats=record"], stderr: "piped" })
      .output();
    await Deno.writeTextFile(
      `${dir}/walstats_tag${tag}.txt`,
      `# ${hex(a)} .. ${hex(z)}: ${z - a} bytes over ${((t1 - t0) / 1000).toFixed(2)} s\n` +
        new TextDecoder().decode(stats.stdout) + new TextDecoder().decode(stats.stderr),
    );
    const out = await new Deno.Command(bin, { args, stderr: "piped" }).output();
    const agg = new Map<string, { n: number; bytes: number; fpi: number; fpiBytes: number }>();
    for (const l of new TextDecoder().decode(out.stdout).split("\n")) {
      const m = /^rmgr: (\S+)\s+len \(rec\/tot\):\s+(\d+)\/\s*(\d+),.*?desc: (\S+)/.exec(l);
      if (!m) continue;
      const rel = /blkref #0: rel \d+\/\d+\/(\d+)/.exec(l)?.[1];
      const fpw = (l.match(/ FPW/g) ?? []).length;
      const key = `${m[1]}/${m[4]}\t${rel ? names.get(rel) ?? `filenode ${rel}` : "-"}`;
      const g = agg.get(key) ?? { n: 0, bytes: 0, fpi: 0, fpiBytes: 0 };
      g.n++;
      g.bytes += +m[3];
      g.fpi += fpw;
      if (fpw) g.fpiBytes += +m[3] - +m[2];
      agg.set(key, g);
    }
    await Deno.writeTextFile(
      `${dir}/wal_by_rel_tag${tag}.txt`,
      [...agg].sort((x, y) => y[1].bytes - x[1].bytes).map(([k, g]) =>
        `${k}\t${g.n}\t${g.bytes}\t${g.fpi}\t${g.fpiBytes}`
      ).join("\n") + "\n",
    );
  }
}
