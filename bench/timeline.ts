/**
 * When are the steady workload's slow deliveries? Reads what a `BENCH_TIMELINE=DIR` run wrote (every
 * delivery, the server's send batches and event-loop lag, the load generator's lag, `pg_stat_activity`
 * every 10 ms, the Postgres log) plus the server's and the load generator's `--trace-gc` lines from the
 * bench's `--verbose` log (`DENO_V8_FLAGS` reaches both; `BENCH_PARLEY_V8_FLAGS=--trace-gc` the server only), and
 * prints, per step, whether the tail is a few bursts or spread out, and the worst 100 ms buckets beside what
 * else happened in them.
 *
 *   BENCH_TIMELINE=/tmp/tl DENO_V8_FLAGS=--expose-gc,--trace-gc flock /tmp/bench.lock deno task bench \
 *     --only=latency --servers=parley --curve=250,500,1000 --quiet=2 --verbose > /tmp/tl/bench.log 2>&1
 *   deno run -A bench/timeline.ts /tmp/tl [--tag=2] [--slow=10] [--top=12]
 *
 * Tags are the steps in order (0 the warm-up, then each rate of the curve, lowest first).
 */
const dir = Deno.args.find((a) => !a.startsWith("--")) ?? "/tmp/tl";
const opt = (n: string) => Deno.args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
const SLOW = Number(opt("slow") ?? 10);
const TOP = Number(opt("top") ?? 12);
const BUCKET = 100;

