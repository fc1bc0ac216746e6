/**
 * Summarises a V8 sampling heap profile (`BENCH_HEAP_SAMPLE`, bench/servers/parley.ts; or any `.heapprofile`):
 * the sampled bytes by the function that allocated them, and by the innermost frames of Parley's own code
 * (and its libraries) on the allocation's stack.
 *
 *   deno run -A bench/heap_sample.ts DIR/parley.heapprofile [--top=30] [--depth=4] [--all: the runtime's frames too]
 *     [--under=REGEX: only stacks with a frame it matches] [--layer=TEXT: only the layer whose name starts with it]
 *     [--per=N: KB per N, e.g. the window's messages or connects] [--owners: by the nearest of Parley's own files
 *     up the stack, or with none the kind of code (Deno's ext:, Hono, zod, postgres.js), as
 *     bench/lib/profile_owners.ts does for time]
 *     [--steps=fnA,fnB,…: bytes of the samples whose stack holds each function (inclusive; steps overlap)]
 *
 * Also by layer (bench/notes/allocation_per_message.md): the innermost frame of Parley's code or of a library
 * decides (postgres.js and `db/` = statement, zod, the hub, the bus, the gateway's frame handling, the domain's
 * send path, other); with none on the stack, the runtime's file (Deno's WebSocket and events, timers, node:net
 * streams and buffers).
 */
import { ownFile } from "./lib/code_owner.ts";

type Frame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Node = { callFrame: Frame; selfSize: number; id: number; children: Node[] };
type Profile = { head: Node; samples: { size: number; nodeId: number }[] };

const path = Deno.args.find((a) => !a.startsWith("--"))!;
const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const TOP = Number(opt("top") ?? 30);
const DEPTH = Number(opt("depth") ?? 4);
const prof: Profile = JSON.parse(Deno.readTextFileSync(path));

const short = (f: Frame) => {
  const url = f.url.replace(/^file:\/\/.*?\/(wt\/[^/]+|gc13-base)\//, "").replace(
    /^.*node_modules\/\.deno\//,
    "npm:",
  )
    .replace(/^.*\/(jsr|deno\.land)\//, "$1:");
  return `${f.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
};
const ALL = Deno.args.includes("--all");
const own = (f: Frame) => ALL ? f.url !== "" : f.url.startsWith("file:") || f.url.includes("node_modules");

const PER = Number(opt("per") ?? 0);
const UNDER = opt("under") ? new RegExp(opt("under")!) : null;
const LAYER = opt("layer");
const file = (f: Frame) => short(f).split(" ").pop()!.replace(/:\d+$/, "");
/** The layer an allocation belongs to: the innermost frame of file: or npm code decides. */
function layer(st: Frame[]): string {
  for (let i = st.length - 1; i >= 0; i--) {
    const f = st[i], u = f.url;
    if (!(u.startsWith("file:") || u.includes("node_modules"))) continue;
    if (u.includes("/postgres/") || /\/db\//.test(u)) return "statement: postgres.js, db/ (client, repos)";
    if (u.includes("/zod/")) return "frame: zod";
    if (u.endsWith("/hub.ts")) return "delivery: hub (fan-out, socket send)";
    if (u.includes("/bus/")) return "bus";
    if (/realtime\/server\/(gateway_frames|actions|frames|gateway_socket)\.ts$/.test(u)) {
      return "frame: gateway (parse, envelope, input, ack)";
    }
    if (/domain\/(messages|validate|rate_limit)\.ts$/.test(u)) return "frame: domain send (checks, limiter)";
    if (/domain\/(send_batch|group_commit|publish)\.ts$/.test(u)) return "batch: send batcher, group commit";
    return `other: ${file(f)}`;
  }
  const u = st.map((f) => f.url).join(" ");
  if (/websocket|02_event/.test(u)) return "runtime: Deno WebSocket, events";
  if (/timers/.test(u)) return "runtime: timers";
  if (/stream|buffer|net/.test(u)) return "runtime: node:net, streams, buffers";
  return "runtime: other";
}
const byLayer = new Map<string, number>();
const STEPS = (opt("steps") ?? "").split(",").filter(Boolean);
/** The kind of code of a frame with no file of Parley's own (as bench/lib/profile_owners.ts). */
function kind(f: Frame): string {
  const url = f.url;
  if (url.includes("postgres")) return "postgres.js";
  if (url.includes("hono")) return "hono";
  if (url.includes("zod")) return "zod";
  if (url.startsWith("ext:") || url.startsWith("node:")) {
    return `deno ${url.split("/").slice(0, 2).join("/")}`;
  }
  return url
    ? url.replace(/^.*\/(node_modules|npm)\//, "npm:").split("/").slice(0, 2).join("/")
    : "(V8 builtin)";
}
const byOwner = new Map<string, number>();
const bySteps = new Map<string, number>();
const bySelf = new Map<string, number>();
const byStack = new Map<string, number>();
let total = 0;
const sizes = new Map<number, number>();
for (const s of prof.samples) sizes.set(s.nodeId, (sizes.get(s.nodeId) ?? 0) + s.size);
function walk(n: Node, stack: Frame[]) {
  const st = [...stack, n.callFrame];
  const size = sizes.get(n.id) ?? 0;
  if (
    size && (!UNDER || st.some((f) => UNDER.test(short(f)))) && (!LAYER || layer(st).startsWith(LAYER))
  ) {
    total += size;
    const k = short(n.callFrame);
    bySelf.set(k, (bySelf.get(k) ?? 0) + size);
    const mine = st.filter(own).slice(-DEPTH).reverse().map(short).join(" < ");
    byStack.set(mine, (byStack.get(mine) ?? 0) + size);
    const l = layer(st);
    byLayer.set(l, (byLayer.get(l) ?? 0) + size);
    let owner: string | null = null;
    for (let i = st.length - 1; i >= 0 && !owner; i--) owner = ownFile(st[i].url);
    if (!owner) owner = kind([...st].reverse().find((f) => f.url) ?? n.callFrame);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + size);
    for (const step of STEPS) {
      if (st.some((f) => f.functionName === step)) bySteps.set(step, (bySteps.get(step) ?? 0) + size);
    }
  }
  for (const c of n.children) walk(c, st);
}
walk(prof.head, []);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    const each = PER ? `${(v / PER / 1e3).toFixed(2).padStart(7)} KB/each` : "";
    console.log(
      `${(v / 1e3).toFixed(0).padStart(7)} KB ${(100 * v / total).toFixed(1).padStart(5)} % ${each}  ${k}`,
    );
  }
};
console.log(
  `${prof.samples.length} samples, ${(total / 1e6).toFixed(2)} MB` +
    (PER ? `, ${(total / PER / 1e3).toFixed(1)} KB per each of ${PER}` : ""),
);
show("by layer", byLayer);
if (Deno.args.includes("--owners")) {
  show("by owner (nearest own file up the stack, or the kind of code)", byOwner);
}
if (STEPS.length) show("by step (inclusive: the samples whose stack holds the function)", bySteps);
show("by allocating function", bySelf);
show(`by the innermost ${DEPTH} frames of file:/npm code`, byStack);
