/** The one `Db` interface behaves the same on PGlite and Postgres. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";

dbTest("values come back alike: int8 as numbers, timestamps as ISO strings, arrays, jsonb", async (db) => {
  const [r] = await db.query<Record<string, unknown>>(
    `SELECT 9007199254740991::bigint AS big, 7::int AS small, '2024-05-06T07:08:09.123Z'::timestamptz AS at,
       ARRAY[1, 2]::bigint[] AS ids, '{"a":[1,true,null]}'::jsonb AS doc, $1::text AS echoed, $2::timestamptz AS param`,
    ["é ✓", new Date("2024-01-02T03:04:05.000Z")],
  );
  assert.equal(r.big, Number.MAX_SAFE_INTEGER);
  assert.equal(r.small, 7);
  assert.equal(r.at, "2024-05-06T07:08:09.123Z");
  assert.deepEqual(r.ids, [1, 2]);
  assert.deepEqual(r.doc, { a: [1, true, null] });
  assert.equal(r.echoed, "é ✓");
  assert.equal(r.param, "2024-01-02T03:04:05.000Z");
});

dbTest("results are plain arrays of plain objects", async (db) => {
  const rows = await db.query("SELECT 1 AS n");
  assert.equal(Object.getPrototypeOf(rows), Array.prototype);
  assert.deepEqual(rows, [{ n: 1 }]);
  assert.deepEqual(await db.query("SELECT 1 WHERE false"), []);
});

dbTest("a JSON text parameter is stored as JSON, not as a JSON string", async (db) => {
  const [r] = await db.query<{ t: string; v: unknown }>(
    "SELECT jsonb_typeof($1::jsonb) AS t, $1::jsonb AS v",
    [JSON.stringify({ n: 1 })],
  );
  assert.deepEqual([r.t, r.v], ["object", { n: 1 }]);
});

dbTest("transactions commit when the function resolves and roll back when it throws", async (db) => {
  await db.tx(async (sql) => {
    await sql.query("INSERT INTO workspaces (slug, name) VALUES ('a', 'A')");
  });
  await assert.rejects(
    db.tx(async (sql) => {
      await sql.query("INSERT INTO workspaces (slug, name) VALUES ('b', 'B')");
      throw new Error("boom");
    }),
    /boom/,
  );
  await assert.rejects(
    db.tx(async (sql) => {
      await sql.query("INSERT INTO workspaces (slug, name) VALUES ('c', 'C')");
      await sql.query("INSERT INTO workspaces (slug, name) VALUES ('a', 'again')"); // unique violation
    }),
  );
  const rows = await db.query<{ slug: string }>("SELECT slug FROM workspaces ORDER BY slug");
  assert.deepEqual(rows.map((r) => r.slug), ["a"]);
});

dbTest("concurrent transactions on one row serialise (no lost updates)", async (db) => {
  await db.query("INSERT INTO workspaces (slug, name) VALUES ('w', '0')");
  await Promise.all(
    Array.from({ length: 10 }, () =>
      db.tx(async (sql) => {
        const [r] = await sql.query<{ name: string }>(
          "SELECT name FROM workspaces WHERE slug = 'w' FOR UPDATE",
        );
        await sql.query("UPDATE workspaces SET name = $1 WHERE slug = 'w'", [String(Number(r.name) + 1)]);
      })),
  );
  assert.equal((await db.query<{ name: string }>("SELECT name FROM workspaces"))[0].name, "10");
});

dbTest("LISTEN/NOTIFY delivers payloads until unlisten", async (db) => {
  const got: string[] = [];
  const arrived = Promise.withResolvers<void>();
  const stop = await db.listen("parley_test", (p) => {
    got.push(p);
    if (got.length === 2) arrived.resolve();
  });
  await db.notify("parley_test", "one");
  await db.notify("parley_test", "two ✓");
  const timer = setTimeout(() => arrived.reject(new Error("no notification within 5 s")), 5000);
  await arrived.promise.finally(() => clearTimeout(timer));
  await stop();
  await db.notify("parley_test", "three");
  await db.query("SELECT 1");
  assert.deepEqual(got, ["one", "two ✓"]);
});

const PROBE = [
  { name: "t", type: "text" },
  { name: "i", type: "int4" },
  { name: "b", type: "int8" },
  { name: "d", type: "bytea" },
] as const;

dbTest(
  "insertRows stores text, int4, int8, bytea and nulls exactly (binary COPY on Postgres)",
  async (db) => {
    await db.query("CREATE TABLE copy_probe (t text PRIMARY KEY, i int4, b int8, d bytea)");
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 13) & 255);
    await db.insertRows("copy_probe", [...PROBE], [
      ["é ✓ 東京", -2147483648, Number.MAX_SAFE_INTEGER, big],
      ["two", 2147483647, -42, new Uint8Array(0)],
      ["three", null, null, null],
    ]);
    const rows = await db.query<{ t: string; i: number | null; b: number | null; d: Uint8Array | null }>(
      "SELECT t, i, b, d FROM copy_probe ORDER BY i NULLS LAST",
    );
    assert.deepEqual(rows.map((r) => [r.t, r.i, r.b]), [
      ["é ✓ 東京", -2147483648, Number.MAX_SAFE_INTEGER],
      ["two", 2147483647, -42],
      ["three", null, null],
    ]);
    assert.deepEqual(new Uint8Array(rows[0].d!), big);
    assert.equal(rows[1].d!.length, 0);
    assert.equal(rows[2].d, null);
    await db.insertRows("copy_probe", [...PROBE], []); // nothing to do
    assert.equal((await db.query("SELECT 1 FROM copy_probe")).length, 3);
  },
);

dbTest(
  "insertRows stores nothing when any row is refused, first or last, and the database goes on",
  async (db) => {
    await db.query("CREATE TABLE copy_probe (t text PRIMARY KEY, i int4, b int8, d bytea)");
    await db.insertRows("copy_probe", [...PROBE], [["taken", 1, 1, null]]);
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => [`r${i}`, i, i, new Uint8Array(40_000).fill(i & 255)]);
    // The refused row last: Postgres answers after the client has finished sending the data.
    await assert.rejects(db.insertRows("copy_probe", [...PROBE], [...many(30), ["taken", 2, 2, null]]));
    // The refused row first: the server refuses while the client is still sending.
    await assert.rejects(db.insertRows("copy_probe", [...PROBE], [["taken", 2, 2, null], ...many(30)]));
    // A value the columns cannot carry is refused before anything is sent.
    await assert.rejects(db.insertRows("copy_probe", [...PROBE], [["x", 2 ** 31, 0, null]]));
    assert.deepEqual(await db.query("SELECT t FROM copy_probe"), [{ t: "taken" }]);
    // The connections are usable afterwards (a COPY left open would refuse or hang the next statements).
    await Promise.all(Array.from({ length: 12 }, (_, i) => db.query("SELECT $1::int AS n", [i])));
    await db.insertRows("copy_probe", [...PROBE], many(3));
    assert.equal((await db.query("SELECT 1 FROM copy_probe")).length, 4);
  },
);
