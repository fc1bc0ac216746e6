/**
 * Self time of a window of a V8 `.cpuprofile` grouped by owner: the nearest of Parley's own source files up
 * each sample's stack (`domain/presence.ts`, `realtime/server/hub.ts` ...), or, with none on the stack, the
 * kind of code the sample is in (postgres.js, Hono, zod, Deno's `ext:`, GC, program). Fifteenth pass.
 * `deno run -A bench/lib/profile_owners.ts FILE.cpuprofile [after seconds] [until seconds] [--per=N] [--leaf]`
 * (`--per=N` adds µs per N, e.g. per connect; `--leaf` splits each owner by the kind of its leaf frame;
 * `--skip=a.ts,b.ts` looks past these owners to the next one up the stack, e.g. the caller of a driver's write;
 * `--timeline` prints busy ms per 0.25 s instead, to find a phase).
 */
import { type CpuNode as Node, eachSample, readProfile } from "./cpuprofile.ts";
import { codeKind, ownFile } from "./code_owner.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}`))?.split("=")[1];
const [file, a, u] = args;
const per = Number(opt("per") ?? 0);
const leafSplit = Deno.args.includes("--leaf");
const skip = new Set((opt("skip") ?? "").split(",").filter(Boolean));
const { p, byId, parent } = readProfile(file);
const after = Number(a ?? 0), until = Number(u ?? 1e9);

const own = ownFile;
const kind = (n: Node) => codeKind(n.callFrame.functionName, n.callFrame.url);

if (Deno.args.includes("--timeline")) {
  const busy = new Map<number, number>();
  eachSample(p, -Infinity, Infinity, (id, us, seconds) => {
    if (byId.get(id)!.callFrame.functionName === "(idle)") return;
    const slot = Math.floor(seconds / 0.25);
    busy.set(slot, (busy.get(slot) ?? 0) + us / 1000);
  });
  for (const [s, ms] of [...busy].sort((x, y) => x[0] - y[0])) {
    console.log(`${(s * 0.25).toFixed(2).padStart(7)} s  ${ms.toFixed(0).padStart(4)} ms busy`);
  }
  Deno.exit(0);
}

const owners = new Map<string, number>();
let total = 0;
eachSample(p, after, until, (id, us) => {
  const leaf = byId.get(id)!;
  const k = kind(leaf);
  if (k === "(idle)" || k === "(root)") return;
  let owner: string | null = null;
  for (let n: Node | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
    owner = own(n.callFrame.url);
    if (owner && !skip.has(owner)) break;
    owner = null;
  }
  const key = owner ? (leafSplit ? `${owner}  [${k}]` : owner) : k;
  owners.set(key, (owners.get(key) ?? 0) + us);
  total += us;
});
console.log(`busy ${(total / 1000).toFixed(0)} ms in ${after}-${until} s`);
for (const [k, us] of [...owners].sort((x, y) => y[1] - x[1]).slice(0, 60)) {
  const extra = per ? `  ${(us / per).toFixed(1).padStart(6)} µs/each` : "";
  console.log(
    `${(us / 1000).toFixed(1).padStart(8)} ms  ${(100 * us / total).toFixed(1).padStart(5)} %${extra}  ${k}`,
  );
}
