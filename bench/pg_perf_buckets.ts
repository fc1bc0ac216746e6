/**
 * Where Postgres' CPU goes in a bench step, from a call-graph profile of the cluster's processes:
 * `perf script -i FILE -F comm,pid,ip,sym | deno run -A bench/pg_perf_buckets.ts`.
 * Each sample counts once, in the first bucket (in the order below) with a function on its stack, so the
 * search indexer's own work (tokenising, trigrams, the GIN pending list and its cleanup) is told apart from
 * the inserts, scans and commits every statement shares. How the profile was taken
 * (bench/notes/cpu_per_message.md, "Postgres CPU per durable message in the steady workload", fifteenth
 * pass): `perf record -F 499 --call-graph dwarf,16384 -p <the bench cluster's postmaster and its children> --
 * sleep 7`, started once the steady step's first second of sends was seen (`BENCH_STAGES=1`).
 */

/** Buckets, first match wins; each a list of function names (Debian's postgres has its exported symbols). */
export const BUCKETS: [string, string[]][] = [
  ["commit: WAL flush (XLogFlush, fdatasync)", ["XLogFlush", "issue_xlog_fsync", "fdatasync"]],
  ["commit: the rest", ["CommitTransactionCommand", "CommitTransaction"]],
  ["search: to_tsvector (parse, stem)", ["to_tsvector_byid", "parsetext", "to_tsvector"]],
  ["search: trigrams and lower()", ["generate_trgm", "gin_extract_value_trgm", "lower", "str_tolower"]],
  ["search: GIN insert, pending list and its cleanup", [
    "ginHeapTupleFastInsert",
    "ginInsertCleanup",
    "gininsert",
    "ginExtractEntries",
  ]],
  ["search: the clock (pg_stat_get_activity)", ["pg_stat_get_activity", "pg_sequence_last_value"]],
  ["foreign-key checks (RI triggers)", ["RI_FKey_check", "AfterTriggerEndQuery", "AfterTriggerFireDeferred"]],
  ["row locks (FOR SHARE / FOR UPDATE)", ["heap_lock_tuple", "ExecLockRows"]],
  ["planning", ["standard_planner", "pg_plan_queries", "BuildCachedPlan", "GetCachedPlan"]],
  ["parse and analyze", ["exec_parse_message", "pg_analyze_and_rewrite", "raw_parser", "parse_analyze"]],
  ["B-tree inserts", ["btinsert", "_bt_doinsert"]],
  ["heap insert", ["heap_insert", "heap_multi_insert"]],
  ["heap update", ["heap_update"]],
  ["index scans and probes", ["index_getnext_slot", "index_fetch_heap", "btgettuple", "_bt_first"]],
  ["WAL insert (the rest)", ["XLogInsert"]],
  ["executor start and end", ["standard_ExecutorStart", "standard_ExecutorEnd", "PortalDrop"]],
  ["executor run, the rest (scans, joins, CTEs, expressions)", ["standard_ExecutorRun", "PortalRun"]],
  ["socket send and receive", ["secure_write", "secure_read", "pq_getbyte", "pq_getmessage", "socket_flush"]],
  ["bind", ["exec_bind_message"]],
  ["background processes", [
    "WalWriterMain",
    "BackgroundWriterMain",
    "CheckpointerMain",
    "AutoVacWorkerMain",
    "AutoVacLauncherMain",
  ]],
];

/** Counts per bucket ("other" for the rest) of `perf script` text (samples separated by blank lines). */
export function buckets(text: string): { samples: number; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  let samples = 0;
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split("\n").filter((l) => l.trim());
    if (lines.length < 2) continue;
    const frames = new Set(
      lines.slice(1).map((l) => (l.trim().split(/\s+/)[1] ?? "").replace(/\+0x[0-9a-f]+$/, "")),
    );
    samples++;
    const hit = BUCKETS.find(([, fs]) => fs.some((f) => frames.has(f)))?.[0] ?? "other";
    counts.set(hit, (counts.get(hit) ?? 0) + 1);
  }
  return { samples, counts };
}

if (import.meta.main) {
  const text = await new Response(Deno.stdin.readable).text();
  const { samples, counts } = buckets(text);
  console.log(`${samples} samples`);
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) {
    console.log(`${(100 * v / samples).toFixed(1).padStart(5)} % ${String(v).padStart(6)}  ${k}`);
  }
}
