/**
 * The report of a profiled run (`deno task bench --profile`), bench/results/profile.md: for each workload
 * that ran with a profile, from Parley's server `.cpuprofile`(s) of that workload (bench/run.ts writes them
 * to bench/results/profiles/<time>/<workload>/): the profile's length and samples, the busy time by owner,
 * the top functions by self time, Parley's own top functions by inclusive time, and Postgres' top statements
 * (`postgres_statements` in the results). Made at the end of a profiled run, or again from the files by
 * bench/profile_report.ts. Twenty-first pass.
 */
import { type CpuProfile, eachSample, readProfile } from "./cpuprofile.ts";
import { functionTimes, type Profile, window } from "./profile.ts";
import { codeKind, ownFile } from "./code_owner.ts";

/** The repository's root as a file URL prefix (`file:///work/main/`), for paths relative to it. */
const ROOT = new URL("../../", import.meta.url).href;

/** A frame's file for a reader: relative to the repository, `postgres/src/connection.js`, or `ext:…`. */
export function shortFile(url: string): string {
  const npm = url.match(/\/node_modules\/([^.][^/]*\/(?:.*))$/);
  if (npm) return npm[1];
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  return url.replace(/^file:\/\//, "");
}

/**
 * Who a sample's leaf frame belongs to: `(idle)`, `GC`, `(program)` (V8 and the runtime's native code),
 * Parley's code by top directory (`realtime/`, `db/`, `main.ts`), postgres.js, Hono, zod,
 * `Deno runtime ext:deno_node` (by extension), or `other` (another npm package, an unnamed frame).
 */
export function leafOwner(functionName: string, url: string): string {
  const k = codeKind(functionName, url);
  if (k === "(garbage collector)") return "GC";
  if (k === "(root)") return "(program)";
  if (k === "(idle)" || k === "(program)" || k === "hono" || k === "zod") return k;
  if (k.startsWith("postgres.js")) return "postgres.js";
  if (k.startsWith("deno ")) return `Deno runtime ${k.slice(5).split("/")[0]}`;
  if (k === "app") return `Parley ${topDir(url)}`;
  return "other";
}

/** `realtime/` for realtime/server/hub.ts, `main.ts` for a file at the root. */
function topDir(url: string): string {
  const rel = url.startsWith(ROOT) ? url.slice(ROOT.length) : ownFile(url) ?? url;
  const i = rel.indexOf("/");
  return i < 0 ? rel : rel.slice(0, i + 1);
}

export interface FunctionTime {
  name: string;
  /** The frame's URL as V8 gives it ("" for a built-in or native function). */
  url: string;
  file: string;
  ms: number;
}

export interface ProfileSummary {
  file: string;
  /** From the profile's first to its last sample, ms. */
  lengthMs: number;
  samples: number;
  /** Sampled time not idle, ms. */
  busyMs: number;
  /** Busy ms by the owner of each sample's leaf frame (`leafOwner`). */
  owners: Map<string, number>;
  /** Busy ms by the top directory of the nearest Parley file up each sample's stack (none: not counted). */
  under: Map<string, number>;
  /** Busy ms by function, self and inclusive (a function's key: name, file and line). */
  self: Map<string, FunctionTime>;
  inclusive: Map<string, FunctionTime>;
}

/** Whether a profile is Parley's server (bench/servers/parley.ts), not the bare baseline's. */
export function isParley(p: CpuProfile): boolean {
  return p.nodes.some((n) => n.callFrame.url.endsWith("/bench/servers/parley.ts"));
}

/** One profile's summary: its samples by owner (bench/lib/cpuprofile.ts) and by function (bench/lib/profile.ts). */
export function summariseProfile(file: string): ProfileSummary {
  const { p, byId, parent } = readProfile(file);
  const owners = new Map<string, number>();
  const under = new Map<string, number>();
  let busyUs = 0;
  eachSample(p, -Infinity, Infinity, (id, us) => {
    // A built-in or native function (no file: JSON.stringify, a Deno op, a Buffer write) counts for the
    // code that called it.
    let c: number | undefined = id;
    while (
      c !== undefined && !byId.get(c)!.callFrame.url && !byId.get(c)!.callFrame.functionName.startsWith("(")
    ) c = parent.get(c);
    const leaf = byId.get(c ?? id)!.callFrame;
    const owner = c === undefined ? "other" : leafOwner(leaf.functionName, leaf.url);
    if (owner === "(idle)") return;
    busyUs += us;
    owners.set(owner, (owners.get(owner) ?? 0) + us / 1000);
    for (c = id; c !== undefined; c = parent.get(c)) {
      const url = byId.get(c)!.callFrame.url;
      if (ownFile(url)) {
        const d = topDir(url);
        under.set(d, (under.get(d) ?? 0) + us / 1000);
        break;
      }
    }
  });
  // Hits per node from the samples (a window over all of them), then by function.
  const t = functionTimes(window(p as unknown as Profile, -1, 1e12));
  const byFunction = (m: Map<string, number>) => {
    const out = new Map<string, FunctionTime>();
    for (const [k, hits] of m) {
      const f = t.frames.get(k)!;
      // V8's own entries (idle, GC, program) are in the owners' table.
      if (/^\((idle|root|program|garbage collector)\)$/.test(f.functionName)) continue;
      out.set(k, {
        name: f.functionName || "(anonymous)",
        url: f.url,
        file: f.url ? `${shortFile(f.url)}:${f.lineNumber + 1}` : "(built-in)",
        ms: hits * t.msPerHit,
      });
    }
    return out;
  };
  const times = p.samples.length ? p.timeDeltas.reduce((s, d) => s + d, 0) : 0;
  return {
    file,
    lengthMs: times / 1000,
    samples: p.samples.length,
    busyMs: busyUs / 1000,
    owners,
    under,
    self: byFunction(t.self),
    inclusive: byFunction(t.inclusive),
  };
}

export interface Statement {
  calls: number;
  total_ms: number;
  mean_ms: number;
  max_ms?: number;
  rows?: number;
  query: string;
}

export interface Statements {
  calls: number;
  total_ms: number;
  jit_functions?: number;
  jit_ms?: number;
  top: Statement[];
}

/** Sums of several profiles' maps (a workload that started Parley more than once, e.g. per channel size). */
function sumMaps(ms: Map<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of ms) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

function sumFunctions(ms: Map<string, FunctionTime>[]): FunctionTime[] {
  const out = new Map<string, FunctionTime>();
  for (const m of ms) {
    for (const [k, f] of m) {
      const o = out.get(k);
      out.set(k, o ? { ...o, ms: o.ms + f.ms } : { ...f });
    }
  }
  return [...out.values()].sort((a, b) => b.ms - a.ms);
}

const ms0 = (ms: number) => ms.toFixed(0);
const pct = (part: number, whole: number) => whole > 0 ? `${(100 * part / whole).toFixed(1)} %` : "-";
const cell = (s: string) => s.replace(/\|/g, "\\|");
const shortQuery = (q: string, n = 100) => {
  const one = q.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** What each workload's Parley profile covers (read from how bench/workloads/*.ts start Parley). */
function coverage(workload: string, params: Record<string, Record<string, unknown>>, n: number): string {
  const p = params?.[workload] ?? {};
  const list = (v: unknown) => Array.isArray(v) ? v.join(", ") : String(v ?? "?");
  switch (workload) {
    case "fanout":
      return `One Parley process per channel size (${
        list(p.groups)
      }; ${n} profile(s)), each profiled from its ` +
        `start to its stop: connecting ${p.users} users, the quiet wait (idle), then every step of the ` +
        `fan-out (${
          list(p.steps)
        } deliveries/s and the steps between them the search tries, ${p.stepSeconds} s ` +
        `each, with a 1.5 s drain). The steps' windows are not recorded on the profile's clock, so the ` +
        `figures are the whole workload: the busy time is mostly the higher steps.`;
    case "latency":
      return `One Parley process profiled from its start to its stop: connecting ${p.users} users, the quiet ` +
        `wait, the warm-up, then each rate of the steady curve (${
          list(p.curve)
        } messages/s, ${p.seconds} s ` +
        `each, channels of ${p.group}). The rates' windows are not recorded on the profile's clock: the ` +
        `figures are all rates together, so the highest rate weighs most.`;
    case "history":
      return `One Parley process profiled from its start to its stop: the quiet wait, then ${p.requests} ` +
        `history pages one at a time (the latest page and a deep one in turn, a /healthz after each).`;
    case "connections":
      return `One Parley process profiled from its start to its stop: ${p.count} authenticated WebSocket ` +
        `connections opened (workspaces of ${p.workspaceUsers}), held idle for the memory readings ` +
        `(${p.settleSeconds} s, ${p.lateSeconds} s), then released.`;
    default:
      return `Parley's process(es) of this workload, each from start to stop (${n} profile(s)).`;
  }
}

type Json = Record<string, unknown>;
const num = (v: unknown) => typeof v === "number" ? v : 0;

/**
 * What each Parley profile of a workload served, from the results: [count, unit] per profile (fan-out: the
 * deliveries of every step of that channel size; steady: every rate's deliveries; history: pages, each with a
 * /healthz; connections: connects), or null when the results do not say.
 */
export function units(workload: string, results: Json, profiles: number): [number, string][] | null {
  const parley = ((results[workload] as Json | undefined)?.parley ?? null) as Json | null;
  if (!parley) return null;
  const groups = ((results.parameters as Json | undefined)?.fanout as Json | undefined)?.groups;
  if (workload === "fanout" && Array.isArray(groups) && groups.length === profiles) {
    const by = (parley.by_group ?? {}) as Record<string, { steps?: Json[] }>;
    return groups.map((
      g,
    ) => [(by[String(g)]?.steps ?? []).reduce((a, st) => a + num(st.delivered), 0), "delivery"]);
  }
  if (profiles !== 1) return null;
  if (workload === "latency" && Array.isArray(parley.curve)) {
    return [[(parley.curve as Json[]).reduce((a, c) => a + num(c.delivered), 0), "delivery"]];
  }
  if (workload === "history" && num(parley.requests)) return [[num(parley.requests), "page"]];
  if (workload === "connections" && num(parley.count)) return [[num(parley.count), "connect"]];
  return null;
}

/** Parley's `.cpuprofile`s in `dir` (bare's are left out), oldest first (V8 names them CPU.<ms>.<pid>). */
export function parleyProfiles(dir: string): string[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".cpuprofile"))
      .map((e) => e.name).sort();
  } catch {
    return [];
  }
  return names.map((n) => `${dir}/${n}`).filter((f) => isParley(readProfile(f).p));
}

