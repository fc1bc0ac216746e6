/**
 * A load generator process: `deno run -A bench/loadgen/main.ts <spec.json>`. Runs one workload against
 * one server and prints JSON lines on stdout: progress lines, `{"event":"holding"}` when idle
 * connections are open (it then waits for a `release` line on stdin), and a final `{"event":"result"}`.
 */
import type { FanoutSpec, HistorySpec, IdleSpec, Spec, SteadySpec } from "../lib/spec.ts";
import { type Handlers, otherFrames } from "./client.ts";
import { type StepResult, Traffic } from "./traffic.ts";
import { exactPercentile, Histogram, round } from "../lib/stats.ts";
import { connect, emit, heartbeat, makeClients } from "./common.ts";
import { storm } from "./storm.ts";
import { cpuMeter, cpuSecondsMeter, type CpuTarget, treeCpuByKind } from "../lib/cpu.ts";
import { lagMeter, type LagSummary, startLagSampler } from "../lib/lag.ts";

function targets(spec: Spec): Record<string, CpuTarget> {
  const t: Record<string, CpuTarget> = { loadgen: "self" };
  if (spec.serverPid) t.server = spec.serverPid;
  if (spec.pgPid) t.postgres = { tree: spec.pgPid };
  return t;
}

/** Cores used while the step sends: server, Postgres, load generator, machine. */
const meter = (spec: Spec) => cpuMeter(targets(spec));

/**
 * CPU cost of a step, from its first send until its last delivery (or the drain timeout): server and
 * Postgres CPU microseconds per durable (acknowledged) message, server microseconds per delivery. With
 * `idle` (cores each part uses with the connections open and nothing sent: heartbeats, presence, Postgres'
 * background work), the `net_` figures subtract that share.
 */
function costMeter(spec: Spec, idle?: Record<string, number>) {
  const m = cpuSecondsMeter(targets(spec));
  const kinds0 = spec.pgPid ? treeCpuByKind(spec.pgPid) : null;
  const t0 = performance.now();
  return (acked: number, delivered: number): Cost => {
    const s = m();
    const kinds1 = spec.pgPid ? treeCpuByKind(spec.pgPid) : null;
    const secs = (performance.now() - t0) / 1000;
    const per = (sec: number | undefined, n: number) =>
      sec === undefined || !n ? null : Math.round((sec * 1e6) / n * 10) / 10;
    const net = (k: string) => s[k] === undefined ? undefined : Math.max(0, s[k] - (idle?.[k] ?? 0) * secs);
    const server = per(s.server, acked);
    const postgres = per(s.postgres, acked);
    return {
      server_us_per_msg: server,
      server_us_per_delivery: per(s.server, delivered),
      postgres_us_per_msg: postgres,
      total_us_per_msg: server === null ? null : Math.round((server + (postgres ?? 0)) * 10) / 10,
      net_server_us_per_msg: idle ? per(net("server"), acked) : null,
      net_postgres_us_per_msg: idle ? per(net("postgres"), acked) : null,
      server_cpu_s: round(s.server ?? 0, 3),
      postgres_cpu_s: s.postgres === undefined ? null : round(s.postgres, 3),
      postgres_us_per_msg_by_kind: kinds0 && kinds1
        ? Object.fromEntries(
          Object.keys({ ...kinds0, ...kinds1 }).map((
            k,
          ) => [k, per((kinds1[k] ?? 0) - (kinds0[k] ?? 0), acked)]),
        )
        : null,
      seconds: round(secs, 2),
    };
  };
}

/** Cores each part uses over `seconds` with the connections open and nothing sent. */
async function idleCores(spec: Spec, seconds: number): Promise<Record<string, number>> {
  const m = cpuSecondsMeter(targets(spec));
  await sleep(seconds * 1000);
  return Object.fromEntries(Object.entries(m()).map(([k, v]) => [k, round(v / seconds, 3)]));
}

