/** The widget on the demo host pages: quick reply reaches the other user's /chat, state survives navigation, axe. */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  signIn,
  startTestServer,
} from "./browser.ts";

Deno.test({
  name: "browser: widget quick reply from /demo/tickets arrives in /chat",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = await startTestServer();
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const { page: alice } = await signIn(browser, server.url, "alice");
    await openConversation(alice, /Bob Wilson(?! &)/);
    const { page: bob } = await signIn(browser, server.url, "bob", { next: "/demo/tickets" });
    assert.equal(new URL(bob.url()).pathname, "/demo/tickets");

    await t.step("the widget is not on /chat", async () => {
      assert.equal(await alice.locator("#parley-widget").count(), 0);
    });

    await t.step("quick reply from the widget arrives in the other user's /chat", async () => {
      const open = bob.getByRole("button", { name: /^Open chat/ });
      await open.click();
      const panel = bob.getByRole("region", { name: "Chat" });
      await panel.getByRole("button", { name: /Alice Johnson(?! &)/ }).click();
      const input = panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" });
      await input.fill("Sent from the tickets page");
      await input.press("Enter");
      await panel.getByText("Sent", { exact: true }).waitFor();
      const log = alice.getByRole("log", { name: "Messages in Bob Wilson" });
      await log.getByText("Sent from the tickets page").waitFor();
      assert.equal(await log.getByText("Sent from the tickets page").count(), 1);
    });

    await t.step("open state and selection survive navigation; the badge counts unread", async () => {
      await bob.getByRole("link", { name: "Dashboard" }).click();
      await bob.waitForURL((u) => u.pathname === "/demo");
      const panel = bob.getByRole("region", { name: "Chat" });
      await panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" }).waitFor();
      const box = alice.getByRole("textbox", { name: "Message Bob Wilson" });
      await box.fill("Got it, thanks!");
      await box.press("Enter");
      await panel.getByRole("log").getByText("Got it, thanks!").waitFor();
      const full = panel.getByRole("link", { name: "Open in full chat" });
      assert.match((await full.getAttribute("href"))!, /^\/chat\/\d+$/);
    });

    await t.step("axe: the widget has no serious or critical violations", async () => {
      assert.deepEqual(await axeSerious(bob), []);
      await bob.getByRole("button", { name: "Close chat" }).last().click();
      await bob.getByRole("button", { name: /^Open chat/ }).waitFor();
      assert.deepEqual(await axeSerious(bob), []);
      // The launcher's unread count has the colour unread counts have in /chat (the accent; red is for
      // mentions there), not a colour of its own.
      const [badge, accent] = await bob.evaluate(() => {
        const btn = [...document.querySelectorAll("*")].map((e) => e.shadowRoot?.querySelector(".pw-btn"))
          .find(Boolean)!;
        const probe = document.createElement("span");
        probe.className = "pw-badge";
        btn.appendChild(probe);
        const swatch = document.createElement("span");
        swatch.style.background = "var(--p-accent)";
        btn.appendChild(swatch);
        const out = [getComputedStyle(probe).backgroundColor, getComputedStyle(swatch).backgroundColor];
        probe.remove();
        swatch.remove();
        return out;
      });
      assert.equal(badge, accent);
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
