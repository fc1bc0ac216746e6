/**
 * The profiled run's report (bench/lib/profile_report.ts) from a small fixture: a Parley profile whose samples
 * are known (and a bare one beside it, left out), and a workload's statements. Fails if the busy time is
 * given to the wrong owner (a native function counts for its caller), or if the tables are out of order.
 */
import assert from "node:assert/strict";
import { profileReport, summariseProfile } from "../../bench/lib/profile_report.ts";

const ROOT = new URL("../../", import.meta.url).href;
const pg = `${ROOT}node_modules/.deno/postgres@3.4.9/node_modules/postgres/src/connection.js`;
const zod = `${ROOT}node_modules/.deno/zod@3.25.0/node_modules/zod/lib/types.js`;

/** [id, function, url, line, children, samples (1 ms each)] */
type Row = [number, string, string, number, number[], number];
const PARLEY: Row[] = [
  [1, "(root)", "", -1, [2, 3, 4, 5, 8, 10, 12], 0],
  [2, "(program)", "", -1, [], 5],
  [3, "(idle)", "", -1, [], 14],
  [4, "(garbage collector)", "", -1, [], 5],
  [5, "handle", `${ROOT}realtime/server/hub.ts`, 9, [6], 20],
  [6, "query", pg, 99, [7], 10],
  [7, "writeBuffer", "", -1, [], 15], // native: counts for postgres.js, its caller
  [8, "send", `${ROOT}domain/send.ts`, 4, [9], 5],
  [9, "stringify", "", -1, [], 9], // native: counts for domain/
  [10, "onData", "ext:deno_node/net.ts", 0, [11], 5],
  [11, "parse", zod, 19, [], 12],
  [12, "main", `${ROOT}bench/servers/parley.ts`, 0, [], 0],
];

function profile(rows: Row[]) {
  const samples: number[] = [];
  for (const [id, , , , , n] of rows) for (let i = 0; i < n; i++) samples.push(id);
  return {
    nodes: rows.map(([id, functionName, url, lineNumber, children]) => ({
      id,
      callFrame: { functionName, scriptId: "0", url, lineNumber, columnNumber: 0 },
      hitCount: 0,
      children,
    })),
    startTime: 1_000_000,
    endTime: 1_000_000 + samples.length * 1000,
    samples,
    timeDeltas: samples.map(() => 1000),
  };
}

async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "profile-report-" });
  await Deno.mkdir(`${dir}/latency`);
  await Deno.writeTextFile(`${dir}/latency/CPU.1000.1.cpuprofile`, JSON.stringify(profile(PARLEY)));
  const bare: Row[] = [[1, "(root)", "", -1, [2], 0], [2, "main", `${ROOT}bench/servers/bare.ts`, 0, [], 50]];
  await Deno.writeTextFile(`${dir}/latency/CPU.2000.2.cpuprofile`, JSON.stringify(profile(bare)));
  return dir;
}

Deno.test("profile report: busy time by owner, a native function counted for its caller", async () => {
  const dir = await fixture();
  try {
    const s = summariseProfile(`${dir}/latency/CPU.1000.1.cpuprofile`);
    assert.equal(s.samples, 100);
    assert.equal(s.busyMs, 86);
    assert.deepEqual([...s.owners].sort((a, b) => b[1] - a[1]), [
      ["postgres.js", 25],
      ["Parley realtime/", 20],
      ["Parley domain/", 14],
      ["zod", 12],
      ["(program)", 5],
      ["GC", 5],
      ["Deno runtime ext:deno_node", 5],
    ]);
    // Under the nearest Parley frame: handle (and the driver under it), send (and stringify).
    assert.deepEqual(Object.fromEntries(s.under), { "realtime/": 45, "domain/": 14 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("profile report: tables in order, bare's profile left out, statements by total time", async () => {
  const dir = await fixture();
  try {
    const results = {
      generated_at: "2026-12-04T12:00:00Z",
      machine: { loadavg_at_end: [1, 0.5, 0.2] },
      parameters: {
        workloads: ["latency"],
        latency: { users: 10, curve: [250, 500], seconds: 10, group: 20 },
      },
      latency: {
        parley: { curve: [{ delivered: 40 }, { delivered: 46 }] },
        postgres_statements: {
          calls: 1500,
          total_ms: 420.5,
          jit_functions: 0,
          jit_ms: 0,
          top: [
            { calls: 1000, total_ms: 300.1, mean_ms: 0.3, query: "INSERT INTO messages SELECT $1" },
            { calls: 500, total_ms: 100.2, mean_ms: 0.2, query: "SELECT pg_notify($1, $2)" },
          ],
        },
      },
    };
    const md = profileReport(results, dir);
    const lines = md.split("\n");
    assert.match(md, /perturbed by the profiler/);
    assert.match(md, /## latency/);
    // One profile (bare's is not Parley's): its length and samples.
    assert.match(md, /0\.1 s, 100 samples, busy 0\.1 s/);
    // 86 ms busy over the curve's 86 deliveries.
    assert.match(md, /1000\.0 µs per delivery \(86 deliveries\)/);
    const rowsAfter = (header: string, n: number) => {
      const i = lines.findIndex((l) => l.startsWith(header));
      assert.ok(i >= 0, header);
      return lines.slice(i + 4, i + 4 + n).map((l) => l.split("|").map((c) => c.trim()));
    };
    const owners = rowsAfter("Busy time by owner", 3);
    assert.deepEqual(owners.map((r) => [r[1], r[2], r[3]]), [
      ["postgres.js", "25", "29.1 %"],
      ["Parley realtime/", "20", "23.3 %"],
      ["Parley domain/", "14", "16.3 %"],
    ]);
    const self = rowsAfter("Top functions by self time", 5);
    assert.deepEqual(self.map((r) => [r[1], r[2]]), [
      ["handle", "realtime/server/hub.ts:10"],
      ["writeBuffer", "(built-in)"],
      ["parse", "zod/lib/types.js:20"],
      ["query", "postgres/src/connection.js:100"],
      ["stringify", "(built-in)"],
    ]);
    // Parley's own functions only (not bench/servers/parley.ts, not the driver), by inclusive time.
    const incl = rowsAfter("Parley's own functions by inclusive time", 3);
    assert.deepEqual(incl.map((r) => r[1]), ["handle", "send", undefined]); // two rows, then the table ends
    assert.ok(Math.abs(Number(incl[0][3]) - 45) <= 1, incl[0][3]);
    assert.match(md, /all statements 1500 calls, 420\.5 ms/);
    const i = lines.findIndex((l) => l.startsWith("| calls | total ms"));
    assert.deepEqual(lines.slice(i + 2, i + 4).map((l) => l.split("|")[2].trim()), ["300.1", "100.2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
