/**
 * `deno task seed` creates the demo workspace (users admin, alice, bob, carol, dave; #general, #helpdesk,
 * private #dev-team, read-only #announcements, a DM and a group) if it is missing, applying pending
 * migrations first. The password is DEMO_PASSWORD (default "parley"); the workspace slug DEFAULT_WORKSPACE.
 */
import { type Config, loadConfig } from "../config.ts";
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { seedDemo } from "../db/seed.ts";

/** Seeds `db`; returns true when the workspace was created, false when it already existed. */
export async function runSeed(db: Db, config: Config, print: (line: string) => void): Promise<boolean> {
  await migrate(db, print);
  const created = await seedDemo(db, { slug: config.defaultWorkspace, password: config.demoPassword });
  print(
    created
      ? `seed: created the demo workspace "${config.defaultWorkspace}"; sign in as alice (or bob, carol, dave, admin) with password "${config.demoPassword}"`
      : `seed: the workspace "${config.defaultWorkspace}" already exists; nothing to do`,
  );
  return created;
}

if (import.meta.main) {
  const config = loadConfig(Deno.env.toObject(), Deno.args);
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
  let code = 0;
  try {
    await runSeed(db, config, (line) => console.log(line));
  } catch (err) {
    console.error(`seed: failed: ${err instanceof Error ? err.message : err}`);
    code = 1;
  } finally {
    await db.close();
  }
  Deno.exit(code);
}
