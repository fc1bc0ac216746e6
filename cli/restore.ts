/**
 * `deno task restore <backup.pglite.tar.gz> [data-dir]` makes a PGlite data directory from a backup
 * downloaded in the Control panel (`GET /api/admin/backup`). The directory (default DATA_DIR, else ./data)
 * must be empty or absent: a restore never overwrites a database. Stop the server first, restore into a new
 * directory, point DATA_DIR at it, start the server (migrations newer than the backup apply at start).
 * Postgres backups (`.pgdump`) are restored with `pg_restore` instead (docs/operations.md).
 *
 * @example
 * deno task restore parley-20261201-210000.pglite.tar.gz ./data-restored
 */
import { openDb } from "../db/client.ts";

/** Restores `file` into `dataDir`; returns the exit code. `print` receives every output line. */
export async function runRestore(args: string[], print: (line: string) => void): Promise<number> {
  const [file, dir = Deno.env.get("DATA_DIR") || "./data", ...rest] = args;
  if (!file || rest.length) {
    print("usage: deno task restore <backup.pglite.tar.gz> [data-dir]");
    return 2;
  }
  if (file.endsWith(".pgdump")) {
    print("restore: a .pgdump is a Postgres backup; restore it with pg_restore (see docs/operations.md)");
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    print(`restore: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  try {
    for await (const _ of Deno.readDir(dir)) {
      print(`restore: ${dir} is not empty; restore into a new directory`);
      return 1;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const db = await openDb({ dataDir: dir, loadDataDir: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
  try {
    const [m] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages");
    print(`restore: ${dir} holds the backup (${m.n} messages); start the server with DATA_DIR=${dir}`);
  } finally {
    await db.close();
  }
  return 0;
}

if (import.meta.main) Deno.exit(await runRestore(Deno.args, console.log));
