/**
 * `deno run -A cli/admin_ops_screenshots.ts`: refreshes the screenshots of the admin console's operations
 * in docs/screenshots/ (admin-dashboard.png, admin-backup.png, admin-purge.png) from a throw-away server
 * with the demo data, with Debian's Chromium like the browser tests.
 */
import { openConversation, sendMessage, signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot: file }) => {
  const shot = (name: string) => file(`admin-${name}.png`);
  const db = server.deps.db;
  const [{ id: ws }] = await db.query<{ id: number }>("SELECT id FROM workspaces ORDER BY id LIMIT 1");
  const { page: alice } = await signIn(browser, server.url, "alice");
  await openConversation(alice, "general");
  for (let i = 0; i < 4; i++) await sendMessage(alice, `Status update ${i}`);
  await db.query(
    "UPDATE messages SET created_at = now() - interval '400 days' WHERE body LIKE 'Status update %'",
  );
  await db.query(
    "INSERT INTO visitor_conversations (workspace_id, token_hash, status) VALUES ($1, $2, 'waiting')",
    [ws, crypto.randomUUID()],
  );
  const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin/dashboard" });
  await admin.locator("figure canvas").first().waitFor();
  await admin.screenshot({ path: shot("dashboard"), fullPage: true });

  await admin.goto(`${server.url}/admin/control`);
  const backup = admin.getByRole("region", { name: "Backup" });
  const download = admin.waitForEvent("download");
  await backup.getByRole("button", { name: "Download backup" }).click();
  await download;
  await backup.getByRole("status").getByText(/^Backup downloaded/).waitFor();
  await backup.screenshot({ path: shot("backup") });
  const purge = admin.getByRole("region", { name: "Purge old data" });
  await purge.getByLabel("Older than (days)").fill("365");
  await purge.getByRole("button", { name: "Dry run" }).click();
  await purge.getByRole("table").waitFor();
  await purge.getByLabel("Type “purge” to confirm").fill("purge");
  await purge.screenshot({ path: shot("purge") });
  console.log("admin operations screenshots written to docs/screenshots/");
});
