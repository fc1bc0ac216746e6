/**
 * Where the server's own time per history page goes (bench/notes/history_page.md, "The history page's server
 * time and the floor of a request", fifteenth pass): a V8 CPU profile of Parley
 * (`bench/history_tail_server.ts`, pinned to CPU 0, started with `--inspect` on a free port) while this
 * script, the client, makes the history workload's requests one at a time with `fetch` (latest and deep pages
 * alternating, then `/healthz` after each, as `bench/history_tail.ts`). Needs the filled database of
 * `bench/history_tail.ts --reuse` (its fixture file). Prints, per request, the profile's samples grouped by
 * where the code lives (Parley's files, Hono, postgres.js, Deno's runtime, GC, the rest) and the functions
 * with the most self time.
 *
 *   DATABASE_URL=… flock /tmp/bench.lock taskset -c 1 deno run -A bench/history_profile.ts [--n=2000]
 *     [--root=/other/tree] [--interval=100] [--kind=both|page|healthz] [--top=40] [--out=profile.json]
 *
 * `--interval`: the sampling interval in microseconds. `--kind=page` makes only pages, `healthz` only
 * `/healthz`. The profile is taken after 500 warm-up requests; `--out` keeps the raw `.cpuprofile`.
 */
import { type CpuNode, type CpuProfile, eachSample } from "./lib/cpuprofile.ts";
import { parleyEnv } from "./lib/servers.ts";

const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("DATABASE_URL (the cluster of bench/history_tail.ts --reuse) is required");
const saved = `/tmp/history-tail-${new URL(url).port}-1000.json`;
const fixture = JSON.parse(await Deno.readTextFile(saved)) as {
  dbUrl: string;
  token: string;
  targets: [number, number][];
};
const n = Number(opt("n") ?? 2000);
const kind = opt("kind") ?? "both";
const root = opt("root");
const port = 9300 + Math.floor(Math.random() * 500);

const server = new Deno.Command("taskset", {
  args: [
    "-c",
    "0",
    Deno.execPath(),
    "run",
    "-A",
    `--inspect=127.0.0.1:${port}`,
    "--v8-flags=--expose-gc",
    new URL("history_tail_server.ts", import.meta.url).pathname,
  ],
  env: {
    DENO_NO_UPDATE_CHECK: "1",
    ...parleyEnv(fixture.dbUrl),
    HT_OUT: "/dev/null",
    ...(root ? { HT_ROOT: root } : {}),
  },
  stdout: "null",
  stderr: "piped",
}).spawn();

let serverUrl = "";
{
  const reader = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!serverUrl) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${buf}`);
    buf += value;
    const m = /\{"url":"([^"]+)"\}/.exec(buf);
    if (m) serverUrl = m[1];
  }
  (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
}

const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r, { once: true }));
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
ws.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.id && pending.has(m.id)) {
    pending.get(m.id)!(m.result);
    pending.delete(m.id);
  }
});
// deno-lint-ignore no-explicit-any
const send = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Runtime.runIfWaitingForDebugger");

const auth = { headers: { authorization: `Bearer ${fixture.token}` } };
let pages = 0;
let healthz = 0;
async function one(i: number) {
  if (kind !== "healthz") {
    const [ch, before] = fixture.targets[(i * 7919) % fixture.targets.length];
    const deep = i % 2 === 1;
    const path = `/api/chat/channels/${ch}/messages${deep ? `?before=${before}&limit=50` : "?limit=50"}`;
    const res = await fetch(`${serverUrl}${path}`, auth);
    const body = await res.json();
    if (body.messages?.length !== 50) throw new Error(`bad page ${res.status}`);
    pages++;
  }
  if (kind !== "page") {
    const res = await fetch(`${serverUrl}/healthz`);
    await res.body?.cancel();
    healthz++;
  }
}
for (let i = 0; i < 500; i++) await one(i);
pages = healthz = 0;
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: Number(opt("interval") ?? 100) });
const load0 = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
await send("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < n; i++) await one(i);
const wallMs = performance.now() - t0;
const { profile: stopped } = await send("Profiler.stop");
const load1 = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
ws.close();
server.kill("SIGTERM");
await server.status;
if (opt("out")) await Deno.writeTextFile(opt("out")!, JSON.stringify(stopped));

const profile = stopped as CpuProfile;
const nodes = new Map<number, CpuNode>(profile.nodes.map((nd) => [nd.id, nd]));
const self = new Map<number, number>();
eachSample(profile, -Infinity, Infinity, (id, us) => self.set(id, (self.get(id) ?? 0) + us));
const where = (u: string, fn: string) => {
  if (!u) return fn.startsWith("(") ? fn : "(native)";
  if (u.includes("/hono/") || u.includes("jsr.io/@hono") || u.includes("hono@")) return "hono";
  if (u.includes("postgres")) return "postgres.js";
  if (u.includes("/zod")) return "zod";
  if (u.startsWith("ext:") || u.startsWith("node:")) return `deno ${u.replace(/^ext:/, "").split("/")[0]}`;
  if (u.includes("/bench/")) return "probe wrapper";
  const m = /\/(db|domain|routes|realtime|components|config\.ts|main\.ts)(\/[^?]*)?$/.exec(u);
  if (m) return `parley ${m[1]}${m[2] ?? ""}`;
  return u.replace(/^.*\/(node_modules|npm|deno)\//, "");
};
const byWhere = new Map<string, number>();
const byFn = new Map<string, number>();
for (const [id, us] of self) {
  const cf = nodes.get(id)!.callFrame;
  const w = where(cf.url, cf.functionName);
  byWhere.set(w, (byWhere.get(w) ?? 0) + us);
  const f = `${cf.functionName || "(anonymous)"} ${w}:${cf.lineNumber + 1}`;
  byFn.set(f, (byFn.get(f) ?? 0) + us);
}
const reqs = pages + healthz;
const idle = byWhere.get("(idle)") ?? 0;
const total = [...byWhere.values()].reduce((a, b) => a + b, 0);
const per = (us: number) => +(us / 1000 / reqs).toFixed(4);
const top = Number(opt("top") ?? 40);
console.log(JSON.stringify(
  {
    root: root ?? "this tree",
    kind,
    pages,
    healthz,
    load: `${load0} -> ${load1}`,
    wallMsPerRequest: +(wallMs / reqs).toFixed(3),
    busyMsPerRequest: per(total - idle),
    idleMsPerRequest: per(idle),
    byWhere: Object.fromEntries([...byWhere].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, per(v)])),
    topSelf: Object.fromEntries(
      [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, per(v)]),
    ),
  },
  null,
  1,
));
Deno.exit(0);
