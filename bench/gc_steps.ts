/**
 * The server's garbage collections per step of the steady workload (bench/notes/gc_and_heap.md, "What
 * survives the server's scavenges"): reads a `--verbose` bench log run with the server's `--trace-gc-nvp`
 * (one JSON object per GC: pause, kind, bytes allocated, survived in the young generation, promoted) and
 * `BENCH_GC_MARK=1` (one forced GC at the server's start whose wall-clock time places the others on the
 * clock), and prints per step (the load generator's `rate` progress lines carry each step's start and end):
 * scavenges, their pause p50 / max, MB that survived a scavenge (copied inside the young generation or
 * promoted) and MB promoted, per scavenge and per second, mark-compacts, the step's p50 / p99, the server's
 * CPU µs per message and the cores the whole machine used (another helper's work shows there). Allocated MB/s
 * twice: the GCs' `allocated` summed over the step's seconds (whole scavenges of ~26 MB each), and between the
 * step's first and last GC (bench/notes/allocation_per_message.md).
 *
 *   BENCH_GC_MARK=1 BENCH_PARLEY_V8_FLAGS=--trace-gc-nvp flock /tmp/bench.lock deno task bench \
 *     --only=latency --servers=parley --curve=500 --quiet=2 --verbose > /tmp/run.log 2>&1
 *   deno run -A bench/gc_steps.ts /tmp/run.log [more logs …]
 */
type Gc = { t: number; kind: string; pause: number; promoted: number; survived: number; allocated: number };
type Step = {
  rate: number;
  start: number;
  end: number;
  p50: number;
  p99: number;
  usPerMsg: number;
  machine: number;
};

const pct = (a: number[], p: number) => {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const mb = (b: number) => (b / 1e6).toFixed(2);

function parse(path: string) {
  let mark: number | null = null;
  let markRel: number | null = null;
  const gcs: (Omit<Gc, "t"> & { rel: number })[] = [];
  const steps: Step[] = [];
  for (const line of Deno.readTextFileSync(path).split("\n")) {
    if (line.startsWith("[parley] gc-mark ")) {
      mark = Number(line.slice("[parley] gc-mark ".length));
      continue;
    }
    // Fields read one by one: a line can be cut where the server's own output came between two of V8's
    // buffered writes (the marker's own line, right before "gc-mark", always is).
    const g = /^\[parley\] \[[^\]]*\]\s+(\d+) ms: GC: \{/.exec(line);
    if (g) {
      const f = (k: string) => /^-?[\d.e+]+/.exec(line.split(`"${k}":`)[1] ?? "")?.[0];
      const kind = /"gc":"(\w+)"/.exec(line)?.[1] ?? "?";
      if (markRel === null && line.includes('"reason":"testing"')) markRel = +g[1];
      gcs.push({
        rel: +g[1],
        kind,
        pause: Number(f("pause") ?? NaN),
        promoted: Number(f("promoted") ?? 0),
        survived: Number(f("new_space_survived") ?? 0),
        allocated: Number(f("allocated") ?? 0),
      });
      continue;
    }
    const p = /^\[loadgen:steady:parley\] (\{.*\})\s*$/.exec(line);
    if (p) {
      const o = JSON.parse(p[1]);
      if (o.event === "progress" && o.what === "rate" && o.start) {
        steps.push({
          rate: o.rate,
          start: o.start,
          end: o.end,
          p50: o.p50,
          p99: o.p99,
          usPerMsg: o.cost?.server_us_per_msg ?? NaN,
          machine: o.cpu?.machine ?? NaN,
        });
      }
    }
  }
  if (mark === null || markRel === null) {
    throw new Error(`${path}: no gc-mark (BENCH_GC_MARK=1, --trace-gc-nvp)`);
  }
  const off = mark - markRel;
  return { steps, gcs: gcs.map(({ rel, ...r }) => ({ ...r, t: rel + off })) as Gc[] };
}

console.log(
  "log | rate | scavenges | pause p50 / max ms | survived MB per scavenge | promoted MB per scavenge | promoted MB/s | allocated MB/s | allocated MB/s between its GCs | mark-compacts (pause ms) | p50 / p99 ms | server µs/msg | machine cores",
);
for (const path of Deno.args.filter((a) => !a.startsWith("--"))) {
  const { steps, gcs } = parse(path);
  for (const s of steps) {
    const inStep = gcs.filter((g) => g.t >= s.start && g.t <= s.end);
    const sc = inStep.filter((g) => g.kind === "s");
    const mc = inStep.filter((g) => g.kind !== "s");
    const secs = (s.end - s.start) / 1000;
    const sum = (a: Gc[], k: keyof Gc) => a.reduce((n, g) => n + (g[k] as number), 0);
    console.log(
      [
        path.split("/").pop(),
        s.rate,
        sc.length,
        `${pct(sc.map((g) => g.pause), 0.5).toFixed(2)} / ${Math.max(...sc.map((g) => g.pause)).toFixed(2)}`,
        mb(sum(sc, "survived") / sc.length),
        mb(sum(sc, "promoted") / sc.length),
        mb(sum(inStep, "promoted") / secs),
        mb(sum(inStep, "allocated") / secs),
        // From the first of the step's GCs to its last: what was allocated between them over that time (not
        // quantised by whole scavenges, as the column before is).
        inStep.length > 1
          ? mb(sum(inStep.slice(1), "allocated") / ((inStep.at(-1)!.t - inStep[0].t) / 1000))
          : "-",
        mc.length ? `${mc.length} (${mc.map((g) => `${g.kind} ${g.pause.toFixed(1)}`).join(", ")})` : "0",
        `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)}`,
        s.usPerMsg.toFixed(0),
        s.machine,
      ].join(" | "),
    );
  }
}
