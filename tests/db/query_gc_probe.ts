/**
 * Run by tests/db/query_settle_test.ts in a child with `--v8-flags=--expose-gc`: how many finished
 * queries' rows (through `Db.query` on Postgres) are still alive after minor GCs (scavenges). Prints
 * `{"alive":n,"of":m}`. `DATABASE_URL` is the database; the first argument a checkout's root (default: this).
 */
const root = Deno.args[0] ?? new URL("../..", import.meta.url).pathname;
const { openDb } = await import(`${root}/db/client.ts`);
const db = await openDb({ databaseUrl: Deno.env.get("DATABASE_URL"), dataDir: "", maxConnections: 1 });
const gc = (globalThis as unknown as { gc(o: { type: "minor" }): void }).gc;
const text = "SELECT g, repeat('x', 20) || g AS t FROM generate_series(1, $1::int) g";
for (let i = 0; i < 50; i++) await db.query(text, [20]);
const refs: WeakRef<object>[] = [];
for (let i = 0; i < 100; i++) {
  const rows = await db.query(text, [20]);
  refs.push(new WeakRef(rows[0]));
}
// WeakRef targets are kept until the current job ends: collect in a later task.
await new Promise((r) => setTimeout(r, 0));
gc({ type: "minor" });
gc({ type: "minor" });
console.log(JSON.stringify({ alive: refs.filter((r) => r.deref() !== undefined).length, of: refs.length }));
await db.close();
