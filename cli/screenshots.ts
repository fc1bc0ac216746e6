/**
 * `deno run -A cli/screenshots.ts`: refreshes docs/screenshots/ from a throw-away server with the demo data:
 * /chat in the light and dark themes, the settings dialog, the widget open on a demo page, phone-sized
 * views (conversation list, account menu, a conversation) and a conversation opened on its first unread
 * message. Uses Debian's Chromium like the browser tests (apt-get install chromium fonts-noto-color-emoji).
 */
import type { Page } from "playwright-core";
import { openConversation, signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

async function theme(page: Page, id: string) {
  await page.evaluate((t) => {
    const p = JSON.parse(localStorage.getItem("parley.prefs") ?? "{}");
    localStorage.setItem("parley.prefs", JSON.stringify({ ...p, theme: t }));
    document.documentElement.dataset.theme = t;
  }, id);
}

async function say(page: Page, box: string, text: string) {
  const el = page.getByRole("textbox", { name: box });
  await el.fill(text);
  await el.press("Enter");
  await page.waitForTimeout(150);
}

await screenshotRun(async ({ server, browser, shot }) => {
  const { page: alice } = await signIn(browser, server.url, "alice");
  const { page: bob } = await signIn(browser, server.url, "bob");
  await openConversation(bob, /general/);
  await openConversation(alice, /general/);
  await say(
    bob,
    "Message # general",
    "Deploy checklist for **Friday**:\n- freeze `main` at noon\n- run the migrations\n- tell #helpdesk when done",
  );
  await say(alice, "Message # general", "Thanks @bob! I'll take the migrations 👍");
  await say(bob, "Message # general", "```\ndeno task migrate && deno task start\n```");
  const row = alice.locator("[data-message-id]").filter({ hasText: "Deploy checklist" });
  await row.hover();
  await row.getByRole("button", { name: "Add reaction" }).click();
  await alice.getByRole("dialog", { name: "Emoji" }).getByRole("button", { name: "thumbs up" }).first()
    .click();
  await bob.getByRole("textbox", { name: "Message # general" }).pressSequentially("On it");
  await alice.waitForTimeout(800);
  await alice.mouse.move(5, 790);

  await theme(alice, "light");
  await alice.screenshot({ path: shot("chat-light.png") });
  await theme(alice, "dark");
  await alice.waitForTimeout(200);
  await alice.screenshot({ path: shot("chat-dark.png") });
  await alice.getByRole("button", { name: "Settings" }).first().click();
  await alice.getByRole("radio", { name: "Ocean" }).check();
  await alice.waitForTimeout(200);
  await alice.screenshot({ path: shot("settings-ocean-preview.png") });
  await alice.keyboard.press("Escape");
  await theme(alice, "light");

  await bob.goto(`${server.url}/demo/tickets`);
  await bob.getByRole("button", { name: /^Open chat/ }).click();
  await bob.getByRole("region", { name: "Chat" }).getByRole("button", { name: /Alice Johnson(?! &)/ })
    .click();
  await bob.waitForTimeout(800);
  await bob.screenshot({ path: shot("widget-demo-tickets.png") });

  const phone = { width: 390, height: 844 };
  const { page: mobile } = await signIn(browser, server.url, "alice", { viewport: phone });
  await mobile.waitForTimeout(800);
  await mobile.screenshot({ path: shot("phone-list.png") });
  await mobile.getByRole("button", { name: /^Account/ }).click();
  await mobile.getByRole("menu", { name: "Account" }).waitFor();
  await mobile.screenshot({ path: shot("phone-account-menu.png") });
  await mobile.keyboard.press("Escape");
  await openConversation(mobile, /general/);
  await mobile.waitForTimeout(500);
  await mobile.screenshot({ path: shot("phone-conversation.png") });
  // Closed: a conversation open on screen in another browser counts as read there.
  await mobile.context().close();

  // Opening a conversation with unread messages: it lands on the first one, with the unread bar.
  await openConversation(alice, /helpdesk/);
  await bob.goto(`${server.url}/chat`);
  await openConversation(bob, /general/);
  // Enough lines that they do not all fit (what is on screen counts as read).
  for (let i = 1; i <= 24; i++) {
    await say(
      bob,
      "Message # general",
      `Status update ${i}\n- build: green\n- deploy: ${i % 3 ? "done" : "waiting for a review"}`,
    );
  }
  const general = await alice.getByRole("navigation", { name: "Conversations" })
    .getByRole("link", { name: /general/ }).first().getAttribute("href");
  await alice.goto(`${server.url}${general}`);
  await alice.getByRole("region", { name: "Unread messages" }).waitFor();
  await alice.waitForTimeout(500);
  await alice.mouse.move(5, 790);
  await alice.screenshot({ path: shot("chat-first-unread.png") });
  console.log(`screenshots written to docs/screenshots/`);
});