export interface Cost {
  server_us_per_msg: number | null;
  server_us_per_delivery: number | null;
  postgres_us_per_msg: number | null;
  /** Server + Postgres. */
  total_us_per_msg: number | null;
  /** The same less what the parts use when idle (see `idleCores`). */
  net_server_us_per_msg: number | null;
  net_postgres_us_per_msg: number | null;
  seconds: number;
  server_cpu_s: number;
  postgres_cpu_s: number | null;
  /**
   * Postgres µs per message by process kind (`treeCpuByKind`: the server's backends as `backend <db>`,
   * walwriter, checkpointer, autovacuum …; `exited` is what processes that ended meanwhile used).
   */
  postgres_us_per_msg_by_kind: Record<string, number | null> | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clients whose handlers forward to a Traffic created after them (it needs the clients). */
function trafficClients(spec: Spec, users = spec.users) {
  let traffic: Traffic | null = null;
  const h: Handlers = {
    deliver: (c, raw) => traffic!.deliver(c, raw),
    ack: (c, id, err, raw) => traffic!.ack(c, id, err, raw),
  };
  const clients = makeClients(spec, users, h);
  traffic = new Traffic(clients);
  return { clients, traffic };
}

/** `BENCH_COUNT_FRAMES=1`: every client's frames so far, by type (null when off). */
function framesNow(): Record<string, { frames: number; bytes: number }> | null {
  if (!otherFrames) return null;
  return Object.fromEntries(
    Object.entries(otherFrames).map(([k, v]) => [k, { frames: v.frames, bytes: v.bytes }]),
  );
}

/**
 * The frames the clients were sent while a fan-out step sent (from `framesNow()` at its start), by type: what
 * the load generator read besides the deliveries (bench/notes/channels_of_1000_top_steps.md).
 */
function framesSince(at: ReturnType<typeof framesNow>) {
  const now = framesNow();
  if (!now || !at) return null;
  return Object.fromEntries(
    Object.entries(now).map((
      [k, v],
    ) => [k, { frames: v.frames - (at[k]?.frames ?? 0), bytes: v.bytes - (at[k]?.bytes ?? 0) }]),
  );
}

/** How many times the fan-out halves the interval between the last step held and the first one missed. */
const FANOUT_BISECTIONS = 2;

async function fanout(spec: FanoutSpec) {
  const { clients, traffic } = trafficClients(spec);
  // Pings start before connecting: opening thousands can take longer than Parley's heartbeat timeout.
  const stopBeat = heartbeat(clients, 20);
  const conn = await connect(spec, clients);
  const members = spec.group;
  // Warm up (JIT, pools) at the first step's rate for a second; not reported.
  await traffic.run(0, spec.steps[0] / members, 1, 100_000);
  await traffic.drain(0, 2000);
  await sleep(2500);
  const idle = await idleCores(spec, 3);
  const steps: (StepResult & { ok: boolean })[] = [];
  let tag = 1;
  const runStep = async (target: number) => {
    const msgs = target / members;
    const m = meter(spec);
    const c = costMeter(spec, idle);
    const l = lagMeter(spec.lagFile);
    const frames0 = framesNow();
    const start = performance.timeOrigin + performance.now();
    await traffic.run(tag, msgs, spec.stepSeconds, Math.max(500, msgs * 2));
    const end = performance.timeOrigin + performance.now();
    const cpu = m();
    const frames = framesSince(frames0);
    await traffic.drain(tag, spec.drainSeconds * 1000);
    const res = traffic.result(tag, msgs, spec.stepSeconds);
    const r = { ...res, cpu, cost: c(res.acked, res.delivered), lag: await l(), ...frames ? { frames } : {} };
    const ok = r.errors === 0 && r.skipped_backlog === 0 && r.delivered >= 0.99 * r.expected_deliveries &&
      r.deliver.p99_ms < spec.p99LimitMs;
    steps.push({ ...r, ok });
    emit({
      event: "progress",
      what: "step",
      target,
      deliveries_per_s: r.deliveries_per_s,
      p50: r.deliver.p50_ms,
      p99: r.deliver.p99_ms,
      ok,
      cpu,
      lag: r.lag,
      cost: r.cost,
      ...frames ? { frames } : {},
      ...r.arrival_spread_ms ? { spread: r.arrival_spread_ms } : {},
      // The step's wall-clock span (ms since the epoch), as the steady rates' lines: `bench/sched_sample.py`.
      start,
      end,
    });
    tag++;
    // Let anything left over settle before the next step.
    await traffic.drain(tag - 1, 3000);
    await sleep(300);
    return ok;
  };
  // The machine may be shared: a step that misses is tried once more before it counts as the limit.
  const holds = async (target: number) => await runStep(target) || await runStep(target);
  let lastOk = 0;
  for (const target of spec.steps) {
    if (await holds(target)) {
      lastOk = target;
      continue;
    }
    // Between the last rate held and the first one missed (the ladder's steps are 1.5x apart), two halvings
    // of the interval on a log scale, each tried like a step: the limit is reported within ~11 %.
    let [low, high] = [Math.max(lastOk, spec.steps[0] / 2), target];
    for (let i = 0; i < FANOUT_BISECTIONS; i++) {
      const mid = Math.round(Math.sqrt(low * high));
      if (mid <= low * 1.05 || mid >= high * 0.95) break;
      if (await holds(mid)) low = mid;
      else high = mid;
    }
    break;
  }
  stopBeat();
  for (const c of clients) c.close();
  const held = steps.filter((s) => s.ok);
  const best = held.reduce((m, s) => Math.max(m, s.deliveries_per_s), 0);
  const bestStep = held.find((s) => s.deliveries_per_s === best);
  return {
    connect: conn,
    group: spec.group,
    users: clients.length,
    deliveries_per_s: best,
    p99_ms_at_best: bestStep?.deliver.p99_ms ?? 0,
    peak_deliveries_per_s: steps.reduce((m, s) => Math.max(m, s.deliveries_per_s), 0),
    idle_cores: idle,
    steps,
  };
}

async function steady(spec: SteadySpec) {
  const { clients, traffic } = trafficClients(spec);
  // Pings start before connecting: opening thousands can take longer than Parley's heartbeat timeout.
  const stopBeat = heartbeat(clients, 20);
  const conn = await connect(spec, clients);
  // BENCH_TIMELINE=DIR (`bench/timeline.ts`): every delivery and this process's own event-loop lag, to files.
  const timelineDir = Deno.env.get("BENCH_TIMELINE");
  if (timelineDir) {
    traffic.timeline = [];
    startLagSampler(`${timelineDir}/loadgen_lag.txt`);
    // With DENO_V8_FLAGS=--expose-gc,--trace-gc: one forced GC whose wall time places this process's
    // --trace-gc lines on the clock (`bench/timeline.ts`), as the server's marker does.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      const at = performance.timeOrigin + performance.now();
      gc();
      await Deno.writeTextFile(`${timelineDir}/loadgen_gc.txt`, `${at.toFixed(1)}\n`);
    }
  }
  // BENCH_GC_TAIL=DIR (`bench/gc_tail.ts`): every delivery (as BENCH_TIMELINE's, the send time to the µs) and
  // this process's own event-loop lag, without the rest of BENCH_TIMELINE (its Postgres samplers).
  const gcTailDir = timelineDir ? null : Deno.env.get("BENCH_GC_TAIL");
  if (gcTailDir) {
    traffic.timeline = [];
    startLagSampler(`${gcTailDir}/loadgen_lag.txt`);
  }
  const rates = [...new Set([...(spec.curve ?? []), spec.msgsPerSecond])].sort((a, b) => a - b);
  await traffic.run(0, rates[0], spec.warmupSeconds, rates[0] * 5);
  await traffic.drain(0, 2000);
  // The page cache's backlog written out before the steps: Postgres writes files it does not fsync until a
  // checkpoint (initdb with --no-sync, the fixture, each new page a table or index grows by, written as
  // zeros), and the kernel writes each back ~30 s later (vm.dirty_expire_centisecs) in bursts of 10-40 MB,
  // during the steps; the next commit's flush of the disk's cache then waits until that burst is stored
  // (35-90 ms on this machine: bench/notes/steady_tail.md, "Why a WAL flush takes 35-90 ms"). A server that
  // has run a while has no such backlog from its setup; what the steps themselves write still comes back
  // during the later steps. BENCH_SYNC_BEFORE_STEPS=0 leaves it (every run before the twelfth pass). The same
  // for every server kind.
  if (Deno.env.get("BENCH_SYNC_BEFORE_STEPS") !== "0") await new Deno.Command("sync").output();
  // What the connections cost with nothing sent (the notification scanner's second ticks included).
  await sleep(2500);
  const idle = await idleCores(spec, 3);
  const curve: (StepResult & { cost: Cost; lag: LagSummary | null })[] = [];
  let tag = 1;
  for (const rate of rates) {
    const m = meter(spec);
    const c = costMeter(spec, idle);
    const l = lagMeter(spec.lagFile);
    const start = performance.timeOrigin + performance.now();
    await traffic.run(tag, rate, spec.seconds, rate * 5);
    const end = performance.timeOrigin + performance.now();
    const cpu = m();
    await traffic.drain(tag, 5000);
    const res = traffic.result(tag, rate, spec.seconds);
    const cost = c(res.acked, res.delivered);
    const lag = await l();
    curve.push({ ...res, cpu, cost, lag });
    emit({
      event: "progress",
      what: "rate",
      rate,
      p50: res.deliver.p50_ms,
      p99: res.deliver.p99_ms,
      cpu,
      lag,
      cost,
      // The step's wall-clock span (ms since the epoch): `bench/gc_steps.ts` places the server's GCs in it.
      start,
      end,
    });
    tag++;
    await sleep(500);
  }
  stopBeat();
  for (const c of clients) c.close();
  if (timelineDir && traffic.timeline) {
    const t = traffic.timeline;
    const lines: string[] = [];
    for (let i = 0; i < t.length; i += 3) lines.push(`${t[i].toFixed(1)} ${t[i + 1].toFixed(2)} ${t[i + 2]}`);
    await Deno.writeTextFile(`${timelineDir}/deliveries.txt`, lines.join("\n") + "\n");
  }
  if (gcTailDir && traffic.timeline) {
    const t = traffic.timeline;
    const lines: string[] = [];
    for (let i = 0; i < t.length; i += 3) lines.push(`${t[i].toFixed(3)} ${t[i + 1].toFixed(2)} ${t[i + 2]}`);
    await Deno.writeTextFile(`${gcTailDir}/deliveries.txt`, lines.join("\n") + "\n");
  }
  const main = curve.find((r) => r.target_msgs_per_s === spec.msgsPerSecond)!;
  return {
    connect: conn,
    users: clients.length,
    ...main,
    idle_cores: idle,
    curve: spec.curve ? curve : undefined,
  };
}

