/**
 * Child processes for the benchmark: servers and load generators, optionally pinned to a core with
 * `taskset`, talking JSON lines on stdout. Only processes started here are ever signalled, by pid.
 */
import { existsSync } from "node:fs";

export interface ProcOptions {
  /** A `taskset -c` CPU list, e.g. "0"; ignored when taskset is missing or pinning is off. */
  cpu?: string;
  env?: Record<string, string>;
  cwd?: string;
  label: string;
  verbose?: boolean;
}

export let pinning = existsSync("/usr/bin/taskset") && (Deno.env.get("BENCH_NO_PIN") ?? "") === "";
export const setPinning = (on: boolean) => pinning = on && existsSync("/usr/bin/taskset");

export class Proc {
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  #lines: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  #stderr = "";
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  exited = false;
  readonly status: Promise<Deno.CommandStatus>;

  constructor(cmd: string[], readonly opts: ProcOptions) {
    const full = opts.cpu !== undefined && pinning ? ["taskset", "-c", opts.cpu, ...cmd] : cmd;
    this.child = new Deno.Command(full[0], {
      args: full.slice(1),
      env: { DENO_NO_UPDATE_CHECK: "1", ...opts.env },
      cwd: opts.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.child.pid;
    this.#stdin = this.child.stdin.getWriter();
    this.status = this.child.status.then((s) => {
      this.exited = true;
      this.#wake();
      return s;
    });
    void this.#read();
    void this.#readErr();
  }

  async #read() {
    let buf = "";
    for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.#lines.push(JSON.parse(line));
        } catch {
          if (this.opts.verbose) console.error(`[${this.opts.label}] ${line}`);
        }
        this.#wake();
      }
    }
  }

  async #readErr() {
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      this.#stderr = (this.#stderr + chunk).slice(-6000);
      if (this.opts.verbose) {
        for (const l of chunk.split("\n")) if (l) console.error(`[${this.opts.label}!] ${l}`);
      }
    }
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** The next JSON line matching `pred` (lines before it that do not match are dropped). */
  async next(
    pred: (o: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    const until = Date.now() + timeoutMs;
    while (true) {
      while (this.#lines.length) {
        const o = this.#lines.shift()!;
        if (this.opts.verbose && o.event === "progress") {
          console.error(`[${this.opts.label}]`, JSON.stringify(o));
        }
        if (pred(o)) return o;
      }
      if (this.exited) throw new Error(`${this.opts.label} exited early:\n${this.#stderr}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`${this.opts.label}: timed out waiting for output\n${this.#stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async write(line: string) {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  signal(sig: Deno.Signal) {
    if (!this.exited) {
      try {
        this.child.kill(sig);
      } catch { /* gone */ }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000) {
    this.signal("SIGTERM");
    const t = setTimeout(() => this.signal("SIGKILL"), graceMs);
    await this.status;
    clearTimeout(t);
    await this.#stdin.close().catch(() => {});
  }

  stderrTail() {
    return this.#stderr;
  }
}

/** Resident memory of a process in bytes (Linux /proc), or 0. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every process whose parent is `ppid` (Linux /proc). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const f = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (Number(f.slice(f.lastIndexOf(")") + 2).split(" ")[1]) === ppid) out.push(Number(e.name));
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Pins the Postgres cluster whose postmaster is the parent of `backendPid` (and every process it has
 * forked so far; later backends inherit the postmaster's affinity) to `cpu`. Returns how many were pinned.
 */
export async function pinPostgres(backendPid: number, cpu: string): Promise<number> {
  if (!pinning) return 0;
  const f = Deno.readTextFileSync(`/proc/${backendPid}/stat`);
  const postmaster = Number(f.slice(f.lastIndexOf(")") + 2).split(" ")[1]);
  const pids = [postmaster, ...childrenOf(postmaster)];
  for (const pid of pids) {
    await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", cpu, String(pid)],
      stdout: "null",
      stderr: "null",
    })
      .output();
  }
  return pids.length;
}
