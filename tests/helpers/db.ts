/**
 * Databases for tests: every database test runs on PGlite and, when TEST_DATABASE_URL is set (always in
 * CI), on a fresh database of the real Postgres server too.
 *
 * Speed: creating a PGlite database runs initdb (3-4 s), and loading a copy of a migrated one still costs
 * 0.3-0.7 s; `CREATE DATABASE` on Postgres 50-350 ms. So:
 * - the migrated (and the blank) PGlite data directory is built once and cached on disk, keyed by the
 *   migrations, the migrator and the PGlite version: later test modules and later runs skip initdb;
 * - on Postgres, a migrated template database is made once per schema; copies use `CREATE DATABASE …
 *   TEMPLATE`, and databases left by earlier runs are swept;
 * - `dbTest` shares one database per engine and test module and empties it between tests (TRUNCATE …
 *   RESTART IDENTITY, 15-60 ms), so ids restart at 1 as in a fresh database. Each test gets its own
 *   handle, fenced when the test ends: work a test leaves behind (timers) fails instead of leaking into the
 *   next test. A test that changes the schema gets the database replaced by a fresh copy.
 * `engines[i].open()` always returns an independent fresh copy.
 *
 * @example
 * dbTest("a channel can be created", async (db) => {
 *   const f = await fixture(db);
 *   // …
 * });
 */
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { type Db, openDb, PGLITE_EXTENSIONS, type Sql } from "../../db/client.ts";
import { loadMigrations, migrate } from "../../db/migrate.ts";
import { pgTarget } from "../../db/pg_url.ts";

export interface Engine {
  name: "pglite" | "postgres";
  /** A fresh, migrated, empty database of its own; close it when done. */
  open(): Promise<Db>;
  /** A fresh database with no migrations applied (migration tests); close it when done. */
  openBlank(): Promise<Db>;
}

const pgUrl = Deno.env.get("TEST_DATABASE_URL");

/** A short hash of everything that shapes a freshly migrated database. */
async function schemaKey(): Promise<string> {
  const parts = (await loadMigrations()).map((m) => `${m.version}:${m.name}:${m.sql}`);
  parts.push(await Deno.readTextFile(new URL("../../db/migrate.ts", import.meta.url)));
  parts.push(
    await Deno.readTextFile(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url))
      .catch(() => "pglite"),
  );
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- PGlite ---------------------------------------------------------------------------------------

const pgliteDumps = new Map<string, Promise<Blob>>();

/**
 * A PGlite data directory as a tarball, migrated or blank: from the disk cache, or built (and cached) once.
 */
function pgliteDump(migrated: boolean): Promise<Blob> {
  const kind = migrated ? "migrated" : "blank";
  let dump = pgliteDumps.get(kind);
  if (!dump) {
    pgliteDumps.set(
      kind,
      dump = (async () => {
        const dir = Deno.env.get("TMPDIR") || "/tmp";
        const file = `${dir}/parley-test-pglite-${kind}-${await schemaKey()}.tgz`;
        try {
          return new Blob([await Deno.readFile(file)]);
        } catch { /* not cached yet */ }
        const pg = await PGlite.create("memory://", { extensions: PGLITE_EXTENSIONS });
        if (migrated) {
          // Just enough of a Db for the migrator, over the raw PGlite whose data directory we dump.
          const over = (q: Pick<PGlite, "query">): Sql => ({
            query: async (text, params) => (await q.query(text, params)).rows as never,
          });
          await migrate({ ...over(pg), tx: (fn) => pg.transaction((t) => fn(over(t))) } as Db);
        }
        await pg.exec("CHECKPOINT");
        const blob = await pg.dumpDataDir("gzip");
        await pg.close();
        // Written under a unique name and renamed, so a concurrent reader never sees half a file.
        const tmp = `${file}.${crypto.randomUUID()}`;
        await Deno.writeFile(tmp, new Uint8Array(await blob.arrayBuffer()));
        await Deno.rename(tmp, file);
        return blob;
      })(),
    );
  }
  return dump;
}

async function freshPglite(migrated = true): Promise<Db> {
  return await openDb({ dataDir: "memory://", loadDataDir: await pgliteDump(migrated) });
}

