/**
 * The results table shows the CPU per unit of work of history, the reconnect storm and visitors beside their
 * latency rows (bench/notes/cost21.md, "The CPU per page, per resumed client and per visitor message").
 */
import assert from "node:assert/strict";
import { markdownTable, rows } from "../../bench/lib/report.ts";
import { perUnitMs } from "../../bench/lib/cpu.ts";

Deno.test("perUnitMs divides CPU seconds by the units, to 0.01 ms, and leaves out what was not measured", () => {
  assert.deepEqual(perUnitMs("page", { server: 0.46, postgres: 0.39 }, 300), {
    server_cpu_ms_per_page: 1.53,
    postgres_cpu_ms_per_page: 1.3,
  });
  assert.deepEqual(perUnitMs("client", { server: 0.42 }, 500), { server_cpu_ms_per_client: 0.84 });
});

Deno.test("the table has the history, storm and visitors CPU rows after their latency rows", () => {
  const md = markdownTable(rows({
    history: {
      parley: {
        messages: 100_000,
        latest_p50_ms: 2.4,
        latest_p99_ms: 5.55,
        deep_p50_ms: 2.58,
        deep_p99_ms: 5.33,
        server_cpu_ms_per_page: 1.53,
        postgres_cpu_ms_per_page: 1.3,
      },
    },
    reconnect: {
      parley: {
        clients: 500,
        seconds: 0.61,
        missed_events: 0,
        duplicates: 0,
        server_cpu_ms_per_client: 0.84,
        postgres_cpu_ms_per_client: 0.58,
      },
    },
    visitors: {
      parley: {
        visitors: 100,
        agents: 20,
        visitor_to_agent: { p50_ms: 4.15, p99_ms: 28.85 },
        agent_to_visitor: { p50_ms: 3.85, p99_ms: 28.46 },
        server_cpu_ms_per_conversation: 16.5,
        postgres_cpu_ms_per_conversation: 19.8,
      },
    },
  }));
  const lines = md.split("\n");
  const at = (text: string) => lines.findIndex((l) => l.includes(text));
  assert.ok(at("| server CPU ms per page (its /healthz included) | 1.53 |") > at("deep page p99 ms"), md);
  assert.ok(at("| Postgres CPU ms per page (its /healthz included) | 1.3 |") > 0, md);
  assert.ok(at("| server CPU ms per resumed client (senders included) | 0.84 |") > at("duplicates"), md);
  assert.ok(at("| Postgres CPU ms per resumed client (senders included) | 0.58 |") > 0, md);
  assert.ok(at("| visitors: 100 chats, 20 agents: visitor→agent p50 / p99 ms | 4.15 / 28.85 |") > 0, md);
  assert.ok(at("| agent→visitor p50 / p99 ms | 3.85 / 28.46 |") > 0, md);
  assert.ok(
    at("| server CPU ms per visitor conversation (staff pair included) | 16.5 |") > at("agent→visitor"),
    md,
  );
  assert.ok(at("| Postgres CPU ms per visitor conversation (staff pair included) | 19.8 |") > 0, md);
});
