/**
 * The chat as a new user meets it: only what you may do is offered, dialog errors sit next to the field,
 * the account menu exists on a phone, toasts hide nothing and sit above dialogs, the keyboard reaches
 * everything (roving focus in the log, Alt+↑/↓, Ctrl+K for people, Escape), the header search finds people
 * and conversations, delete asks with Parley's dialog, and the pages pass axe.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import * as messages from "../../domain/messages.ts";
import * as usersRepo from "../../db/repos/users.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as channelsRepo from "../../db/repos/channels.ts";
import { actorFromUser } from "../../domain/auth.ts";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  type ParleyHandle,
  signIn,
  startTestServer,
} from "./browser.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ready = (page: Page) =>
  page.waitForFunction(() => (globalThis as unknown as ParleyHandle).parley?.client.status.value === "open");
const nav = (page: Page) => page.getByRole("navigation", { name: "Conversations" });

Deno.test(
  { name: "browser: the chat as a new user meets it", ignore: !browserAvailable(), ...opts },
  async (t) => {
    const server = await startTestServer();
    const db = server.deps.db;
    const ws = (await workspacesRepo.bySlug(db, "demo"))!;
    const bob = (await usersRepo.byUsername(db, ws.id, "bob"))!;
    const general = (await channelsRepo.byName(db, ws.id, "general"))!;
    let browser: Browser | null = null;
    try {
      browser = await launch();
      const { page } = await signIn(browser, server.url, "alice");
      await ready(page);

      await t.step("a plain member is offered only what a member may do", async () => {
        await nav(page).getByRole("button", { name: "Browse channels" }).waitFor();
        assert.equal(await nav(page).getByRole("button", { name: "Create channel" }).count(), 0);
        await openConversation(page, /general/);
        await page.getByRole("button", { name: "Channel settings" }).click();
        const dlg = page.getByRole("dialog", { name: /Settings for|general/ });
        await dlg.getByRole("button", { name: "Leave channel" }).waitFor();
        for (const name of [/^Block$/, /^Remove$/, /Archive/, /^Save$/]) {
          assert.equal(await dlg.getByRole("button", { name }).count(), 0, String(name));
        }
        assert.equal(await dlg.getByRole("combobox", { name: /^Role of/ }).count(), 0, "no role menus");
        assert.deepEqual(await axeSerious(page), []);
        await page.keyboard.press("Escape");
        await dlg.waitFor({ state: "detached" });
      });

      await t.step(
        "after switching conversation the focus is in the message box; Alt+↓ moves on",
        async () => {
          await openConversation(page, /helpdesk/);
          await page.waitForFunction(() =>
            document.activeElement?.getAttribute("aria-label") === "Message # helpdesk"
          );
          const before = new URL(page.url()).pathname;
          await page.keyboard.press("Alt+ArrowDown");
          await page.waitForFunction((p) => location.pathname !== p, before);
          await page.keyboard.press("Alt+ArrowUp");
          await page.waitForFunction((p) => location.pathname === p, before);
        },
      );

      await t.step("the log is one Tab stop with arrow keys inside", async () => {
        // The previous step ends in #helpdesk (one message); #general has enough to move between.
        await openConversation(page, /general/);
        const log = page.getByRole("log", { name: "Messages in # general", exact: true });
        await log.focus();
        await page.keyboard.press("ArrowUp");
        const first = await page.evaluate(() => document.activeElement?.getAttribute("data-message-id"));
        assert.ok(first, "a message has the focus");
        await page.keyboard.press("ArrowUp");
        const second = await page.evaluate(() => document.activeElement?.getAttribute("data-message-id"));
        assert.ok(second && Number(second) < Number(first), `${second} before ${first}`);
        // Tab leaves the message for its own controls, never walks every message's buttons.
        const tabStops = await log.evaluate((el) =>
          [...el.querySelectorAll<HTMLElement>("button, a[href], [tabindex]")].filter((b) => b.tabIndex >= 0)
            .length
        );
        assert.ok(tabStops <= 6, `${tabStops} Tab stops in the log`);
      });

      await t.step("Ctrl+K finds people too and opens a DM; Escape closes the topmost layer", async () => {
        await page.keyboard.press("Control+k");
        const sw = page.getByRole("dialog", { name: "Jump to a conversation" });
        await sw.getByRole("combobox").fill("dave");
        await sw.getByRole("option", { name: /Dave Brown/ }).waitFor();
        await page.keyboard.press("Enter");
        await page.getByRole("log", { name: "Messages in Dave Brown" }).waitFor();
        await page.keyboard.press("Control+k");
        await sw.waitFor();
        await page.keyboard.press("Escape");
        await sw.waitFor({ state: "detached" });
      });

      await t.step(
        "presence dots show the people on screen: a DM partner, a people search result",
        async () => {
          // The server sends presence only to sockets that follow the person (presence_sub): the page follows
          // its conversation partners, and whoever an open view shows.
          const dot = (within: ReturnType<Page["locator"]>, status: string) =>
            within.locator(`[data-presence][aria-label="${status}"]`).waitFor({ timeout: 30_000 });
          const bobLink = nav(page).getByRole("link", { name: /Bob Wilson/ });
          await dot(bobLink, "Offline");
          const bobSide = await signIn(browser!, server.url, "bob");
          await ready(bobSide.page);
          await dot(bobLink, "Online");
          await bobSide.page.getByRole("button", { name: "Account: Bob Wilson" }).click();
          const bobMenu = bobSide.page.getByRole("menu", { name: "Account" });
          await bobMenu.getByRole("menuitemradio", { name: "Away" }).click();
          await dot(bobLink, "Away");
          // Ada (admin): no direct or group conversation with alice; the search result shows her live status.
          const adaSide = await signIn(browser!, server.url, "admin");
          await ready(adaSide.page);
          const search = page.getByRole("searchbox", { name: "Search people and conversations" });
          await search.fill("ada");
          await dot(nav(page).getByRole("button", { name: /Ada Admin/ }), "Online");
          await search.fill("");
          await bobSide.context.close();
          await adaSide.context.close();
        },
      );

      await t.step("the header search finds people and conversations and says what it searched", async () => {
        const search = page.getByRole("searchbox", { name: "Search people and conversations" });
        await search.fill("car");
        await nav(page).getByRole("status").filter({ hasText: /names only; message search/ }).waitFor();
        await nav(page).getByRole("button", { name: /Carol Smith/ }).click();
        await page.getByRole("log", { name: "Messages in Carol Smith" }).waitFor();
        await search.fill("zzz");
        await nav(page).getByText(/No conversation matches “zzz”/).waitFor();
        await search.fill("");
      });

      await t.step("toasts hide neither the message box nor sit behind a dialog", async () => {
        await openConversation(page, /Carol Smith/);
        await page.getByRole("button", { name: "Settings", exact: true }).click();
        const settings = page.getByRole("dialog", { name: "Chat settings" });
        await settings.waitFor();
        await messages.send(server.deps, actorFromUser(bob, null), {
          channelId: general.id,
          clientId: "toast-1",
          body: "@alice a toast for Alice",
        });
        const toast = page.getByRole("button", { name: /a toast for Alice/ });
        await toast.waitFor();
        const box = (await toast.boundingBox())!;
        // The toast stack is in the top layer, shown after the dialog, so it is painted above it.
        const onTop = await toast.evaluate((el) => el.closest("[popover]")!.matches(":popover-open"));
        assert.ok(onTop, "the toast is in the top layer, above the dialog");
        await page.keyboard.press("Escape");
        await settings.waitFor({ state: "detached" });
        const composer = (await page.getByRole("textbox", { name: "Message Carol Smith" }).boundingBox())!;
        const overlap = box.x < composer.x + composer.width && composer.x < box.x + box.width &&
          box.y < composer.y + composer.height && composer.y < box.y + box.height;
        assert.ok(!overlap, "the toast does not cover the message box");
      });

      await t.step("delete asks with Parley's dialog, not the browser's", async () => {
        await openConversation(page, /general/);
        const box = page.getByRole("textbox", { name: "Message # general" });
        await box.fill("to be deleted");
        await box.press("Enter");
        const log = page.getByRole("log", { name: "Messages in # general", exact: true });
        const sent = log.locator("[data-message-id]").filter({ hasText: "to be deleted" });
        await sent.waitFor();
        // By its id: once deleted, the row no longer holds the text it was found by.
        const row = log.locator(`[data-message-id="${await sent.getAttribute("data-message-id")}"]`);
        let native = false;
        page.once("dialog", (d) => (native = true, d.dismiss()));
        await row.hover();
        await row.getByRole("button", { name: "Delete" }).click();
        const dlg = page.getByRole("dialog", { name: "Delete message" });
        await dlg.getByRole("button", { name: "Delete" }).click();
        await row.getByText("This message was deleted").waitFor();
        assert.equal(native, false);
        // The message box is back to one line after sending a long message.
        await box.fill("line\nline\nline\nline\nline");
        await box.dispatchEvent("input");
        const tall = (await box.boundingBox())!.height;
        await box.press("Enter");
        await page.waitForFunction(() =>
          (document.activeElement as HTMLTextAreaElement | null)?.value === ""
        );
        assert.ok((await box.boundingBox())!.height < tall, "the box shrank after sending");
      });

      await t.step("the account menu is there on a phone: status and sign out", async () => {
        const phone = await browser!.newContext({ viewport: { width: 390, height: 844 } });
        const p = await phone.newPage();
        await p.goto(`${server.url}/login`);
        await p.getByLabel("Username").fill("carol");
        await p.getByLabel("Password").fill("parley");
        await p.getByRole("button", { name: "Sign in" }).click();
        await p.waitForURL((u) => !u.pathname.startsWith("/login"));
        await ready(p);
        await p.getByRole("button", { name: "Account: Carol Smith" }).click();
        const menu = p.getByRole("menu", { name: "Account" });
        await menu.getByRole("menuitemradio", { name: "Away" }).click();
        await p.waitForFunction(() =>
          ((globalThis as unknown as ParleyHandle).parley.client as unknown as {
            me: { value: { status: string } };
          })
            .me.value.status === "away"
        );
        await p.getByRole("button", { name: "Account: Carol Smith" }).click();
        await menu.getByRole("menuitem", { name: "Sign out" }).click();
        await p.waitForURL((u) => u.pathname.startsWith("/login"));
        await phone.close();
      });
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
);

Deno.test(
  { name: "browser: dialog errors sit next to the field", ignore: !browserAvailable(), ...opts },
  async () => {
    const server = await startTestServer();
    let browser: Browser | null = null;
    try {
      browser = await launch();
      const { page } = await signIn(browser, server.url, "admin");
      await ready(page);
      await nav(page).getByRole("button", { name: "Create channel" }).click();
      const dlg = page.getByRole("dialog", { name: "Create a channel" });
      const name = dlg.getByRole("textbox", { name: "Name" });
      await name.fill("-oops");
      await dlg.getByRole("alert").filter({ hasText: "starting with a letter or digit" }).waitFor();
      assert.equal(await name.getAttribute("aria-invalid"), "true");
      await name.fill("general");
      await dlg.getByRole("button", { name: "Create channel" }).click();
      await dlg.getByRole("alert").filter({ hasText: "#general already exists" }).waitFor();
      assert.deepEqual(await axeSerious(page), []);
      await name.fill("design-team");
      await dlg.getByRole("button", { name: "Create channel" }).click();
      await page.getByRole("log", { name: "Messages in # design-team" }).waitFor();
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
);