// ---- Postgres -------------------------------------------------------------------------------------

let template: Promise<string> | null = null;

/** `url` naming database `name` instead (TCP or the socket form `postgres://user@/db?host=/dir`). */
function withDatabase(url: string, name: string): string {
  return url.replace(/^([a-z]+:\/\/[^/?#]*)(\/[^?#]*)?/i, `$1/${name}`);
}

/** The database a URL names (TCP or the socket form). */
function databaseOf(url: string): string {
  return url.match(/^[a-z]+:\/\/[^/?#]*\/([^?#]*)/i)?.[1] ?? "";
}

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const target = pgTarget(pgUrl!);
  const sql = postgres(target.url, { ...target.options, max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** The name of a migrated template database on the test server, created once per schema. */
function migratedTemplate(): Promise<string> {
  return template ??= (async () => {
    const name = `parley_tpl_${await schemaKey()}`;
    await admin(async (sql) => {
      // One creator at a time, across test modules and concurrent runs.
      await sql`SELECT pg_advisory_lock(7244102)`;
      try {
        if ((await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`).length) return;
        const building = `${name}_build`;
        await sql.unsafe(`DROP DATABASE IF EXISTS ${building}`);
        await sql.unsafe(`CREATE DATABASE ${building}`);
        const db = await openDb({
          databaseUrl: withDatabase(pgUrl!, building),
          dataDir: "",
          maxConnections: 1,
        });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        await sql.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`);
      } finally {
        await sweep(sql);
        await sql`SELECT pg_advisory_unlock(7244102)`;
      }
    });
    return name;
  })();
}

/**
 * Drops test databases of earlier runs: nobody connected and created over half an hour ago (their names
 * carry the creation time; test files run in parallel, so a younger idle one may belong to a running
 * file). On the throw-away cluster it hardly matters; on a DATABASE_URL it does.
 */
async function sweep(sql: postgres.Sql) {
  const rows = await sql<{ datname: string }[]>`SELECT datname FROM pg_database d
    WHERE datname ~ '^parley_t_[0-9a-z]+_[0-9a-f]{8}$'
      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`;
  for (const { datname } of rows) {
    const created = parseInt(datname.split("_")[2], 36);
    if (Date.now() - created < 30 * 60_000) continue;
    await sql.unsafe(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
  }
}

async function freshPostgresDb(migrated: boolean): Promise<string> {
  const name = `parley_t_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const tpl = migrated ? await migratedTemplate() : null;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${name}${tpl ? ` TEMPLATE ${tpl}` : ""}`));
  return withDatabase(pgUrl!, name);
}

/** Drops a test database (its connections are closed first). */
async function dropPostgresDb(url: string): Promise<void> {
  const name = databaseOf(url);
  if (!/^parley_t_[0-9a-z]+_[0-9a-f]{8}$/.test(name)) return;
  await admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

// ---- sharing one database per test module -------------------------------------------------------

interface Copy {
  db: Db;
  /** Closes the copy and, on Postgres, drops its database. */
  dispose(): Promise<void>;
}

async function pgliteCopy(): Promise<Copy> {
  const db = await freshPglite();
  return { db, dispose: () => db.close() };
}

async function postgresCopy(): Promise<Copy> {
  const url = await freshPostgresDb(true);
  const db = await openDb({ databaseUrl: url, dataDir: "" });
  return {
    db,
    async dispose() {
      await db.close();
      await dropPostgresDb(url);
    },
  };
}

const TABLES =
  `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
  ORDER BY 1`;

/** One database per engine and test module, emptied between tests. */
class Shared {
  #copy: Copy | null = null;
  #tables = "";
  constructor(private makeCopy: () => Promise<Copy>) {}

  async acquire(): Promise<Copy> {
    if (this.#copy) return this.#copy;
    const copy = await this.makeCopy();
    const tables = (await copy.db.query<{ t: string }>(TABLES)).map((r) => r.t);
    const seeded = tables.length
      ? await copy.db.query(tables.map((t) => `SELECT 1 FROM "${t}" HAVING count(*) > 0`).join(" UNION ALL "))
      : [];
    // Rows inserted by migrations would be lost to TRUNCATE: then every test gets a copy of its own.
    if (seeded.length) return copy;
    this.#tables = tables.join(",");
    return this.#copy = copy;
  }

  /** Empties the shared database, or discards it when the test changed the schema. */
  async release(copy: Copy): Promise<void> {
    if (copy !== this.#copy) return await copy.dispose();
    const tables = (await copy.db.query<{ t: string }>(TABLES)).map((r) => r.t);
    if (tables.join(",") !== this.#tables) {
      this.#copy = null;
      return await copy.dispose();
    }
    await copy.db.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`);
    // PGlite is one session: reset its settings too. (A Postgres pool's sessions cannot all be reached.)
    if (copy.db.engine === "pglite") await copy.db.query("DISCARD ALL");
  }
}

// ---- the API --------------------------------------------------------------------------------------

const shared = { pglite: new Shared(pgliteCopy), postgres: new Shared(postgresCopy) };

export const engines: Engine[] = [
  { name: "pglite", open: () => freshPglite(true), openBlank: () => freshPglite(false) },
  ...(pgUrl
    ? [{
      name: "postgres" as const,
      open: async () => (await postgresCopy()).db,
      openBlank: async () => await openDb({ databaseUrl: await freshPostgresDb(false), dataDir: "" }),
    }]
    : []),
];

/**
 * A fresh database URL on the real server (for multi-process tests), or null when there is none.
 * `migrated: true` gives a migrated one; by default it is empty (migration tests).
 * Pass it to `dropPostgresUrl` when done.
 */
export async function postgresUrl(opts: { migrated?: boolean } = {}): Promise<string | null> {
  return pgUrl ? await freshPostgresDb(opts.migrated ?? false) : null;
}

/** Drops a database made by `postgresUrl()`, closing its remaining connections. */
export async function dropPostgresUrl(url: string): Promise<void> {
  await dropPostgresDb(url);
}

/**
 * A test's view of a database: queries after the test ended fail, and listeners it added are removed, so
 * nothing the test leaves running can touch the database the next test gets.
 */
function fenced(db: Db): { db: Db; end(): Promise<void> } {
  let open = true;
  const unlisteners = new Set<() => Promise<void>>();
  const check = () => {
    if (!open) throw new Error("This test's database is closed (the test has ended)");
  };
  const end = async () => {
    if (!open) return;
    open = false;
    for (const u of unlisteners) await u().catch(() => {});
    unlisteners.clear();
  };
  return {
    end,
    db: {
      engine: db.engine,
      query: (text, params) => Promise.resolve().then(check).then(() => db.query(text, params)),
      tx: (fn) => Promise.resolve().then(check).then(() => db.tx(fn)),
      insertRows: (table, columns, rows) =>
        Promise.resolve().then(check).then(() => db.insertRows(table, columns, rows)),
      async listen(channel, onPayload) {
        check();
        const u = await db.listen(channel, onPayload);
        unlisteners.add(u);
        return async () => {
          unlisteners.delete(u);
          await u();
        };
      },
      notify: (channel, payload) => Promise.resolve().then(check).then(() => db.notify(channel, payload)),
      close: end,
      ...(db.dumpDataDir
        ? { dumpDataDir: () => Promise.resolve().then(check).then(() => db.dumpDataDir!()) }
        : {}),
    },
  };
}

const beforeEnd: (() => Promise<void>)[] = [];

/** Runs `fn` when the current `dbTest` ends, before its database closes (e.g. waiting for background work). */
export function whenTestEnds(fn: () => Promise<void>) {
  beforeEnd.push(fn);
}

/**
 * Registers `fn` once per engine as `name [engine]`, with a migrated database that holds no rows and
 * whose ids start at 1. `db.close()` is allowed and harmless.
 */
export function dbTest(name: string, fn: (db: Db, engine: Engine["name"]) => Promise<void>) {
  for (const e of engines) {
    Deno.test({
      name: `${name} [${e.name}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const copy = await shared[e.name].acquire();
        const f = fenced(copy.db);
        try {
          await fn(f.db, e.name);
        } finally {
          for (const wait of beforeEnd.splice(0)) await wait().catch(() => {});
          await f.end();
          await shared[e.name].release(copy);
        }
      },
    });
  }
}
