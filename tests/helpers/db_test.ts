/** The test database helper itself: every test starts empty with ids from 1, and ended tests are fenced off. */
import assert from "node:assert/strict";
import type { Db } from "../../db/client.ts";
import { dbTest, engines } from "./db.ts";

let previous: Db | null = null;

for (const round of [1, 2]) {
  dbTest(`each test starts empty with ids from 1 (round ${round})`, async (db) => {
    assert.equal((await db.query("SELECT * FROM workspaces")).length, 0);
    const r = await db.query<{ id: number }>(
      "INSERT INTO workspaces (slug, name) VALUES ('a', 'A') RETURNING id",
    );
    assert.equal(r[0].id, 1);
    await db.query("INSERT INTO workspace_settings (workspace_id, key, value) VALUES (1, 'k', '1')");
    const applied = await db.query("SELECT version FROM schema_migrations");
    assert.ok(applied.length > 0, "migrations are recorded");
    if (previous) {
      // The handle of the test before is fenced: it cannot reach this test's rows.
      await assert.rejects(previous.query("SELECT 1"), /test has ended/);
    }
    previous = db;
  });
}

dbTest("a test that changes the schema does not leak it", async (db) => {
  await db.query("CREATE TABLE scratch (x int)");
  await db.query("INSERT INTO scratch VALUES (1)");
});

dbTest("…and the next test gets the schema from the migrations", async (db) => {
  const t = await db.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'scratch'");
  assert.equal(t.length, 0);
});

for (const e of engines) {
  Deno.test(`engines[${e.name}].open() gives independent copies`, async () => {
    const a = await e.open();
    const b = await e.open();
    try {
      await a.query("INSERT INTO workspaces (slug, name) VALUES ('a', 'A')");
      assert.equal((await a.query("SELECT 1 FROM workspaces")).length, 1);
      assert.equal((await b.query("SELECT 1 FROM workspaces")).length, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });
}
