/** Migrations on both engines: status, applying with progress lines, idempotence, concurrent migrators. */
import assert from "node:assert/strict";
import { dropPostgresUrl, engines, postgresUrl } from "../helpers/db.ts";
import { loadMigrations, migrate, migrationStatus, splitStatements } from "../../db/migrate.ts";
import { openDb } from "../../db/client.ts";

Deno.test("migration files have unique increasing numbers and split into statements", async () => {
  const all = await loadMigrations();
  assert.ok(all.length >= 2);
  // Numbers are handed out to parallel branches, so a branch may land before a lower number does: gaps are
  // allowed (pending migrations are applied by set, in order), duplicates are not.
  assert.equal(all[0].version, 1);
  for (let i = 1; i < all.length; i++) assert.ok(all[i].version > all[i - 1].version, all[i].name);
  for (const m of all) assert.ok(splitStatements(m.sql).length > 0, m.name);
  assert.deepEqual(
    splitStatements("-- a comment; not a statement\nCREATE TABLE a (x int);\n\nINSERT INTO a VALUES (1);\n"),
    ["CREATE TABLE a (x int)", "INSERT INTO a VALUES (1)"],
  );
});

for (const e of engines) {
  Deno.test({
    name: `migrate applies every migration once, with a line per step [${e.name}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await e.openBlank();
      try {
        const all = await loadMigrations();
        const before = await migrationStatus(db);
        assert.deepEqual(before.map((m) => [m.version, m.applied]), all.map((m) => [m.version, false]));
        const lines: string[] = [];
        assert.equal(await migrate(db, (l) => lines.push(l)), all.length);
        assert.equal(lines.length, all.length);
        lines.forEach((l, i) => {
          const m = all[i];
          assert.match(
            l,
            new RegExp(`^migrate: ${String(m.version).padStart(4, "0")}_${m.name} applied in \\d+ ms$`),
          );
        });
        assert.ok((await migrationStatus(db)).every((m) => m.applied));
        const again: string[] = [];
        assert.equal(await migrate(db, (l) => again.push(l)), 0);
        assert.deepEqual(again, ["migrate: database is up to date"]);
        const tables = await db.query<{ t: string }>(
          "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        );
        for (const t of ["channels", "messages", "members", "users", "workspaces", "schema_migrations"]) {
          assert.ok(tables.some((x) => x.t === t), t);
        }
      } finally {
        await db.close();
      }
    },
  });
}

for (const e of engines) {
  Deno.test({
    name: `migrators running at once apply each migration exactly once [${e.name}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // On Postgres two connection pools are two migrators; PGlite has one connection, shared.
      const url = e.name === "postgres" ? await postgresUrl() : null;
      const a = url ? await openDb({ databaseUrl: url, dataDir: "" }) : await e.openBlank();
      const b = url ? await openDb({ databaseUrl: url, dataDir: "" }) : a;
      try {
        const total = (await loadMigrations()).length;
        const counts = await Promise.all([migrate(a), migrate(b), migrate(a)]);
        assert.equal(counts.reduce((x, y) => x + y), total);
        const rows = await a.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
        assert.equal(rows[0].n, total);
      } finally {
        if (b !== a) await b.close();
        await a.close();
        if (url) await dropPostgresUrl(url);
      }
    },
  });
}
