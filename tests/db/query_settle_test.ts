/**
 * `Db.query` on Postgres settles each postgres.js query through a promise of its own (db/client.ts
 * `settled`), so a finished query's rows die young instead of surviving V8's scavenges; and nothing else
 * about a query changes: errors, transactions, a caught error inside a transaction.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { openDb, settleable } from "../../db/client.ts";
import { pgTarget } from "../../db/pg_url.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

async function withPostgres(fn: (url: string) => Promise<void>) {
  const url = await postgresUrl({ migrated: true });
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  try {
    await fn(url);
  } finally {
    await dropPostgresUrl(url);
  }
}

Deno.test("postgres.js's Query has the shape db/client.ts settles (own resolve/reject, not started)", async () => {
  await withPostgres(async (url) => {
    const sql = postgres(pgTarget(url).url, { ...pgTarget(url).options, max: 1, onnotice: () => {} });
    try {
      const q = sql.unsafe("SELECT 1 AS n", [], {});
      assert.ok(
        settleable(q),
        "a later postgres.js changed Query: check db/client.ts `settled` still applies",
      );
      assert.deepEqual([...await q], [{ n: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

Deno.test("a finished query's rows and parameters do not survive a scavenge", async () => {
  await withPostgres(async (url) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", new URL("./query_gc_probe.ts", import.meta.url).pathname],
      env: { DATABASE_URL: url },
      stderr: "inherit",
    }).output();
    assert.ok(out.success);
    const { alive, argsAlive, ownAlive, ownOf, reactions, of } = JSON.parse(
      new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
    );
    // Without the workaround every one of them is alive (100 of 100); with it, at most the last few.
    assert.equal(of, 100);
    assert.ok(alive <= 5, `${alive} of ${of} finished queries' rows survived two minor GCs`);
    // Nor its parameters (a grouped send's arrays of bodies): without dropping them, 100 of 100.
    assert.ok(
      argsAlive <= 5,
      `${argsAlive} of ${of} finished queries' array parameters survived two minor GCs`,
    );
    // Nor the Query's own text array and options object (two each of 200 queries: 400 of 400 alive while a
    // finished Query kept them), and no reaction is left on the Query (a `catch` reaction, its derived
    // promise and its closure were kept with every finished Query: 400 calls before, `catch` and the `then`
    // it calls for each of the 200 queries).
    assert.equal(ownOf, 4 * of);
    assert.ok(ownAlive <= 20, `${ownAlive} of ${ownOf} finished queries' text arrays and options survived`);
    assert.equal(reactions, 0, `${reactions} reactions put on postgres.js's Query objects`);
  });
});

Deno.test("errors and transactions behave as postgres.js's own: codes, rollback, a caught error still fails", async () => {
  await withPostgres(async (url) => {
    const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 2 });
    try {
      await db.query("INSERT INTO workspaces (slug, name) VALUES ($1, $2)", ["a", "A"]);
      await assert.rejects(
        db.query("INSERT INTO workspaces (slug, name) VALUES ($1, $2)", ["a", "again"]),
        (e: { code?: string }) => e.code === "23505",
      );
      await assert.rejects(db.query("SELEC 1"), (e: { code?: string }) => e.code === "42601");
      // A statement's error caught inside the transaction: postgres.js still rolls back and rejects with it.
      await assert.rejects(
        db.tx(async (sql) => {
          await sql.query("INSERT INTO workspaces (slug, name) VALUES ($1, $2)", ["b", "B"]);
          await sql.query("INSERT INTO workspaces (slug, name) VALUES ($1, $2)", ["a", "again"]).catch(
            () => {},
          );
          return 1;
        }),
        (e: { code?: string }) => e.code === "23505",
      );
      assert.deepEqual(await db.tx((sql) => sql.query("SELECT slug FROM workspaces ORDER BY slug")), [{
        slug: "a",
      }]);
      // Many at once on few connections (pipelined), each with its own rows.
      const got = await Promise.all(
        Array.from({ length: 50 }, (_, i) => db.query<{ n: number }>("SELECT $1::int AS n", [i])),
      );
      assert.deepEqual(got.map((r) => r[0].n), Array.from({ length: 50 }, (_, i) => i));
      // Several statements without parameters (migrations): one result per statement, as before.
      assert.ok(Array.isArray(await db.query("SELECT 1; SELECT 2")));
    } finally {
      await db.close();
    }
  });
});
