/** The results table (console and Markdown) and the machine description written to latest.json. */
import postgres from "postgres";

// deno-lint-ignore no-explicit-any
type Any = any;

const fmt = (v: unknown): string => {
  if (typeof v !== "number" || !Number.isFinite(v)) return v == null ? "–" : String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(Math.round(v * 100) / 100);
};
const ratio = (a: unknown, b: unknown) =>
  typeof a === "number" && typeof b === "number" && b > 0 ? `${(a / b).toFixed(2)}×` : "–";

export interface Row {
  metric: string;
  parley: unknown;
  bare?: unknown;
  socketio?: unknown;
  vsBare?: string;
  vsSocketio?: string;
  target?: string;
}

export function rows(r: Any): Row[] {
  const out: Row[] = [];
  const f = r.fanout;
  if (f) {
    out.push({
      metric: "1 fan-out: deliveries/s held at p99 < 50 ms (best group)",
      parley: f.parley?.deliveries_per_s,
      bare: f.bare?.deliveries_per_s,
      socketio: f.socketio?.deliveries_per_s,
      vsBare: ratio(f.parley?.deliveries_per_s, f.bare?.deliveries_per_s),
      vsSocketio: ratio(f.parley?.deliveries_per_s, f.socketio?.deliveries_per_s),
      target: "≥0.7× bare, ≥1.5× Socket.io",
    });
    const groups = Object.keys(f.parley?.by_group ?? f.bare?.by_group ?? {});
    for (const g of groups) {
      const get = (k: string) => f[k]?.by_group?.[g]?.deliveries_per_s;
      out.push({
        metric: `  channels of ${g} members`,
        parley: get("parley"),
        bare: get("bare"),
        socketio: get("socketio"),
        vsBare: ratio(get("parley"), get("bare")),
        vsSocketio: ratio(get("parley"), get("socketio")),
      });
    }
    for (const g of groups) {
      const cost = (k: string) => costText(f[k]?.by_group?.[g]?.cost);
      out.push({
        metric: `  channels of ${g}: CPU µs server/msg, server/delivery, Postgres/msg at best step`,
        parley: cost("parley"),
        bare: cost("bare"),
        socketio: cost("socketio"),
      });
    }
  }
  const l = r.latency;
  if (l) {
    const p = r.parameters?.latency;
    const head = p ? `2 steady ${p.users} users, ${p.msgsPerSecond} msg/s, groups of ${p.group}` : "2 steady";
    for (
      const [k, label, target] of [
        ["p50_ms", "send→deliver p50 ms", ""],
        ["p95_ms", "send→deliver p95 ms", ""],
        ["p99_ms", "send→deliver p99 ms", "<50 ms"],
        ["ack_p50_ms", "send→ack p50 ms", ""],
        ["ack_p99_ms", "send→ack p99 ms", ""],
      ]
    ) {
      out.push({
        metric: k === "p50_ms" ? `${head}: ${label}` : `  ${label}`,
        parley: l.parley?.[k],
        bare: l.bare?.[k],
        socketio: l.socketio?.[k],
        vsBare: ratio(l.parley?.[k], l.bare?.[k]),
        vsSocketio: ratio(l.parley?.[k], l.socketio?.[k]),
        target,
      });
    }
    for (
      const [k, label, target] of [
        ["server_us_per_msg", "server CPU µs per durable message", "½ of start"],
        ["server_us_per_delivery", "server CPU µs per delivery", ""],
        ["postgres_us_per_msg", "Postgres CPU µs per durable message", "½ of start"],
        ["total_us_per_msg", "server + Postgres CPU µs per message", "½ of start"],
        ["net_server_us_per_msg", "the same less idle: server µs per message", ""],
        ["net_postgres_us_per_msg", "the same less idle: Postgres µs per message", ""],
      ]
    ) {
      const get = (kind: string) => l[kind]?.cost?.[k] ?? undefined;
      out.push({
        metric: `  ${label}`,
        parley: get("parley"),
        bare: get("bare"),
        socketio: get("socketio"),
        vsBare: ratio(get("parley"), get("bare")),
        vsSocketio: ratio(get("parley"), get("socketio")),
        target,
      });
    }
    const rates: number[] = [
      ...new Set(
        ["parley", "bare", "socketio"].flatMap((k) => (l[k]?.curve ?? []).map((c: Any) => c.msgs_per_s)),
      ),
    ].sort((a, b) => a - b);
    for (const rate of rates) {
      const at = (kind: string) => {
        const c = (l[kind]?.curve ?? []).find((x: Any) => x.msgs_per_s === rate);
        return c ? `${fmt(c.p50_ms)} / ${fmt(c.p99_ms)} (${fmt(c.cpu?.machine)})` : undefined;
      };
      out.push({
        metric: `  curve ${rate} msg/s: deliver p50 / p99 ms (machine cores)`,
        parley: at("parley"),
        bare: at("bare"),
        socketio: at("socketio"),
        target: rate === 500 ? "p99 <10 ms" : rate === 1000 ? "p99 <50 ms" : "",
      });
    }
  }
  const c = r.connections;
  if (c) {
    out.push({
      metric: "3 idle connections held",
      parley: c.parley?.count,
      bare: c.bare?.count,
      socketio: c.socketio?.count,
    });
    out.push({
      metric: "  server RSS per connection, KB",
      parley: c.parley?.kb_per_connection,
      bare: c.bare?.kb_per_connection,
      socketio: c.socketio?.kb_per_connection,
      vsBare: ratio(c.parley?.kb_per_connection, c.bare?.kb_per_connection),
      vsSocketio: ratio(c.parley?.kb_per_connection, c.socketio?.kb_per_connection),
      target: "≤20 KB",
    });
    out.push({
      metric: "  connects/s while opening",
      parley: c.parley?.connects_per_s,
      bare: c.bare?.connects_per_s,
      socketio: c.socketio?.connects_per_s,
    });
  }
  const h = r.history?.parley;
  if (h) {
    out.push({
      metric: `4 history over ${fmt(h.messages)} messages: latest page p50 ms`,
      parley: h.latest_p50_ms,
    });
    out.push({ metric: "  latest page p99 ms", parley: h.latest_p99_ms, target: "<5 ms" });
    out.push({ metric: "  deep page p50 ms", parley: h.deep_p50_ms });
    out.push({ metric: "  deep page p99 ms", parley: h.deep_p99_ms });
    out.push({
      metric: "  server CPU ms per page (its /healthz included)",
      parley: h.server_cpu_ms_per_page,
    });
    out.push({
      metric: "  Postgres CPU ms per page (its /healthz included)",
      parley: h.postgres_cpu_ms_per_page,
    });
  }
  const s = r.reconnect?.parley;
  if (s) {
    out.push({
      metric: `5 reconnect storm of ${s.clients} clients: seconds until all live`,
      parley: s.seconds,
      target: "<5 s",
    });
    out.push({ metric: "  missed events", parley: s.missed_events, target: "0" });
    out.push({ metric: "  duplicates", parley: s.duplicates });
    out.push({
      metric: "  server CPU ms per resumed client (senders included)",
      parley: s.server_cpu_ms_per_client,
    });
    out.push({
      metric: "  Postgres CPU ms per resumed client (senders included)",
      parley: s.postgres_cpu_ms_per_client,
    });
  }
  const v = r.visitors?.parley;
  if (v && !r.visitors.error) {
    out.push({
      metric: `visitors: ${v.visitors} chats, ${v.agents} agents: visitor→agent p50 / p99 ms`,
      parley: `${fmt(v.visitor_to_agent?.p50_ms)} / ${fmt(v.visitor_to_agent?.p99_ms)}`,
    });
    out.push({
      metric: "  agent→visitor p50 / p99 ms",
      parley: `${fmt(v.agent_to_visitor?.p50_ms)} / ${fmt(v.agent_to_visitor?.p99_ms)}`,
    });
    out.push({
      metric: "  server CPU ms per visitor conversation (staff pair included)",
      parley: v.server_cpu_ms_per_conversation,
    });
    out.push({
      metric: "  Postgres CPU ms per visitor conversation (staff pair included)",
      parley: v.postgres_cpu_ms_per_conversation,
    });
  }
  const lh = r.lighthouse;
  if (lh && !lh.error) {
    for (const [page, v] of Object.entries(lh as Record<string, Any>)) {
      out.push({
        metric: `6 lighthouse /${page}: performance, accessibility, best practices`,
        parley: `${v.performance} / ${v.accessibility} / ${v.best_practices}`,
        target: ">=0.95 each",
      });
      out.push({ metric: `  /${page} FCP, LCP, TBT ms`, parley: `${v.fcp_ms}, ${v.lcp_ms}, ${v.tbt_ms}` });
    }
  }
  const call = r.calls;
  if (call && !call.error) {
    out.push({
      metric: `7 calls: Accept -> first decoded frame p50 ms (${call.runs} calls, loopback)`,
      parley: call.p50_ms,
    });
    out.push({ metric: "  min, max ms", parley: `${call.min_ms}, ${call.max_ms}` });
  }
  return out;
}

