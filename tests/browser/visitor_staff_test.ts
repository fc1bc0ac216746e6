/**
 * The staff side of visitor chat beyond the desktop basics: an agent on a phone-sized screen (390x844)
 * reaches the Visitors region, claims and replies; a visitor attaches an image the agent sees; a monitor
 * (admin) watches the conversation live and read-only without claiming it, and an agent of lower rank
 * has no such view.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { axeSerious, browserAvailable, signIn } from "./browser.ts";
import { goAvailable, startChat, visitorScene, widget } from "./visitor_helpers.ts";
import { jpegWithGps } from "../helpers/files.ts";

Deno.test({
  name: "browser: Visitors on a phone, a visitor's image, a monitor's live read-only view",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const scene = await visitorScene();
  const { server, host, browser } = scene;
  try {
    const { page: alice } = await signIn(browser, server.url, "alice", {
      viewport: { width: 390, height: 844 },
    });
    const vctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const visitor = await vctx.newPage();
    visitor.on("pageerror", (e) => console.error("[visitor pageerror]", e.message));
    const w = widget(visitor);
    const region = alice.getByRole("region", { name: "Visitors" });

    await t.step("on a phone: the Visitors region opens full width; claim and reply", async () => {
      await alice.getByRole("button", { name: "Open Visitors" }).click();
      await region.waitFor();
      const box = (await region.boundingBox())!;
      assert.ok(
        box.width >= 380 && box.x <= 5,
        `the region fills the phone's width (${JSON.stringify(box)})`,
      );
      await goAvailable(alice);
      await visitor.goto(host.url); // after someone is available: the pre-chat form, not the offline one
      await startChat(visitor, "Pia", "Hello from Pia");
      const row = region.getByRole("listitem").filter({ hasText: "Pia" });
      await row.getByRole("button", { name: "Claim" }).click();
      const chat = region.getByRole("group", { name: "Visitor chat with Pia" });
      await chat.getByText("Hello from Pia").waitFor();
      const reply = chat.getByRole("textbox", { name: "Reply to visitor" });
      await reply.scrollIntoViewIfNeeded();
      await reply.fill("Hi Pia, on my phone.");
      await reply.press("Enter");
      await w.getByRole("log", { name: "Conversation" }).getByText("Hi Pia, on my phone.").waitFor();
      for (const name of ["Transfer", "End chat", "Escalate"]) {
        const b = chat.getByRole("button", { name });
        await b.scrollIntoViewIfNeeded();
        const bb = (await b.boundingBox())!;
        assert.ok(bb.x >= 0 && bb.x + bb.width <= 390, `${name} is on screen`);
      }
      assert.deepEqual(await axeSerious(alice), []);
      await region.getByRole("button", { name: "Back to conversations" }).click();
      await alice.getByRole("navigation", { name: "Conversations" }).waitFor();
      await alice.getByRole("button", { name: "Open Visitors" }).click();
      await chat.waitFor();
    });

    await t.step("the visitor attaches an image; the agent sees it", async () => {
      const bytes = await jpegWithGps(320, 200);
      await w.locator("#pv-file").setInputFiles({
        name: "receipt.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(bytes),
      });
      const log = w.getByRole("log", { name: "Conversation" });
      await log.getByRole("img", { name: "receipt.jpg" }).waitFor();
      await log.getByRole("button", { name: "Download receipt.jpg" }).waitFor();
      const img = region.getByRole("group", { name: "Visitor chat with Pia" }).getByRole("img", {
        name: "receipt.jpg",
      });
      await img.waitFor();
      await alice.waitForFunction(
        () =>
          [...document.querySelectorAll("img")].some((i) => i.alt === "receipt.jpg" && i.naturalWidth > 0),
        undefined,
        { timeout: 30_000 },
      );
    });

    await t.step("a monitor watches live and read-only; a lower rank cannot", async () => {
      const { page: admin } = await signIn(browser, server.url, "admin");
      const aregion = admin.getByRole("region", { name: "Visitors" });
      await aregion.getByRole("list", { name: "Live conversations" }).getByRole("button", {
        name: /Watch Pia/,
      })
        .click();
      const watch = aregion.getByRole("group", { name: "Watching visitor chat with Pia" });
      await watch.getByText("Hi Pia, on my phone.").waitFor();
      await watch.getByText(/read-only/).waitFor();
      assert.equal(await watch.getByRole("textbox").count(), 0, "no reply box");
      for (const name of ["Transfer", "End chat", "Escalate"]) {
        assert.equal(await watch.getByRole("button", { name }).count(), 0, `no ${name}`);
      }
      // Live: both sides' next messages appear without a reload.
      const box = w.getByRole("textbox", { name: "Message" });
      await box.fill("Is my refund coming?");
      await box.press("Enter");
      await watch.getByText("Is my refund coming?").waitFor();
      const reply = region.getByRole("textbox", { name: "Reply to visitor" });
      await reply.fill("Yes, tomorrow.");
      await reply.press("Enter");
      await watch.getByText("Yes, tomorrow.").waitFor();
      // Watching did not claim: Alice still holds it and the visitor still chats with her.
      await w.getByText("You are chatting with Alice Johnson").waitFor();
      const held = await server.deps.db.query<{ username: string }>(
        "SELECT u.username FROM visitor_conversations c JOIN users u ON u.id = c.agent_id WHERE c.name = 'Pia'",
      );
      assert.deepEqual(held, [{ username: "alice" }]);
      // Bob answers visitors but does not monitor: no live list, and the API refuses him.
      const { page: bob } = await signIn(browser, server.url, "bob");
      const bregion = bob.getByRole("region", { name: "Visitors" });
      await bregion.getByRole("switch", { name: "Available for visitor chats" }).waitFor();
      assert.equal(await bregion.getByRole("list", { name: "Live conversations" }).count(), 0);
      const id = (await server.deps.db.query<{ id: number }>(
        "SELECT id FROM visitor_conversations WHERE name = 'Pia'",
      ))[0].id;
      const status = await bob.evaluate(
        async (u) => (await fetch(u)).status,
        `${server.url}/api/visitors/conversations/${id}`,
      );
      assert.equal(status, 403);
    });
  } finally {
    await scene.close();
  }
});
