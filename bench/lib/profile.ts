/**
 * Summarises a V8 `.cpuprofile` (from `deno run --cpu-prof`): the functions with the most self time and
 * the most inclusive time. `deno run -A bench/lib/profile.ts <file.cpuprofile> [top] [--after=S] [--until=S]`.
 */
export interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Only the samples taken from `afterSeconds` to `untilSeconds` after the profile started (leaves out
 * start-up: build, imports; and what came after the phase looked at).
 */
export function window(profile: Profile, afterSeconds: number, untilSeconds = Infinity): Profile {
  if (!profile.samples || !profile.timeDeltas || (afterSeconds <= 0 && untilSeconds === Infinity)) {
    return profile;
  }
  const from = profile.startTime + afterSeconds * 1e6;
  const to = profile.startTime + untilSeconds * 1e6;
  let last = profile.startTime;
  const hits = new Map<number, number>();
  let t = profile.startTime;
  let first = profile.endTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas![i];
    if (t < from || t >= to) return;
    first = Math.min(first, t);
    last = Math.max(last, t);
    hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  return {
    ...profile,
    startTime: first,
    endTime: Math.min(profile.endTime, last),
    nodes: profile.nodes.map((n) => ({ ...n, hitCount: hits.get(n.id) ?? 0 })),
  };
}

/**
 * Samples by function (name, file, line; a recursive function counted once up a stack): self and inclusive
 * hits, the ms one hit stands for, and each key's call frame (bench/lib/profile_report.ts reads these).
 */
export function functionTimes(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, totalHits);
  const key = (n: Node) => {
    const url = n.callFrame.url.replace(/^.*\/(work\/main|node_modules)\//, "$1/").replace(/^file:\/\//, "");
    return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const frames = new Map<string, Node["callFrame"]>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    const k = key(n);
    frames.set(k, n.callFrame);
    const fresh = !onStack.has(k);
    if (fresh) onStack.add(k);
    let hits = n.hitCount ?? 0;
    for (const c of n.children ?? []) hits += walk(c, onStack);
    self.set(k, (self.get(k) ?? 0) + (n.hitCount ?? 0));
    if (fresh) {
      incl.set(k, (incl.get(k) ?? 0) + hits);
      onStack.delete(k);
    }
    return hits;
  };
  walk(profile.nodes[0].id, new Set());
  return { totalHits, msPerHit, self, inclusive: incl, frames };
}

export function summarise(profile: Profile, top = 25) {
  const { totalHits, msPerHit, self, inclusive } = functionTimes(profile);
  const fmt = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, h]) =>
      `${(h * msPerHit).toFixed(0).padStart(7)} ms ${(100 * h / totalHits).toFixed(1).padStart(5)}%  ${k}`
    );
  return {
    totalMs: totalHits * msPerHit,
    self: fmt(self),
    inclusive: fmt(inclusive),
  };
}

if (import.meta.main) {
  // `--after=S`: only what was sampled S seconds or more after the start (the workload, not start-up).
  // `--until=S`: and before S seconds (one phase of a workload).
  const after = Number(Deno.args.find((a) => a.startsWith("--after="))?.slice(8) ?? 0);
  const until = Number(Deno.args.find((a) => a.startsWith("--until="))?.slice(8) ?? Infinity);
  const args = Deno.args.filter((a) => !a.startsWith("--"));
  const p = window(JSON.parse(await Deno.readTextFile(args[0])), after, until);
  const s = summarise(p, Number(args[1] ?? 30));
  console.log(
    `sampled ${s.totalMs.toFixed(0)} ms\n\nself time:\n${s.self.join("\n")}\n\ninclusive:\n${
      s.inclusive.join("\n")
    }`,
  );
}
