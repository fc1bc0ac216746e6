/**
 * What the history page's slow requests are made of (bench/notes/history_page.md, "History tail and the floor
 * of a request (issue 16, ninth pass)"). Fills a database as the quick history bench does (100 channels of
 * 1,000 messages; `--channels=1000` for the full million), starts Parley (`bench/history_tail_server.ts`,
 * pinned to CPU 0, `--trace-gc`) and a client (this script, `client` mode, pinned to CPU 1, `--trace-gc`)
 * that makes the history workload's requests one at a time: a page (latest and deep alternating), then
 * `/healthz`. Every request is laid out on one clock: client start -> server entry (`pre`: the client's
 * write, the server's read and parse), server entry -> handler resolved (`server`, of which `db` in
 * statements), then -> client end (`post`: the server's write, the client's read and parse), and whether a
 * scavenge or a mark-compact of either process, or a statement that is not the request's (background jobs),
 * fell in it.
 *
 *   flock /tmp/bench.lock deno run -A bench/history_tail.ts [--client=fetch|raw|raw-identity] [--n=2000]
 *     [--root=/path/to/other/tree] [--v8=--flag,--flag] [--env=K=V,K=V] [--channels=100] [--reuse]
 *     [--quiet=30] [--idle=0] [--checkpoint]
 *
 * Without `DATABASE_URL` it starts a throw-away cluster; with it, `--reuse` keeps the filled database
 * (`history_tail_<channels>`) between runs. `--quiet`: seconds at most to wait for a quiet machine (as the
 * bench does) before the requests, `--idle`: seconds more of an idle server. Prints a JSON summary (p50/p99
 * of each stage per kind; the slowest 2 % and what fell in them); `HT_DUMP=1` also prints the slowest 12 of
 * each kind on stderr.
 *
 * `fetch`: as the bench's load generator (Deno's fetch, `res.json()`); `raw`: HTTP/1.1 over one kept-alive
 * `Deno.connect` socket, the same request headers as fetch sends (`accept-encoding: gzip, br`), the body read
 * by its length and not parsed: the server's tail without the client's; `raw-identity`: the same without
 * `accept-encoding` (no compression). `--root` runs another tree's `main.ts` (A/B against main).
 */
import { startCluster } from "../cli/pg_cluster.ts";
import { bulkMessages, connectSql, freshDatabase, makeFixture } from "./lib/fixtures.ts";
import { parleyEnv } from "./lib/servers.ts";
import { waitQuiet } from "./lib/cpu.ts";

/**
 * A child process pinned to one CPU. Its stdout is V8's `--trace-gc` (C's buffered stdout: whole only once
 * the process has exited); it talks in JSON lines on stderr (other stderr lines are passed on).
 */
