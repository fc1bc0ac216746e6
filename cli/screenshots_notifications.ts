/**
 * `deno run -A cli/screenshots_notifications.ts`: the screenshots of docs/notifications.md from a throw-away
 * server with the demo data: the Notifications and Do not disturb parts of Settings, the level menu of a
 * conversation with a muted channel in the sidebar, and the moon on the avatar of someone who paused.
 */
import { openConversation, signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot }) => {
  const { page: alice } = await signIn(browser, server.url, "alice", {
    viewport: { width: 1100, height: 900 },
  });
  await alice.getByRole("button", { name: "Settings" }).first().click();
  const dialog = alice.getByRole("dialog", { name: "Chat settings" });
  await dialog.getByRole("spinbutton", { name: "Email delay (minutes)" }).fill("30");
  await dialog.getByRole("textbox", { name: "Keywords" }).fill("deploy, design");
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) {
    await dialog.getByRole("checkbox", { name: day, exact: true }).check();
  }
  await dialog.getByRole("checkbox", { name: "Direct messages", exact: true }).check();
  const parts = dialog.locator("fieldset");
  await parts.nth(0).screenshot({ path: shot("notifications-settings.png") });
  await parts.nth(1).screenshot({ path: shot("notifications-dnd.png") });
  await dialog.getByRole("button", { name: "Save preferences" }).click();
  await dialog.waitFor({ state: "detached" });

  await openConversation(alice, "helpdesk");
  await alice.getByRole("button", { name: "Notification level" }).click();
  await alice.getByRole("menuitemradio", { name: "Nothing (mute)" }).click();
  await openConversation(alice, "general");
  await alice.getByRole("button", { name: "Notification level" }).click();
  await alice.getByRole("menu", { name: "Notification level" }).waitFor();
  await alice.waitForTimeout(200);
  await alice.screenshot({ path: shot("notifications-level-menu.png") });
  await alice.keyboard.press("Escape");

  await alice.getByRole("button", { name: "Settings" }).first().click();
  await dialog.getByRole("button", { name: "Pause for 1 hour" }).click();
  await dialog.getByText(/^Notifications paused until/).waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  const { page: bob } = await signIn(browser, server.url, "bob", { viewport: { width: 1100, height: 600 } });
  await openConversation(bob, "general");
  await bob.getByRole("log", { name: /^Messages in/ }).getByRole("img", { name: "Do not disturb" }).first()
    .waitFor();
  await bob.waitForTimeout(200);
  await bob.screenshot({ path: shot("notifications-dnd-moon.png") });
  console.log("docs/screenshots/notifications-*.png written");
});
