/**
 * The staff widget on a host application of another origin (host page on http://localhost:<port>, Parley
 * on http://127.0.0.1:<port>), signed in with the host's JWT: the unread badge, the panel, a quick reply
 * that reaches /chat, a live message from another user, navigation (the second page signs in with
 * `Parley.init({ getToken })`), "Open in full chat" in a new tab, axe on the host page, the end of the session
 * (signed out, origin taken off the list) with "Sign in to chat" through the host, and the refusal of an
 * origin that is not on the list. No Parley cookie is ever set on the host's side.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  signIn,
  startTestServer,
} from "./browser.ts";
import { linkDemoUsers, setHostOrigins, SSO_SECRET, startStaffHost } from "./embed_helpers.ts";

/** The unread total the launcher announces (0 without a badge). */
async function badge(page: Page): Promise<number> {
  const name = await page.getByRole("button", { name: /^Open chat|^Close chat/ }).last().textContent();
  return Number(/(\d+)\s*unread/.exec(name ?? "")?.[1] ?? 0);
}

async function waitBadge(page: Page, pred: (n: number) => boolean): Promise<number> {
  const end = Date.now() + 30_000;
  for (;;) {
    const n = await badge(page);
    if (pred(n)) return n;
    if (Date.now() > end) throw new Error(`the badge stayed at ${n}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "browser: the staff widget on another origin signs in with the host's JWT and chats live",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  // Short embed sessions, so the test sees the widget refresh one before it lapses.
  const server = await startTestServer({ SSO_JWT_SECRET: SSO_SECRET, EMBED_SESSION_SECONDS: "30" });
  const host = startStaffHost(server.url);
  let browser: Browser | null = null;
  try {
    await linkDemoUsers(server);
    await setHostOrigins(server, [host.url]);
    browser = await launch();
    const { page: alice } = await signIn(browser, server.url, "alice");
    await openConversation(alice, /Bob Wilson(?! &)/);
    const aliceBox = alice.getByRole("textbox", { name: "Message Bob Wilson" });
    const aliceLog = alice.getByRole("log", { name: "Messages in Bob Wilson" });
    await aliceBox.fill("Bob, can you check the Northwind case?");
    await aliceBox.press("Enter");
    await aliceLog.getByText("Bob, can you check the Northwind case?").waitFor();

    const bobCtx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const bob = await bobCtx.newPage();
    const errors: string[] = [];
    bob.on("pageerror", (e) => errors.push(e.message));
    const panel = bob.getByRole("region", { name: "Chat" });
    let unreadAtStart = 0;

    await t.step("signed in by the host's JWT: the badge counts the unread message", async () => {
      await bob.goto(host.url);
      assert.equal(new URL(bob.url()).origin, host.url);
      unreadAtStart = await waitBadge(bob, (n) => n >= 1);
      // A bearer session: Parley set no cookie in this browser.
      assert.deepEqual(await bobCtx.cookies(server.url), []);
    });

    await t.step("open the widget, reply; the reply reaches /chat", async () => {
      await bob.getByRole("button", { name: /^Open chat/ }).click();
      await panel.getByRole("button", { name: /Alice Johnson(?! &)/ }).click();
      await panel.getByRole("log").getByText("Bob, can you check the Northwind case?").waitFor();
      const input = panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" });
      await input.fill("On it, from the CRM");
      await input.press("Enter");
      await panel.getByText("Sent", { exact: true }).waitFor();
      await aliceLog.getByText("On it, from the CRM").waitFor();
    });

    await t.step("a live message from another user arrives, and the badge counts it", async () => {
      // Replying marked the conversation read: the badge went down by its one unread message.
      const before = await waitBadge(bob, (n) => n === unreadAtStart - 1);
      await aliceBox.fill("Thanks! Live to the host page");
      await aliceBox.press("Enter");
      await panel.getByRole("log").getByText("Thanks! Live to the host page").waitFor();
      await waitBadge(bob, (n) => n === before + 1);
    });

    await t.step(
      "axe: the host page with the widget open has no serious or critical violations",
      async () => {
        assert.deepEqual(await axeSerious(bob), []);
      },
    );

    await t.step(
      "navigation: the next page signs in with Parley.init({ getToken }); state survives",
      async () => {
        await bob.getByRole("link", { name: "Reports" }).click();
        await bob.waitForURL((u) => u.pathname === "/reports");
        await panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" }).waitFor({
          timeout: 30_000,
        });
        await aliceBox.fill("Seen on the reports page?");
        await aliceBox.press("Enter");
        await panel.getByRole("log").getByText("Seen on the reports page?").waitFor();
      },
    );

    await t.step("Open in full chat: a new tab on Parley's origin, after a confirmation", async () => {
      const [tab] = await Promise.all([
        bobCtx.waitForEvent("page"),
        panel.getByRole("link", { name: "Open in full chat" }).click(),
      ]);
      await tab.waitForURL((u) => u.pathname === "/embed/open", { timeout: 30_000 });
      assert.equal(new URL(tab.url()).origin, server.url);
      await tab.getByText("Continue to Parley as Bob Wilson").waitFor();
      await tab.getByRole("button", { name: "Continue" }).click();
      await tab.waitForURL((u) => /^\/chat\/\d+$/.test(u.pathname), { timeout: 30_000 });
      await tab.getByRole("log", { name: "Messages in Alice Johnson" }).getByText("Seen on the reports page?")
        .waitFor();
      await tab.close();
    });

    await t.step(
      "the embed session is refreshed with a fresh JWT before it lapses; the socket stays",
      async () => {
        const [first] = await server.deps.db.query<{ h: string; created: Date; expires: Date }>(
          `SELECT token_hash AS h, created_at AS created, expires_at AS expires FROM sessions
         WHERE embed_origin = $1 ORDER BY created_at DESC LIMIT 1`,
          [host.url],
        );
        // Past the moment the session would have lapsed without a refresh.
        const wait = new Date(first.created).getTime() + 32_000 - Date.now();
        if (wait > 0) await bob.waitForTimeout(wait);
        const [now] = await server.deps.db.query<{ expires: Date; live: boolean }>(
          "SELECT expires_at AS expires, expires_at > now() AS live FROM sessions WHERE token_hash = $1",
          [first.h],
        );
        assert.ok(now?.live, "the same session is still live");
        assert.ok(new Date(now.expires) > new Date(first.expires), "and was extended");
        await aliceBox.fill("Still there after the refresh?");
        await aliceBox.press("Enter");
        await panel.getByRole("log").getByText("Still there after the refresh?").waitFor();
        const input = panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" });
        await input.fill("Yes, still here");
        await input.press("Enter");
        await aliceLog.getByText("Yes, still here").waitFor();
      },
    );

    await t.step("signed out: the widget says so and signs in again through the host", async () => {
      await server.deps.db.query("DELETE FROM sessions WHERE embed_origin = $1", [host.url]);
      await panel.getByRole("status").filter({ hasText: "Your chat session has ended." }).waitFor({
        timeout: 30_000,
      });
      await panel.getByRole("button", { name: "Sign in to chat" }).click();
      const input = panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" });
      await input.waitFor({ timeout: 30_000 });
      await aliceBox.fill("Welcome back");
      await aliceBox.press("Enter");
      await panel.getByRole("log").getByText("Welcome back").waitFor();
    });

    await t.step(
      "taken off the list: the open widget ends within seconds, signing in is refused",
      async () => {
        await setHostOrigins(server, []);
        await panel.getByRole("status").filter({ hasText: "Your chat session has ended." }).waitFor({
          timeout: 30_000,
        });
        await panel.getByRole("button", { name: "Sign in to chat" }).click();
        await panel.getByRole("alert").filter({ hasText: "Could not sign you in" }).waitFor({
          timeout: 30_000,
        });
        await setHostOrigins(server, [host.url]);
      },
    );

    await t.step("an origin not on the list gets no session: the widget offers to sign in", async () => {
      const other = await (await browser!.newContext()).newPage();
      const refused: number[] = [];
      const blocked: string[] = [];
      other.on("response", (r) => r.url().includes("/api/auth/embed") && refused.push(r.status()));
      other.on("requestfailed", (r) => r.url().includes("/api/auth/embed") && blocked.push(r.url()));
      await other.goto(`http://127.0.0.1:${host.port}/`);
      await other.getByRole("button", { name: /^Open chat/ }).click();
      const otherPanel = other.getByRole("region", { name: "Chat" });
      await otherPanel.getByRole("button", { name: "Sign in to chat" }).click();
      await otherPanel.getByRole("alert").filter({ hasText: "Could not sign you in" }).waitFor();
      // The preflight is refused (403, no CORS header), so the browser never sends the exchange.
      assert.ok(!refused.includes(200), `the exchange answered ${refused}`);
      assert.equal(blocked.length, 2, "the browser blocked both exchanges");
      await other.context().close();
    });
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await host.close();
    await server.shutdown();
  }
});
