/**
 * Visitor routing in a real browser: two agents claim one visitor at once (one wins); automatic
 * assignment, and reassignment when the agent's browser goes away; the offline form becomes a ticket.
 */
import assert from "node:assert/strict";
import { browserAvailable, signIn } from "./browser.ts";
import { goAvailable, setVisitorSetting, startChat, visitorScene, widget } from "./visitor_helpers.ts";

Deno.test({
  name: "browser: claim race, automatic assignment and reassignment, offline form",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const scene = await visitorScene();
  const { server, host, browser } = scene;
  try {
    const a = await signIn(browser, server.url, "alice");
    const b = await signIn(browser, server.url, "bob");
    await goAvailable(a.page);
    await goAvailable(b.page);
    const regionA = a.page.getByRole("region", { name: "Visitors" });
    const regionB = b.page.getByRole("region", { name: "Visitors" });

    await t.step("two agents claim at once: one wins, the other is told", async () => {
      const ctx = await browser.newContext();
      const v = await ctx.newPage();
      await v.goto(host.url);
      await startChat(v, "Cleo");
      const claimA = regionA.getByRole("listitem").filter({ hasText: "Cleo" }).getByRole("button", {
        name: "Claim",
      });
      const claimB = regionB.getByRole("listitem").filter({ hasText: "Cleo" }).getByRole("button", {
        name: "Claim",
      });
      // Both buttons are taken first, then clicked in the same moment: a Playwright click waits for the
      // element to be stable and in view, long enough on a loaded machine for the first claim to remove
      // Cleo from the other agent's list before the second click lands.
      const [a, b] = [await claimA.elementHandle(), await claimB.elementHandle()];
      await Promise.all([a!, b!].map((h) => h.evaluate((el) => (el as HTMLElement).click())));
      // The clicks return before the claims reach the server: wait for the holder, then for both agents to
      // have been answered, and only then count the join notes.
      let holder: { username: string }[] = [];
      for (let i = 0; i < 150 && holder.length === 0; i++) {
        holder = await server.deps.db.query<{ username: string }>(
          "SELECT u.username FROM visitor_conversations c JOIN users u ON u.id = c.agent_id WHERE c.name = 'Cleo'",
        );
        if (holder.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(holder.length, 1, "one agent holds Cleo's chat");
      const loser = holder[0].username === "alice" ? regionB : regionA;
      const winner = holder[0].username === "alice" ? regionA : regionB;
      await winner.getByRole("group", { name: "Visitor chat with Cleo" }).waitFor();
      await loser.getByRole("alert").filter({ hasText: "Someone else has claimed this visitor" }).waitFor();
      const rows = await server.deps.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM visitor_messages WHERE body LIKE '% joined the chat.'",
      );
      assert.equal(rows[0].n, 1);
      await winner.getByRole("button", { name: "End chat" }).click();
      await widget(v).getByText("The chat was ended by support.").waitFor();
      await ctx.close();
    });

    await t.step("automatic assignment; the agent goes away and the chat moves on with a note", async () => {
      await setVisitorSetting(server, "auto_assign", true);
      await setVisitorSetting(server, "offline_grace_seconds", 1);
      // Only Alice takes chats for now.
      await regionB.getByRole("switch", { name: "Available for visitor chats" }).click();
      await regionB.getByRole("switch", { name: "Available for visitor chats", checked: false }).waitFor();
      const ctx = await browser.newContext();
      const v = await ctx.newPage();
      await v.goto(host.url);
      await startChat(v, "Dora", "Hello?");
      const w = widget(v);
      await w.getByText("You are chatting with Alice Johnson").waitFor();
      await regionA.getByRole("button", { name: /Dora/ }).waitFor();
      await regionB.getByRole("switch", { name: "Available for visitor chats" }).click();
      await regionB.getByRole("switch", { name: "Available for visitor chats", checked: true }).waitFor();
      await a.context.close(); // Alice's browser is gone
      await w.getByText("Alice Johnson went offline. Bob Wilson joined the chat.").waitFor({
        timeout: 30_000,
      });
      await w.getByText("You are chatting with Bob Wilson").waitFor();
      await regionB.getByRole("button", { name: /Dora/ }).click();
      const reply = regionB.getByRole("textbox", { name: "Reply to visitor" });
      await reply.fill("Bob here, how can I help?");
      await reply.press("Enter");
      await w.getByText("Bob here, how can I help?").waitFor();
      await ctx.close();
    });

    await t.step("nobody available: the offline form becomes a ticket staff see", async () => {
      await regionB.getByRole("switch", { name: "Available for visitor chats" }).click();
      await regionB.getByRole("switch", { name: "Available for visitor chats", checked: false }).waitFor();
      const ctx = await browser.newContext();
      const v = await ctx.newPage();
      await v.goto(host.url);
      const w = widget(v);
      await w.getByRole("button", { name: "Chat with us" }).click();
      await w.getByRole("form", { name: "Leave a message" }).waitFor();
      await w.getByLabel("Name").fill("Olga");
      await w.getByLabel("Email").fill("olga@example.com");
      await w.getByLabel("Your message").fill("Please call me back");
      await v.waitForTimeout(1100);
      await w.getByRole("button", { name: "Send message" }).click();
      await w.getByText(/We received your message \(ticket #\d+\)/).waitFor();
      const t = await server.deps.db.query<{ source: string; requester_email: string }>(
        "SELECT source, requester_email FROM tickets WHERE source = 'offline_form'",
      );
      assert.deepEqual(t, [{ source: "offline_form", requester_email: "olga@example.com" }]);
      await regionB.getByRole("list", { name: "Recent tickets" }).getByText(/Offline message from Olga/)
        .waitFor();
      await ctx.close();
    });
  } finally {
    await scene.close();
  }
});
