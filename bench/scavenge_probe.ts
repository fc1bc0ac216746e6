/**
 * What a scavenge's pause costs for what it keeps, outside the server (bench/notes/scavenges_and_the_500_tail.md):
 * `sockets` objects in the old generation (promoted by a full GC first), each given a fresh young object every
 * frame as a socket's pending read is (a promise, its resolve function and a small record: an old-to-new pointer
 * the scavenger finds through the remembered set), `frames` per second of them over all sockets, and about
 * `kb` KB of garbage per frame that dies at once; `keepKb` KB per frame live for `keepMs` (what survives a
 * scavenge and is then promoted). Prints each scavenge from V8's `--trace-gc-nvp` (run with it) summarised by
 * the script's caller, or by itself from `performance` timings: the loop's own gaps over 2 ms.
 *
 *   flock /tmp/bench.lock taskset -c 0 deno run -A --v8-flags=--expose-gc,--trace-gc-nvp bench/scavenge_probe.ts \
 *     [sockets=2000] [frames=500] [kb=31] [keepKb=2.5] [keepMs=4000] [seconds=10] > /tmp/probe.log
 *   deno run -A bench/scavenge_probe.ts --summary /tmp/probe.log
 */
const summary = Deno.args[0] === "--summary";
if (summary) {
  const rows = Deno.readTextFileSync(Deno.args[1]).split("\n").filter((l) => l.includes('"gc":"s"'));
  const num = (l: string, k: string) => Number(/^-?[\d.e+]+/.exec(l.split(`"${k}":`)[1] ?? "")?.[0] ?? NaN);
  // The steady part: skip the first third (the live set builds up).
  const steady = rows.slice(Math.floor(rows.length / 3));
  const med = (k: string) => {
    const v = steady.map((l) => num(l, k)).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  console.log(
    `scavenges ${steady.length} (of ${rows.length}); median pause ${med("pause")} ms, parallel ${
      med("scavenge.parallel")
    } + background ${med("background.scavenge.parallel")}, roots ${
      med("scavenge.roots")
    }, sweep_array_buffers ${med("scavenge.sweep_array_buffers")}; survived ${
      (med("new_space_survived") / 1e6).toFixed(2)
    } MB, promoted ${(med("promoted") / 1e6).toFixed(2)} MB, allocated ${
      (med("allocated") / 1e6).toFixed(1)
    } MB`,
  );
  Deno.exit(0);
}
const [sockets = 2000, frames = 500, kb = 31, keepKb = 2.5, keepMs = 4000, seconds = 10] = Deno.args.map(
  Number,
);
const gc = (globalThis as { gc?: () => void }).gc;

class Socket {
  pending: { promise: Promise<unknown>; resolve: (v: unknown) => void; at: number } | null = null;
  seq = 0;
}
const socks = Array.from({ length: sockets }, () => new Socket());
gc?.();
gc?.();

/** What lives a while: records held in a queue until they are `keepMs` old. */
const kept: { at: number; v: unknown }[] = [];
let sink = 0;
const frame = (now: number, i: number) => {
  if (sockets) {
    const s = socks[i % sockets];
    s.pending?.resolve(null);
    const w = Promise.withResolvers<unknown>();
    s.pending = { promise: w.promise, resolve: w.resolve, at: now };
    s.seq++;
  }
  // Garbage: small objects and strings, as a frame's parse, checks and answer make.
  let made = 0;
  while (made < kb * 1024) {
    const o = {
      type: "send",
      id: `r${i}-${made}`,
      body: "x".repeat(40),
      n: made,
      list: [made, made + 1, made + 2],
    };
    sink += o.list.length + o.id.length;
    made += 200;
  }
  if (keepKb > 0) {
    const n = Math.round((keepKb * 1024) / 100);
    kept.push({ at: now, v: Array.from({ length: n }, (_, k) => ({ k, s: `${i}:${k}` })) });
  }
  while (kept.length && now - kept[0].at > keepMs) kept.shift();
};

const start = performance.now();
let i = 0;
while (performance.now() - start < seconds * 1000) {
  const now = performance.now();
  const due = Math.floor(((now - start) / 1000) * frames);
  while (i < due) frame(now, i++);
  await new Promise((r) => setTimeout(r, 1));
}
console.error(`frames ${i} sink ${sink}`);
