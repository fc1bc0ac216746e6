/** Applies the numbered SQL files in `db/migrations/` in order, once each, recording them in `schema_migrations`. */
import type { Db } from "./client.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const dir = new URL("./migrations/", import.meta.url);

export async function loadMigrations(): Promise<Migration[]> {
  const out: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = /^(\d{4})_(.+)\.sql$/.exec(entry.name);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: m[2], sql: await Deno.readTextFile(new URL(entry.name, dir)) });
  }
  return out.sort((a, b) => a.version - b.version);
}

async function applied(db: Db): Promise<Set<number>> {
  await db.tx(async (sql) => {
    // CREATE TABLE IF NOT EXISTS races with a concurrent twin (duplicate pg_type key): take the lock first.
    await sql.query("SELECT pg_advisory_xact_lock(7244101)");
    await sql.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations");
  return new Set(rows.map((r) => r.version));
}

export interface MigrationStatus {
  version: number;
  name: string;
  applied: boolean;
}

export async function migrationStatus(db: Db): Promise<MigrationStatus[]> {
  const done = await applied(db);
  return (await loadMigrations()).map((m) => ({
    version: m.version,
    name: m.name,
    applied: done.has(m.version),
  }));
}

/** Applies pending migrations; `log` receives one readable line per step. Safe to run concurrently. */
export async function migrate(db: Db, log: (line: string) => void = () => {}): Promise<number> {
  const pending = (await migrationStatus(db)).filter((m) => !m.applied);
  if (pending.length === 0) {
    log("migrate: database is up to date");
    return 0;
  }
  const all = await loadMigrations();
  let count = 0;
  for (const m of all.filter((x) => pending.some((p) => p.version === x.version))) {
    const started = performance.now();
    const ran = await db.tx(async (sql) => {
      // One migrator at a time across processes; a second one finds the work done.
      await sql.query("SELECT pg_advisory_xact_lock(7244101)");
      const seen = await sql.query("SELECT 1 FROM schema_migrations WHERE version = $1", [m.version]);
      if (seen.length) return false;
      for (const stmt of splitStatements(m.sql)) await sql.query(stmt);
      await sql.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      return true;
    });
    if (ran) {
      count++;
      const ms = Math.round(performance.now() - started);
      log(`migrate: ${String(m.version).padStart(4, "0")}_${m.name} applied in ${ms} ms`);
    }
  }
  return count;
}

/** Splits a migration into statements (the extended protocol runs one at a time). No `;` inside strings. */
export function splitStatements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("--"))
    .join("\n")
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}
