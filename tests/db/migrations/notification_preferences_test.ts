/**
 * Migration 0015 moves notification choices into the registries: a person's from `notification_prefs` into
 * one preference per key, the workspace defaults into their own settings; what people see afterwards is
 * what they had chosen (read back through the registries, on both engines).
 */
import assert from "node:assert/strict";
import { engines } from "../../helpers/db.ts";
import { loadMigrations, migrate, migrationStatus, splitStatements } from "../../../db/migrate.ts";
import { effectivePrefs, workspaceNotificationSettings } from "../../../domain/notifications/prefs.ts";
import { readPreferences } from "../../../domain/preferences/user.ts";

for (const e of engines) {
  Deno.test({
    name: `0015 keeps every notification choice, now in the registries [${e.name}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await e.openBlank();
      try {
        await migrationStatus(db); // creates schema_migrations
        for (const m of (await loadMigrations()).filter((m) => m.version < 15)) {
          await db.tx(async (sql) => {
            for (const stmt of splitStatements(m.sql)) await sql.query(stmt);
            await sql.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
              m.version,
              m.name,
            ]);
          });
        }
        const [ws] = await db.query<{ id: number }>(
          "INSERT INTO workspaces (slug, name) VALUES ('w', 'W') RETURNING id",
        );
        const users = await db.query<{ id: number }>(
          `INSERT INTO users (workspace_id, username, display_name) VALUES ($1, 'ann', 'Ann'), ($1, 'ben', 'Ben')
           RETURNING id`,
          [ws.id],
        );
        const [ann, ben] = users.map((u) => Number(u.id));
        await db.query(
          `INSERT INTO notification_prefs (user_id, workspace_id, prefs) VALUES ($1, $3, $4::jsonb), ($2, $3, $5::jsonb)`,
          [
            ann,
            ben,
            ws.id,
            JSON.stringify({
              email: { enabled: false, delayMinutes: 15 },
              push: { enabled: false },
              sounds: { enabled: false, volume: 0.2, visitor: false },
              keywords: ["deploy"],
              dnd: { schedule: { mon: { from: "22:00", to: "07:00" } }, pausedUntil: null, allow: ["dm"] },
              timeZone: "Europe/Berlin",
              language: "de",
            }),
            JSON.stringify({ desktop: { enabled: true }, email: { delayMinutes: 5 } }),
          ],
        );
        // Ann had already switched sounds on in the Settings dialog: that choice stays.
        await db.query(`INSERT INTO user_preferences (user_id, key, value) VALUES ($1, 'sounds', 'true')`, [
          ann,
        ]);
        await db.query(
          `INSERT INTO workspace_settings (workspace_id, key, value) VALUES ($1, 'notifications.defaults', $2::jsonb),
             ($1, 'notifications.previews', 'false')`,
          [ws.id, JSON.stringify({ email: { delayMinutes: 30 }, timeZone: "Asia/Tokyo", language: "ja" })],
        );

        assert.ok(await migrate(db) >= 1);

        const a = await effectivePrefs(db, ws.id, ann);
        assert.deepEqual(a.email, { enabled: false, delayMinutes: 15 });
        assert.equal(a.push.enabled, false);
        assert.deepEqual(a.sounds, {
          enabled: true,
          volume: 0.2,
          message: true,
          mention: true,
          visitor: false,
        });
        assert.deepEqual(a.keywords, ["deploy"]);
        assert.deepEqual(a.dnd, {
          schedule: { mon: { from: "22:00", to: "07:00" } },
          pausedUntil: null,
          allow: ["dm"],
        });
        assert.equal(a.timeZone, "Europe/Berlin");
        assert.equal(a.language, "de");
        const b = await readPreferences(db, ws.id, ben);
        assert.equal(b.desktop, true);
        assert.equal(b.emailDelayMinutes, 5);
        assert.equal(b.timeZone, "Asia/Tokyo", "the workspace default moved too");
        assert.equal(b.language, "ja");
        assert.equal(b.emailEnabled, true);
        const w = await workspaceNotificationSettings(db, ws.id);
        assert.equal(w.previews, false);
        assert.equal(w.defaults.email?.delayMinutes, 30);
        const left = await db.query("SELECT 1 FROM workspace_settings WHERE key = 'notifications.defaults'");
        assert.equal(left.length, 0);
        const table = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'notification_prefs'");
        assert.equal(table.length, 0);
      } finally {
        await db.close();
      }
    },
  });
}
