/**
 * Backup (issue 13, Control panel): one consistent dump of the whole database, streamed to the
 * administrator while chat keeps serving.
 * - Postgres: `pg_dump --format=custom` in its own process (one repeatable-read snapshot, so the dump is
 *   consistent while writes go on); restore with `pg_restore` (docs/operations.md).
 * - PGlite: the data directory as a gzipped tarball (`dumpDataDir`), taken between two transactions;
 *   restore with `deno task restore` (cli/restore.ts), which opens it as a new data directory.
 * Both are audited (`backup_downloaded`). File bytes kept outside the database (directory or S3 storage)
 * are not in the dump; the operator backs those up with the storage (docs/operations.md).
 */
import type { Actor, Deps } from "../deps.ts";
import { requirePermission } from "../access.ts";
import { AppError } from "../errors.ts";
import { databaseBytes } from "../../db/repos/admin_stats.ts";
import { splitPassword } from "../../db/pg_url.ts";
import { record, type RequestCtx } from "./audit.ts";

export interface Backup {
  stream: ReadableStream<Uint8Array>;
  filename: string;
  contentType: string;
  /** Exact size when known (PGlite), else null. */
  size: number | null;
  /** The database's size on disk, a guide for progress when the exact size is unknown. */
  databaseBytes: number | null;
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");

export async function backup(deps: Deps, actor: Actor, ctx: RequestCtx): Promise<Backup> {
  requirePermission(actor, "chat.admin_dashboard");
  const at = stamp(deps.now());
  const dbBytes = await databaseBytes(deps.db);
  let out: Backup;
  if (deps.db.dumpDataDir) {
    const blob = await deps.db.dumpDataDir();
    out = {
      stream: blob.stream(),
      filename: `parley-${at}.pglite.tar.gz`,
      contentType: "application/gzip",
      size: blob.size,
      databaseBytes: dbBytes,
    };
  } else {
    if (!deps.config.databaseUrl) throw unavailable("No database address to dump");
    out = {
      stream: await pgDump(deps.config.databaseUrl),
      filename: `parley-${at}.pgdump`,
      contentType: "application/octet-stream",
      size: null,
      databaseBytes: dbBytes,
    };
  }
  await record(deps.db, actor, ctx, "backup_downloaded", deps.db.engine, {
    filename: out.filename,
    engine: deps.db.engine,
  });
  return out;
}

function unavailable(message: string) {
  return new AppError("backup_unavailable", 503, message);
}

/** `pg_dump` of the database as a stream; the password goes by environment, not on the command line. */
export async function pgDump(databaseUrl: string): Promise<ReadableStream<Uint8Array>> {
  const { url, password } = splitPassword(databaseUrl);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("pg_dump", {
      args: ["--format=custom", "--no-owner", "--no-privileges", `--dbname=${url}`],
      env: password ? { PGPASSWORD: password } : {},
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw unavailable("pg_dump is not installed on the server (Debian: apt-get install postgresql-client)");
    }
    throw e;
  }
  const errText = new Response(child.stderr).text();
  // The first bytes tell whether pg_dump started well (a custom dump begins with "PGDMP"); a bad start
  // becomes an error response instead of a broken download.
  const reader = child.stdout.getReader();
  const first = await reader.read();
  if (first.done) {
    const status = await child.status;
    throw unavailable(`pg_dump failed (${status.code}): ${(await errText).trim().slice(0, 300)}`);
  }
  return new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(first.value);
    },
    async pull(c) {
      const r = await reader.read();
      if (!r.done) return c.enqueue(r.value);
      const status = await child.status;
      if (status.success) c.close();
      else c.error(new Error(`pg_dump failed: ${(await errText).trim().slice(0, 300)}`));
    },
    async cancel() {
      await reader.cancel().catch(() => {});
      try {
        child.kill();
      } catch { /* already ended */ }
    },
  });
}