function workloadSection(
  workload: string,
  summaries: ProfileSummary[],
  statements: Statements | { error: string } | undefined,
  params: Record<string, Record<string, unknown>>,
  labels: string[],
  served: [number, string][] | null,
): string[] {
  const out: string[] = [`## ${workload}`, ""];
  out.push(coverage(workload, params, summaries.length), "");
  const busy = summaries.reduce((s, x) => s + x.busyMs, 0);
  out.push(
    summaries.map((s, i) =>
      `${labels[i] ? `${labels[i]}: ` : ""}${(s.lengthMs / 1000).toFixed(1)} s, ${s.samples} samples, ` +
      `busy ${(s.busyMs / 1000).toFixed(1)} s (\`${s.file.split("/").slice(-2).join("/")}\`)`
    ).join("; ") + ".",
    "",
  );
  if (served) {
    out.push(
      "Busy time per unit of work (start-up, connecting and idle waits included: an upper bound on what one " +
        "costs; the runs of record measure the server's CPU per unit in the steps themselves): " +
        served.map(([n, unit], i) =>
          `${labels[i] ? `${labels[i]} ` : ""}${
            n ? (1000 * summaries[i].busyMs / n).toFixed(1) : "-"
          } µs per ${unit} ` +
          `(${n} ${unit === "delivery" ? "deliveries" : `${unit}s`})`
        ).join("; ") + ".",
      "",
    );
  }
  // Owners: a column per profile when there are several, and the whole.
  const owners = sumMaps(summaries.map((s) => s.owners));
  const sorted = [...owners].sort((a, b) => b[1] - a[1]);
  const shown = sorted.filter(([, ms]) => ms >= busy * 0.005);
  const rest = sorted.filter(([, ms]) => ms < busy * 0.005);
  const cols = summaries.length > 1 ? labels.map((l) => ` ${l} |`).join("") : "";
  out.push(
    "Busy time by owner of the sampled (leaf) frame:",
    "",
    `| owner | ms | share of busy |${cols}`,
    `|---|--:|--:|${summaries.length > 1 ? summaries.map(() => "--:|").join("") : ""}`,
  );
  const perProfile = (k: string | null) =>
    summaries.length > 1
      ? summaries.map((s) => {
        const v = k === null
          ? [...s.owners].filter(([, ms]) => ms < busy * 0.005).reduce((a, [, ms]) => a + ms, 0)
          : s.owners.get(k) ?? 0;
        return ` ${pct(v, s.busyMs)} |`;
      }).join("")
      : "";
  for (const [k, ms] of shown) out.push(`| ${k} | ${ms0(ms)} | ${pct(ms, busy)} |${perProfile(k)}`);
  if (rest.length) {
    const ms = rest.reduce((a, [, v]) => a + v, 0);
    out.push(`| ${rest.length} others, < 0.5 % each | ${ms0(ms)} | ${pct(ms, busy)} |${perProfile(null)}`);
  }
  const parley = shown.concat(rest).filter(([k]) => k.startsWith("Parley ")).reduce((a, [, v]) => a + v, 0);
  const share = (f: (k: string) => boolean) => sorted.filter(([k]) => f(k)).reduce((a, [, v]) => a + v, 0);
  const under = [...sumMaps(summaries.map((s) => s.under))].sort((a, b) => b[1] - a[1]);
  const underAll = under.reduce((a, [, v]) => a + v, 0);
  out.push(
    "",
    `By kind, of busy: Parley's own code ${pct(parley, busy)}, Deno's runtime (all \`ext:\` and \`node:\`) ${
      pct(share((k) => k.startsWith("Deno runtime ")), busy)
    }, postgres.js ${pct(share((k) => k === "postgres.js"), busy)}, Hono and zod ${
      pct(share((k) => k === "hono" || k === "zod"), busy)
    }, GC ${pct(share((k) => k === "GC"), busy)}, (program) ${pct(share((k) => k === "(program)"), busy)}. ` +
      `Under a Parley frame (the nearest of ` +
      `Parley's files up the stack, callees included): ${pct(underAll, busy)} — ${
        under.slice(0, 6).map(([k, v]) => `${k} ${pct(v, busy)}`).join(", ")
      }.`,
    "",
  );
  const self = sumFunctions(summaries.map((s) => s.self)).slice(0, 12);
  out.push(
    "Top functions by self time:",
    "",
    "| function | file:line | ms | % of busy |",
    "|---|---|--:|--:|",
  );
  for (const f of self) out.push(`| ${cell(f.name)} | ${cell(f.file)} | ${ms0(f.ms)} | ${pct(f.ms, busy)} |`);
  const incl = sumFunctions(summaries.map((s) => s.inclusive))
    .filter((f) => ownFile(f.url) && !f.file.startsWith("bench/"))
    .slice(0, 8);
  out.push(
    "",
    "Parley's own functions by inclusive time (callees included):",
    "",
    "| function | file:line | ms | % of busy |",
    "|---|---|--:|--:|",
  );
  for (const f of incl) out.push(`| ${cell(f.name)} | ${cell(f.file)} | ${ms0(f.ms)} | ${pct(f.ms, busy)} |`);
  out.push("");
  if (!statements) {
    out.push("Postgres' statements: none in the results (a run without `--profile`?).", "");
  } else if ("error" in statements) {
    out.push(`Postgres' statements: not read (${statements.error}).`, "");
  } else {
    out.push(
      `Postgres' top statements (pg_stat_statements over the whole workload: its fixture's statements, and ` +
        `the Socket.io baseline's, which writes to the same Postgres, included): ` +
        `all statements ${statements.calls} calls, ${statements.total_ms} ms` +
        (statements.jit_functions !== undefined
          ? `; JIT ${statements.jit_functions} functions, ${statements.jit_ms} ms`
          : "") +
        ".",
      "",
      "| calls | total ms | mean ms | statement |",
      "|--:|--:|--:|---|",
    );
    for (const s of statements.top.slice(0, 8)) {
      out.push(`| ${s.calls} | ${s.total_ms} | ${s.mean_ms} | \`${cell(shortQuery(s.query))}\` |`);
    }
    out.push("");
  }
  return out;
}