class Child {
  readonly lines: string[] = [];
  readonly json: Record<string, unknown>[] = [];
  readonly proc: Deno.ChildProcess;
  readonly status: Promise<Deno.CommandStatus>;
  exited = false;
  /** Resolves when stdout has been read to its end. */
  readonly drained: Promise<void>;
  constructor(cmd: string[], cpu: string, env: Record<string, string>) {
    const proc = this.proc = new Deno.Command("taskset", {
      args: ["-c", cpu, ...cmd],
      env: { DENO_NO_UPDATE_CHECK: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.status = this.proc.status.then((s) => (this.exited = true, s));
    const lines = async (from: ReadableStream<Uint8Array<ArrayBuffer>>, each: (line: string) => void) => {
      let buf = "";
      for await (const chunk of from.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          each(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      }
    };
    this.drained = lines(proc.stdout, (l) => void this.lines.push(l));
    void lines(proc.stderr, (l) => {
      if (l.startsWith("{")) this.json.push(JSON.parse(l));
      else console.error(l);
    });
  }
  async next(pred: (o: Record<string, unknown>) => boolean, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const o = this.json.find(pred);
      if (o) return o;
      if (this.exited) throw new Error("a child exited early");
      if (Date.now() > until) throw new Error("timed out waiting for a child's output");
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const wall = () => performance.timeOrigin + performance.now();

interface ClientSpec {
  url: string;
  token: string;
  targets: [number, number][];
  n: number;
  client: "fetch" | "raw" | "raw-identity";
  out: string;
}

/** [kind, start, end] per request, warm-up included (kind "warm"), in order. */
type Rec = [string, number, number];

async function client(spec: ClientSpec) {
  const recs: Rec[] = [];
  const auth = `Bearer ${spec.token}`;
  let get: (path: string, withAuth: boolean) => Promise<void>;
  if (spec.client === "fetch") {
    get = async (path, withAuth) => {
      const res = await fetch(`${spec.url}${path}`, withAuth ? { headers: { authorization: auth } } : {});
      if (withAuth) {
        const body = await res.json();
        if (body.messages?.length !== 50) throw new Error(`bad page ${res.status}`);
      } else await res.body?.cancel();
    };
  } else {
    const u = new URL(spec.url);
    const conn = await Deno.connect({
      hostname: u.hostname === "localhost" ? "127.0.0.1" : u.hostname,
      port: +u.port,
    });
    conn.setNoDelay(true);
    const enc = new TextEncoder();
    const buf = new Uint8Array(1 << 20);
    let have = 0;
    const accept = spec.client === "raw" ? "accept-encoding: gzip, br\r\n" : "";
    get = async (path, withAuth) => {
      const head = `GET ${path} HTTP/1.1\r\nhost: ${u.host}\r\naccept: */*\r\n${accept}` +
        `${withAuth ? `authorization: ${auth}\r\n` : ""}\r\n`;
      await conn.write(enc.encode(head));
      // Read the head, then content-length bytes (Deno.serve answers these with a length).
      let headEnd = -1;
      let need = -1;
      for (;;) {
        if (headEnd < 0) {
          for (let i = 3; i < have; i++) {
            if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) {
              headEnd = i + 1;
              break;
            }
          }
          if (headEnd >= 0) {
            const text = new TextDecoder().decode(buf.subarray(0, headEnd)).toLowerCase();
            if (!text.startsWith("http/1.1 200")) throw new Error(text.split("\r\n")[0]);
            need = headEnd + Number(/content-length: *(\d+)/.exec(text)?.[1] ?? NaN);
            if (!(need > 0)) throw new Error(`no content-length: ${text}`);
          }
        }
        if (need > 0 && have >= need) {
          buf.copyWithin(0, need, have);
          have -= need;
          return;
        }
        const r = await conn.read(buf.subarray(have));
        if (r === null) throw new Error("closed");
        have += r;
      }
    };
  }
  const page = (i: number) => {
    const [ch, before] = spec.targets[(i * 7919) % spec.targets.length];
    const deep = i % 2 === 1;
    return {
      kind: deep ? "deep" : "latest",
      path: `/api/chat/channels/${ch}/messages${deep ? `?before=${before}&limit=50` : "?limit=50"}`,
    };
  };
  for (let i = 0; i < 20; i++) {
    const t0 = wall();
    await get(`/api/chat/channels/${spec.targets[i % spec.targets.length][0]}/messages?limit=50`, true);
    recs.push(["warm", t0, wall()]);
  }
  for (let i = 0; i < spec.n; i++) {
    const p = page(i);
    let t0 = wall();
    await get(p.path, true);
    recs.push([p.kind, t0, wall()]);
    t0 = wall();
    await get("/healthz", false);
    recs.push(["healthz", t0, wall()]);
  }
  await Deno.writeTextFile(spec.out, JSON.stringify(recs));
  console.error(JSON.stringify({ calib: wall() }));
  (globalThis as unknown as { gc: (o: unknown) => void }).gc({ type: "minor" });
  console.error(JSON.stringify({ done: recs.length }));
}

/** `--trace-gc` lines of a process as [start, end, "S" | "M"] on the wall clock, calibrated by its forced GC. */
function gcWindows(lines: string[], calib: number): [number, number, string][] {
  const parsed = lines.map((l) => {
    const m =
      /^\[\d+:[0-9a-fx]+\]\s+(\d+) ms: (Scavenge|(?:Incremental )?Mark-Compact|Minor Mark-Sweep)[^,]*,.*?, ([\d.]+) \/ [\d.]+ ms(.*)$/
        .exec(l);
    if (!m) return null;
    // An incremental mark-compact: its marking steps ran interleaved with the program since marking began.
    const marking = Number(/walltime since start of marking ([\d.]+) ms/.exec(m[4])?.[1] ?? 0);
    return {
      at: +m[1],
      kind: m[2] === "Scavenge" ? "S" : "M",
      pause: Math.max(+m[3], marking),
      own: +m[3],
      testing: /testing/.test(m[4]),
    };
  }).filter((x) => x !== null);
  // The forced minor GC right after `calib` was printed: V8 prints a line at the GC's end.
  const forced = parsed.findLast((p) => p.testing && p.kind === "S");
  if (!forced) throw new Error(`no forced GC in the trace: ${lines.slice(-5).join("\n")}`);
  const offset = calib + forced.own - forced.at;
  return parsed.filter((p) => !p.testing).map((p) => [p.at + offset - p.pause, p.at + offset, p.kind]);
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))] : NaN;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const n = Number(opt("n") ?? 2000);
  const root = opt("root");
  const clientKind = (opt("client") ?? "fetch") as ClientSpec["client"];
  const channels = Number(opt("channels") ?? 100);
  let url = Deno.env.get("DATABASE_URL");
  let stop: (() => Promise<void>) | null = null;
  const t0 = performance.now();
  if (!url) {
    const c = await startCluster({ fsync: true, maxConnections: 100, extra: ["-c shared_buffers=256MB"] });
    stop = c.stop;
    url = c.url;
  }
  const dir = await Deno.makeTempDir({ prefix: "history-tail-" });
  let server: Child | null = null;
  try {
    // --reuse (with DATABASE_URL): a database this script filled before, as it is (nothing writes to it).
    const name = `history_tail_${channels}`;
    const saved = `/tmp/history-tail-${new URL(url).port}-${channels}.json`;
    let fixture: { dbUrl: string; token: string; targets: [number, number][] } | null = null;
    if (Deno.args.includes("--reuse")) {
      fixture = await Deno.readTextFile(saved).then(JSON.parse).catch(() => null);
    }
    if (!fixture) {
      const dbUrl = await freshDatabase(url, name);
      const tree = root ?? new URL("..", import.meta.url).pathname;
      const { openDb } = await import(`${tree}/db/client.ts`);
      const { migrate } = await import(`${tree}/db/migrate.ts`);
      const db = await openDb({ databaseUrl: dbUrl, dataDir: "", maxConnections: 1 });
      await migrate(db, () => {});
      await db.close();
      const sql = connectSql(dbUrl);
      const fx = await makeFixture(sql, { slug: "history", users: channels, group: 1, tokenPrefix: "ht" });
      await bulkMessages(sql, fx.workspaceId, fx.channels, fx.users.slice(0, 100).map((u) => u.id), 1000);
      const deepRows = await sql`SELECT channel_id, id FROM messages
        WHERE seq = 100 AND channel_id = ANY(${fx.channels}::bigint[])`;
      const targets = deepRows.map((r) => [Number(r.channel_id), Number(r.id)] as [number, number]);
      await sql.end();
      fixture = { dbUrl, token: fx.users[0].token, targets };
      if (!stop) await Deno.writeTextFile(saved, JSON.stringify(fixture));
    }
    const { dbUrl, targets } = fixture;
    // --checkpoint: the fill's dirty buffers are written (an immediate checkpoint) before Parley starts, as
    // the history bench does, instead of by a spread checkpoint during the requests.
    if (Deno.args.includes("--checkpoint")) {
      const sql = connectSql(url);
      await sql`CHECKPOINT`;
      await sql.end();
    }
    const fillS = (performance.now() - t0) / 1000;
    const v8 = ["--expose-gc", "--trace-gc", ...(opt("v8")?.split(",") ?? [])].join(",");
    const env = Object.fromEntries((opt("env")?.split(",") ?? []).filter(Boolean).map((kv) => kv.split("=")));
    const serverOut = `${dir}/server.json`;
    server = new Child(
      [
        Deno.execPath(),
        "run",
        "-A",
        `--v8-flags=${v8}`,
        new URL("history_tail_server.ts", import.meta.url).pathname,
      ],
      "0",
      { ...parleyEnv(dbUrl), HT_OUT: serverOut, ...(root ? { HT_ROOT: root } : {}), ...env },
    );
    const ready = await server.next((l) => typeof l.url === "string", 60_000);
    const sCalib = await server.next((l) => typeof l.calib === "number", 10_000);
    // As the bench does (`quiet`): the server's start-up work (the search indexer's first pass reads from
    // its in-memory watermark 0: seconds over a million messages) ends before the requests start.
    const busy = await waitQuiet(Number(opt("quiet") ?? 30));
    // --idle=S: the server sits idle that long first (the bench's full run can wait up to 60 s for a quiet
    // machine; V8's memory reducer shrinks an idle heap after ~30 s).
    await new Promise((r) => setTimeout(r, Number(opt("idle") ?? 0) * 1000));
    const load0 = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
    const spec: ClientSpec = {
      url: String(ready.url),
      token: fixture.token,
      targets,
      n,
      client: clientKind,
      out: `${dir}/client.json`,
    };
    await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
    const cl = new Child(
      [
        Deno.execPath(),
        "run",
        "-A",
        "--v8-flags=--expose-gc,--trace-gc",
        new URL(import.meta.url).pathname,
        "client",
        `${dir}/spec.json`,
      ],
      "1",
      {},
    );
    const cCalib = await cl.next((l) => typeof l.calib === "number", 20 * 60_000);
    await cl.next((l) => typeof l.done === "number", 10_000);
    await cl.status;
    await cl.drained;
    Deno.kill(server.proc.pid, "SIGUSR1");
    await server.next((l) => typeof l.dumped === "number", 10_000);
    // V8 prints --trace-gc through C's buffered stdout: everything is there once the process has exited.
    Deno.kill(server.proc.pid, "SIGTERM");
    await server.status;
    await server.drained;
    const load1 = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
    const recs = JSON.parse(await Deno.readTextFile(spec.out)) as Rec[];
    const sv = JSON.parse(await Deno.readTextFile(serverOut)) as {
      requests: [number, number][];
      queries: [number, number, string][];
    };
    const sGc = gcWindows(server.lines, Number(sCalib.calib));
    const cGc = gcWindows(cl.lines, Number(cCalib.calib));
    report({
      recs,
      sv,
      sGc,
      cGc,
      clientKind,
      load: `${load0} -> ${load1} (busy ${busy.toFixed(2)} cores at start)`,
      root,
      fillS,
      v8,
    });
  } finally {
    if (server) {
      try {
        Deno.kill(server.proc.pid, "SIGTERM");
      } catch { /* already stopped */ }
      await server.status;
    }
    if (stop) await stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * A history request's own statements: the session lookup, the page, /healthz's `SELECT 1`, and the page with
 * its session in one statement (fourteenth pass: `messagesRepo.pageWithSession`).
 */
const OWN = /^(SELECT 1$|SELECT u\.id, u\.workspace_id|SELECT c\.id, c\.workspace_id|SELECT u\.id AS "s_id")/;
/** The session lookup alone (`usersRepo.bySession`), of the own statements. */
const SESSION = /^SELECT u\.id, u\.workspace_id/;

function report(o: {
  recs: Rec[];
  sv: { requests: [number, number][]; queries: [number, number, string][] };
  sGc: [number, number, string][];
  cGc: [number, number, string][];
  clientKind: string;
  load: string;
  root?: string;
  fillS: number;
  v8: string;
}) {
  if (o.recs.length !== o.sv.requests.length) {
    throw new Error(`client made ${o.recs.length} requests, server saw ${o.sv.requests.length}`);
  }
  const overlaps = (w: [number, number, string][], a: number, b: number) =>
    w.filter(([s, e]) => s < b && e > a);
  const rows = o.recs.map(([kind, c0, c1], i) => {
    const [s0, s1] = o.sv.requests[i];
    const qs = o.sv.queries.filter(([a, b]) => a >= s0 - 0.01 && b <= s1 + 0.01 && a < s1);
    const own = qs.filter(([, , t]) => OWN.test(t));
    const other = o.sv.queries.filter(([a, b, t]) =>
      a < c1 && b > c0 && !own.some((q) => q[0] === a && q[2] === t)
    );
    const sg = overlaps(o.sGc, c0, c1);
    const cg = overlaps(o.cGc, c0, c1);
    return {
      kind,
      total: c1 - c0,
      pre: s0 - c0,
      server: s1 - s0,
      db: own.reduce((s, [a, b]) => s + b - a, 0),
      session: own.filter(([, , t]) => SESSION.test(t)).reduce((s, [a, b]) => s + b - a, 0),
      statements: own.length,
      post: c1 - s1,
      sGc: sg.reduce((s, [a, b]) => s + Math.min(b, c1) - Math.max(a, c0), 0),
      sGcKind: sg.map((g) => g[2]).join(""),
      cGc: cg.reduce((s, [a, b]) => s + Math.min(b, c1) - Math.max(a, c0), 0),
      bg: other.map((q) => q[2].slice(0, 24)),
    };
  }).filter((r) => r.kind !== "warm");
  const out: Record<string, unknown> = {
    client: o.clientKind,
    root: o.root ?? "this tree",
    v8: o.v8,
    load: o.load,
    fill_s: r2(o.fillS),
    server_scavenges: o.sGc.filter((g) => g[2] === "S").length,
    server_scavenge_pause_p50_max: [
      r2(pct(o.sGc.filter((g) => g[2] === "S").map((g) => g[1] - g[0]), 50)),
      r2(Math.max(...o.sGc.map((g) => g[1] - g[0]))),
    ],
    server_mark_compacts: o.sGc.filter((g) => g[2] === "M").length,
    server_mark_compact_walltime: o.sGc.filter((g) => g[2] === "M").map((g) => r2(g[1] - g[0])),
    client_gcs: o.cGc.length,
    client_gc_pause_max: r2(Math.max(0, ...o.cGc.map((g) => g[1] - g[0]))),
    background_statements: Object.entries(
      Object.groupBy(o.sv.queries.filter(([, , t]) => !OWN.test(t)), ([, , t]) => t.slice(0, 30)),
    ).map(([t, qs]) =>
      `${t}: ${qs!.length}, ms p50 ${r2(pct(qs!.map(([a, b]) => b - a), 50))} max ${
        r2(Math.max(...qs!.map(([a, b]) => b - a)))
      }`
    ),
    run_seconds: r2((o.recs.at(-1)![2] - o.recs[0][1]) / 1000),
  };
  for (const kind of ["latest", "deep", "healthz"]) {
    const rs = rows.filter((r) => r.kind === kind);
    const p99 = pct(rs.map((r) => r.total), 99);
    const slow = rs.filter((r) => r.total >= p99 - 1e-9 || r.total >= pct(rs.map((x) => x.total), 98));
    const avg = (
      xs: typeof rs,
      k: "total" | "pre" | "server" | "db" | "session" | "post" | "sGc" | "cGc",
    ) => r2(xs.reduce((s, r) => s + r[k], 0) / Math.max(1, xs.length));
    const stage = (
      k: "total" | "pre" | "server" | "db" | "session" | "post",
    ) => [r2(pct(rs.map((r) => r[k]), 50)), r2(pct(rs.map((r) => r[k]), 99))];
    out[kind] = {
      n: rs.length,
      p50_p99: stage("total"),
      pre_p50_p99: stage("pre"),
      server_p50_p99: stage("server"),
      db_p50_p99: stage("db"),
      session_p50_p99: stage("session"),
      statements_per_request: r2(rs.reduce((s, r) => s + r.statements, 0) / Math.max(1, rs.length)),
      post_p50_p99: stage("post"),
      slowest_2pct: {
        n: slow.length,
        mean: {
          total: avg(slow, "total"),
          pre: avg(slow, "pre"),
          server: avg(slow, "server"),
          db: avg(slow, "db"),
          session: avg(slow, "session"),
          post: avg(slow, "post"),
          server_gc: avg(slow, "sGc"),
          client_gc: avg(slow, "cGc"),
        },
        with_server_scavenge: slow.filter((r) => r.sGcKind.includes("S")).length,
        with_server_mark_compact: slow.filter((r) => r.sGcKind.includes("M")).length,
        with_client_gc: slow.filter((r) => r.cGc > 0).length,
        with_background_statement: slow.filter((r) => r.bg.length).length,
        with_none: slow.filter((r) => !r.sGcKind && !r.cGc && !r.bg.length).length,
        background: [...new Set(slow.flatMap((r) => r.bg))].slice(0, 6),
      },
      all_with_server_gc: rs.filter((r) => r.sGcKind).length,
    };
    if (Deno.env.get("HT_DUMP")) {
      console.error(
        kind,
        JSON.stringify(
          slow.sort((a, b) => b.total - a.total).slice(0, 12).map((r) => ({
            ...r,
            total: r2(r.total),
            pre: r2(r.pre),
            server: r2(r.server),
            db: r2(r.db),
            session: r2(r.session),
            post: r2(r.post),
            sGc: r2(r.sGc),
            cGc: r2(r.cGc),
          })),
        ),
      );
    }
  }
  console.log(JSON.stringify(out, null, 1));
}

if (Deno.args[0] === "client") await client(JSON.parse(await Deno.readTextFile(Deno.args[1])));
else await main();
