/**
 * Where the time under one function goes: the self time of every function called (at any depth) by the first
 * function named NAME up the stack, in a window of a V8 `.cpuprofile`. Fourteenth pass.
 * `deno run -A bench/lib/profile_subtree.ts FILE.cpuprofile NAME [after seconds] [until seconds]`
 * (NAME as V8 names it: `#toChannel`, `handleFrame`, `createSystemTimer`).
 */
import { type CpuNode as Node, eachSample, readProfile } from "./cpuprofile.ts";

const [file, name, a, u] = Deno.args;
const { p, byId, parent } = readProfile(file);
const after = Number(a ?? 0), until = Number(u ?? 1e9);
const fn = (n: Node) =>
  `${n.callFrame.functionName || "(anon)"}@${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
let total = 0;
eachSample(p, after, until, (id, us) => {
  let c: number | undefined = id, inside = false;
  while (c !== undefined) {
    if (fn(byId.get(c)!).startsWith(name + "@")) {
      inside = true;
      break;
    }
    c = parent.get(c);
  }
  if (!inside) return;
  const k = fn(byId.get(id)!);
  self.set(k, (self.get(k) ?? 0) + us / 1000);
  total += us / 1000;
});
console.log(`${name}: ${total.toFixed(1)} ms (samples of wall time in the window)`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`  ${ms.toFixed(1).padStart(7)}  ${k}`);
}