export interface ReportOptions {
  /** The command that made the run, for the header. */
  command?: string;
  /** Summaries per workload instead of reading `dir` (the test's fixture). */
  profiles?: Record<string, string[]>;
}

/**
 * The markdown report from a run's results (its JSON, as written) and its profiles' folder (a
 * `<workload>/` folder of `.cpuprofile`s for each workload).
 */
export function profileReport(
  results: Record<string, unknown>,
  dir: string,
  o: ReportOptions = {},
): string {
  const params = (results.parameters ?? {}) as Record<string, Record<string, unknown>> & {
    workloads?: string[];
  };
  const machine = (results.machine ?? {}) as Record<string, unknown>;
  const workloads = (params.workloads as unknown as string[] | undefined) ??
    Object.keys(results).filter((k) =>
      typeof results[k] === "object" && k !== "machine" && k !== "parameters"
    );
  const out = [
    "# Where Parley's time goes: the CPU profile and Postgres' top statements",
    "",
    "Written at the end of each profiled run (`deno task bench … --profile`), or again from a run's files with " +
    "`deno run -A bench/profile_report.ts RESULTS.json bench/results/profiles/<time> > bench/results/profile.md`" +
    ` (bench/notes/profile_report.md). This copy: the run whose results were written at ${
      results.generated_at ?? "?"
    } (workloads ${workloads.join(", ")}), made by \`${
      o.command ?? "?"
    }\`. Load average at the end of the run: ${
      Array.isArray(machine.loadavg_at_end) ? machine.loadavg_at_end.join(" ") : "?"
    }.`,
    "",
    "**A profiled run's latency and throughput figures are perturbed by the profiler** (V8's sampler in " +
    "Parley's process, pg_stat_statements in Postgres): the runs of record are the unprofiled ones " +
    "(bench/results/latest.md). What this page is for is where the time goes, in shares.",
    "",
    "Each profile is V8's sampling profile of Parley's server process (`deno run --cpu-prof`, a sample " +
    "about every ms). *Busy* is sampled time that is not idle. *Owner* is whose code the sample's leaf " +
    "frame is in (a built-in or native function, such as `JSON.stringify` or a Deno op, counts for " +
    "the code that called it): `GC` (V8's garbage collector), `(program)` (V8 and Deno's native code: compiling, the " +
    "runtime's Rust, I/O), `Parley <dir>/` (Parley's own files by top directory), postgres.js, Hono, zod, " +
    "`Deno runtime ext:<extension>` (Deno's JavaScript: `ext:deno_node` is the Node compatibility layer " +
    "postgres.js' sockets go through), `other` (other packages).",
    "",
  ];
  for (const w of workloads) {
    const files = o.profiles?.[w] ?? parleyProfiles(`${dir}/${w}`);
    if (!files.length) continue;
    const summaries = files.map(summariseProfile);
    const groups = w === "fanout" ? (params.fanout?.groups as number[] | undefined) : undefined;
    const labels = files.length > 1
      ? files.map((_, i) =>
        groups && groups.length === files.length ? `channels of ${groups[i]}` : `#${i + 1}`
      )
      : [""];
    const st = (results[w] as Record<string, unknown> | undefined)?.postgres_statements as
      | Statements
      | { error: string }
      | undefined;
    out.push(...workloadSection(w, summaries, st, params, labels, units(w, results, files.length)));
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}
