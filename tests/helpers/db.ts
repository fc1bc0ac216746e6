/**
 * Databases for tests: every database test runs on PGlite and, when TEST_DATABASE_URL is set (always in
 * CI), on a fresh database of the real Postgres server too.
 */
import postgres from "postgres";
import { type Db, openDb } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";

export interface Engine {
  name: "pglite" | "postgres";
  /** A fresh, migrated, empty database. */
  open(): Promise<Db>;
}

const pgUrl = Deno.env.get("TEST_DATABASE_URL");

async function freshPostgresDb(): Promise<string> {
  const admin = postgres(pgUrl!, { max: 1, onnotice: () => {} });
  const name = `parley_t_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(pgUrl!);
  u.pathname = `/${name}`;
  return u.toString();
}

export const engines: Engine[] = [
  {
    name: "pglite",
    async open() {
      const db = await openDb({ dataDir: "memory://" });
      await migrate(db);
      return db;
    },
  },
  ...(pgUrl
    ? [{
      name: "postgres" as const,
      async open() {
        const db = await openDb({ databaseUrl: await freshPostgresDb(), dataDir: "" });
        await migrate(db);
        return db;
      },
    }]
    : []),
];

/** A fresh database URL on the real server (for multi-process tests), or null when there is none. */
export async function postgresUrl(): Promise<string | null> {
  return pgUrl ? await freshPostgresDb() : null;
}

/** Registers `fn` once per engine as `name [engine]`, with a fresh database closed afterwards. */
export function dbTest(name: string, fn: (db: Db, engine: Engine["name"]) => Promise<void>) {
  for (const e of engines) {
    Deno.test({
      name: `${name} [${e.name}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const db = await e.open();
        try {
          await fn(db, e.name);
        } finally {
          await db.close();
        }
      },
    });
  }
}
