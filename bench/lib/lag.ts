/**
 * Event-loop lag of a server under test, per step of a workload. The server (`bench/servers/*.ts`, with
 * `BENCH_LAG_FILE` set by `startServer`) runs a 10 ms timer and notes how late each tick fires; every 250 ms
 * it appends the samples to the file as `wallMs lagMs` lines. A load generator reads the samples that fall
 * in a step (`lagMeter`) and reports p50, p99 and max. A late tick means everything else queued on the loop
 * (a frame, a commit's answer, a socket write) waited as long: a long synchronous task or a GC pause.
 */

import { lineFile } from "./line_file.ts";

const TICK_MS = 10;

/** Server side: samples until the process ends. */
export function startLagSampler(file: string) {
  let last = performance.now();
  const note = lineFile(file);
  const tick = setInterval(() => {
    const now = performance.now();
    note(`${Math.round(performance.timeOrigin + now)} ${(now - last - TICK_MS).toFixed(2)}`);
    last = now;
  }, TICK_MS);
  Deno.unrefTimer(tick);
}

export interface LagSummary {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Ticks at least 10 ms late (the loop was blocked for a tick or more). */
  over_10ms: number;
}

/** Load generator side: call at a step's start; the function it returns summarises the step so far. */
export function lagMeter(file: string | undefined) {
  const t0 = Date.now();
  return async (): Promise<LagSummary | null> => {
    if (!file) return null;
    const t1 = Date.now();
    // The server appends every 250 ms: wait for the samples up to now.
    await new Promise((r) => setTimeout(r, 300));
    let text = "";
    try {
      text = await Deno.readTextFile(file);
    } catch {
      return null;
    }
    const lags: number[] = [];
    for (const line of text.split("\n")) {
      const sp = line.indexOf(" ");
      if (sp < 0) continue;
      const t = Number(line.slice(0, sp));
      if (t >= t0 && t <= t1) lags.push(Math.max(0, Number(line.slice(sp + 1))));
    }
    if (!lags.length) return null;
    lags.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] * 10) / 10;
    return {
      samples: lags.length,
      p50_ms: at(0.5),
      p99_ms: at(0.99),
      max_ms: Math.round(lags[lags.length - 1] * 10) / 10,
      over_10ms: lags.filter((l) => l >= 10).length,
    };
  };
}
