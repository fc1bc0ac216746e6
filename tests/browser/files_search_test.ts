/**
 * Files and search in a real browser: Alice pastes an image and drops a PDF, Bob sees both live; a refused
 * type and an oversize file explain themselves; search finds a word, a phrase, a Japanese substring and a
 * ticket number and jumps to the message.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import { dropFile, log, pasteImage, pdf } from "./files_helpers.ts";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  sendMessage,
  signIn,
  startTestServer,
} from "./browser.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const row = (page: Page, text: string) => log(page).locator("[data-message-id]").filter({ hasText: text });

Deno.test({ name: "browser: files and search", ignore: !browserAvailable(), ...opts }, async (t) => {
  const server = await startTestServer();
  const ws = await workspacesRepo.bySlug(server.deps.db, "demo");
  await workspacesRepo.putSetting(server.deps.db, ws!.id, "files.max_bytes", 50_000);
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const alice = (await signIn(browser, server.url, "alice")).page;
    const bob = (await signIn(browser, server.url, "bob")).page;
    await openConversation(alice, /general/);
    await openConversation(bob, /general/);

    await t.step("a pasted image and a dropped PDF reach the other person live", async () => {
      await pasteImage(alice);
      await dropFile(alice, "report.pdf", pdf(), "application/pdf");
      const tray = alice.getByRole("list", { name: "Files to send" });
      await tray.getByRole("button", { name: "Remove screenshot.png" }).waitFor();
      await tray.getByRole("button", { name: "Remove report.pdf" }).waitFor();
      await sendMessage(alice, "Here are the files");
      await row(bob, "Here are the files").waitFor();
      const msg = row(bob, "Here are the files");
      await msg.getByRole("button", { name: "View image screenshot.png" }).waitFor();
      await msg.getByRole("link", { name: /^Download report\.pdf/ }).waitFor();
      // The thumbnail really loads (served with the session, checked per request).
      await bob.waitForFunction(() =>
        [...document.querySelectorAll("img[alt='screenshot.png']")].some((i) =>
          (i as HTMLImageElement).naturalWidth > 0
        )
      );
      await msg.getByRole("button", { name: "View image screenshot.png" }).click();
      await bob.getByRole("dialog", { name: "screenshot.png" }).waitFor();
      await bob.keyboard.press("Escape");
    });

    await t.step("the conversation's Files view lists them and jumps to the message", async () => {
      await bob.getByRole("button", { name: "Files", exact: true }).click();
      const pane = bob.getByRole("complementary", { name: "Files" });
      const list = pane.getByRole("list", { name: /^Files in/ });
      await list.getByRole("link", { name: "report.pdf" }).waitFor();
      await list.getByRole("link", { name: "screenshot.png" }).waitFor();
      assert.equal(await list.getByRole("listitem").count(), 2);
      assert.equal(
        await list.getByRole("link", { name: "report.pdf" }).getAttribute("download"),
        "report.pdf",
      );
      assert.deepEqual(await axeSerious(bob), [], "axe with the Files view open");
      // A new file shows up while the view is open; Escape closes it; jumping opens the message.
      await dropFile(alice, "notes.pdf", pdf(), "application/pdf");
      await alice.getByRole("list", { name: "Files to send" }).getByRole("button", {
        name: "Remove notes.pdf",
      })
        .waitFor();
      await sendMessage(alice, "One more file");
      await list.getByRole("link", { name: "notes.pdf" }).waitFor();
      await list.getByRole("button", { name: "Jump to message: report.pdf" }).click();
      await pane.waitFor({ state: "detached" });
      await row(bob, "Here are the files").waitFor();
      await bob.getByRole("button", { name: "Files", exact: true }).click();
      await pane.waitFor();
      await bob.keyboard.press("Escape");
      await pane.waitFor({ state: "detached" });
    });

    await t.step("a refused type and an oversize file give a clear error", async () => {
      await dropFile(alice, "cute-cat.png", "<!DOCTYPE html><script>alert(1)</script>", "image/png");
      await alice.getByRole("alert").filter({ hasText: /Files of this type \(text\/html\) cannot be shared/ })
        .waitFor();
      await dropFile(alice, "huge.pdf", pdf(60_000), "application/pdf");
      await alice.getByRole("alert").filter({ hasText: /Files can be at most 48\.8 KB/ }).waitFor();
      await alice.getByRole("button", { name: "Remove cute-cat.png" }).click();
      await alice.getByRole("button", { name: "Remove huge.pdf" }).click();
      assert.equal(await alice.getByRole("list", { name: "Files to send" }).count(), 0);
    });

    await t.step(
      "search finds a word, a phrase, Japanese text and a ticket number, and jumps there",
      async () => {
        await sendMessage(alice, "明日は東京で会議があります");
        await sendMessage(alice, "Fixed in ticket #4521 after the review");
        await sendMessage(alice, "The quarterly roadmap review is on Friday");
        for (let i = 0; i < 60; i++) await sendMessage(alice, `filler message ${i}`);
        await row(bob, "filler message 59").waitFor();
        const box = bob.getByRole("searchbox", { name: "Search", exact: true });
        const results = bob.getByRole("region", { name: "Search results" });
        const search = async (q: string, expect: string) => {
          await bob.keyboard.press("Control+Shift+F");
          await box.fill(q);
          await results.getByRole("button", { name: /^Jump to message/ }).filter({ hasText: expect }).first()
            .waitFor();
        };
        await search("roadmap", "quarterly roadmap");
        assert.equal(await results.locator("mark").first().textContent(), "roadmap");
        await search('"quarterly roadmap"', "quarterly roadmap");
        await search("#4521", "ticket #4521");
        await search("東京", "東京で会議");
        await results.getByRole("button", { name: /^Jump to message/ }).filter({ hasText: "東京" }).click();
        await row(bob, "東京で会議があります").waitFor();
        assert.ok(await row(bob, "東京で会議があります").isVisible());
        assert.equal(await results.count(), 0);
      },
    );
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
