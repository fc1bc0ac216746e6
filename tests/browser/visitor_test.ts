/**
 * Visitor chat in a real browser: the widget on a host site of another origin (localhost vs 127.0.0.1)
 * chats with an agent in /chat both ways; reload, navigation and a second tab keep the conversation;
 * ending, rating once, transcript (download and email); recovery inside the window and refusal after it; axe on the widget
 * and /support.
 */
import assert from "node:assert/strict";
import { axeSerious, browserAvailable, signIn } from "./browser.ts";
import { goAvailable, saved, setVisitorSetting, startChat, visitorScene, widget } from "./visitor_helpers.ts";

Deno.test({
  name: "browser: a visitor on another site chats with an agent, survives reloads, rates once",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const scene = await visitorScene();
  const { server, host, browser } = scene;
  try {
    const { page: alice } = await signIn(browser, server.url, "alice");
    await goAvailable(alice);
    const vctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const visitor = await vctx.newPage();
    visitor.on("pageerror", (e) => console.error("[visitor pageerror]", e.message));
    await visitor.goto(host.url);
    const w = widget(visitor);
    const region = alice.getByRole("region", { name: "Visitors" });

    await t.step("the pre-chat form, then a place in line", async () => {
      await startChat(visitor, "Vera", "My invoice is wrong");
      await w.getByRole("status").filter({ hasText: "You are number 1 in line" }).waitFor();
      await region.getByRole("listitem").filter({ hasText: "Vera" }).waitFor();
    });

    await t.step("the agent claims; messages and typing go both ways", async () => {
      await region.getByRole("listitem").filter({ hasText: "Vera" }).getByRole("button", { name: "Claim" })
        .click();
      await w.getByText("You are chatting with Alice Johnson").waitFor();
      const chat = region.getByRole("group", { name: "Visitor chat with Vera" });
      await chat.getByText("My invoice is wrong").waitFor();
      const reply = chat.getByRole("textbox", { name: "Reply to visitor" });
      await reply.pressSequentially("Hello Vera", { delay: 20 });
      await w.getByText("Alice Johnson is typing…").waitFor();
      await reply.fill("Hello Vera, let me look.");
      await reply.press("Enter");
      await w.getByRole("log", { name: "Conversation" }).getByText("Hello Vera, let me look.").waitFor();
      const box = w.getByRole("textbox", { name: "Message" });
      await box.pressSequentially("It is invoice 42", { delay: 20 });
      await chat.getByText("Vera is typing…").waitFor();
      await box.press("Enter");
      await chat.getByText("It is invoice 42").waitFor();
      await w.getByText("Seen").waitFor();
    });

    await t.step("reload, navigation and a second tab keep the conversation", async () => {
      await visitor.reload();
      await w.getByRole("log", { name: "Conversation" }).getByText("Hello Vera, let me look.").waitFor();
      await visitor.getByRole("link", { name: "Next page" }).click();
      await visitor.waitForURL((u) => u.pathname === "/pricing");
      await w.getByRole("log", { name: "Conversation" }).getByText("It is invoice 42").waitFor();
      const second = await vctx.newPage();
      await second.goto(`${host.url}/pricing`);
      const w2 = widget(second);
      await w2.getByRole("log", { name: "Conversation" }).getByText("It is invoice 42").waitFor();
      const reply = region.getByRole("textbox", { name: "Reply to visitor" });
      await reply.fill("Found it.");
      await reply.press("Enter");
      await w.getByText("Found it.").waitFor();
      await w2.getByText("Found it.").waitFor();
      await second.close();
    });

    await t.step("axe: the widget and the host page", async () => {
      assert.deepEqual(await axeSerious(visitor), []);
      const frame = visitor.frames().find((f) => f.url().includes("/support/frame"))!;
      const inFrame = await frame.evaluate(async (src) => {
        if (!("axe" in globalThis)) (0, eval)(src);
        type V = { id: string; impact: string };
        const axe =
          (globalThis as unknown as { axe: { run(d: unknown, o: unknown): Promise<{ violations: V[] }> } })
            .axe;
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
      }, await Deno.readTextFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url)));
      assert.deepEqual(inFrame, []);
    });

    await t.step(
      "the visitor ends the chat, rates it once, gets the transcript; a ticket is made",
      async () => {
        await w.getByRole("button", { name: "End chat" }).click();
        await w.getByRole("radio", { name: "5 stars" }).check();
        await w.getByLabel("Comment (optional)").fill("Quick and kind");
        await w.getByRole("button", { name: "Send rating" }).click();
        await w.getByText("Thank you for your rating.").waitFor();
        await w.getByRole("button", { name: "Get transcript" }).click();
        const link = w.getByRole("link", { name: "Download transcript" });
        assert.match(decodeURIComponent((await link.getAttribute("href"))!), /Found it\./);
        await w.getByRole("button", { name: "Email transcript" }).click(); // to the pre-chat address
        await w.getByRole("status").filter({ hasText: "The transcript is on its way to vera@example.com." })
          .waitFor();
        const token = (await saved(vctx, host.url))!.token;
        const again = await fetch(`${server.url}/api/visitor/rating`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-parley-visitor": token },
          body: JSON.stringify({ value: 1 }),
        });
        assert.equal(again.status, 409);
        await again.body?.cancel();
        const t = await server.deps.db.query<{ rating: number; category: string }>(
          "SELECT rating, category FROM tickets",
        );
        assert.deepEqual(t, [{ rating: 5, category: "Billing" }]);
        await visitor.reload();
        await w.getByText("Thank you for your rating.").waitFor();
      },
    );

    await t.step("recovery: a closed browser comes back inside the window, not after it", async () => {
      await w.getByRole("button", { name: "Start a new chat" }).click();
      await startChat(visitor, "Rita");
      await region.getByRole("listitem").filter({ hasText: "Rita" }).waitFor();
      const state = await vctx.storageState();
      await vctx.close();
      const back = await browser.newContext({ storageState: state });
      const p2 = await back.newPage();
      await p2.goto(host.url);
      await widget(p2).getByText(/You are number 1 in line/).waitFor();
      const state2 = await back.storageState();
      await back.close();
      await setVisitorSetting(server, "recovery_minutes", 0.05); // 3 s
      await new Promise((r) => setTimeout(r, 4500));
      const late = await browser.newContext({ storageState: state2 });
      const p3 = await late.newPage();
      await p3.goto(host.url);
      await widget(p3).getByText(/left longer than the recovery window/).waitFor();
      await widget(p3).getByRole("button", { name: "Start chat" }).waitFor();
      // Gone from the waiting list (the ticket made from the expired chat, "#N Chat with Rita", stays listed).
      await region.getByRole("listitem").filter({ hasText: "Rita" }).filter({ hasNotText: /Chat with Rita/ })
        .waitFor({ state: "detached" });
      await late.close();
      await setVisitorSetting(server, "recovery_minutes", 5);
    });

    await t.step("/support: the same chat as a full page, axe clean", async () => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`${server.url}/support`);
      await p.getByRole("button", { name: "Start chat" }).waitFor();
      assert.deepEqual(await axeSerious(p), []);
      await ctx.close();
    });
  } finally {
    await scene.close();
  }
});
