/**
 * The servers' garbage collections over the connect window (bench/notes/connect_garbage_and_hello.md): reads a
 * `--verbose` bench log of the connections workload run with `--trace-gc-nvp` (BENCH_PARLEY_V8_FLAGS,
 * BENCH_BARE_V8_FLAGS), BENCH_GC_MARK=1 (places V8's lines on the clock) and BENCH_HEAP_SAMPLE_CONNECTS (whose
 * `NAME.window.json` gives the window: wall-clock start and end, sockets opened at each), and prints per server
 * the GCs whose time falls in the window: scavenges and mark-compacts, pauses (sum, p50, max), and per connect
 * the pause, V8's helper threads' time, the bytes allocated (V8's `allocated`, since the GC before), what survived a scavenge and what
 * was promoted.
 *
 *   BENCH_GC_MARK=1 BENCH_PARLEY_V8_FLAGS=--trace-gc-nvp BENCH_BARE_V8_FLAGS=--trace-gc-nvp \
 *     BENCH_HEAP_SAMPLE_CONNECTS=/tmp/dir,1000,4000 flock /tmp/bench.lock deno task bench --quick \
 *     --only=connections --servers=parley,bare --baselines --connections=5000 --quiet=2 --verbose > /tmp/dir/run.log 2>&1
 *   deno run -A bench/connect_gc.ts /tmp/dir/run.log /tmp/dir
 */
const [logPath, dir] = Deno.args;
type Gc = {
  rel: number;
  kind: string;
  pause: number;
  background: number;
  allocated: number;
  survived: number;
  promoted: number;
};
const per = new Map<string, { mark: number | null; markRel: number | null; gcs: Gc[] }>();
for (const line of Deno.readTextFileSync(logPath).split("\n")) {
  const m = /^\[(parley|bare)\] (.*)$/.exec(line);
  if (!m) continue;
  const [, label, rest] = m;
  let s = per.get(label);
  if (!s) per.set(label, s = { mark: null, markRel: null, gcs: [] });
  if (rest.startsWith("gc-mark ")) {
    s.mark = Number(rest.slice(8));
    continue;
  }
  const g = /^\[[^\]]*\]\s+(\d+) ms: GC: \{/.exec(rest);
  if (!g) continue;
  const f = (k: string) => Number(/^-?[\d.e+]+/.exec(rest.split(`"${k}":`)[1] ?? "")?.[0] ?? 0);
  if (s.markRel === null && rest.includes('"reason":"testing"')) s.markRel = +g[1];
  s.gcs.push({
    rel: +g[1],
    kind: /"gc":"(\w+)"/.exec(rest)?.[1] ?? "?",
    pause: f("pause"),
    // V8's helper threads' share of the collection (CPU beside the main thread's pause, on the other core).
    background: f("background.scavenge.parallel") + f("background.mark") + f("background.evacuate.copy") +
      f("background.sweep"),
    allocated: f("allocated"),
    survived: f("new_space_survived"),
    promoted: f("promoted"),
  });
}
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))] ?? NaN;
for (const [label, s] of per) {
  let win: { from: { at: number; opened: number }; to: { at: number; opened: number } };
  try {
    win = JSON.parse(Deno.readTextFileSync(`${dir}/${label}.window.json`));
  } catch {
    console.log(`${label}: no ${dir}/${label}.window.json`);
    continue;
  }
  if (s.mark === null || s.markRel === null) {
    console.log(`${label}: no gc-mark (BENCH_GC_MARK=1 and --trace-gc-nvp)`);
    continue;
  }
  const at = (g: Gc) => s.mark! + (g.rel - s.markRel!);
  const inside = s.gcs.filter((g) => at(g) >= win.from.at && at(g) <= win.to.at);
  const n = win.to.opened - win.from.opened;
  const sc = inside.filter((g) => g.kind === "s");
  const sum = (a: Gc[], k: keyof Gc) => a.reduce((t, g) => t + (g[k] as number), 0);
  const pauses = sc.map((g) => g.pause);
  console.log(
    `${label}: ${n} connects in ${(win.to.at - win.from.at).toFixed(0)} ms; ${sc.length} scavenges ` +
      `(pause sum ${sum(sc, "pause").toFixed(1)} ms, p50 ${pct(pauses, 0.5).toFixed(2)}, max ` +
      `${Math.max(0, ...pauses).toFixed(2)}), other GCs: ${
        inside.filter((g) => g.kind !== "s").map((g) => `${g.kind} ${g.pause.toFixed(1)} ms`).join(", ") ||
        "none"
      }`,
  );
  const kb = (b: number) => (b / n / 1e3).toFixed(1);
  console.log(
    `  per connect: pause ${(1000 * sum(inside, "pause") / n).toFixed(1)} µs (scavenges ${
      (1000 * sum(sc, "pause") / n).toFixed(1)
    }), helper threads ${(1000 * sum(inside, "background") / n).toFixed(1)} µs, allocated ${
      kb(sum(inside, "allocated"))
    } KB, survived a scavenge ${kb(sum(sc, "survived"))} KB, ` +
      `promoted ${kb(sum(sc, "promoted"))} KB`,
  );
}
