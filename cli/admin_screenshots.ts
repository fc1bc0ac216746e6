/**
 * `deno run -A cli/admin_screenshots.ts`: refreshes the admin console's screenshots in docs/screenshots/
 * (admin-*.png) from a throw-away server with the demo data, with Debian's Chromium like the browser tests.
 */
import { openConversation, signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot: file }) => {
  const shot = (name: string) => file(`admin-${name}.png`);
  const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin/people" });
  const { page: alice } = await signIn(browser, server.url, "alice");
  await openConversation(alice, "general");
  await admin.getByRole("button", { name: "Manage Carol Smith" }).click();
  await admin.screenshot({ path: shot("people"), fullPage: true });

  await admin.goto(`${server.url}/admin/settings`);
  await admin.getByLabel("Button shape", { exact: true }).first().selectOption("pill");
  await admin.getByLabel("Position", { exact: true }).first().selectOption("bottom-left");
  await admin.getByRole("region", { name: "Widget preview" }).scrollIntoViewIfNeeded();
  await admin.screenshot({ path: shot("settings-widget") });

  await admin.goto(`${server.url}/admin/control`);
  await admin.getByRole("button", { name: "Turn maintenance on" }).click();
  await alice.getByRole("alert", { name: "Maintenance" }).waitFor();
  await admin.getByLabel("Broadcast message").fill("The office closes at 4pm today.");
  await admin.getByRole("button", { name: "Send broadcast" }).click();
  await alice.getByRole("region", { name: "System broadcast" }).waitFor();
  await alice.screenshot({ path: shot("chat-maintenance-broadcast") });
  await alice.getByRole("button", { name: "Acknowledge" }).click();
  await admin.getByText("Acknowledged by 1 of 5").waitFor();
  await admin.screenshot({ path: shot("control-panel"), fullPage: true });
  await admin.getByRole("button", { name: "Turn maintenance off" }).click();

  await admin.goto(`${server.url}/admin/channels`);
  await admin.screenshot({ path: shot("channels") });
  await admin.goto(`${server.url}/admin/roles`);
  await admin.screenshot({ path: shot("roles"), fullPage: true });
  await admin.goto(`${server.url}/admin/audit`);
  await admin.screenshot({ path: shot("audit-log") });
  await admin.goto(`${server.url}/admin/dashboard`);
  await admin.locator("figure canvas").first().waitFor();
  await admin.screenshot({ path: shot("dashboard"), fullPage: true });
  await admin.goto(`${server.url}/admin/analytics`);
  await admin.locator("figure canvas").first().waitFor();
  await admin.screenshot({ path: shot("analytics"), fullPage: true });
  await admin.goto(`${server.url}/admin/monitor`);
  await admin.getByRole("button", { name: "Show messages" }).click();
  await admin.getByRole("table", { name: "Messages, newest first" }).waitFor();
  await admin.getByRole("button", { name: "Export CSV" }).click();
  await admin.getByRole("status").getByText(/^Exported/).waitFor();
  await admin.screenshot({ path: shot("monitor") });
  console.log("admin screenshots written to docs/screenshots/admin-*.png");
});