async function idle(spec: IdleSpec) {
  const h: Handlers = { deliver: () => {}, ack: () => {} };
  const clients = makeClients(spec, spec.users, h);
  let closed = 0;
  h.closed = () => void closed++;
  const stopBeat = heartbeat(clients, spec.pingSeconds);
  const conn = await connect(spec, clients);
  emit({ event: "holding", open: clients.filter((c) => c.live).length });
  const buf = new Uint8Array(64);
  await Deno.stdin.read(buf); // "release"
  const live = clients.filter((c) => c.live).length;
  stopBeat();
  for (const c of clients) c.close();
  return {
    connect: conn,
    clients: clients.length,
    live_at_release: live,
    closed_by_server: closed,
    ...otherFrames ? { frames: otherFrames } : {},
  };
}

async function history(spec: HistorySpec) {
  const latest = new Histogram();
  const deep = new Histogram();
  const latestMs: number[] = [];
  const deepMs: number[] = [];
  const healthMs: number[] = [];
  const headers = { authorization: `Bearer ${spec.token}` };
  let errors = 0;
  let i = 0;
  // BENCH_HISTORY_TRACE=<file>: each request's start (ms since the epoch), kind and latency, one a line, to
  // lay the slow ones beside what else ran at that moment (the server's and Postgres' logs).
  const tracePath = Deno.env.get("BENCH_HISTORY_TRACE");
  const trace: string[] = [];
  // BENCH_HISTORY_HEALTHZ=1: every request is /healthz (the page's place too), to tell the server's floor
  // from what the page adds (its garbage, its scavenges).
  const onlyHealthz = Deno.env.get("BENCH_HISTORY_HEALTHZ") === "1";
  const at = (t: number) => (performance.timeOrigin + t).toFixed(3);
  const worker = async () => {
    while (i < spec.requests) {
      const n = i++;
      const [ch, before] = spec.deep[(n * 7919) % spec.deep.length];
      const isDeep = n % 2 === 1;
      const q = isDeep ? `?before=${before}&limit=50` : "?limit=50";
      const t0 = performance.now();
      const res = await fetch(
        onlyHealthz ? `${spec.url}/healthz` : `${spec.url}/api/chat/channels/${ch}/messages${q}`,
        onlyHealthz ? {} : { headers },
      );
      const body = onlyHealthz ? { messages: { length: 50 } } : await res.json();
      if (onlyHealthz) await res.body?.cancel();
      const ms = performance.now() - t0;
      if (!res.ok || body.messages?.length !== 50) errors++;
      (isDeep ? deep : latest).add(ms);
      (isDeep ? deepMs : latestMs).push(ms);
      // The floor at the same moment: one trivial request and query (/healthz) after each page.
      const h0 = performance.now();
      await (await fetch(`${spec.url}/healthz`)).body?.cancel();
      healthMs.push(performance.now() - h0);
      if (tracePath) {
        trace.push(`${at(t0)} ${isDeep ? "deep" : "latest"} ${ms.toFixed(3)}`);
        trace.push(`${at(h0)} healthz ${(performance.now() - h0).toFixed(3)}`);
      }
    }
  };
  // Warm-up: a few requests not measured.
  for (const [ch] of spec.deep.slice(0, 20)) {
    await (await fetch(`${spec.url}/api/chat/channels/${ch}/messages?limit=50`, { headers })).body?.cancel();
  }
  // The CPU of the measured requests (warm-up excluded): every page and the /healthz after it, nothing
  // subtracted (the orchestrator divides by pages).
  const used = cpuSecondsMeter(targets(spec));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = used();
  if (tracePath) await Deno.writeTextFile(tracePath, trace.join("\n") + "\n");
  return {
    requests: spec.requests,
    concurrency: spec.concurrency,
    errors,
    requests_per_s: Math.round(spec.requests / seconds),
    seconds: round(seconds, 3),
    cpu_seconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 3)])),
    latest: { ...latest.summary(), p99_ms: round(exactPercentile(latestMs, 99)) },
    deep: { ...deep.summary(), p99_ms: round(exactPercentile(deepMs, 99)) },
    healthz: {
      p50_ms: round(exactPercentile(healthMs, 50)),
      p99_ms: round(exactPercentile(healthMs, 99)),
    },
  };
}

if (import.meta.main) {
  const spec = JSON.parse(await Deno.readTextFile(Deno.args[0])) as Spec;
  let result: unknown;
  if (spec.scenario === "fanout") result = await fanout(spec);
  else if (spec.scenario === "steady") result = await steady(spec);
  else if (spec.scenario === "idle") result = await idle(spec);
  else if (spec.scenario === "storm") result = await storm(spec);
  else result = await history(spec);
  emit({ event: "result", result });
  Deno.exit(0);
}
