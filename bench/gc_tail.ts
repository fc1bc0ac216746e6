/**
 * The steady workload's slow deliveries against the server's scavenges (bench/notes/scavenges_and_the_500_tail.md):
 * reads a `--verbose` bench log run with the server's `--trace-gc-nvp` and `BENCH_GC_MARK=1` (as
 * `bench/gc_steps.ts`) and what `BENCH_GC_TAIL=DIR` wrote (every delivery with its message's send time; every
 * grouped send's times in the server and every batch's commit; both processes' event-loop lag), and prints per
 * step: how many deliveries and messages were over `--slow` ms (default 10), how many of them had a scavenge
 * pause of the server during their wait ("in") or were sent within `--after` ms (default 10) after one ended
 * ("right after"), what the others waited for (a slow commit, a stall of either event loop, the server before
 * or after the batcher), the step's p99 without the first two kinds, and what the scavenges' pauses are made of
 * (the phases `--trace-gc-nvp` prints, ms per scavenge, median and mean, largest first).
 *
 *   mkdir -p /tmp/t && BENCH_GC_TAIL=/tmp/t BENCH_GC_MARK=1 BENCH_PARLEY_V8_FLAGS=--trace-gc-nvp \
 *     flock /tmp/bench.lock deno task bench --only=latency --servers=parley --curve=250,500,1000 --quiet=2 \
 *     --verbose > /tmp/t/run.log 2>&1
 *   deno run -A bench/gc_tail.ts /tmp/t [/tmp/t/run.log] [--slow=10] [--after=10] [--rate=500] [--phases=20]
 *
 * The trace's time is when V8 printed the line, at a pause's end; the marker (a forced GC at the server's start,
 * its wall time taken just before it) places it: a pause is [end - pause, end] on the wall clock.
 */
const args = Deno.args.filter((a) => !a.startsWith("--"));
const opt = (n: string, d: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d);
const dir = args[0] ?? "/tmp/t";
const logPath = args[1] ?? `${dir}/run.log`;
const SLOW = opt("slow", 10);
const AFTER = opt("after", 10);
const ONLY = opt("rate", 0);
const PHASES = opt("phases", 20);

type Gc = { start: number; end: number; kind: string; pause: number; f: Record<string, number> };
type Step = {
  rate: number;
  start: number;
  end: number;
  p50: number;
  p99: number;
  cost: Record<string, number>;
};

