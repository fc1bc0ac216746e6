/**
 * `db.tx` and `db.insertRows` on the real Postgres server (TEST_DATABASE_URL), while the pool's connections
 * have queries queued: a transaction is always on a connection of its own, from its BEGIN to its end.
 *
 * postgres.js 3.4.9's `sql.begin` reserves its connection only once BEGIN was sent and the connection
 * still takes more queries (src/connection.js `execute()`: `... && sent.length < max_pipeline &&
 * onexecute(connection)`). A BEGIN that fills a connection's pipeline (or meets socket backpressure) is sent
 * on a connection that stays in the pool: the transaction fails with UNSAFE_TRANSACTION, the server's
 * session stays in the transaction, and the pool's next queries on that connection run inside it, never
 * committed (porsager/postgres issues #823 and #1189). A small `maxPipeline` puts BEGIN there on demand.
 */
import assert from "node:assert/strict";
import { openDb } from "../../db/client.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

type Db = Awaited<ReturnType<typeof openDb>>;

/**
 * A pool of 2 (`maxPipeline` as given) and an admin connection on a database of their own with a table `t`;
 * both closed and the database dropped afterwards.
 */
async function withPools(maxPipeline: number | undefined, fn: (db: Db, admin: Db) => Promise<void>) {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 2, maxPipeline });
  const admin = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  try {
    await admin.query("CREATE TABLE t (who text NOT NULL)");
    await fn(db, admin);
  } finally {
    await db.close();
    await admin.close();
    await dropPostgresUrl(url);
  }
}

/** Both connections open and idle, then `ahead` slow plain queries queued on them. */
async function slowAhead(db: Db, ahead: number) {
  await Promise.all([db.query("SELECT pg_sleep(0.01)"), db.query("SELECT pg_sleep(0.01)")]);
  return Array.from({ length: ahead }, () => db.query("SELECT pg_sleep(0.05)"));
}

/** Four plain INSERTs of round `ahead`, their failures noted in `errors`. */
function plainInserts(db: Db, ahead: number, errors: string[]) {
  return Array.from(
    { length: 4 },
    (_, i) =>
      db.query("INSERT INTO t (who) VALUES ($1)", [`plain ${ahead}.${i}`])
        .catch((err) => errors.push(`plain ${ahead}.${i}: ${err.code ?? err.message}`)),
  );
}

/** The sessions of this database left idle inside a transaction. */
function idleInTransaction(admin: Db) {
  return admin.query(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
  );
}

Deno.test("Postgres: a transaction whose BEGIN fills a connection's pipeline still runs alone and commits", () =>
  withPools(2, async (db, admin) => {
    const errors: string[] = [];
    const expected: string[] = [];
    // Each round: `ahead` slow plain queries, then two transactions (one commits, one rolls back on purpose),
    // then plain INSERTs. Over the rounds BEGIN lands at every place of the two connections' pipelines, the
    // last one included.
    for (let ahead = 0; ahead < 6; ahead++) {
      const slow = await slowAhead(db, ahead);
      const commits = db.tx(async (sql) => {
        await sql.query("INSERT INTO t (who) VALUES ($1)", [`tx ${ahead}`]);
      }).catch((err) => errors.push(`tx ${ahead}: ${err.code ?? err.message}`));
      const rollsBack = db.tx(async (sql) => {
        await sql.query("INSERT INTO t (who) VALUES ($1)", [`rolled back ${ahead}`]);
        throw new Error("on purpose");
      }).then(
        () => errors.push(`rollback ${ahead}: committed`),
        (err) => err.message === "on purpose" || errors.push(`rollback ${ahead}: ${err.code ?? err.message}`),
      );
      const plain = plainInserts(db, ahead, errors);
      expected.push(`tx ${ahead}`, ...[0, 1, 2, 3].map((i) => `plain ${ahead}.${i}`));
      await Promise.all([...slow, commits, rollsBack, ...plain]);
    }
    // Exactly what was acknowledged is committed: another session sees those rows, and no others (a plain
    // INSERT that ran inside another's transaction is not visible, or gone with its rollback). And no session
    // of the pool was left inside a transaction.
    const rows = await admin.query<{ who: string }>("SELECT who FROM t");
    const stuck = await idleInTransaction(admin);
    assert.deepEqual({ errors, rows: rows.map((r) => r.who).sort(), stuck }, {
      errors: [],
      rows: expected.sort(),
      stuck: [],
    });
  }));

Deno.test("Postgres: insertRows (COPY in a transaction) whose BEGIN fills a connection's pipeline commits", () =>
  withPools(2, async (db, admin) => {
    const errors: string[] = [];
    for (let ahead = 0; ahead < 6; ahead++) {
      const slow = await slowAhead(db, ahead);
      const copies = [0, 1].map((i) =>
        db.insertRows("t", [{ name: "who", type: "text" }], [[`copy ${ahead}.${i}`]])
          .catch((err) => errors.push(`copy ${ahead}.${i}: ${err.code ?? err.message}`))
      );
      const plain = plainInserts(db, ahead, errors);
      await Promise.all([...slow, ...copies, ...plain]);
    }
    const [{ n }] = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
    const stuck = await idleInTransaction(admin);
    // Every acknowledged row is visible to another session; no session of the pool is left in a transaction.
    assert.deepEqual({ errors, n, stuck }, { errors: [], n: 6 * (2 + 4), stuck: [] });
  }));

Deno.test("Postgres: a transaction whose connection the server ends rejects, commits nothing, and the pool goes on", () =>
  withPools(undefined, async (db, admin) => {
    const outcome = await db.tx(async (sql) => {
      await sql.query("INSERT INTO t (who) VALUES ($1)", ["ended"]);
      const [{ pid }] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      setTimeout(() => admin.query("SELECT pg_terminate_backend($1::int)", [pid]), 200);
      await sql.query("SELECT pg_sleep(10)");
    }).then(() => "committed", (err) => err.code ?? err.message);
    assert.ok(outcome === "57P01" || outcome === "CONNECTION_CLOSED", `rejected: ${outcome}`);
    // The pool goes on: both connections answer (the ended one reconnects), in transactions too.
    // (postgres.js 3.4.9 keeps the server's goodbye, 57P01, and may fail the next query on the new
    // connection with it: tests/db/pg_edges_test.ts.)
    for (let i = 0; i < 4; i++) {
      await Promise.all([
        db.tx((sql) => sql.query("INSERT INTO t (who) VALUES ($1)", [`tx ${i}`])),
        db.query("INSERT INTO t (who) VALUES ($1)", [`plain ${i}`]),
      ]).catch((err) => assert.equal(err.code, "57P01"));
    }
    await db.tx((sql) => sql.query("INSERT INTO t (who) VALUES ('last')"));
    const rows = (await admin.query<{ who: string }>("SELECT who FROM t")).map((r) => r.who);
    assert.ok(!rows.includes("ended") && rows.includes("last"), `${rows}`);
    const stuck = await idleInTransaction(admin);
    assert.deepEqual(stuck, []);
  }));
