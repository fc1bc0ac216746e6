/**
 * The smaller defects of issue 10 in a real browser, one server and one signed-in person: the DM intro's
 * copy, the hover toolbar beside (not over) the timestamp, "(read-only)" as its own label, the group icon,
 * "(edited)" on the message's last line, styled markdown tables, and the seeded mention of Alice.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  browserAvailable,
  launch,
  openConversation,
  sendMessage,
  signIn,
  startTestServer,
} from "./browser.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function row(page: Page, text: string) {
  return page.getByRole("log", { name: /^Messages in/ }).locator("[data-message-id]").filter({
    hasText: text,
  });
}

Deno.test(
  { name: "browser: the smaller chat details", ignore: !browserAvailable(), ...opts },
  async (t) => {
    const server = await startTestServer();
    let browser: Browser | null = null;
    try {
      browser = await launch();
      const { page } = await signIn(browser, server.url, "alice");
      const nav = page.getByRole("navigation", { name: "Conversations" });

      await t.step("group rows carry an icon; (read-only) is its own label beside the name", async () => {
        const group = nav.getByRole("region", { name: "Groups" }).getByRole("link").first();
        await group.waitFor();
        assert.equal(await group.locator(".emoji").first().textContent(), "👥");
        const ann = nav.getByRole("link", { name: /announcements/ });
        const name = ann.locator(".truncate").first();
        assert.equal(await name.textContent(), "announcements");
        const label = ann.getByText("(read-only)", { exact: true });
        const [nb, lb] = [await name.boundingBox(), await label.boundingBox()];
        assert.ok(nb && lb && lb.x >= nb.x + nb.width, "the label follows the whole name");
      });

      await t.step("the seeded greeting mentions Alice", async () => {
        await openConversation(page, /general/);
        const hello = row(page, "Hello @alice");
        await hello.locator(".mention.me").waitFor();
        assert.match((await hello.getAttribute("class")) ?? "", /bg-mention/);
      });

      await t.step("the hover toolbar leaves the timestamp readable", async () => {
        await sendMessage(page, "toolbar check");
        const mine = row(page, "toolbar check");
        await mine.waitFor();
        await mine.hover();
        const bar = mine.getByRole("toolbar", { name: "Message actions" });
        await page.waitForFunction(
          (el) => el !== null && getComputedStyle(el).opacity === "1",
          await bar.elementHandle(),
        );
        const [barBox, timeBox] = [await bar.boundingBox(), await mine.locator("time").boundingBox()];
        assert.ok(barBox && timeBox, "toolbar and timestamp are shown");
        assert.ok(
          !overlap(barBox, timeBox),
          `toolbar ${JSON.stringify(barBox)} time ${JSON.stringify(timeBox)}`,
        );
      });

      await t.step("(edited) sits on the message's last line", async () => {
        const mine = row(page, "toolbar check");
        await mine.hover();
        await mine.getByRole("button", { name: "Edit", exact: true }).click();
        const editor = page.getByRole("textbox", { name: /Edit message/ });
        await editor.fill("toolbar check, edited");
        await editor.press("Enter");
        const edited = row(page, "toolbar check, edited");
        const mark = edited.getByText("(edited)", { exact: true });
        await mark.waitFor();
        const para = edited.locator(".md p").last();
        const [pb, mb] = [await para.boundingBox(), await mark.boundingBox()];
        assert.ok(pb && mb, "text and mark shown");
        assert.ok(mb.y < pb.y + pb.height && mb.x >= pb.x, "on the same line, after the text");
      });

      await t.step("markdown tables are drawn as tables", async () => {
        const box = page.getByRole("textbox", { name: "Message # general" });
        await box.fill("| Day | Owner |\n| --- | --- |\n| Friday | Bob |");
        await box.press("Enter");
        const cell = row(page, "Friday").locator("td").first();
        await cell.waitFor();
        const style = await cell.evaluate((el) => {
          const s = getComputedStyle(el);
          return { border: s.borderTopWidth, pad: s.paddingLeft };
        });
        assert.equal(style.border, "1px");
        assert.notEqual(style.pad, "0px");
      });

      await t.step("a DM opens with real copy about who can see it", async () => {
        await openConversation(page, /Bob Wilson/);
        const note = page.getByRole("note", { name: "Beginning of the conversation" });
        await note.waitFor();
        const text = (await note.textContent()) ?? "";
        assert.match(text, /your direct messages with Bob Wilson\. Only the two of you can see them\./);
        assert.doesNotMatch(text, /beginning of Bob Wilson\./);
      });
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
);
