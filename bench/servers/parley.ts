/**
 * Parley under test, in its own process: `startServer` from main.ts with the environment the benchmark
 * sets (DATABASE_URL, DEMO=0, raised rate limits). Prints {"url": "..."} once listening; on SIGUSR2
 * collects garbage (when started with --expose-gc) and prints hub and memory statistics; SIGTERM shuts it
 * down cleanly (so `--cpu-prof` writes its profile).
 */
import { loadConfig } from "../../config.ts";
import { startServer } from "../../main.ts";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { startLagSampler } from "../lib/lag.ts";
import { StageTimes } from "../../domain/stage_times.ts";

const config = loadConfig(Deno.env.toObject(), []);
const server = await startServer(config, () => {});
console.log(JSON.stringify({ url: server.url }));

// BENCH_HEAPSNAP=DIR: each SIGUSR2 also writes a V8 heap snapshot there (what the connections hold).
const snapDir = Deno.env.get("BENCH_HEAPSNAP");
let snaps = 0;
Deno.addSignalListener("SIGUSR2", () => {
  // With --v8-flags=--expose-gc (the benchmark passes it): collect first, so memory is what is retained.
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  console.log(JSON.stringify({
    event: "stats",
    connections: server.hub.conns.size,
    hub: server.hub.stats,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    spaces: heapSpaces(),
  }));
  // After the figures, which it would otherwise change (writing one allocates a lot).
  if (snapDir) {
    try {
      writeHeapSnapshot(`${snapDir}/parley-${++snaps}.heapsnapshot`);
    } catch (e) {
      console.error("heap snapshot", e);
    }
  }
});
/** V8's heap per space: committed (`size`) and live (`used`) bytes, e.g. `{ old_space: [size, used] }`. */
function heapSpaces(): Record<string, [number, number]> {
  return Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, [s.space_size, s.space_used_size]]),
  );
}

Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown().catch(() => {});
  Deno.exit(0);
});

// BENCH_LAG_FILE (set by the bench): event-loop lag samples, read per step by the load generator.
const lagFile = Deno.env.get("BENCH_LAG_FILE");
if (lagFile) startLagSampler(lagFile);
// BENCH_LAG=1: report event-loop lag (how late a 10 ms timer fires) every 500 samples, on stderr.
if (Deno.env.get("BENCH_LAG")) {
  let last = performance.now();
  const lags: number[] = [];
  setInterval(() => {
    const now = performance.now();
    lags.push(now - last - 10);
    last = now;
    if (lags.length >= 500) {
      lags.sort((a, b) => a - b);
      console.error(
        `lag p50 ${lags[250].toFixed(1)} p99 ${lags[495].toFixed(1)} max ${lags[499].toFixed(1)} ms`,
      );
      lags.length = 0;
    }
  }, 10);
}
// BENCH_STAGES=1: a grouped send's stages (queued for its batch, statement to commit, publish = fan-out),
// p50/p99/max in ms every second with sends, on stderr (shown with --verbose).
if (Deno.env.get("BENCH_STAGES")) {
  const stages = server.deps.sendBatcher.stages = new StageTimes();
  setInterval(() => {
    const t = stages.take();
    if (!t.queued.n) return;
    const f = (k: keyof typeof t) => `${k} ${t[k].p50}/${t[k].p99}/${t[k].max}`;
    console.error(
      `stages n=${t.queued.n} batches=${t.commit.n} ${f("queued")} ${f("commit")} ${f("publish")} ${
        f("stored")
      } ms`,
    );
  }, 1000);
}
// BENCH_MEM=1: memory every 250 ms (RSS, V8 heap used/total, external: ArrayBuffers), on stderr.
if (Deno.env.get("BENCH_MEM")) {
  setInterval(() => {
    const m = Deno.memoryUsage();
    const mb = (n: number) => (n / 1e6).toFixed(0);
    console.error(`mem rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)}`);
  }, 250);
}