const read = (f: string) => {
  try {
    return Deno.readTextFileSync(f).split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

function parseLog(path: string) {
  let mark: number | null = null;
  let markEnd: { rel: number; pause: number } | null = null;
  const raw: { rel: number; kind: string; f: Record<string, number> }[] = [];
  const steps: Step[] = [];
  for (const line of read(path)) {
    if (line.startsWith("[parley] gc-mark ")) {
      mark = Number(line.slice("[parley] gc-mark ".length));
      continue;
    }
    const g = /^\[parley\] \[[^\]]*\]\s+(\d+) ms: GC: \{(.*)$/.exec(line);
    if (g) {
      // Every numeric field, read one by one (a line may be cut where the server's own output came between).
      const f: Record<string, number> = {};
      for (const m of g[2].matchAll(/"([\w.]+)":(-?[\d.]+(?:e[+-]?\d+)?)/g)) f[m[1]] = Number(m[2]);
      const kind = /"gc":"(\w+)"/.exec(line)?.[1] ?? "?";
      if (markEnd === null && line.includes('"reason":"testing"')) {
        markEnd = { rel: +g[1], pause: f.pause ?? 0 };
      }
      raw.push({ rel: +g[1], kind, f });
      continue;
    }
    const p = /^\[loadgen:steady:parley\] (\{.*\})\s*$/.exec(line);
    if (p) {
      const o = JSON.parse(p[1]);
      if (o.event === "progress" && o.what === "rate" && o.start) {
        steps.push({ rate: o.rate, start: o.start, end: o.end, p50: o.p50, p99: o.p99, cost: o.cost ?? {} });
      }
    }
  }
  if (mark === null || markEnd === null) {
    throw new Error(`${path}: no gc-mark (BENCH_GC_MARK=1, --trace-gc-nvp)`);
  }
  // The marker's wall time was taken as its GC started; its line was printed as it ended.
  const off = mark - (markEnd.rel - markEnd.pause);
  const gcs: Gc[] = raw.map((r) => {
    const pause = r.f.pause ?? 0;
    return { start: r.rel + off - pause, end: r.rel + off, kind: r.kind, pause, f: r.f };
  });
  return { steps, gcs };
}

const q = (a: number[], p: number) => {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const r1 = (n: number) => Math.round(n * 10) / 10;
const pc = (n: number, of: number) => `${of ? Math.round((100 * n) / of) : 0} %`;

const { steps, gcs } = parseLog(logPath);
// Young-generation collections: scavenges ("s"), or minor mark-sweeps ("mms") with `--minor-ms`.
const scav = gcs.filter((g) => g.kind === "s" || g.kind === "mms");

// Deliveries: sentAt (the message's key) latency tag. Tags are the steps in order, 0 the warm-up.
const byTag = new Map<number, { key: string; t: number; ms: number }[]>();
for (const l of read(`${dir}/deliveries.txt`)) {
  const [key, ms, tag] = l.split(" ");
  let a = byTag.get(+tag);
  if (!a) byTag.set(+tag, a = []);
  a.push({ key, t: +key, ms: +ms });
}
// The server: M sentAt submitted answered; C end commit_ms.
const sends = new Map<string, { at: number; done: number }>();
const commits: { end: number; ms: number }[] = [];
for (const l of read(`${dir}/server_sends.txt`)) {
  const p = l.split(" ");
  if (p[0] === "M") sends.set(p[1], { at: +p[2], done: +p[3] });
  else if (p[0] === "C") commits.push({ end: +p[1], ms: +p[2] });
}
const lag = (f: string) =>
  read(`${dir}/${f}`).map((l) => l.split(" ").map(Number)).map(([t, ms]) => ({ t, ms: Math.max(0, ms) }));
// A lag sample at t of ms: the loop was stalled over [t - ms, t] (a 10 ms tick that fired ms late).
const serverLag = lag("server_lag.txt");
const loadgenLag = lag("loadgen_lag.txt");

const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 <= b1 && b0 <= a1;

for (const [i, s] of steps.entries()) {
  if (ONLY && s.rate !== ONLY) continue;
  const ds = byTag.get(i + 1) ?? [];
  if (!ds.length) continue;
  const t0 = s.start, t1 = s.end + 5000;
  // The step's own scavenges (its figures), and those of its drain too (what a delivery may have waited for).
  const inStep = scav.filter((g) => g.end >= t0 && g.start <= s.end);
  const sc = scav.filter((g) => g.end >= t0 && g.start <= t1);
  const other = gcs.filter((g) => !scav.includes(g) && g.end >= t0 && g.start <= t1);
  const stalls = (a: { t: number; ms: number }[]) =>
    a.filter((x) => x.t >= t0 - 100 && x.t <= t1 && x.ms >= 3);
  const sLag = stalls(serverLag), lLag = stalls(loadgenLag);
  const slowC = commits.filter((c) => c.end >= t0 && c.end <= t1 && c.ms > 5);

  const all = ds.map((d) => d.ms);
  // Each message's slowest delivery.
  const msgs = new Map<string, { t: number; ms: number }>();
  for (const d of ds) {
    const m = msgs.get(d.key);
    if (!m || d.ms > m.ms) msgs.set(d.key, { t: d.t, ms: d.ms });
  }
  type Why = "in" | "after" | "commit" | "srvstall" | "lgstall" | "other";
  const why = (d: { t: number; ms: number }): Why => {
    const a = d.t, z = d.t + d.ms;
    if (sc.some((g) => overlaps(a, z, g.start, g.end))) return "in";
    if (sc.some((g) => g.end < a && a - g.end <= AFTER)) return "after";
    if (slowC.some((c) => overlaps(a, z, c.end - c.ms, c.end))) return "commit";
    if (sLag.some((l) => overlaps(a, z, l.t - l.ms, l.t))) return "srvstall";
    if (lLag.some((l) => overlaps(a, z, l.t - l.ms, l.t))) return "lgstall";
    return "other";
  };
  const count = (xs: { t: number; ms: number }[]) => {
    const c: Record<Why, number> = { in: 0, after: 0, commit: 0, srvstall: 0, lgstall: 0, other: 0 };
    for (const x of xs) c[why(x)]++;
    return c;
  };
  const slowD = ds.filter((d) => d.ms > SLOW);
  const slowM = [...msgs.values()].filter((m) => m.ms > SLOW);
  const cd = count(slowD), cm = count(slowM);
  const p99 = q(all, 0.99);
  const rest = ds.filter((d) => {
    const w = why(d);
    return w !== "in" && w !== "after";
  }).map((d) => d.ms);
  const withoutIn = ds.filter((d) => why(d) !== "in").map((d) => d.ms);
  const secs = (s.end - s.start) / 1000;
  console.log(
    `\n== ${s.rate} msg/s: ${ds.length} deliveries of ${msgs.size} messages; p50 ${r1(q(all, 0.5))} p99 ${
      r1(p99)
    } max ${
      r1(all.reduce((m, x) => Math.max(m, x), 0))
    } ms (bench: ${s.p50} / ${s.p99}); server ${s.cost.server_us_per_msg} / Postgres ${s.cost.postgres_us_per_msg} µs per message`,
  );
  console.log(
    `   server scavenges in the step: ${inStep.length} (${r1(inStep.length / secs)}/s), pause p50 / max ${
      r1(q(inStep.map((g) => g.pause), 0.5))
    } / ${r1(Math.max(0, ...inStep.map((g) => g.pause)))} ms, ${
      r1(inStep.reduce((n, g) => n + g.pause, 0))
    } ms in all; other GCs: ${
      other.map((g) => `${g.kind} ${r1(g.pause)}`).join(", ") || "none"
    }; server stalls >= 3 ms ${sLag.length}, load generator stalls >= 3 ms ${lLag.length}, commits > 5 ms ${slowC.length}`,
  );
  const line = (label: string, c: Record<Why, number>, n: number) =>
    `   ${label} > ${SLOW} ms: ${n} (${
      pc(n, label === "deliveries" ? ds.length : msgs.size)
    } of all); a scavenge during its wait ${c.in} (${
      pc(c.in, n)
    }), sent <= ${AFTER} ms after one ${c.after} (${
      pc(c.after, n)
    }); of the rest: a commit > 5 ms during it ${c.commit} (${
      pc(c.commit, n)
    }), a server stall >= 3 ms ${c.srvstall} (${pc(c.srvstall, n)}), a load generator stall ${c.lgstall} (${
      pc(c.lgstall, n)
    }), none of these ${c.other} (${pc(c.other, n)})`;
  console.log(line("deliveries", cd, slowD.length));
  console.log(line("messages", cm, slowM.length));
  console.log(
    `   p99 without the deliveries that had a scavenge in their wait: ${
      r1(q(withoutIn, 0.99))
    } ms; without those and the ones right after: ${r1(q(rest, 0.99))} ms (${rest.length} deliveries left)`,
  );
  // Where a slow message's time went, by the server's own times: before the batcher (the load generator's
  // write, the server's read and frame), in the batcher (its wait, statement and commit, the fan-out), after
  // (the last socket write to the slowest receiver's read).
  const split = (label: string, xs: { key: string; t: number; ms: number }[]) => {
    const ws = xs.map((x) => ({ x, s: sends.get(x.key) })).filter((w) => w.s);
    if (!ws.length) return;
    const part = (f: (w: (typeof ws)[number]) => number) => {
      const v = ws.map(f);
      return `${r1(q(v, 0.5))} / ${r1(q(v, 0.9))} / ${r1(Math.max(...v))}`;
    };
    console.log(
      `   ${label} (${ws.length}), p50 / p90 / max ms: before the batcher ${
        part((w) => w.s!.at - w.x.t)
      }, in it ${part((w) => w.s!.done - w.s!.at)}, after it ${part((w) => w.x.t + w.x.ms - w.s!.done)}`,
    );
  };
  const msgList = [...msgs].map(([key, m]) => ({ key, ...m }));
  split("all messages", msgList);
  const byWhy = new Map<Why, typeof msgList>();
  for (const m of msgList.filter((m) => m.ms > SLOW)) {
    const w = why(m);
    (byWhy.get(w) ?? byWhy.set(w, []).get(w)!).push(m);
  }
  for (const [w, l] of byWhy) split(`slow messages, ${w}`, l);
  // Each scavenge: messages sent during it and the 10 ms after, and their slowest delivery.
  console.log(
    `   each scavenge: wall offset in the step (s), pause ms, survived / promoted KB, messages sent in it + ${AFTER} ms after, their slowest ms, how many > ${SLOW} ms`,
  );
  for (const g of inStep) {
    const hit = msgList.filter((m) => m.t >= g.start - 1 && m.t <= g.end + AFTER);
    console.log(
      `     ${((g.start - t0) / 1000).toFixed(2).padStart(6)} ${r1(g.pause).toString().padStart(5)} ${
        Math.round((g.f.new_space_survived ?? g.f.survived ?? 0) / 1e3)
      } / ${Math.round((g.f.promoted ?? 0) / 1e3)} ${hit.length} ${
        r1(Math.max(0, ...hit.map((m) => m.ms)))
      } ${hit.filter((m) => m.ms > SLOW).length}`,
    );
  }
  // What a scavenge's pause is made of: every timing field of the trace, ms per scavenge.
  if (inStep.length) {
    const keys = new Set(inStep.flatMap((g) => Object.keys(g.f)));
    const notTime =
      /allocated|promot|survived|size|committed|nodes|rate|ratio|count|bytes|throughput|speed|_objects|reduce_memory|mutator|^semi_space|_kb|holes|limit|pause|interleaved|chunks|capacity/;
    const rows = [...keys].filter((k) => !notTime.test(k)).map((k) => {
      const v = inStep.map((g) => g.f[k] ?? 0);
      return { k, med: q(v, 0.5), mean: v.reduce((a, b) => a + b, 0) / v.length, max: Math.max(...v) };
    }).filter((r) => r.max > 0).sort((a, b) => b.mean - a.mean).slice(0, PHASES);
    console.log(
      `   scavenge phases (ms per scavenge, median / mean / max; pause median ${
        r1(q(inStep.map((g) => g.pause), 0.5))
      }):`,
    );
    for (const r of rows) {
      console.log(
        `     ${r.k.padEnd(48)} ${r.med.toFixed(2).padStart(7)} ${r.mean.toFixed(2).padStart(7)} ${
          r.max.toFixed(2).padStart(7)
        }`,
      );
    }
    const bytes = (k: string) => `${k} ${r1(q(inStep.map((g) => g.f[k] ?? 0), 0.5) / 1e6)}`;
    console.log(
      `   sizes (MB, median): ${
        [
          "new_space_survived",
          "promoted",
          "allocated",
          "total_size_before",
          "total_size_after",
          "new_space_capacity",
        ]
          .filter((k) => keys.has(k)).map(bytes).join(", ")
      }`,
    );
  }
}
