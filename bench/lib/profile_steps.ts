/**
 * Where a grouped send statement's JavaScript time goes, by step of postgres.js and our code: each sample of
 * a V8 `.cpuprofile` (its main thread) is given to the nearest frame up its stack that names a step (building
 * the query, `Bind` serialising the parameters, writing, reading, `DataRow`, the end of the result, the
 * promises, `insertBatch`, `toMessage`), or else to the kind of its leaf (GC, program, idle). Nineteenth pass.
 * `deno run -A bench/lib/profile_steps.ts FILE.cpuprofile [statements] [after s] [until s] [--leaves=STEP]`
 * (`statements`: µs per statement; the window in seconds from the profile's start, as `pg_driver_ab.ts`
 * prints it; `--leaves=DataRow`: that step's samples by leaf function).
 */
import { type CpuNode as Node, eachSample, readProfile } from "./cpuprofile.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const leavesOf = Deno.args.find((a) => a.startsWith("--leaves="))?.split("=")[1];
const [file, n, a, u] = args;
const after = Number(a ?? -Infinity), until = Number(u ?? Infinity);
const statements = Number(n ?? 0);
const { p, byId, parent } = readProfile(file);

/** Function name (as V8 names it) and a part of its file's URL -> step. First match up the stack wins. */
const STEPS: [RegExp, RegExp, string][] = [
  [/^(arraySerializer|arrayEscape)$/, /postgres/, "Bind: array literals (arraySerializer)"],
  [/^(Bind)$/, /postgres/, "Bind: message (lengths, bytes)"],
  [/^(Parse|Describe|describe)$/, /postgres/, "Parse/Describe"],
  [/^(handleValue|inferType|stringify)$/, /postgres/, "build: parameters' types"],
  [/^(build)$/, /postgres/, "build: signature, statement lookup"],
  [/^(toBuffer|prepared|unnamed)$/, /postgres/, "toBuffer (concat)"],
  [/^(write|nextWrite)$/, /postgres\/src\/connection/, "write: socket write"],
  [/^(execute)$/, /postgres\/src\/connection/, "execute (queue)"],
  [/^(DataRow)$/, /postgres/, "DataRow"],
  [
    /^(ReadyForQuery|CommandComplete|BindComplete|ParameterDescription|RowDescription|ParseComplete)$/,
    /postgres/,
    "other messages, Result",
  ],
  [/^(handle)$/, /postgres\/src\/connection/, "handle (dispatch)"],
  [/^(data)$/, /postgres\/src\/connection/, "data (framing)"],
  [
    /^(handler|handle|then|catch|execute|Query|unsafe|Sql|go|connect)$/,
    /postgres\/src\/(index|query)/,
    "query: create, queue, start",
  ],
  [/^(toMessage)$/, /message_columns/, "toMessage"],
  [/^(settled)$/, /db\/client/, "settled (promise)"],
  [/^(query)$/, /db\/client/, "Db.query (params, Array.from)"],
  [/^(insertBatch|sendParams|broadParam)$/, /message_batch/, "insertBatch (arrays, index)"],
  [
    /.*/,
    /ext:deno_node\/internal\/streams|ext:deno_node\/net|ext:deno_node\/internal_binding\/stream_wrap|ext:deno_node\/_stream/,
    "node streams/socket",
  ],
];

function step(id: number): string {
  for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
    const { functionName: f, url } = byId.get(c)!.callFrame;
    for (const [fn, u, name] of STEPS) if (fn.test(f) && u.test(url)) return name;
  }
  const f = byId.get(id)!.callFrame.functionName;
  return f.startsWith("(") ? f : "other JavaScript";
}
const fname = (n: Node) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}`;

const by = new Map<string, number>();
const leaves = new Map<string, number>();
let busy = 0;
eachSample(p, after, until, (id, us) => {
  const s = step(id);
  by.set(s, (by.get(s) ?? 0) + us);
  if (s !== "(idle)") busy += us;
  if (leavesOf && s.startsWith(leavesOf)) {
    const k = fname(byId.get(id)!);
    leaves.set(k, (leaves.get(k) ?? 0) + us);
  }
});
const per = (us: number) => statements ? (us / statements).toFixed(1).padStart(8) : "";
console.log(
  `busy ${(busy / 1e3).toFixed(0)} ms${statements ? `, ${per(busy).trim()} µs per statement` : ""}`,
);
for (const [k, us] of [...by].sort((a, b) => b[1] - a[1])) {
  console.log(`${(us / 1e3).toFixed(1).padStart(9)} ms ${per(us)}  ${k}`);
}
if (leavesOf) {
  console.log(`\n${leavesOf}, by leaf:`);
  for (const [k, us] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(us / 1e3).toFixed(1).padStart(9)} ms ${per(us)}  ${k}`);
  }
}
