/**
 * The admin console's operations in a real browser, by role and accessible name: the Dashboard's visitor
 * and storage figures updating live, a backup downloaded, and a purge of old data: the
 * dry run's counts per kind, the typed confirmation, the progress and the audit log. Axe clean.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  sendMessage,
  signIn,
  startTestServer,
} from "./browser.ts";

Deno.test({
  name: "browser: admin operations (dashboard figures, backup, purge)",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = await startTestServer();
  const db = server.deps.db;
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin" });
    const { page: alice } = await signIn(browser, server.url, "alice");
    await openConversation(alice, "general");
    const [{ id: ws }] = await db.query<{ id: number }>("SELECT id FROM workspaces ORDER BY id LIMIT 1");

    await t.step("the dashboard shows visitors waiting and storage, updating live", async () => {
      // A figure is a term and its definition.
      const figure = (name: string) =>
        admin.getByRole("term").getByText(name, { exact: true }).locator("xpath=following-sibling::dd[1]");
      await admin.getByRole("region", { name: "Storage" }).waitFor();
      assert.equal(await figure("Visitors waiting").textContent(), "0");
      assert.equal(await figure("Active visitor chats").textContent(), "0");
      assert.match((await figure("Database size").textContent())!, /\d+(\.\d)? (kB|MB|GB)/);
      await db.query(
        "INSERT INTO visitor_conversations (workspace_id, token_hash, status) VALUES ($1, $2, 'waiting')",
        [ws, crypto.randomUUID()],
      );
      const stored = Number(await figure("Messages stored").textContent());
      await sendMessage(alice, "A message the dashboard counts");
      await admin.waitForFunction(
        (n) => {
          const value = (label: string) =>
            [...document.querySelectorAll("dt")].find((d) => d.textContent === label)?.nextElementSibling
              ?.textContent;
          return value("Visitors waiting") === "1" && Number(value("Messages stored")) > n;
        },
        stored,
        { timeout: 15_000 },
      );
      assert.equal(await figure("Visitors waiting").textContent(), "1");
      assert.deepEqual(await axeSerious(admin), []);
    });

    await t.step("a backup downloads as a gzip file named by the time", async () => {
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Control panel" })
        .click();
      const download = admin.waitForEvent("download", { timeout: 60_000 });
      await admin.getByRole("button", { name: "Download backup" }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /^parley-\d{8}-\d{6}\.pglite\.tar\.gz$/);
      const path = await file.path();
      const bytes = await Deno.readFile(path!);
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], "a gzip file");
      await admin.getByRole("status").getByText(/^Backup downloaded: parley-/).waitFor();
    });

    await t.step("purge: the dry run lists what would go, the typed confirmation purges it", async () => {
      for (let i = 0; i < 3; i++) await sendMessage(alice, `An old message ${i}`);
      // Sending answers before the server has stored the message: wait until all three are stored.
      for (let tries = 0;; tries++) {
        const [stored] = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM messages WHERE body LIKE 'An old message %'",
        );
        if (stored.n === 3) break;
        if (tries > 200) throw new Error(`only ${stored.n} of 3 messages stored`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await db.query(
        "UPDATE messages SET created_at = now() - interval '400 days' WHERE body LIKE 'An old message %'",
      );
      await db.query(
        "INSERT INTO audit_log (workspace_id, action, created_at) VALUES ($1, 'ancient', now() - interval '500 days')",
        [ws],
      );
      const section = admin.getByRole("region", { name: "Purge old data" });
      await section.getByLabel("Older than (days)").fill("365");
      await section.getByRole("button", { name: "Dry run" }).click();
      const table = section.getByRole("table", { name: /What the purge would delete/ });
      await table.waitFor();
      const count = async (kind: string) =>
        await table.getByRole("row", { name: new RegExp(`^${kind}`) }).getByRole("cell").textContent();
      assert.equal(await count("Messages"), "3");
      assert.equal(await count("Audit entries"), "1");
      assert.equal(await count("Visitor conversations"), "0");
      await section.getByRole("status").getByText(/^Dry run: older than 365 days, 3 messages/).waitFor();
      const go = section.getByRole("button", { name: "Purge older than 365 days" });
      assert.equal(await go.isDisabled(), true, "not before the word is typed");
      await section.getByLabel("Type “purge” to confirm").fill("purg");
      assert.equal(await go.isDisabled(), true);
      await section.getByLabel("Type “purge” to confirm").fill("purge");
      await go.click();
      await section.getByRole("status").getByText(/^Purged: 3 messages/).waitFor({ timeout: 30_000 });
      const bar = section.getByRole("progressbar", { name: "Messages purged" });
      assert.equal(await bar.getAttribute("value"), "3");
      const [left] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM messages WHERE body LIKE 'An old message %'",
      );
      assert.equal(left.n, 0, "their text is gone");
      assert.deepEqual(await axeSerious(admin), []);
      // The open chat dropped them.
      await alice.getByText("An old message 0").waitFor({ state: "detached", timeout: 10_000 });
    });

    await t.step("backup and purge are in the audit log", async () => {
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
      const table = admin.getByRole("table");
      for (const action of ["backup_downloaded", "purge_dry_run", "purge"]) {
        await table.getByRole("cell", { name: action, exact: true }).first().waitFor();
      }
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
