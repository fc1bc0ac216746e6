/**
 * Run by tests/db/query_settle_test.ts in a child with `--v8-flags=--expose-gc`: how many finished
 * queries' rows (through `Db.query` on Postgres), array parameters, text arrays and options objects are
 * still alive after minor GCs (scavenges), and how many reactions (`then`/`catch`/`finally`) were put on
 * postgres.js's `Query` objects. Prints `{"alive":n,"argsAlive":n,"ownAlive":n,"reactions":n,"of":m}`. `DATABASE_URL` is the database; the first argument a checkout's root (default: this).
 */
const root = Deno.args[0] ?? new URL("../..", import.meta.url).pathname;
const { openDb } = await import(`${root}/db/client.ts`);
const db = await openDb({ databaseUrl: Deno.env.get("DATABASE_URL"), dataDir: "", maxConnections: 1 });
// postgres.js's Query class (the module db/client.ts uses): note each query's own text array and options
// object where it is started, and every reaction put on it. A finished Query survives the scavenges until a
// mark-compact (its constructor's closures are allocated old: bench/notes/surviving_queries.md), so whatever
// it still references then survives with it.
const { default: postgres } = await import("postgres");
// Only its Query prototype is read: it never connects (a query starts when awaited), so any URL that parses
// does (DATABASE_URL may be in the socket form, which postgres.js itself does not parse: db/pg_url.ts).
const throwaway = postgres("postgres://localhost/unused", { max: 1 });
const proto = Object.getPrototypeOf(throwaway.unsafe("SELECT 1")) as Record<
  string,
  (...a: unknown[]) => unknown
>;
await throwaway.end({ timeout: 1 });
const ownRefs: WeakRef<object>[] = [];
let reactions = 0;
let tracking = false;
for (const name of ["execute", "then", "catch", "finally"]) {
  const real = proto[name];
  proto[name] = function (this: { strings: object; options: object }, ...a: unknown[]) {
    if (tracking && name !== "execute") reactions++;
    if (tracking && (name === "execute" || name === "catch")) {
      ownRefs.push(new WeakRef(this.strings), new WeakRef(this.options));
    }
    return real.apply(this, a);
  };
}
const gc = (globalThis as unknown as { gc(o: { type: "minor" }): void }).gc;
const text = "SELECT g, repeat('x', 20) || g AS t FROM generate_series(1, $1::int) g";
for (let i = 0; i < 50; i++) await db.query(text, [20]);
const refs: WeakRef<object>[] = [];
// A query's parameters too (an array parameter is the caller's own array in the Query's `args`).
const argRefs: WeakRef<object>[] = [];
const withArray = "SELECT cardinality($1::int[]) AS n";
tracking = true;
for (let i = 0; i < 100; i++) {
  const rows = await db.query(text, [20]);
  refs.push(new WeakRef(rows[0]));
  const arr = [i, i + 1, i + 2];
  await db.query(withArray, [arr]);
  argRefs.push(new WeakRef(arr));
}
tracking = false;
// WeakRef targets are kept until the current job ends: collect in a later task.
await new Promise((r) => setTimeout(r, 0));
gc({ type: "minor" });
gc({ type: "minor" });
const alive = (a: WeakRef<object>[]) => a.filter((r) => r.deref() !== undefined).length;
console.log(JSON.stringify({
  alive: alive(refs),
  argsAlive: alive(argRefs),
  ownAlive: alive(ownRefs),
  ownOf: ownRefs.length,
  reactions,
  of: refs.length,
}));
await db.close();
