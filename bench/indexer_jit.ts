/**
 * What Postgres' JIT costs the search indexer's pass (bench/notes/history_page.md, "History tail, the idle
 * heap and JIT (issue 16, tenth pass)"). On a filled database (e.g. `history_tail_1000`, left by
 * `bench/history_tail.ts --channels=1000 --reuse`), times `INDEX_ABOVE` (the indexer's one statement) with
 * `jit` on and off, alternating, each in a transaction rolled back, by `EXPLAIN (ANALYZE)`'s execution time,
 * and prints the plan's cost and its JIT line. With nothing to index (the watermark at the newest message)
 * the statement reads a few index pages; its plan is priced on a third of the table (an unknown lower bound),
 * far above `jit_above_cost` (100,000) once the table holds about a million messages.
 *
 *   flock /tmp/bench.lock deno run -A bench/indexer_jit.ts postgres://postgres@127.0.0.1:PORT/history_tail_1000
 */
import postgres from "postgres";
import { INDEX_ABOVE } from "../db/repos/message_search.ts";

const url = Deno.args[0] ?? Deno.env.get("DATABASE_URL");
if (!url) throw new Error("usage: bench/indexer_jit.ts DATABASE_URL");
// One connection: BEGIN / ROLLBACK around each statement.
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  for (const jit of ["on", "off", "on", "off"]) {
    await sql.unsafe(`SET jit = ${jit}`);
    const ms: number[] = [];
    let plan: string[] = [];
    for (let i = 0; i < 5; i++) {
      await sql.unsafe("BEGIN");
      plan = (await sql.unsafe(`EXPLAIN (ANALYZE) ${INDEX_ABOVE}`, [0, 500])).map((r) => r["QUERY PLAN"]);
      await sql.unsafe("ROLLBACK");
      ms.push(Number(plan.find((l) => l.startsWith("Execution Time"))!.match(/[\d.]+/)![0]));
    }
    const jitLine = plan.find((l) => l.trim().startsWith("Timing:")) ?? "no JIT";
    console.log(
      `jit=${jit.padEnd(3)} execution ms ${ms.join(" ")}  (cost ${
        plan[0].match(/cost=\S+/)?.[0]
      }; ${jitLine.trim()})`,
    );
  }
} finally {
  await sql.end();
}
