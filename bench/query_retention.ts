/**
 * What a finished postgres.js query leaves alive across V8's scavenges, through `Db.query` on Postgres
 * (db/client.ts `settled`), without the server (bench/notes/surviving_queries.md).
 *
 *   DATABASE_URL=postgres://… deno run -A --v8-flags=--expose-gc,--allow-natives-syntax \
 *     bench/query_retention.ts bytes [ROOT] [--n=400]
 *   DATABASE_URL=postgres://… deno run -A --v8-flags=--expose-gc,--allow-natives-syntax \
 *     bench/query_retention.ts snapshot [ROOT] [--n=50] [--out=FILE.heapsnapshot]
 *   DATABASE_URL=postgres://… deno run -A --v8-flags=--expose-gc,--allow-natives-syntax \
 *     bench/query_retention.ts sample [ROOT] [--n=2000] [--interval=256] [--out=FILE.heapprofile]
 *
 * `bytes`: `n` queries shaped like a grouped send (arrays of bodies and ids in, a row per body out), one at
 * a time, then two minor GCs in a later task; prints the bytes that survived the first (`survived`: what a
 * scavenge copies) and the old space's growth over both (`promoted`), per query. A run with no queries gives
 * the floor (`--n=0`).
 *
 * `sample`: V8's sampling heap profiler over `n` queries (default 2,000), keeping what two scavenges did not
 * free: what the queries leave to be promoted, by allocation site (read it with `bench/heap_sample.ts FILE
 * --all`).
 *
 * `snapshot`: where a finished `Query`'s settle closures live (young or old generation, `%InYoungGeneration`)
 * and, from a heap snapshot taken while the probe holds those closures (the old-space objects that retain
 * a finished `Query` until a mark-compact: a snapshot collects everything unreachable first, so it cannot
 * show a dead retainer), what each one reaches that no other query's closure does: the objects a scavenge
 * copies for one finished query. ROOT is a checkout to take `db/client.ts` from (default: this one).
 */
import { getHeapSpaceStatistics } from "node:v8";
import { heapSampler } from "./lib/heap_sampler.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const mode = args[0] ?? "bytes";
const root = args[1] ?? new URL("..", import.meta.url).pathname;
const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("DATABASE_URL: a Postgres to query");
const gc = (globalThis as unknown as { gc(o?: { type: "minor" | "major" }): void }).gc;
// deno-lint-ignore no-explicit-any
const young: (x: unknown) => boolean = (0, eval)("(x) => %InYoungGeneration(x)") as any;

const client = await import(`${root}/db/client.ts`);
const db = await client.openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });

const TEXT =
  "SELECT b AS body, i AS id, i * 2 AS seq, now() AS at FROM unnest($1::text[], $2::int8[]) AS u(b, i)";
const SIZE = 8;
const params = (k: number) => [
  Array.from({ length: SIZE }, (_, j) => `message ${k}:${j} `.padEnd(120, "x")),
  Array.from({ length: SIZE }, (_, j) => k * SIZE + j),
];
const tick = () => new Promise((r) => setTimeout(r, 0));
const used = (space: string) => getHeapSpaceStatistics().find((s) => s.space_name === space)!.space_used_size;
const oldUsed = () => used("old_space") + used("code_space") + used("large_object_space");

for (let i = 0; i < 100; i++) await db.query(TEXT, params(i));

