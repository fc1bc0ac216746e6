/**
 * `deno run -A cli/admin_roles_screenshots.ts`: refreshes the screenshots of the Roles, Channels (owners)
 * and Monitor (live, monitoring notice) sections of docs/admin.md from a throw-away server with the demo
 * data, with Debian's Chromium like the browser tests.
 */
import { openConversation, sendMessage, signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot: file }) => {
  const shot = (name: string) => file(`${name}.png`);
  const { page: admin } = await signIn(browser, server.url, "admin", { next: "/admin/roles" });
  const { page: alice } = await signIn(browser, server.url, "alice");
  await openConversation(alice, "general");

  // Roles: a custom role held by someone, and the form.
  const form = admin.getByRole("form", { name: "Create a role" });
  await form.getByLabel("Role name").fill("Support lead");
  await form.getByLabel("Rank").selectOption("member");
  for (const p of ["chat.access_channels", "chat.send_files", "chat.public_queue", "chat.public_transfer"]) {
    await form.getByRole("checkbox", { name: p }).check();
  }
  await form.getByRole("button", { name: "Save role" }).click();
  await admin.getByRole("status").getByText("Role Support lead was created").waitFor();
  const custom = admin.getByRole("region", { name: "Custom roles" });
  await custom.getByLabel("Find a person for Support lead").fill("carol");
  await custom.getByRole("button", { name: "Find" }).click();
  await custom.getByRole("button", { name: "Give Support lead to Carol Smith" }).click();
  await admin.getByRole("status").getByText("Carol Smith now holds Support lead").waitFor();
  await form.getByLabel("Role name").fill("Auditor");
  await admin.screenshot({ path: shot("admin-roles-custom"), fullPage: true });

  // Channels: the owner picker with a change under review.
  await admin.goto(`${server.url}/admin/channels`);
  await admin.getByRole("button", { name: "Owners of #general" }).click();
  const panel = admin.getByRole("region", { name: "Owners of #general" });
  await panel.getByRole("checkbox", { name: "Bob Wilson (@bob)" }).check();
  await panel.getByRole("button", { name: "Review owner change" }).click();
  await panel.getByRole("group", { name: "Confirm the owner change" }).waitFor();
  await admin.screenshot({ path: shot("admin-channel-owners") });

  // Settings: the monitoring notice on; a conversation shows it.
  await admin.goto(`${server.url}/admin/settings`);
  await admin.getByLabel("Tell people conversations may be monitored").check();
  await admin.getByRole("button", { name: "Save settings" }).click();
  await admin.getByRole("status").getByText(/Saved 1 setting/).waitFor();
  await alice.getByRole("note", { name: "Monitoring notice" }).waitFor();
  await alice.screenshot({ path: shot("chat-monitoring-notice") });

  // Monitor: the live view of #general receiving a message.
  await admin.goto(`${server.url}/admin/monitor`);
  await admin.getByRole("combobox", { name: /^Conversation/ }).selectOption({ label: "#general" });
  await admin.getByRole("button", { name: "Show messages" }).click();
  await admin.getByRole("status").getByText(/messages match/).waitFor();
  await admin.getByRole("checkbox", { name: "Live" }).check();
  await admin.getByRole("status").getByText(/^Live: new messages appear/).waitFor({ timeout: 15_000 });
  await sendMessage(alice, "The release notes are in the wiki");
  await admin.getByRole("cell", { name: "The release notes are in the wiki" }).waitFor({ timeout: 15_000 });
  await admin.screenshot({ path: shot("admin-monitor-live") });
});
