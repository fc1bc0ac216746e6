/**
 * `deno task migrate` applies pending migrations with one progress line per step;
 * `deno task migrate status` lists every migration and whether it is applied.
 * Uses DATABASE_URL (Postgres) or the PGlite data directory (DATA_DIR, default ./data), like the server.
 *
 * @example
 * DATABASE_URL=postgres://localhost/parley deno task migrate status
 */
import { loadConfig } from "../config.ts";
import { type Db, openDb } from "../db/client.ts";
import { migrate, migrationStatus } from "../db/migrate.ts";

const USAGE = "usage: deno task migrate [up|status]";

/** Runs the command on `db`; returns the exit code. `print` receives every output line. */
export async function runMigrate(db: Db, args: string[], print: (line: string) => void): Promise<number> {
  const [command = "up", ...rest] = args;
  if (rest.length || !["up", "status"].includes(command)) {
    print(USAGE);
    return 2;
  }
  if (command === "status") {
    const list = await migrationStatus(db);
    for (const m of list) {
      print(`${m.applied ? "applied" : "pending"}  ${String(m.version).padStart(4, "0")}_${m.name}`);
    }
    const pending = list.filter((m) => !m.applied).length;
    print(pending ? `${pending} pending; run \`deno task migrate\`` : "database is up to date");
    return 0;
  }
  const n = await migrate(db, print);
  if (n) print(`migrate: applied ${n} migration${n === 1 ? "" : "s"}`);
  return 0;
}

if (import.meta.main) {
  const config = loadConfig(Deno.env.toObject(), Deno.args);
  const where = config.databaseUrl ? "Postgres (DATABASE_URL)" : `PGlite in ${config.dataDir}`;
  console.log(`migrate: using ${where}`);
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
  let code = 1;
  try {
    code = await runMigrate(db, Deno.args, (line) => console.log(line));
  } catch (err) {
    console.error(`migrate: failed: ${err instanceof Error ? err.message : err}`);
  } finally {
    await db.close();
  }
  Deno.exit(code);
}