const read = (f: string) => {
  try {
    return Deno.readTextFileSync(`${dir}/${f}`).split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

// Deliveries: sentAt latency tag.
const byTag = new Map<number, { t: number; ms: number }[]>();
for (const l of read("deliveries.txt")) {
  const [t, ms, tag] = l.split(" ").map(Number);
  let a = byTag.get(tag);
  if (!a) byTag.set(tag, a = []);
  a.push({ t, ms });
}

// Server batches: S start n maxQueued / C at commitMs / P at publishMs; G gc marker.
const starts: { t: number; n: number; q: number }[] = [];
const commits: { t: number; ms: number }[] = [];
const publishes: { t: number; ms: number }[] = [];
let gcMarker: number | null = null;
/** Each send: the load generator's send time, when the server submitted it to the batcher, when answered. */
const sends: { t: number; at: number; done: number }[] = [];
/** Each transaction on the pool: start, end, the file that started it. */
const txs: { t: number; end: number; from: string }[] = [];
/** Each phase of a notification scan (`scanStages` in domain/notifications/scan.ts): start, end, name. */
const scanPhases: { t: number; end: number; phase: string }[] = [];
for (const l of read("server_batches.txt")) {
  const p = l.split(" ");
  if (p[0] === "S") starts.push({ t: +p[1], n: +p[2], q: +p[3] });
  else if (p[0] === "C") commits.push({ t: +p[1], ms: +p[2] });
  else if (p[0] === "P") publishes.push({ t: +p[1], ms: +p[2] });
  else if (p[0] === "G") gcMarker = +p[1];
  else if (p[0] === "M") sends.push({ t: +p[1], at: +p[2], done: +p[3] });
  else if (p[0] === "X") txs.push({ t: +p[1], end: +p[2], from: p[3] });
  else if (p[0] === "N") scanPhases.push({ t: +p[1], end: +p[2], phase: p[3] });
}
const lagOf = (f: string) =>
  read(f).map((l) => l.split(" ").map(Number)).map(([t, ms]) => ({ t, ms: Math.max(0, ms) }));
const serverLag = lagOf("server_lag.txt");
const loadgenLag = lagOf("loadgen_lag.txt");

// --trace-gc: "<ms since isolate start> ms: Scavenge|Mark-Compact ... , <pause> / ..."; each process's
// lines come labelled by the bench's --verbose log (`[parley]`, `[loadgen:steady:parley]`), and its marker
// (a forced Mark-Compact, reason "testing", the first one) places them on the wall clock: the server's in
// server_batches.txt ("G"), the load generator's in loadgen_gc.txt (with DENO_V8_FLAGS=--expose-gc,--trace-gc).
type Gc = { t: number; kind: string; ms: number };
function gcLines(label: RegExp, marker: number | null): Gc[] {
  const gcs: { rel: number; kind: string; ms: number }[] = [];
  let markerRel: number | null = null;
  for (const l of read("bench.log")) {
    if (!label.test(l)) continue;
    const m =
      /\]\s+(\d+) ms: (Scavenge|Mark-Compact|Minor Mark-Sweep|Mark-Compact \(reduce\)|Incremental Mark-Compact)[^,]*,[^,]*, ([\d.]+) \//
        .exec(l);
    if (!m) continue;
    gcs.push({ rel: +m[1], kind: m[2], ms: +m[3] });
    if (markerRel === null && l.includes("testing")) markerRel = +m[1];
  }
  const offset = marker !== null && markerRel !== null ? marker - markerRel : null;
  return offset === null ? [] : gcs.map((g) => ({ t: g.rel + offset, kind: g.kind, ms: g.ms }));
}
const gcWall = gcLines(/^\[parley\]/, gcMarker);
const loadgenGc = gcLines(/^\[loadgen:steady/, read("loadgen_gc.txt").map(Number)[0] ?? null);

// pg_stat_activity samples: wall \t pid|type|state|wait|query ...
const pg: { t: number; active: number; sends: number; other: string[] }[] = [];
for (const l of read("pg_activity.txt")) {
  const [t, ...rest] = l.split("\t");
  let active = 0, sends = 0;
  const other: string[] = [];
  for (const r of rest) {
    if (!r) continue;
    const [, type, state, wait, q] = r.split("|");
    if (type === "client_backend" && state !== "active") continue;
    if (type === "client_backend") {
      active++;
      if (q.startsWith("WITH_ok_AS")) sends++;
      else other.push(`${q.slice(0, 28)}${wait ? `(${wait})` : ""}`);
    } else other.push(`${type}${q ? `:${q.slice(0, 40)}` : ""}${wait ? `(${wait})` : ""}`);
  }
  pg.push({ t: +t, active, sends, other });
}
const pgLog = read("postgres.log").filter((l) => /checkpoint|automatic (vacuum|analyze)/.test(l)).map((
  l,
) => ({
  t: Date.parse(l.slice(0, 23).replace(" ", "T") + "Z"),
  what: l.replace(/^.*?LOG:\s+/, "").slice(0, 60),
}));

// The data directory's disk every sample (every process's I/O on it): wall, writes, sectors written, ms
// writing, in flight, discards, ms discarding, flushes, ms flushing, Dirty kB, Writeback kB.
const disk = read("disk.txt").map((l) => l.split(" ").map(Number)).map((f) => ({
  t: f[0],
  w: f[1],
  sect: f[2],
  wms: f[3],
  fl: f[4],
  disc: f[5],
  dms: f[6],
  flush: f[7],
  fms: f[8],
  dirty: f[9],
  wb: f[10],
}));
/** The disk's counters between t0 and t1 (the last sample before each), and the largest in flight / dirty. */
function diskIn(t0: number, t1: number): string {
  const before = (t: number) => disk.findLast((d) => d.t <= t);
  const a = before(t0), z = before(t1);
  if (!a || !z) return "-";
  const mid = disk.filter((d) => d.t >= t0 && d.t <= t1);
  return `${z.w - a.w}w ${r1((z.sect - a.sect) / 2048)}MB ${z.wms - a.wms}ms f${z.flush - a.flush}/${
    z.fms - a.fms
  }ms d${z.disc - a.disc}/${z.dms - a.dms}ms q${Math.max(0, ...mid.map((d) => d.fl))} D${
    Math.round(Math.max(0, ...mid.map((d) => d.dirty)) / 1024)
  }/${Math.round(Math.max(0, ...mid.map((d) => d.wb)) / 1024)}MB`;
}

// Who dirtied the page cache (bench/workloads/realtime.ts `ioSample`): wall, name=bytes since the sample before.
const io = read("io.txt").map((l) => {
  const [t, ...rest] = l.split(" ");
  return {
    t: +t,
    w: rest.map((r) => [r.slice(0, r.lastIndexOf("=")), +r.slice(r.lastIndexOf("=") + 1)] as const),
  };
});
/** The names that dirtied the most between t0 and t1, MB each. */
function dirtiers(t0: number, t1: number, n = 4): string {
  const by = new Map<string, number>();
  for (const s of io) {
    if (s.t > t0 && s.t <= t1) {
      for (const [k, w] of s.w) by.set(k, (by.get(k) ?? 0) + w);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, w]) =>
    `${k.slice(0, 40)} ${r1(w / 1048576)}MB`
  ).join(", ") || "-";
}

const q = (a: number[], p: number) => {
  if (!a.length) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const r1 = (n: number) => Math.round(n * 10) / 10;
const inB = <T extends { t: number }>(a: T[], t0: number, t1: number) =>
  a.filter((x) => x.t >= t0 && x.t < t1);

for (const [tag, ds] of [...byTag].sort((a, b) => a[0] - b[0])) {
  if (tag === 0) continue;
  ds.sort((a, b) => a.t - b.t);
  const t0 = ds[0].t, t1 = ds[ds.length - 1].t;
  const all = ds.map((d) => d.ms);
  const p99 = q(all, 0.99);
  const buckets = new Map<number, { n: number; slow: number; over99: number; ms: number[] }>();
  for (const d of ds) {
    const k = Math.floor((d.t - t0) / BUCKET);
    let b = buckets.get(k);
    if (!b) buckets.set(k, b = { n: 0, slow: 0, over99: 0, ms: [] });
    b.n++;
    b.ms.push(d.ms);
    if (d.ms > SLOW) b.slow++;
    if (d.ms > p99) b.over99++;
  }
  const list = [...buckets].map(([k, b]) => ({ k, ...b })).sort((a, b) => b.over99 - a.over99);
  const over99 = list.reduce((s, b) => s + b.over99, 0);
  const slow = list.reduce((s, b) => s + b.slow, 0);
  const share = (n: number) => {
    const top = list.slice(0, Math.max(1, Math.round(list.length * n)));
    return Math.round(100 * top.reduce((s, b) => s + b.over99, 0) / Math.max(1, over99));
  };
  const withOver = list.filter((b) => b.over99 > 0).length;
  const withSlow = list.filter((b) => b.slow > 0).length;
  // Messages (a delivery's send time identifies its message well enough: one send per ms at these rates).
  const msgs = new Map<number, number>();
  for (const d of ds) msgs.set(d.t, Math.max(msgs.get(d.t) ?? 0, d.ms));
  const msgMax = [...msgs.values()];
  console.log(
    `\n== tag ${tag}: ${ds.length} deliveries, ${msgs.size} messages over ${r1((t1 - t0) / 1000)} s; p50 ${
      r1(q(all, 0.5))
    } p90 ${r1(q(all, 0.9))} p99 ${r1(p99)} max ${r1(all.reduce((m, x) => Math.max(m, x), 0))} ms`,
  );
  console.log(
    `   deliveries > p99: ${over99} in ${withOver} of ${list.length} buckets of ${BUCKET} ms; the worst 1 % / 5 % / 10 % of buckets hold ${
      share(0.01)
    } / ${share(0.05)} / ${share(0.1)} % of them. > ${SLOW} ms: ${slow} (${
      r1(100 * slow / ds.length)
    } %) in ${withSlow} buckets. Messages whose slowest delivery > ${SLOW} ms: ${
      r1(100 * msgMax.filter((m) => m > SLOW).length / msgMax.length)
    } %`,
  );
  // Per bucket, what else happened.
  const rows = list.slice(0, TOP).sort((a, b) => a.k - b.k);
  console.log(
    "   bucket(s)  n   >p99  p50  max | batches sizes   maxQ  commit max  publish max | srv lag max  lg lag max | GC (ms) | pg active max/sends max, other | pg log | disk: writes MB ms, flushes/ms, discards/ms, max in flight, Dirty/Writeback",
  );
  for (const b of rows) {
    const a = t0 + b.k * BUCKET, z = a + BUCKET;
    const st = inB(starts, a, z), cm = inB(commits, a, z), pb = inB(publishes, a, z);
    const gc = [
      ...inB(gcWall, a - 20, z).map((g) => `${g.kind[0]}${r1(g.ms)}`),
      ...inB(loadgenGc, a - 20, z).map((g) => `lg:${g.kind[0]}${r1(g.ms)}`),
    ].join(",");
    const pgs = inB(pg, a, z);
    const others = [...new Set(pgs.flatMap((p) => p.other))].slice(0, 3).join(" ");
    const logs = inB(pgLog, a - 100, z).map((l) => l.what.slice(0, 30)).join("; ");
    console.log(
      `   ${((b.k * BUCKET) / 1000).toFixed(1).padStart(5)} ${String(b.n).padStart(4)} ${
        String(b.over99).padStart(5)
      } ${r1(q(b.ms, 0.5)).toString().padStart(4)} ${r1(Math.max(...b.ms)).toString().padStart(5)} | ${
        String(st.length).padStart(3)
      } ${st.map((s) => s.n).join(",").slice(0, 16).padEnd(16)} ${r1(Math.max(0, ...st.map((s) => s.q)))} ${
        r1(Math.max(0, ...cm.map((c) => c.ms)))
      } ${r1(Math.max(0, ...pb.map((p) => p.ms)))} | ${
        r1(Math.max(0, ...inB(serverLag, a, z).map((l) => l.ms)))
      } ${r1(Math.max(0, ...inB(loadgenLag, a, z).map((l) => l.ms)))} | ${gc || "-"} | ${
        Math.max(0, ...pgs.map((p) => p.active))
      }/${Math.max(0, ...pgs.map((p) => p.sends))} ${others || "-"} | ${logs || "-"} | ${diskIn(a, z)}`,
    );
  }
  // Without the worst buckets (by deliveries > SLOW ms): how much of the p99 is bursts.
  const bySlow = [...buckets].sort((a, b) => b[1].slow - a[1].slow).map(([k]) => k);
  console.log(
    `   p99 / share > ${SLOW} ms without the worst n buckets: ${
      [0, 1, 2, 3, 5, 10].map((n) => {
        const ex = new Set(bySlow.slice(0, n));
        const rest = ds.filter((d) => !ex.has(Math.floor((d.t - t0) / BUCKET))).map((d) => d.ms);
        return `-${n}: ${r1(q(rest, 0.99))} / ${
          r1(100 * rest.filter((m) => m > SLOW).length / rest.length)
        } %`;
      }).join(", ")
    }`,
  );
  // Where a slow message's time went: before the batcher (the load generator's write, the network, the
  // server's read and frame), in the batcher (wait, commit, publish queue), after (fan-out to the sockets).
  const mine = sends.filter((m) => m.t >= t0 && m.t <= t1);
  if (mine.length) {
    const slowest = new Map<number, number>();
    for (const d of ds) {
      slowest.set(Math.round(d.t * 10), Math.max(slowest.get(Math.round(d.t * 10)) ?? 0, d.ms));
    }
    const split = (xs: typeof mine) =>
      `before the batcher p50/max ${r1(q(xs.map((m) => m.at - m.t), 0.5))}/${
        r1(Math.max(0, ...xs.map((m) => m.at - m.t)))
      }, in it ${r1(q(xs.map((m) => m.done - m.at), 0.5))}/${
        r1(Math.max(0, ...xs.map((m) => m.done - m.at)))
      }`;
    const slowMsgs = mine.filter((m) => (slowest.get(Math.round(m.t * 10)) ?? 0) > SLOW);
    console.log(
      `   messages: all ${split(mine)} ms; those with a delivery > ${SLOW} ms (${slowMsgs.length}) ${
        split(slowMsgs)
      } ms`,
    );
  }
  const stepTx = txs.filter((x) => x.end >= t0 && x.t <= t1 + 100);
  if (stepTx.length) {
    const byFrom = new Map<string, number[]>();
    for (const x of stepTx) (byFrom.get(x.from) ?? byFrom.set(x.from, []).get(x.from)!).push(x.end - x.t);
    const during = (d: { t: number; ms: number }) =>
      stepTx.some((x) => x.from === "scan" && x.t <= d.t + d.ms && x.end >= d.t);
    console.log(
      `   transactions on the pool: ${
        [...byFrom].map(([f, ms]) =>
          `${f} ${ms.length} (p50/max ${r1(q(ms, 0.5))}/${r1(Math.max(...ms))} ms)`
        ).join(", ")
      }; deliveries whose wait overlaps a scan transaction: all ${
        r1(100 * ds.filter(during).length / ds.length)
      } %, > p99 ${
        r1(
          100 * ds.filter((d) => d.ms > p99).filter(during).length / Math.max(
            1,
            ds.filter((d) => d.ms > p99).length,
          ),
        )
      } %`,
    );
  }
  const stepPhases = scanPhases.filter((x) => x.end >= t0 && x.t <= t1 + 100);
  if (stepPhases.length) {
    const by = new Map<string, number[]>();
    for (const x of stepPhases) (by.get(x.phase) ?? by.set(x.phase, []).get(x.phase)!).push(x.end - x.t);
    console.log(
      `   scan phases (n, p50/max ms, total ms): ${
        [...by].map(([f, ms]) =>
          `${f} ${ms.length} ${r1(q(ms, 0.5))}/${r1(Math.max(...ms))} ${r1(ms.reduce((a, b) => a + b, 0))}`
        ).join(", ")
      }`,
    );
  }
  // The whole step: batches, commits, lag, GC.
  const sAll = inB(starts, t0, t1 + 1), cAll = inB(commits, t0, t1 + 1);
  const gAll = inB(gcWall, t0, t1 + 1);
  const lgAll = inB(loadgenGc, t0, t1 + 1);
  console.log(
    `   step: ${sAll.length} batch starts, ${
      r1(sAll.reduce((s, x) => s + x.n, 0) / Math.max(1, sAll.length))
    } sends each; ` +
      `wait for a batch p50/p99/max ${r1(q(sAll.map((s) => s.q), 0.5))}/${
        r1(q(sAll.map((s) => s.q), 0.99))
      }/${r1(Math.max(0, ...sAll.map((s) => s.q)))} ms (the batch's oldest send); commit p50/p99/max ${
        r1(q(cAll.map((c) => c.ms), 0.5))
      }/${r1(q(cAll.map((c) => c.ms), 0.99))}/${
        r1(Math.max(0, ...cAll.map((c) => c.ms)))
      } ms; server lag p99/max ${r1(q(inB(serverLag, t0, t1).map((l) => l.ms), 0.99))}/${
        r1(Math.max(0, ...inB(serverLag, t0, t1).map((l) => l.ms)))
      }; loadgen lag p99/max ${r1(q(inB(loadgenLag, t0, t1).map((l) => l.ms), 0.99))}/${
        r1(Math.max(0, ...inB(loadgenLag, t0, t1).map((l) => l.ms)))
      }; GCs ${gAll.length} (scavenges ${gAll.filter((g) => g.kind === "Scavenge").length}, pause p50/max ${
        r1(q(gAll.map((g) => g.ms), 0.5))
      }/${r1(Math.max(0, ...gAll.map((g) => g.ms)))} ms); loadgen GCs ${
        lgAll.map((g) => g.kind).reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())
          .entries().toArray().map(([k, n]) => `${n} ${k}`).join(", ") || "-"
      } (pause p50/max ${r1(q(lgAll.map((g) => g.ms), 0.5))}/${
        r1(Math.max(0, ...lgAll.map((g) => g.ms)))
      } ms)`,
  );
  if (disk.length) console.log(`   disk over the step: ${diskIn(t0, t1)}`);
  if (io.length) {
    console.log(
      `   dirtied during the step: ${dirtiers(t0, t1, 6)}; in the 40 s before: ${
        dirtiers(t0 - 40_000, t0, 6)
      }`,
    );
    // The kernel writes a dirty page back ~30 s after (vm.dirty_expire_centisecs): who dirtied what a
    // bucket with a large write-back wrote.
    for (const b of rows) {
      const a = t0 + b.k * BUCKET, z = a + BUCKET;
      const x = disk.findLast((d) => d.t <= a), y = disk.findLast((d) => d.t <= z);
      if (x && y && (y.sect - x.sect) / 2048 >= 2) {
        console.log(
          `   bucket ${((b.k * BUCKET) / 1000).toFixed(1)} wrote ${
            r1((y.sect - x.sect) / 2048)
          } MB; dirtied 25-40 s before it: ${dirtiers(a - 40_000, a - 25_000, 6)}`,
        );
      }
    }
  }
  // Do slow deliveries sit at GC pauses, commits > 10 ms, or lag? Share of > p99 deliveries whose send
  // falls within 30 ms before a GC pause / a slow commit's end.
  const near = (ts: number[], d: { t: number; ms: number }) =>
    ts.some((x) => x >= d.t - 5 && x <= d.t + d.ms);
  const overs = ds.filter((d) => d.ms > p99);
  const gcT = gAll.filter((g) => g.ms >= 2).map((g) => g.t);
  const slowC = cAll.filter((c) => c.ms > 5).map((c) => c.t);
  const lagT = inB(serverLag, t0, t1 + 100).filter((l) => l.ms > 3).map((l) => l.t);
  console.log(
    `   of the deliveries > p99: a GC pause >= 2 ms during its wait ${
      Math.round(100 * overs.filter((d) => near(gcT, d)).length / Math.max(1, overs.length))
    } %, a commit > 5 ms ending during it ${
      Math.round(100 * overs.filter((d) => near(slowC, d)).length / Math.max(1, overs.length))
    } %, a server lag tick > 3 ms during it ${
      Math.round(100 * overs.filter((d) => near(lagT, d)).length / Math.max(1, overs.length))
    } %; (all deliveries: GC ${
      Math.round(100 * ds.filter((d) => near(gcT, d)).length / ds.length)
    } %, commit ${Math.round(100 * ds.filter((d) => near(slowC, d)).length / ds.length)} %, lag ${
      Math.round(100 * ds.filter((d) => near(lagT, d)).length / ds.length)
    } %)`,
  );
}
