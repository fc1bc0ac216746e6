/** CPU use from Linux /proc: a process's user+system seconds and the whole machine's busy time. */

/** A process, or a process and every child it forked, dead or alive (`{ tree: pid }`: Postgres). */
export type CpuTarget = number | "self" | { tree: number };

/** The fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
function statFields(pid: number | "self"): string[] | null {
  try {
    const f = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return f.slice(f.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used, in seconds, or 0 when unknown. */
export function cpuSeconds(pid: number | "self"): number {
  const p = statFields(pid);
  return p ? (Number(p[11]) + Number(p[12])) / 100 : 0;
}

/**
 * CPU seconds of a process tree such as a Postgres cluster: the postmaster's own time, the time of the
 * children it has reaped (cutime + cstime: every backend that exited) and the time of its live children
 * (backends, WAL writer, checkpointer, autovacuum). One level deep, as Postgres forks.
 */
export function treeCpuSeconds(root: number): number {
  const p = statFields(root);
  if (!p) return 0;
  let jiffies = Number(p[11]) + Number(p[12]) + Number(p[13]) + Number(p[14]);
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const c = statFields(Number(e.name));
    if (c && Number(c[1]) === root) jiffies += Number(c[11]) + Number(c[12]);
  }
  return jiffies / 100;
}

const readCpu = (t: CpuTarget) => typeof t === "object" ? treeCpuSeconds(t.tree) : cpuSeconds(t);

/**
 * The machine's CPUs (lines `cpu0`, `cpu1` … of /proc/stat). Not `navigator.hardwareConcurrency`: in a
 * process pinned with taskset that counts only the CPUs it may use.
 */
function machineCores(): number {
  try {
    return Deno.readTextFileSync("/proc/stat").split("\n").filter((l) => /^cpu\d/.test(l)).length || 1;
  } catch {
    return navigator.hardwareConcurrency || 1;
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
export function cpuMeter(pids: Record<string, CpuTarget>) {
  const t0 = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, readCpu(p)]));
  const m0 = machineJiffies();
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const out: Record<string, number> = {};
    for (const [k, p] of Object.entries(pids)) {
      out[k] = Math.round(((readCpu(p) - start[k]) / secs) * 100) / 100;
    }
    const m1 = machineJiffies();
    const cores = machineCores();
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

/** Starts a measurement; `stop()` returns the CPU seconds each process used meanwhile (not rounded). */
export function cpuSecondsMeter(pids: Record<string, CpuTarget>) {
  const start = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, readCpu(p)]));
  return () => Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, readCpu(p) - start[k]]));
}

/**
 * Nanoseconds a process has run on a CPU (`/proc/<pid>/schedstat`, the scheduler's own clock: exact, where
 * the user + system times above are counted in 10 ms ticks), or 0 when unknown.
 */
export function runNanos(pid: number): number {
  try {
    return Number(Deno.readTextFileSync(`/proc/${pid}/schedstat`).split(" ")[0]);
  } catch {
    return 0;
  }
}

/**
 * What kind of Postgres process `pid` is, from its title (`postgres: walwriter`, `postgres: checkpointer`,
 * `postgres: autovacuum worker`, or a backend's `postgres: <user> <database> <host> <state>`): the
 * background process's name, or `backend <database>` (the server's database, or the bench's own `postgres`).
 */
function pgKind(pid: number): string {
  try {
    const title = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    const rest = title.replace(/^postgres:\s*/, "");
    if (rest === title) return "other";
    const m = /^\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(rest);
    if (m) return `backend ${m[1]}`;
    return rest.replace(/\s+(worker|launcher)\b.*$/, " $1").replace(/\s+\S*\d+.*$/, "").trim() || "other";
  } catch {
    return "other";
  }
}

/**
 * CPU seconds of a Postgres cluster by process kind (see `pgKind`), `postmaster` (its own time) and
 * `exited` (the time of backends and workers that ended, which the postmaster collected). A process that
 * ends during a measurement moves its time from its kind to `exited`, so compare sums, or kinds of
 * processes that live through it (the server's pooled connections, the background processes).
 */
export function treeCpuByKind(root: number): Record<string, number> {
  const p = statFields(root);
  if (!p) return {};
  const out: Record<string, number> = {
    postmaster: (Number(p[11]) + Number(p[12])) / 100,
    exited: (Number(p[13]) + Number(p[14])) / 100,
  };
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const c = statFields(Number(e.name));
    if (!c || Number(c[1]) !== root) continue;
    const k = pgKind(Number(e.name));
    out[k] = (out[k] ?? 0) + (Number(c[11]) + Number(c[12])) / 100;
  }
  return out;
}

/**
 * CPU seconds (`cpuSecondsMeter`'s `server` and `postgres`) over `n` units of work: `server_cpu_ms_per_<unit>`
 * and `postgres_cpu_ms_per_<unit>` (the latter when Postgres was measured), to 0.01 ms.
 */
export function perUnitMs(unit: string, cpu: { server?: number; postgres?: number }, n: number) {
  const ms = (s: number) => Math.round(s * 1000 / Math.max(1, n) * 100) / 100;
  return {
    ...cpu.server === undefined ? {} : { [`server_cpu_ms_per_${unit}`]: ms(cpu.server) },
    ...cpu.postgres === undefined ? {} : { [`postgres_cpu_ms_per_${unit}`]: ms(cpu.postgres) },
  };
}
