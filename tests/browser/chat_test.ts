/**
 * Two real users in two browser contexts: real-time both ways, unread counts and the tab title, edit and
 * delete within the window and refusal after it, reactions, a thread reply, and the accessibility audit of
 * /login and /chat.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import { THEME_IDS } from "../../components/themes.ts";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  type ParleyHandle,
  signIn,
  startTestServer,
} from "./browser.ts";

const EDIT_WINDOW_S = 6;
const opts = { sanitizeOps: false, sanitizeResources: false };

function log(page: Page) {
  return page.getByRole("log", { name: /^Messages in/ });
}

function messageRow(page: Page, text: string) {
  return log(page).locator("[data-message-id]").filter({ hasText: text });
}

async function unreadInTitle(page: Page): Promise<number> {
  const m = /^\((\d+)\)/.exec(await page.title());
  return m ? Number(m[1]) : 0;
}

Deno.test({ name: "browser: two users chat in /chat", ignore: !browserAvailable(), ...opts }, async (t) => {
  const server = await startTestServer();
  const ws = await workspacesRepo.bySlug(server.deps.db, "demo");
  await workspacesRepo.putSetting(server.deps.db, ws!.id, "messages.edit_window_seconds", EDIT_WINDOW_S);
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const alice = (await signIn(browser, server.url, "alice")).page;
    const bob = (await signIn(browser, server.url, "bob")).page;
    await openConversation(bob, /general/);
    await openConversation(alice, /Bob Wilson/);

    await t.step("a DM arrives in real time and raises the unread count and the tab title", async () => {
      await bob.waitForFunction(() =>
        (globalThis as unknown as ParleyHandle).parley?.client.status.value === "open"
      );
      const before = await unreadInTitle(bob);
      await alice.getByRole("textbox", { name: "Message Bob Wilson" }).fill(
        "Hi Bob, **ready** for the demo?",
      );
      await alice.getByRole("textbox", { name: "Message Bob Wilson" }).press("Enter");
      await messageRow(alice, "ready for the demo").waitFor();
      const link = bob.getByRole("navigation", { name: "Conversations" }).getByRole("link", {
        name: /Alice Johnson(?! &)/,
      });
      await link.filter({ hasText: /unread message/ }).waitFor();
      await bob.waitForFunction((n) => document.title.startsWith(`(${n + 1})`), before);
      assert.deepEqual(await unreadInTitle(bob), before + 1);
      await link.click();
      await messageRow(bob, "ready for the demo").waitFor();
      assert.deepEqual(await messageRow(bob, "ready for the demo").locator("strong").textContent(), "ready");
      await bob.waitForFunction((n) => !document.title.startsWith(`(${n + 1})`), before);
    });

    await t.step("the reply comes back the other way", async () => {
      const box = bob.getByRole("textbox", { name: "Message Alice Johnson" });
      await box.fill("Yes! Line one");
      await box.press("Shift+Enter");
      await box.pressSequentially("line two");
      await box.press("Enter");
      await messageRow(alice, "line two").waitFor();
      assert.deepEqual(await messageRow(alice, "line two").count(), 1);
      // Bob has the conversation open, so Alice's message shows as read (✓✓).
      await alice.getByRole("img", { name: "Read by everyone" }).first().waitFor();
    });

    await t.step("markdown is sanitized: no script, no image, no javascript: links", async () => {
      const box = alice.getByRole("textbox", { name: "Message Bob Wilson" });
      await box.fill('<img src=x onerror="window.__xss=1"> [click](javascript:window.__xss=2) *safe* text');
      await box.press("Enter");
      const row = messageRow(bob, "safe");
      await row.waitFor();
      assert.equal(await row.locator("img").count(), 0);
      assert.equal(await row.locator("em").textContent(), "safe");
      const hrefs = await row.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
      assert.ok(hrefs.every((h) => !h.startsWith("javascript:")), hrefs.join());
      assert.equal(await bob.evaluate(() => "__xss" in globalThis), false);
    });

    await t.step("edit and delete within the window, refused after it", async () => {
      const box = alice.getByRole("textbox", { name: "Message Bob Wilson" });
      await box.fill("edit me please");
      await box.press("Enter");
      await messageRow(alice, "edit me please").hover();
      await messageRow(alice, "edit me please").getByRole("button", { name: "Edit" }).click();
      const editor = alice.getByRole("textbox", { name: "Edit message" });
      await editor.fill("this was edited");
      await editor.press("Enter");
      await messageRow(bob, "this was edited").filter({ hasText: "(edited)" }).waitFor();

      await box.fill("delete me please");
      await box.press("Enter");
      await messageRow(alice, "delete me please").hover();
      await messageRow(alice, "delete me please").getByRole("button", { name: "Delete" }).click();
      // Parley asks with its own dialog (not the browser's confirm()).
      await alice.getByRole("dialog", { name: "Delete message" }).getByRole("button", { name: "Delete" })
        .click();
      await log(bob).getByText("This message was deleted").waitFor();
      assert.deepEqual(await log(bob).getByText("delete me please").count(), 0);

      await box.fill("too late to change");
      await box.press("Enter");
      const row = messageRow(alice, "too late to change");
      await row.waitFor();
      const id = Number(await row.getAttribute("data-message-id"));
      await alice.waitForTimeout(EDIT_WINDOW_S * 1000 + 1500);
      await alice.evaluate(() => ((globalThis as unknown as ParleyHandle).parley.ui.now.value = Date.now()));
      await row.hover();
      assert.deepEqual(await row.getByRole("button", { name: "Edit" }).count(), 0);
      assert.deepEqual(await row.getByRole("button", { name: "Delete" }).count(), 0);
      const refused = await alice.evaluate(async (mid) => {
        try {
          await (globalThis as unknown as ParleyHandle).parley.client.edit(mid, "sneaky");
          return "accepted";
        } catch (e) {
          return (e as { code: string }).code;
        }
      }, id);
      assert.ok(refused !== "accepted", "the server must refuse an edit after the window");
    });

    await t.step("reactions from the emoji picker show for the other user", async () => {
      const row = messageRow(bob, "too late to change");
      await row.hover();
      await row.getByRole("button", { name: "Add reaction" }).click();
      await bob.getByRole("dialog", { name: "Emoji" }).getByRole("searchbox", { name: "Search emoji" }).fill(
        "thumbs up",
      );
      await bob.getByRole("dialog", { name: "Emoji" }).getByRole("button", { name: "thumbs up" }).first()
        .click();
      const reaction = messageRow(alice, "too late to change").getByRole("button", {
        name: /^👍\uFE0F? 1, reacted by Bob Wilson/u,
      });
      await reaction.waitFor();
      await reaction.click();
      await messageRow(bob, "too late to change").getByRole("button", {
        name: /^👍\uFE0F? 2, reacted by .*Alice Johnson/u,
      }).waitFor();
    });

    await t.step("a thread reply shows in the thread pane and as a reply count", async () => {
      const row = messageRow(alice, "line two");
      await row.hover();
      await row.getByRole("button", { name: "Reply in thread" }).click();
      const thread = alice.getByRole("complementary", { name: "Thread" });
      await thread.getByRole("textbox", { name: "Reply in thread" }).fill("a reply in the thread");
      await thread.getByRole("textbox", { name: "Reply in thread" }).press("Enter");
      await thread.getByText("a reply in the thread").waitFor();
      const count = messageRow(bob, "line two").getByRole("button", { name: "1 reply" });
      await count.waitFor();
      await count.click();
      await bob.getByRole("complementary", { name: "Thread" }).getByText("a reply in the thread").waitFor();
      assert.deepEqual(
        await log(bob).getByText("a reply in the thread").count(),
        0,
        "replies stay out of the channel log",
      );
    });

    await t.step("axe: /chat and /login have no serious or critical violations", async () => {
      const chatViolations = await axeSerious(alice);
      assert.deepEqual(chatViolations, []);
      const anon = await (await browser!.newContext()).newPage();
      await anon.goto(`${server.url}/login`);
      assert.deepEqual(await axeSerious(anon), []);
      await anon.getByLabel("Username").fill("alice");
      await anon.getByLabel("Password").fill("wrong");
      await anon.getByRole("button", { name: "Sign in" }).click();
      await anon.getByRole("alert").filter({ hasText: "Wrong username or password" }).waitFor();
    });

    await t.step("every theme keeps sufficient contrast", async () => {
      for (const theme of THEME_IDS) {
        await alice.evaluate((id) => (document.documentElement.dataset.theme = id), theme);
        assert.deepEqual(await axeSerious(alice, ["color-contrast"]), [], `theme ${theme}`);
      }
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
