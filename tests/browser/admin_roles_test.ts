/**
 * The admin console's Roles, Channels and Monitor tabs in a real browser, by role and accessible name:
 * a custom role created from permission checkboxes, given to a person (who then opens the tab it allows),
 * edited, refused deletion while held, taken back and deleted; a channel's owner changed with a review step;
 * Monitor's live view following a conversation over the socket; the monitoring notice set in Settings
 * appearing in an open conversation without a reload.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  sendMessage,
  signIn,
  startTestServer,
} from "./browser.ts";

const tab = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name, exact: true }).click();

Deno.test({
  name: "browser: admin Roles, Channels owners and live Monitor",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = await startTestServer();
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin/roles" });

    await t.step(
      "Roles: create a custom role, give it, edit it, delete it once nobody holds it",
      async () => {
        await admin.getByRole("heading", { level: 1, name: "Roles" }).waitFor();
        const form = admin.getByRole("form", { name: "Create a role" });
        await form.getByLabel("Role name").fill("Channel keeper");
        await form.getByLabel("Rank").selectOption("member");
        await form.getByRole("checkbox", { name: "chat.access_channels" }).check();
        await form.getByRole("checkbox", { name: "chat.manage_channels" }).check();
        await form.getByRole("button", { name: "Save role" }).click();
        await admin.getByRole("status").getByText("Role Channel keeper was created").waitFor();
        const custom = admin.getByRole("region", { name: "Custom roles" });
        await custom.getByRole("heading", { name: "Channel keeper" }).waitFor();
        const matrix = admin.getByRole("table", { name: "Permissions of each role" });
        await matrix.getByRole("columnheader", { name: "Channel keeper (0 people)" }).waitFor();

        await custom.getByLabel("Find a person for Channel keeper").fill("bob");
        await custom.getByRole("button", { name: "Find" }).click();
        await custom.getByRole("button", { name: "Give Channel keeper to Bob Wilson" }).click();
        await admin.getByRole("status").getByText("Bob Wilson now holds Channel keeper").waitFor();
        await custom.getByRole("list", { name: "Holders of Channel keeper" }).getByText(/Bob Wilson/)
          .waitFor();
        assert.deepEqual(await axeSerious(admin), []);
        // People names the custom role with its rank.
        await tab(admin, "People");
        await admin.getByRole("row", { name: /Bob Wilson/ }).getByRole("cell", {
          name: "Channel keeper (member rank)",
        }).waitFor();
        await tab(admin, "Roles");

        // Bob now opens the Channels tab (chat.manage_channels) and nothing else.
        const { page: bob } = await signIn(browser!, server.url, "bob", { next: "/admin" });
        await bob.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
        const links = await bob.getByRole("navigation", { name: "Admin" }).getByRole("link")
          .allTextContents();
        assert.deepEqual(links, ["Channels"]);
        await bob.context().close();

        await custom.getByRole("button", { name: "Edit Channel keeper" }).click();
        const edit = admin.getByRole("form", { name: "Edit role Channel keeper" });
        await edit.getByLabel("Role name").fill("Keeper");
        await edit.getByRole("checkbox", { name: "chat.create_direct" }).check();
        await edit.getByRole("button", { name: "Save role" }).click();
        await admin.getByRole("status").getByText("Role Keeper was saved").waitFor();
        await matrix.getByRole("columnheader", { name: "Keeper (1 person)" }).waitFor();

        admin.once("dialog", (d) => d.accept());
        await custom.getByRole("button", { name: "Delete Keeper" }).click();
        await admin.getByRole("alert").getByText(/1 person holds this role/).waitFor();

        await custom.getByRole("button", { name: "Take Keeper from Bob Wilson" }).click();
        await admin.getByRole("status").getByText(/Bob Wilson no longer holds Keeper/).waitFor();
        admin.once("dialog", (d) => d.accept());
        await custom.getByRole("button", { name: "Delete Keeper" }).click();
        await admin.getByRole("status").getByText("Role Keeper was deleted").waitFor();
        await custom.getByText("No custom roles yet.").waitFor();
      },
    );

    await t.step("Channels: pick a new owner among the members, review, confirm", async () => {
      await tab(admin, "Channels");
      await admin.getByRole("button", { name: "Owners of #general" }).click();
      const panel = admin.getByRole("region", { name: "Owners of #general" });
      await panel.getByRole("checkbox", { name: "Bob Wilson (@bob)" }).check();
      await panel.getByRole("button", { name: "Review owner change" }).click();
      const confirm = panel.getByRole("group", { name: "Confirm the owner change" });
      await confirm.getByText("Bob Wilson becomes an owner").waitFor();
      await confirm.getByRole("button", { name: "Confirm owner change" }).click();
      await admin.getByRole("status").getByText(/^Owners of #general changed/).waitFor();
      const row = admin.getByRole("row").filter({ hasText: "#general" }).first();
      await row.getByText(/Bob Wilson/).waitFor();
      assert.deepEqual(await axeSerious(admin), []);
    });

    await t.step("Monitor: the live view follows a conversation over the socket", async () => {
      const { page: alice } = await signIn(browser!, server.url, "alice");
      await openConversation(alice, "general");
      await tab(admin, "Monitor");
      await admin.getByRole("combobox", { name: /^Conversation/ }).selectOption({ label: "#general" });
      await admin.getByRole("button", { name: "Show messages" }).click();
      await admin.getByRole("status").getByText(/messages match/).waitFor();
      await admin.getByRole("checkbox", { name: "Live" }).check();
      await admin.getByRole("status").getByText(/^Live: new messages appear/).waitFor({ timeout: 15_000 });
      await sendMessage(alice, "Seen live by the monitor");
      const table = admin.getByRole("table", { name: "Messages, newest first" });
      await table.getByRole("cell", { name: "Seen live by the monitor" }).waitFor({ timeout: 15_000 });
      assert.deepEqual(await axeSerious(admin), []);

      // The monitoring notice: a workspace setting, shown in every conversation live.
      const notice = alice.getByRole("note", { name: "Monitoring notice" });
      assert.equal(await notice.count(), 0);
      await tab(admin, "Settings");
      await admin.getByLabel("Tell people conversations may be monitored").check();
      await admin.getByRole("button", { name: "Save settings" }).click();
      await admin.getByRole("status").getByText(/Saved 1 setting/).waitFor();
      await notice.getByText("Messages in this workspace may be reviewed by administrators.").waitFor({
        timeout: 10_000,
      });
      assert.deepEqual(await axeSerious(alice), []);
      await alice.context().close();
    });

    await t.step("the role changes are in the audit log", async () => {
      await tab(admin, "Audit log");
      const log = admin.getByRole("table").first();
      for (
        const action of ["role_created", "role_assigned", "role_changed", "role_unassigned", "role_deleted"]
      ) {
        await log.getByText(action).first().waitFor();
      }
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
