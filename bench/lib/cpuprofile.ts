/**
 * Reading a V8 `.cpuprofile` for the bench's profile tools (`profile_owners.ts`, `profile_subtree.ts`): its
 * nodes by id, each node's parent, and its samples within a window of seconds from the profile's start.
 */
export interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface LoadedProfile {
  p: CpuProfile;
  byId: Map<number, CpuNode>;
  parent: Map<number, number>;
}

export function readProfile(file: string): LoadedProfile {
  const p: CpuProfile = JSON.parse(Deno.readTextFileSync(file));
  const byId = new Map<number, CpuNode>(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { p, byId, parent };
}

/** Calls `fn` with each sample's leaf node id and its µs, for samples at `after` <= seconds < `until`. */
export function eachSample(
  p: CpuProfile,
  after: number,
  until: number,
  fn: (id: number, us: number, seconds: number) => void,
) {
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i];
    const s = (t - p.startTime) / 1e6;
    if (s >= after && s < until) fn(id, p.timeDeltas[i], s);
  });
}
