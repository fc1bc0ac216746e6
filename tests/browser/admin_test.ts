/**
 * The admin console in a real browser, by role and accessible name: the "Admin" navigation and every tab
 * (axe clean), a member refused, maintenance reaching an open /chat within 5 s and lifting without a reload,
 * a broadcast acknowledged with the report updating live, a Settings change reaching an open widget, a
 * moderator refused on an admin, a channel put on legal hold and a retention dry run, the dashboard's and
 * Analytics' charts (drawn, with a table and a CSV each), Monitor's view and export with its progress bar,
 * and the actions in the audit log.
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

const TAB_NAMES = [
  "Dashboard",
  "People",
  "Roles",
  "Channels",
  "Monitor",
  "Analytics",
  "Settings",
  "Control panel",
  "Audit log",
];

Deno.test({
  name: "browser: the admin console",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = await startTestServer();
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin" });
    const { page: alice } = await signIn(browser, server.url, "alice");
    await openConversation(alice, "general");

    await t.step("the Admin navigation links every tab; each opens and is axe clean", async () => {
      assert.equal(new URL(admin.url()).pathname, "/admin/dashboard");
      const nav = admin.getByRole("navigation", { name: "Admin" });
      for (const name of TAB_NAMES) {
        await nav.getByRole("link", { name, exact: true }).click();
        await admin.getByRole("heading", { level: 1, name, exact: true }).waitFor();
        assert.equal(await nav.getByRole("link", { name, exact: true }).getAttribute("aria-current"), "page");
        assert.deepEqual(await axeSerious(admin), [], `axe on ${name}`);
      }
    });

    await t.step("a member is refused the console", async () => {
      const r = await alice.goto(`${server.url}/admin/people`);
      assert.equal(r?.status(), 403);
      await alice.getByRole("heading", { name: "Not allowed" }).waitFor();
      await alice.goto(`${server.url}/chat`);
      await openConversation(alice, "general");
    });

    await t.step("maintenance reaches an open chat within 5 s and lifts without a reload", async () => {
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Control panel" })
        .click();
      await admin.getByRole("button", { name: "Turn maintenance on" }).click();
      await admin.getByRole("status").getByText("Maintenance mode is on").waitFor();
      const banner = alice.getByRole("alert", { name: "Maintenance" });
      await banner.waitFor({ timeout: 5000 });
      assert.equal(
        await alice.getByRole("textbox", { name: /^Message / }).count(),
        0,
        "the composer is paused",
      );
      await admin.getByRole("button", { name: "Turn maintenance off" }).click();
      await banner.waitFor({ state: "detached", timeout: 5000 });
      await sendMessage(alice, "Back after maintenance");
      await alice.getByRole("log", { name: /^Messages in/ }).getByText("Back after maintenance").waitFor();
    });

    await t.step("a broadcast is acknowledged and the report updates live", async () => {
      await admin.getByLabel("Broadcast message").fill("Fire drill at 3pm");
      await admin.getByRole("button", { name: "Send broadcast" }).click();
      const report = admin.getByRole("region", { name: "Acknowledgement report" });
      await report.getByText("Acknowledged by 0 of 5").waitFor();
      const banner = alice.getByRole("region", { name: "System broadcast" });
      await banner.getByText("Fire drill at 3pm").waitFor({ timeout: 5000 });
      await banner.getByRole("button", { name: "Acknowledge" }).click();
      await banner.waitFor({ state: "detached" });
      await report.getByText("Acknowledged by 1 of 5").waitFor({ timeout: 5000 });
      // A reload does not bring an acknowledged broadcast back.
      await alice.reload();
      await openConversation(alice, "general");
      assert.equal(await alice.getByRole("region", { name: "System broadcast" }).count(), 0);
    });

    await t.step("retention: a channel on legal hold, then a dry run in the Control panel", async () => {
      const nav = admin.getByRole("navigation", { name: "Admin" });
      await nav.getByRole("link", { name: "Channels" }).click();
      const hold = admin.getByRole("button", { name: "Legal hold #general" });
      await hold.click();
      await admin.getByRole("status").getByText("#general is on legal hold").waitFor();
      await admin.getByRole("button", { name: "Legal hold #general", pressed: true }).waitFor();
      // The period is a setting; set it as a script would, through the API.
      const set = await admin.evaluate(async () =>
        (await fetch("/api/admin/settings", {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ "messages.retention_days": 1 }),
        })).status
      );
      assert.equal(set, 200);
      await nav.getByRole("link", { name: "Control panel" }).click();
      const region = admin.getByRole("region", { name: "Retention" });
      await region.getByText("On legal hold (never deleted): #general.").waitFor();
      await region.getByRole("button", { name: "Dry run" }).click();
      await region.getByRole("status").getByText(/^Dry run: \d+ messages and \d+ files would be deleted$/)
        .waitFor();
      await region.getByRole("cell", { name: "Dry run", exact: true }).waitFor();
      assert.deepEqual(await axeSerious(admin), []);
    });

    await t.step("the dashboard and Analytics draw charts, each with a table and a CSV", async () => {
      const nav = admin.getByRole("navigation", { name: "Admin" });
      await nav.getByRole("link", { name: "Dashboard" }).click();
      const perDay = admin.getByRole("figure", { name: "Messages per day, last 30 days" });
      await perDay.locator("canvas").waitFor({ timeout: 15_000 }); // uPlot drew it
      await perDay.getByText("Show as table: Messages per day, last 30 days").click();
      assert.equal(await perDay.getByRole("table").locator("tbody tr").count(), 30);
      await admin.getByRole("figure", { name: "Messages per hour, last 24 hours (UTC)" }).locator("canvas")
        .waitFor();
      await nav.getByRole("link", { name: "Analytics" }).click();
      const fig = admin.getByRole("figure", { name: "Messages, active people and files per day" });
      await fig.locator("canvas").waitFor({ timeout: 15_000 });
      const href = await fig.getByRole("link", { name: /^Download CSV/ }).getAttribute("href");
      const csv = await admin.evaluate(async (u) => (await fetch(u!)).text(), href);
      assert.match(csv, /^day,messages,active_people,files\r\n/);
      assert.equal(csv.trim().split("\r\n").length, 31);
      await admin.getByRole("table", { name: "Messages by day of the week and hour, UTC" }).waitFor();
      await admin.getByLabel("Period").selectOption("7");
      await admin.getByRole("status").getByText("Showing the last 7 days").waitFor();
      assert.equal(await fig.locator("details tbody tr").count(), 7);
      assert.deepEqual(await axeSerious(admin), []);
    });

    await t.step("Monitor reads a conversation and exports it with a progress indicator", async () => {
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Monitor" }).click();
      await admin.getByRole("combobox", { name: /^Conversation/ }).selectOption({ label: "#general" });
      await admin.getByRole("button", { name: "Show messages" }).click();
      await admin.getByRole("status").getByText(/messages match/).waitFor();
      const table = admin.getByRole("table", { name: "Messages, newest first" });
      await table.getByRole("cell", { name: "Back after maintenance" }).waitFor();
      await admin.getByRole("button", { name: "Export CSV" }).click();
      await admin.getByRole("status").getByText(/^Exported \d+ messages as CSV$/).waitFor({
        timeout: 15_000,
      });
      const bar = admin.getByRole("progressbar", { name: "Export progress" });
      assert.equal(await bar.getAttribute("value"), await bar.getAttribute("max"));
      assert.deepEqual(await axeSerious(admin), []);
    });

    await t.step("a setting changed in Settings changes an open widget without reload", async () => {
      const { page: bob } = await signIn(browser!, server.url, "bob", { next: "/demo" });
      const button = bob.getByRole("button", { name: /^Open chat/ });
      await button.waitFor();
      assert.match((await button.getAttribute("class"))!, /pw-round/);
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Settings" }).click();
      await admin.getByLabel("Button shape").selectOption("square");
      const preview = admin.getByRole("button", { name: "Preview of the chat button" });
      assert.match((await preview.getAttribute("class"))!, /pw-square/, "the preview follows before saving");
      assert.match((await button.getAttribute("class"))!, /pw-round/, "nothing changes before saving");
      await admin.getByRole("button", { name: "Save settings" }).click();
      await admin.getByRole("status").getByText(/Saved 1 setting/).waitFor();
      await bob.waitForFunction(
        () => {
          const host = document.getElementById("parley-widget");
          return !!host?.shadowRoot?.querySelector(".pw-btn.pw-square");
        },
        undefined,
        { timeout: 5000 },
      );
      await bob.context().close();
    });

    await t.step("host applications of the staff widget: one origin per line", async () => {
      await admin.getByLabel("Host applications").fill("https://crm.example.com\n\nhttp://localhost:4100");
      await admin.getByRole("button", { name: "Save settings" }).click();
      const stored = async () =>
        (await server.deps.db.query<{ value: unknown }>(
          "SELECT value FROM workspace_settings WHERE key = 'widget.host_origins'",
        ))[0]?.value;
      const end = Date.now() + 15_000;
      while (!(await stored()) && Date.now() < end) await admin.waitForTimeout(200);
      assert.deepEqual(await stored(), ["https://crm.example.com", "http://localhost:4100"]);
    });

    await t.step("the API's validation shows next to the field", async () => {
      const box = admin.getByLabel("Edit window", { exact: true });
      await box.fill("-5");
      await admin.getByRole("button", { name: "Save settings" }).click();
      await admin.getByRole("alert").getByText(/messages\.edit_window_seconds/).first().waitFor();
      assert.match((await box.getAttribute("aria-describedby"))!, /-err/);
    });

    await t.step("a role change, then a moderator cannot act on an admin", async () => {
      await admin.goto(`${server.url}/admin/people`);
      await admin.getByRole("button", { name: "Manage Carol Smith" }).click();
      const panel = admin.getByRole("region", { name: "Manage Carol Smith" });
      await panel.getByLabel("New role").selectOption("moderator");
      await panel.getByRole("button", { name: "Change role" }).click();
      await admin.getByRole("status").getByText("Carol Smith is now moderator").waitFor();

      const { page: carol } = await signIn(browser!, server.url, "carol", { next: "/admin" });
      assert.equal(new URL(carol.url()).pathname, "/admin/people");
      const nav = carol.getByRole("navigation", { name: "Admin" });
      assert.equal(await nav.getByRole("link", { name: "Control panel" }).count(), 0);
      await carol.getByRole("button", { name: "Manage Ada Admin" }).click();
      const p = carol.getByRole("region", { name: "Manage Ada Admin" });
      await p.getByRole("button", { name: "Deactivate" }).click();
      await carol.getByRole("alert").getByText(/lower rank/).waitFor();
      await p.getByLabel("New role").selectOption("member");
      await p.getByRole("button", { name: "Change role" }).click();
      await carol.getByRole("alert").getByText(/lower rank/).waitFor();
      await carol.context().close();
    });

    await t.step("deactivation with a reason, and every action in the audit log", async () => {
      await admin.getByRole("button", { name: "Manage Dave Brown" }).click();
      const panel = admin.getByRole("region", { name: "Manage Dave Brown" });
      await panel.getByLabel("Reason").fill("Left the team");
      await panel.getByRole("button", { name: "Deactivate" }).click();
      await admin.getByRole("status").getByText("Dave Brown was deactivated").waitFor();
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
      const table = admin.getByRole("table");
      for (
        const action of [
          "maintenance_on",
          "maintenance_off",
          "broadcast_sent",
          "settings_updated",
          "role_changed",
          "user_deactivated",
          "legal_hold_on",
          "retention_run",
          "monitor_read",
          "monitor_exported",
        ]
      ) {
        assert.ok(await table.getByRole("cell", { name: action, exact: true }).count() >= 1, action);
      }
      await admin.getByLabel("Search the audit log").fill("Left the team");
      await admin.getByRole("button", { name: "Filter" }).click();
      await admin.getByRole("status").getByText("1 entries match").waitFor();
      assert.equal(await table.getByRole("row").count(), 2);
      assert.deepEqual(await axeSerious(admin), []);
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
