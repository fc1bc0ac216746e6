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
