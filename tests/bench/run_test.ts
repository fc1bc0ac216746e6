/**
 * The bench runner refuses what it does not know before it starts anything: `--help`, a mistyped option or an
 * unknown workload prints the usage (or the error) and exits at once, with no Postgres cluster and no run (a
 * `--help` once started a quarter of an hour of measuring beside another run).
 */
import assert from "node:assert/strict";

async function runner(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../bench/run.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    // A runner that started a run instead of refusing is stopped here, and the test fails on its output.
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("bench --help prints the usage and runs nothing", async () => {
  const { code, text } = await runner("--help");
  assert.equal(code, 0);
  assert.ok(text.includes("deno task bench [--quick]"), text);
  assert.ok(text.includes("--only=fanout,latency"), text);
  assert.ok(!text.includes("WAL segments") && !text.includes("fanout:"), text);
});

Deno.test("bench with an unknown argument names it, exits 2 and runs nothing", async () => {
  const { code, text } = await runner("--only=latency", "--onyl=fanout");
  assert.equal(code, 2);
  assert.ok(text.includes("unknown argument(s): --onyl=fanout"), text);
  assert.ok(!text.includes("WAL segments"), text);
});

Deno.test("bench with an unknown workload names it and the known ones, exits 2", async () => {
  const { code, text } = await runner("--only=latency,fanot");
  assert.equal(code, 2);
  assert.ok(text.includes("no workload named fanot (known: fanout, latency"), text);
});
