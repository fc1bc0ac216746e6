/** `deno task migrate [status]` and `deno task seed`: the functions behind them, and the migrate entry point. */
import assert from "node:assert/strict";
import { engines, postgresUrl } from "../helpers/db.ts";
import { runMigrate } from "../../cli/migrate.ts";
import { runSeed } from "../../cli/seed.ts";
import { loadMigrations } from "../../db/migrate.ts";
import { testConfig } from "../helpers/fixture.ts";
import * as auth from "../../domain/auth.ts";
import { RateLimiter } from "../../domain/rate_limit.ts";
import { memoryBus } from "../../realtime/server/bus/memory.ts";
import { buildDeps } from "../../main.ts";

for (const e of engines) {
  Deno.test({
    name: `migrate status lists every migration as pending, then applied [${e.name}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await e.openBlank();
      try {
        const names = (await loadMigrations()).map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`);
        const out: string[] = [];
        assert.equal(await runMigrate(db, ["status"], (l) => out.push(l)), 0);
        assert.deepEqual(out, [
          ...names.map((n) => `pending  ${n}`),
          `${names.length} pending; run \`deno task migrate\``,
        ]);
        out.length = 0;
        assert.equal(await runMigrate(db, [], (l) => out.push(l)), 0);
        assert.equal(out.length, names.length + 1);
        assert.equal(out.at(-1), `migrate: applied ${names.length} migrations`);
        out.length = 0;
        await runMigrate(db, ["status"], (l) => out.push(l));
        assert.deepEqual(out, [...names.map((n) => `applied  ${n}`), "database is up to date"]);
        out.length = 0;
        assert.equal(await runMigrate(db, ["sideways"], (l) => out.push(l)), 2);
        assert.match(out[0], /^usage:/);
      } finally {
        await db.close();
      }
    },
  });
}

for (const e of engines) {
  Deno.test({
    name: `seed creates the demo workspace once, and its people can sign in [${e.name}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await e.openBlank();
      try {
        const config = testConfig({ demoPassword: "demo-pw" });
        const out: string[] = [];
        assert.equal(await runSeed(db, config, (l) => out.push(l)), true);
        assert.match(out.at(-1)!, /created the demo workspace "demo"/);
        assert.equal(await runSeed(db, config, (l) => out.push(l)), false);
        assert.match(out.at(-1)!, /already exists/);
        const deps = buildDeps({
          db,
          bus: memoryBus(),
          config,
          now: () => new Date(),
          limiter: new RateLimiter(),
        });
        const s = await auth.login(deps, { username: "alice", password: "demo-pw" }, {
          ip: "x",
          userAgent: "",
        });
        assert.equal(s.user.displayName, "Alice Johnson");
        const channels = await db.query<{ name: string; kind: string; read_only: boolean }>(
          "SELECT name, kind, read_only FROM channels ORDER BY id",
        );
        assert.deepEqual(channels.map((c) => c.name).filter(Boolean), [
          "general",
          "helpdesk",
          "dev-team",
          "announcements",
        ]);
        assert.deepEqual(channels.map((c) => c.kind).slice(4), ["direct_message", "group"]);
        assert.equal(channels.find((c) => c.name === "announcements")?.read_only, true);
      } finally {
        await db.close();
      }
    },
  });
}

Deno.test({
  name: "`deno task migrate` and `migrate status` run as commands",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Postgres when there is one (faster to start); otherwise a PGlite data directory.
    const url = await postgresUrl();
    const dataDir = url ? "" : await Deno.makeTempDir({ prefix: "parley-migrate-" });
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../../cli/migrate.ts", import.meta.url).pathname, ...args],
        env: url ? { DATABASE_URL: url } : { DATA_DIR: dataDir },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: out.code,
        text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
      };
    };
    try {
      const up = await run();
      assert.equal(up.code, 0, up.text);
      assert.match(up.text, /migrate: using (Postgres|PGlite)/);
      assert.match(up.text, /migrate: 0001_core applied in \d+ ms/);
      const status = await run("status");
      assert.equal(status.code, 0, status.text);
      assert.match(status.text, /applied {2}0001_core/);
      assert.match(status.text, /database is up to date/);
    } finally {
      if (dataDir) await Deno.remove(dataDir, { recursive: true });
    }
  },
});
