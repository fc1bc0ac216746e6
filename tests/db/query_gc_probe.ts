/**
 * Run by tests/db/query_settle_test.ts in a child with `--v8-flags=--expose-gc`: how many finished
 * queries' rows (through `Db.query` on Postgres) and array parameters are still alive after minor GCs
 * (scavenges). Prints `{"alive":n,"argsAlive":n,"of":m}`. `DATABASE_URL` is the database; the first argument a checkout's root (default: this).
 */
const root = Deno.args[0] ?? new URL("../..", import.meta.url).pathname;
const { openDb } = await import(`${root}/db/client.ts`);
const db = await openDb({ databaseUrl: Deno.env.get("DATABASE_URL"), dataDir: "", maxConnections: 1 });
const gc = (globalThis as unknown as { gc(o: { type: "minor" }): void }).gc;
const text = "SELECT g, repeat('x', 20) || g AS t FROM generate_series(1, $1::int) g";
for (let i = 0; i < 50; i++) await db.query(text, [20]);
const refs: WeakRef<object>[] = [];
// A query's parameters too (an array parameter is the caller's own array in the Query's `args`).
const argRefs: WeakRef<object>[] = [];
const withArray = "SELECT cardinality($1::int[]) AS n";
for (let i = 0; i < 100; i++) {
  const rows = await db.query(text, [20]);
  refs.push(new WeakRef(rows[0]));
  const arr = [i, i + 1, i + 2];
  await db.query(withArray, [arr]);
  argRefs.push(new WeakRef(arr));
}
// WeakRef targets are kept until the current job ends: collect in a later task.
await new Promise((r) => setTimeout(r, 0));
gc({ type: "minor" });
gc({ type: "minor" });
const alive = (a: WeakRef<object>[]) => a.filter((r) => r.deref() !== undefined).length;
console.log(JSON.stringify({ alive: alive(refs), argsAlive: alive(argRefs), of: refs.length }));
await db.close();
