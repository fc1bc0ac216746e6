/** CPU use from Linux /proc: a process's user+system seconds and the whole machine's busy time. */

/** CPU time (user + system) a process has used, in seconds, or 0 when unknown. */
export function cpuSeconds(pid: number | "self"): number {
  try {
    const f = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const parts = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(parts[11]) + Number(parts[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of all CPUs together. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Starts a measurement; `stop()` returns each process's CPU use in cores (1.0 = one full core). */
export function cpuMeter(pids: Record<string, number | "self">) {
  const t0 = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  const m0 = machineJiffies();
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const out: Record<string, number> = {};
    for (const [k, p] of Object.entries(pids)) {
      out[k] = Math.round(((cpuSeconds(p) - start[k]) / secs) * 100) / 100;
    }
    const m1 = machineJiffies();
    const cores = navigator.hardwareConcurrency || 1;
    out.machine = m1.total > m0.total
      ? Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * cores * 100) / 100
      : 0;
    return out;
  };
}

/**
 * The machine is shared: waits (at most `maxSeconds`) until no more than `threshold` cores are busy over
 * a second, so a run does not start while something else is using the CPUs. Returns the last reading.
 */
export async function waitQuiet(maxSeconds: number, threshold = 0.3): Promise<number> {
  const until = performance.now() + maxSeconds * 1000;
  let busy = 0;
  do {
    const m = cpuMeter({});
    await new Promise((r) => setTimeout(r, 1000));
    busy = m().machine;
    if (busy <= threshold) return busy;
  } while (performance.now() < until);
  return busy;
}
