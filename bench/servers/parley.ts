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
import { lineFile } from "../lib/line_file.ts";
import { connectWindow, heapSampler } from "../lib/heap_sampler.ts";
import { StageTimes } from "../../domain/stage_times.ts";
import { scanStages } from "../../domain/notifications/scan.ts";

const config = loadConfig(Deno.env.toObject(), []);
const server = await startServer(config, () => {});
// BENCH_GC_MARK=1 (with --expose-gc, which the bench passes): one forced GC now, and its wall-clock time on
// stdout (a line that is not JSON, so the bench's --verbose log shows it): the first `--trace-gc` /
// `--trace-gc-nvp` line with reason "testing" is this one, which places the others on the clock
// (`bench/gc_steps.ts`). V8's trace lines reach stdout through C's buffered stdio, 4 KB at a time, so one may
// end mid-line where ours begins: ours start on a new line then.
const gcMark = Deno.env.get("BENCH_GC_MARK");
const nl = gcMark ? "\n" : "";
console.log(nl + JSON.stringify({ url: server.url }));
if (gcMark) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const at = performance.timeOrigin + performance.now();
  gc?.();
  console.log(`\ngc-mark ${at.toFixed(1)}`);
}

// BENCH_HEAPSNAP=DIR: each SIGUSR2 also writes a V8 heap snapshot there (what the connections hold).
const snapDir = Deno.env.get("BENCH_HEAPSNAP");
let snaps = 0;
Deno.addSignalListener("SIGUSR2", () => {
  // With --v8-flags=--expose-gc (the benchmark passes it): collect first, so memory is what is retained.
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  console.log(
    nl + JSON.stringify({
      event: "stats",
      connections: server.hub.conns.size,
      hub: server.hub.stats,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      spaces: heapSpaces(),
    }),
  );
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
  // The hub's out-of-order holds in the second (`Hub.deliver`: an event that came before an earlier one of
  // its channel and waited for it), beside the stages.
  let reordered = server.hub.stats.reordered;
  setInterval(() => {
    const t = stages.take();
    if (!t.queued.n) return;
    const f = (k: keyof typeof t) => `${k} ${t[k].p50}/${t[k].p99}/${t[k].max}`;
    const held = server.hub.stats.reordered - reordered;
    reordered = server.hub.stats.reordered;
    console.error(
      `stages n=${t.queued.n} batches=${t.commit.n} ${f("queued")} ${f("commit")} ${f("publish")} ${
        f("stored")
      } ms held ${held}`,
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
// BENCH_TIMELINE=DIR (`bench/timeline.ts`): every grouped send batch with wall-clock times (`S` start: size and
// the longest wait for it; `C` commit read back: the statement's ms; `P` published: ms), this process's
// event-loop lag, and a GC marker to place `--trace-gc`'s times (ms since the isolate started) on the wall clock.
const timelineDir = Deno.env.get("BENCH_TIMELINE");
if (timelineDir) {
  const wall = () => (performance.timeOrigin + performance.now()).toFixed(1);
  let pending = 0, maxQ = 0, startAt = -1;
  const flushStart = () => {
    if (pending) note(`S ${startAt.toFixed(1)} ${pending} ${maxQ.toFixed(2)}`);
    pending = 0;
    maxQ = 0;
  };
  const note = lineFile(`${timelineDir}/server_batches.txt`, flushStart);
  class Timeline extends StageTimes {
    override add(stage: "queued" | "commit" | "publish" | "stored", ms: number) {
      const now = performance.timeOrigin + performance.now();
      if (stage === "queued") {
        // A batch's sends are added together at its start: one run of adds within the same instant.
        if (pending && Math.abs(now - startAt) > 0.05) flushStart();
        if (!pending) startAt = now;
        pending++;
        maxQ = Math.max(maxQ, ms);
      } else {
        flushStart();
        if (stage === "commit") note(`C ${now.toFixed(1)} ${ms.toFixed(2)}`);
        if (stage === "publish") note(`P ${now.toFixed(1)} ${ms.toFixed(2)}`);
      }
      super.add(stage, ms);
    }
  }
  server.deps.sendBatcher.stages = new Timeline();
  // Each send through the batcher: the load generator's send time (from its body), when the server handed it
  // to the batcher, and when the batcher answered (committed and published): `M sentAt submitted answered`.
  const batcher = server.deps.sendBatcher;
  const submit = batcher.submit.bind(batcher);
  batcher.submit = async (actor, p) => {
    const at = performance.timeOrigin + performance.now();
    const o = await submit(actor, p);
    const i = p.body.indexOf("~");
    const sent = i >= 0 ? p.body.slice(i + 1, p.body.indexOf("~", i + 1)) : "0";
    note(`M ${sent} ${at.toFixed(1)} ${wall()}`);
    return o;
  };
  // Each transaction on the pool (the background jobs' work: the notification scanner, presence …), with the
  // file that started it: `X start end file`.
  const db = server.deps.db;
  const tx = db.tx.bind(db);
  (db as { tx: typeof db.tx }).tx = async (fn) => {
    const from =
      /\/([a-z_]+)\.ts:\d+:\d+\)?\n?/.exec(new Error().stack?.split("\n").slice(2, 4).join("\n") ?? "")
        ?.[1] ?? "?";
    const at = wall();
    try {
      return await tx(fn);
    } finally {
      note(`X ${at} ${wall()} ${from}`);
    }
  };
  // Each phase of a notification scan (a statement's round trip or the JavaScript between two):
  // `N start end phase`.
  scanStages.log = (phase, start, ms) =>
    note(
      `N ${(performance.timeOrigin + start).toFixed(2)} ${
        (performance.timeOrigin + start + ms).toFixed(2)
      } ${phase}`,
    );
  startLagSampler(`${timelineDir}/server_lag.txt`);
  const before = wall();
  (globalThis as { gc?: () => void }).gc?.();
  note(`G ${before} ${wall()}`);
}
// BENCH_COMMIT_LOG=FILE (`bench/sched_sample.py`, bench/notes/commit_and_the_run_queue.md): each grouped send
// batch's commit as `C end_wall_ms commit_ms` (batch start -> committed read back), appended every 250 ms: the
// timeline's `C` lines without the rest of BENCH_TIMELINE (whose `pg_stat_activity` sampler runs a query every
// 10 ms, itself CPU beside the commits). Shares the samples of BENCH_STAGES when both are on.
const commitLog = Deno.env.get("BENCH_COMMIT_LOG");
if (commitLog && !timelineDir) {
  const note = lineFile(commitLog);
  const batcher = server.deps.sendBatcher;
  const st = batcher.stages ?? (batcher.stages = new StageTimes());
  const add = st.add.bind(st);
  st.add = (stage, ms) => {
    if (stage === "commit") {
      note(`C ${(performance.timeOrigin + performance.now()).toFixed(2)} ${ms.toFixed(2)}`);
    }
    add(stage, ms);
  };
}
// BENCH_GC_TAIL=DIR (`bench/gc_tail.ts`, bench/notes/scavenges_and_the_500_tail.md): each send through the
// batcher as `M sentAt submitted answered` (the load generator's send time from its body, when the server
// handed it to the batcher and when the batcher answered: committed and published, wall ms) and each batch's
// commit as `C end commit_ms`, appended every 250 ms; and the event-loop lag samples the bench already takes
// (`BENCH_LAG_FILE`, removed when the server exits) kept under DIR by a hard link. The send path's other
// timings (BENCH_TIMELINE) stay off: its Postgres sampler is CPU beside the commits.
const gcTail = timelineDir ? undefined : Deno.env.get("BENCH_GC_TAIL");
if (gcTail) {
  const note = lineFile(`${gcTail}/server_sends.txt`);
  const wall = () => (performance.timeOrigin + performance.now()).toFixed(2);
  const batcher = server.deps.sendBatcher;
  // Stages on for the commit's time; their samples are kept only when BENCH_STAGES reads them.
  const keep = batcher.stages;
  const st = keep ?? (batcher.stages = new StageTimes());
  const add = st.add.bind(st);
  st.add = (stage, ms) => {
    if (stage === "commit") note(`C ${wall()} ${ms.toFixed(2)}`);
    if (keep) add(stage, ms);
  };
  const submit = batcher.submit.bind(batcher);
  batcher.submit = async (actor, p) => {
    const at = wall();
    const o = await submit(actor, p);
    const i = p.body.indexOf("~");
    const sent = i >= 0 ? p.body.slice(i + 1, p.body.indexOf("~", i + 1)) : "0";
    note(`M ${sent} ${at} ${wall()}`);
    return o;
  };
  if (lagFile) {
    await Deno.link(lagFile, `${gcTail}/server_lag.txt`).catch(() =>
      startLagSampler(`${gcTail}/server_lag.txt`)
    );
  }
}
// BENCH_HEAP_SAMPLE=DIR[,after,window[,all]] (with --expose-gc): what the steady workload's first step allocates
// that lives through two scavenges, by where it was allocated (`bench/heap_sample.ts DIR/parley.heapprofile`).
// Watches the hub's deliveries: the step is the second burst of them after a quiet spell of 3 s (the first is the
// warm-up); `after` seconds (default 2) into it, V8's sampling heap profiler starts (a sample per 8 KB, keeping the
// samples of objects a major GC frees, dropping those a scavenge frees); `window` seconds later (default 3) two
// forced scavenges age out what is merely young, and the profile is written: objects allocated in the window
// that survived two scavenges (promoted), whether or not they have died since, plus the last moment's in flight.
// A fourth field `all` (`DIR,2,3,all`) samples ALL that the window allocates instead, what scavenges free too
// (`includeObjectsCollectedByMinorGC`), and forces no scavenge: where the allocation rate comes from
// (bench/notes/allocation_per_message.md).
const heapSample = Deno.env.get("BENCH_HEAP_SAMPLE");
if (heapSample) {
  const [dir, after = "2", window = "3", mode = ""] = heapSample.split(",");
  const all = mode === "all";
  const sampler = await heapSampler();
  const gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
  // Busy: over 2,000 deliveries a second over the last 500 ms; a burst ends after 3 s not busy.
  let last = 0, lastAt = performance.now(), busyAt = 0, inBurst = false, bursts = 0, done = false;
  const watch = setInterval(() => {
    const now = performance.now();
    if (now - lastAt < 500) return;
    const d = server.hub.stats.delivered;
    const busy = (d - last) / (now - lastAt) > 2;
    last = d;
    lastAt = now;
    if (busy) {
      busyAt = now;
      if (!inBurst) inBurst = true, bursts++;
    } else if (inBurst && now - busyAt > 3000) inBurst = false;
    if (bursts === 2 && !done) {
      done = true;
      clearInterval(watch);
      setTimeout(async () => {
        await sampler.start(all);
        const d0 = server.hub.stats.delivered, t0 = performance.now();
        console.error(`heap sample: started ${new Date().toISOString()}`);
        setTimeout(async () => {
          if (!all) {
            gc?.({ type: "minor" });
            gc?.({ type: "minor" });
          }
          const secs = (performance.now() - t0) / 1000;
          const delivered = server.hub.stats.delivered - d0;
          await sampler.stop(`${dir}/parley.heapprofile`);
          await Deno.writeTextFile(`${dir}/parley.window.json`, JSON.stringify({ secs, delivered }));
          console.error(
            `heap sample: written ${new Date().toISOString()} (${
              secs.toFixed(2)
            } s, ${delivered} deliveries)`,
          );
        }, Number(window) * 1000);
      }, Number(after) * 1000);
    }
  }, 50);
}
// BENCH_HEAP_SAMPLE_CONNECTS=DIR[,from,to[,mode]]: the connect burst's allocation (bench/lib/heap_sampler.ts).
connectWindow("parley", () => server.hub.conns.size);
// BENCH_CONNECT_GARBAGE=KB (bench/notes/connect_garbage_and_hello.md): KB of short-lived objects more per socket
// opened (small objects, dead at once, made every 5 ms for the sockets opened since), to test whether the
// scavenges' cost follows what a connect allocates or what survives.
const garbageKb = Number(Deno.env.get("BENCH_CONNECT_GARBAGE") ?? 0);
if (garbageKb > 0) {
  let seen = 0;
  let sink: unknown = null;
  const t = setInterval(() => {
    const n = server.hub.conns.size;
    // Objects of ~32 bytes (a header, two fields): KB * 32 of them per socket.
    for (let i = (n - seen) * garbageKb * 32; i > 0; i--) sink = { i, s: sink === null ? 0 : 1 };
    seen = Math.max(seen, n);
  }, 5);
  Deno.unrefTimer(t);
}