if (mode === "bytes") {
  const n = Number(opt("n") ?? 400);
  const out: Record<string, number>[] = [];
  for (let round = 0; round < 5; round++) {
    await tick();
    gc();
    await tick();
    gc({ type: "minor" });
    gc({ type: "minor" });
    const old0 = oldUsed();
    for (let i = 0; i < n; i++) await db.query(TEXT, params(i));
    await tick();
    gc({ type: "minor" });
    const survived = used("new_space");
    gc({ type: "minor" });
    const promoted = oldUsed() - old0;
    out.push({ survived, promoted });
  }
  const med = (k: string) => out.map((o) => o[k]).sort((a, b) => a - b)[2];
  console.log(JSON.stringify({
    n,
    survivedBytes: med("survived"),
    promotedBytes: med("promoted"),
    perQuery: n
      ? { survived: Math.round(med("survived") / n), promoted: Math.round(med("promoted") / n) }
      : null,
    rounds: out,
  }));
} else if (mode === "sample") {
  // V8's sampling heap profiler over `n` queries, keeping the samples a major GC frees and dropping those a
  // scavenge frees, then two scavenges: what the queries left to be promoted, dead or not, by allocation site.
  const n = Number(opt("n") ?? 2000);
  await tick();
  gc();
  const sampler = await heapSampler(Number(opt("interval") ?? 256));
  await sampler.start(false);
  for (let i = 0; i < n; i++) await db.query(TEXT, params(i));
  await tick();
  gc({ type: "minor" });
  gc({ type: "minor" });
  const file = opt("out") ?? "/tmp/query_retention.heapprofile";
  await sampler.stop(file);
  console.log(`${n} queries; profile: ${file} (bench/heap_sample.ts ${file} --all)`);
  sampler.close();
} else {
  // Hold each query's own `reject` closure, as the old generation's remembered set does: caught where the
  // constructor stores it (a setter on the prototype that makes the same own property).
  const n = Number(opt("n") ?? 50);
  const held: unknown[] = [];
  const where: Record<string, number> = {};
  const count = (k: string) => (where[k] = (where[k] ?? 0) + 1);
  const { default: postgres } = await import("postgres");
  const probe = postgres(url, { max: 1 });
  const proto = Object.getPrototypeOf(probe.unsafe("SELECT 1"));
  let last: unknown = null;
  Object.defineProperty(proto, "reject", {
    configurable: true,
    set(this: object, v: unknown) {
      last = v;
      Object.defineProperty(this, "reject", {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  });
  for (let i = 0; i < n; i++) {
    last = null;
    await db.query(TEXT, params(i));
    if (!last) continue;
    count(`reject closure in young generation: ${young(last)}`);
    held.push(last);
    last = null;
  }
  delete proto.reject;
  await probe.end({ timeout: 1 });
  console.log(JSON.stringify({ held: held.length, where }));
  const file = opt("out") ?? "/tmp/query_retention.heapsnapshot";
  const { Session } = await import("node:inspector");
  const session = new Session();
  session.connect();
  const chunks: string[] = [];
  session.on("HeapProfiler.addHeapSnapshotChunk", (m) => chunks.push(m.params.chunk));
  await new Promise<void>((res, rej) =>
    session.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false }, (e) => e ? rej(e) : res())
  );
  session.disconnect();
  Deno.writeTextFileSync(file, chunks.join(""));
  (globalThis as { held?: unknown[] }).held = held;
  summarise(file, held.length);
}
await db.close();

/** Per held closure: what it reaches that no other held closure reaches (by node type and name). */
function summarise(file: string, expected: number) {
  const snap = JSON.parse(Deno.readTextFileSync(file));
  const m = snap.snapshot.meta;
  const nf: string[] = m.node_fields, ef: string[] = m.edge_fields;
  const nodeTypes: string[] = m.node_types[0], edgeTypes: string[] = m.edge_types[0];
  const N = nf.length, E = ef.length;
  const nodes: number[] = snap.nodes, edges: number[] = snap.edges, strings: string[] = snap.strings;
  const iType = nf.indexOf("type"), iName = nf.indexOf("name"), iSize = nf.indexOf("self_size");
  const iEdges = nf.indexOf("edge_count");
  const eType = ef.indexOf("type"), eName = ef.indexOf("name_or_index"), eTo = ef.indexOf("to_node");
  const count = nodes.length / N;
  const first = new Int32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    first[i] = e;
    e += nodes[i * N + iEdges] * E;
  }
  first[count] = edges.length;
  const label = (i: number) => `${nodeTypes[nodes[i * N + iType]]}:${strings[nodes[i * N + iName]]}`;
  // The holder: the `held` array on globalThis (the biggest array whose elements are closures).
  let holder = -1;
  for (let i = 0; i < count; i++) {
    if (label(i) !== "object:Array") continue;
    let closures = 0;
    for (let e = first[i]; e < first[i + 1]; e += E) {
      if (edgeTypes[edges[e + eType]] === "element" && label(edges[e + eTo] / N).startsWith("closure:")) {
        closures++;
      }
    }
    if (closures === expected) holder = i;
  }
  if (holder < 0) throw new Error("no array of the held closures in the snapshot");
  const starts: number[] = [];
  for (let e = first[holder]; e < first[holder + 1]; e += E) {
    if (edgeTypes[edges[e + eType]] === "element") starts.push(edges[e + eTo] / N);
  }
  // What the rest of the heap reaches without the held closures (the snapshot's root is node 0): a held
  // closure's own objects are those it reaches outside that set, i.e. what only it keeps alive.
  const skipEdge = (t: string) => t === "weak" || t === "shortcut";
  const held = new Set(starts);
  const reach = (from: number[], stop: (i: number) => boolean) => {
    const seen = new Set<number>(from);
    const queue = [...from];
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q];
      for (let e = first[i]; e < first[i + 1]; e += E) {
        if (skipEdge(edgeTypes[edges[e + eType]])) continue;
        const to = edges[e + eTo] / N;
        if (seen.has(to) || stop(to)) continue;
        seen.add(to);
        queue.push(to);
      }
    }
    return seen;
  };
  const rest = reach([0], (i) => held.has(i));
  const reached = starts.map((s) => [...reach([s], (i) => rest.has(i))]);
  // Objects every query shares (the Query's maps, once no other object of that shape is alive) are no one
  // query's own.
  const times = new Map<number, number>();
  for (const r of reached) for (const i of r) times.set(i, (times.get(i) ?? 0) + 1);
  const own = reached.map((r) => r.filter((i) => times.get(i) === 1));
  const sizes = own.map((o) => o.reduce((a, i) => a + nodes[i * N + iSize], 0)).sort((a, b) => a - b);
  // One typical query's own objects, and the path to each from its closure (breadth first).
  const mid = own.findIndex((o) =>
    o.reduce((a, i) => a + nodes[i * N + iSize], 0) === sizes[sizes.length >> 1]
  );
  const mine = new Set(own[mid]);
  const via = new Map<number, string>([[starts[mid], label(starts[mid])]]);
  const queue = [starts[mid]];
  while (queue.length) {
    const i = queue.shift()!;
    for (let e = first[i]; e < first[i + 1]; e += E) {
      const t = edgeTypes[edges[e + eType]];
      if (skipEdge(t)) continue;
      const to = edges[e + eTo] / N;
      if (!mine.has(to) || via.has(to)) continue;
      const name = t === "element" || t === "hidden" ? `[${edges[e + eName]}]` : strings[edges[e + eName]];
      via.set(to, `${via.get(i)} -${t}:${name}-> ${label(to)}`);
      queue.push(to);
    }
  }
  console.log(
    `closures: ${starts.length}; bytes each reaches alone: median ${sizes[sizes.length >> 1]}, ` +
      `min ${sizes[0]}, max ${sizes[sizes.length - 1]}`,
  );
  console.log(`one query's own objects (${mine.size}), self size, path from its held closure:`);
  for (const i of own[mid]) {
    console.log(`  ${nodes[i * N + iSize]}\t${via.get(i) ?? label(i) + " (path not found)"}`);
  }
}