/** "server/msg / server/delivery / Postgres/msg" in µs, or undefined. */
function costText(c: Any): string | undefined {
  if (!c) return undefined;
  return `${fmt(c.server_us_per_msg)} / ${fmt(c.server_us_per_delivery)} / ${fmt(c.postgres_us_per_msg)}`;
}

export function consoleTable(rs: Row[]): string {
  const head = ["", "Parley", "bare", "Socket.io", "P/bare", "P/sio", "target"];
  const body = rs.map((
    r,
  ) => [
    r.metric,
    fmt(r.parley),
    fmt(r.bare),
    fmt(r.socketio),
    r.vsBare ?? "",
    r.vsSocketio ?? "",
    r.target ?? "",
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function markdownTable(rs: Row[]): string {
  const head = "| | Parley | bare Deno | Socket.io | Parley / bare | Parley / Socket.io | target |";
  const sep = "|---|---:|---:|---:|---:|---:|---|";
  const body = rs.map((r) =>
    `| ${r.metric.trim()} | ${fmt(r.parley)} | ${fmt(r.bare)} | ${fmt(r.socketio)} | ${r.vsBare ?? ""} | ${
      r.vsSocketio ?? ""
    } | ${r.target ?? ""} |`
  );
  return [head, sep, ...body].join("\n");
}

async function cmdVersion(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n")[0];
  } catch {
    return "not found";
  }
}

export async function machine(dbUrl: string, pinned: boolean, pgCpu?: string) {
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  let pgVersion = "unknown";
  let pgSettings: Record<string, string> = {};
  try {
    pgVersion = (await sql`SHOW server_version`)[0].server_version;
    const rows = await sql`SELECT name, setting FROM pg_settings WHERE name IN
      ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method', 'commit_delay')`;
    pgSettings = Object.fromEntries(rows.map((x) => [x.name, x.setting]));
  } finally {
    await sql.end();
  }
  const sio = JSON.parse(
    await Deno.readTextFile(new URL("../socketio/package.json", import.meta.url)).catch(() => "{}"),
  );
  return {
    cores: navigator.hardwareConcurrency,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown",
    memory_gb: Math.round(memKb / 1024 / 1024 * 10) / 10,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    node: await cmdVersion("node", ["--version"]),
    postgres: pgVersion,
    postgres_settings: pgSettings,
    socketio: sio.dependencies?.["socket.io"] ?? "unknown",
    loadavg_at_start: (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ").slice(0, 3).map(
      Number,
    ),
    pinning: pinned
      ? `server under test on CPU 0, load generator on CPU 1 (taskset -c); Postgres ${
        pgCpu === undefined
          ? "unpinned"
          : `on CPU ${pgCpu} (taskset -a -p on the postmaster and its children)`
      }`
      : "none (taskset unavailable or BENCH_NO_PIN / --no-pin)",
  };
}
