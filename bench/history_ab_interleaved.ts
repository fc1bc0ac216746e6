/**
 * Two trees' Parley servers side by side on one filled database, their requests interleaved
 * (bench/notes/history_page.md, "The latest history page in one round trip", fourteenth pass): a busy minute
 * of the shared machine then falls on both alike, which runs of one tree after the other cannot give. Each
 * server is the tree's `bench/servers/parley.ts` on CPU 0; this client (CPU 1 when run under `taskset -c 1`)
 * asks A's latest page, B's, A's `/healthz`, B's, … one at a time (`fetch`, `res.json()`, as the bench's load
 * generator), the order within each round alternating. Prints p50 / p95 / p99 per server and kind.
 *
 *   DATABASE_URL=… flock /tmp/bench.lock taskset -c 1 deno run -A bench/history_ab_interleaved.ts \
 *     --a=/tmp/base-tree --b=/work/wt/this-tree [--n=1000]
 *
 * Needs the database `bench/history_tail.ts --channels=1000 --reuse` filled (its saved fixture).
 */
import { parleyEnv } from "./lib/servers.ts";

const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const n = Number(opt("n") ?? 1000);
const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("DATABASE_URL: the cluster bench/history_tail.ts filled");
const saved = JSON.parse(await Deno.readTextFile(`/tmp/history-tail-${new URL(url).port}-1000.json`));
const trees = { a: opt("a")!, b: opt("b")! };

async function start(tree: string) {
  const proc = new Deno.Command("taskset", {
    args: ["-c", "0", Deno.execPath(), "run", "-A", `${tree}/bench/servers/parley.ts`],
    env: { ...parleyEnv(saved.dbUrl), DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${tree}: exited`);
    buf += value;
    const m = /\{"url":"([^"]+)"\}/.exec(buf);
    if (m) {
      void (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return { proc, url: m[1] };
    }
  }
}

const a = await start(trees.a);
const b = await start(trees.b);
const auth = { headers: { authorization: `Bearer ${saved.token}` } };
const targets = saved.targets as [number, number][];
const times: Record<string, number[]> = {};
const note = (k: string, ms: number) => (times[k] ??= []).push(ms);
async function page(s: { url: string }, ch: number) {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/api/chat/channels/${ch}/messages?limit=50`, auth);
  const body = await res.json();
  if (body.messages?.length !== 50) throw new Error(`bad page ${res.status}`);
  return performance.now() - t0;
}
async function healthz(s: { url: string }) {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/healthz`);
  await res.body?.cancel();
  return performance.now() - t0;
}
try {
  // Warm-up, then a quiet few seconds (the servers' start-up work: the search indexer's first pass).
  for (let i = 0; i < 40; i++) await page(i % 2 ? a : b, targets[i % targets.length][0]);
  await new Promise((r) => setTimeout(r, 5000));
  for (let i = 0; i < n; i++) {
    const ch = targets[(i * 7919) % targets.length][0];
    const order = i % 2 ? [["a", a], ["b", b]] as const : [["b", b], ["a", a]] as const;
    for (const [k, s] of order) note(`${k} latest`, await page(s, ch));
    for (const [k, s] of order) note(`${k} healthz`, await healthz(s));
  }
} finally {
  a.proc.kill("SIGTERM");
  b.proc.kill("SIGTERM");
  await a.proc.status;
  await b.proc.status;
}
const pct = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.floor((q / 100) * xs.length)];
const r2 = (x: number) => Math.round(x * 100) / 100;
console.log(JSON.stringify({
  a: trees.a,
  b: trees.b,
  n,
  ...Object.fromEntries(
    Object.entries(times).map(([k, xs]) => [k, [r2(pct(xs, 50)), r2(pct(xs, 95)), r2(pct(xs, 99))]]),
  ),
}));
