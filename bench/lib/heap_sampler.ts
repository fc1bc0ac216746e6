/**
 * V8's sampling heap profiler from inside a bench server (`node:inspector`), and the connect window: used by
 * `bench/servers/parley.ts` and `bench/servers/bare.ts` (bench/notes/gc_and_heap.md,
 * bench/notes/connect_garbage_and_hello.md). Nothing runs unless the server's variable asks for it.
 */

/** A sample per `interval` bytes; `all`: what scavenges free is kept too (every allocation, not survivors). */
export async function heapSampler(interval = 8192) {
  const { Session } = await import("node:inspector");
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((res, rej) =>
      session.post(method, params, (e: Error | null, r?: object) => e ? rej(e) : res(r as T))
    );
  await post("HeapProfiler.enable");
  return {
    start: (all: boolean) =>
      post("HeapProfiler.startSampling", {
        samplingInterval: interval,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: all,
      }),
    stop: async (file: string) => {
      const r = await post<{ profile: unknown }>("HeapProfiler.stopSampling");
      await Deno.writeTextFile(file, JSON.stringify(r.profile));
    },
    close: () => session.disconnect(),
  };
}

/**
 * BENCH_HEAP_SAMPLE_CONNECTS=DIR[,from,to[,survivors|off]] (with --expose-gc for `survivors`): what the server
 * allocates over a window of the connect burst, by allocation site (`bench/heap_sample.ts DIR/NAME.heapprofile`).
 * The window runs from the `from`-th socket opened (default 1,000) to the `to`-th (default 4,000); every
 * allocation is sampled (what scavenges free too), or with `survivors` only what lives through two scavenges
 * forced at the end (as BENCH_HEAP_SAMPLE does), or with `off` nothing (the window alone). Writes `DIR/NAME.window.json`: the sockets opened at the
 * window's start and end, its wall-clock start and end (`bench/connect_gc.ts` places `--trace-gc-nvp`'s lines
 * in it), so a sample's bytes can be divided per connect.
 */
export function connectWindow(name: string, opened: () => number) {
  const env = Deno.env.get("BENCH_HEAP_SAMPLE_CONNECTS");
  if (!env) return;
  const [dir, from = "1000", to = "4000", mode = ""] = env.split(",");
  const survivors = mode === "survivors", off = mode === "off";
  const wall = () => performance.timeOrigin + performance.now();
  void (async () => {
    const sampler = await heapSampler();
    let started: { at: number; opened: number } | null = null;
    const poll = setInterval(async () => {
      const n = opened();
      if (!started && n >= Number(from)) {
        started = { at: wall(), opened: n };
        if (!off) await sampler.start(!survivors);
      } else if (started && n >= Number(to)) {
        clearInterval(poll);
        const end = { at: wall(), opened: n };
        if (survivors && !off) {
          const gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
          gc?.({ type: "minor" });
          gc?.({ type: "minor" });
        }
        if (!off) await sampler.stop(`${dir}/${name}.heapprofile`);
        const window = { from: started, to: end, mode: mode || "all", ms: end.at - started.at };
        await Deno.writeTextFile(`${dir}/${name}.window.json`, JSON.stringify(window));
      }
    }, 5);
  })();
}
