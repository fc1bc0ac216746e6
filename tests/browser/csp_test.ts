/**
 * The Content-Security-Policy holds the app to its own scripts, and the app works under it: /login, /chat
 * (sending a message over the WebSocket) and the widget on /demo, with no violation reported (the
 * `securitypolicyviolation` event and the console are both watched). A deliberately injected inline
 * script is refused, which shows the watching works.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserAvailable, launch, openConversation, sendMessage, startTestServer } from "./browser.ts";

type Watched = { __csp: string[] };

async function watchedPage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    (globalThis as unknown as Watched).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      (globalThis as unknown as Watched).__csp.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

const violations = (page: Page) => page.evaluate(() => (globalThis as unknown as Watched).__csp.slice());

Deno.test({
  name: "browser: /login, /chat and the widget work under the CSP with no violation",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const server = await startTestServer();
  let browser: Browser | null = null;
  try {
    browser = await launch();
    const { page, problems } = await watchedPage(browser);

    await t.step("every HTML page carries the policy", async () => {
      for (const path of ["/login", "/demo"]) {
        const r = await fetch(`${server.url}${path}`);
        await r.body?.cancel();
        const csp = r.headers.get("content-security-policy") ?? "";
        assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/, path);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, path);
      }
      // The API docs keep their stricter policy of their own, with frame-ancestors added.
      const docs = await fetch(`${server.url}/api/docs`);
      await docs.body?.cancel();
      assert.match(
        docs.headers.get("content-security-policy")!,
        /^default-src 'none'.*frame-ancestors 'none'$/,
      );
      const api = await fetch(`${server.url}/api/auth/me`);
      await api.body?.cancel();
      assert.equal(api.headers.get("content-security-policy"), null);
    });

    await t.step("/login signs in under the policy", async () => {
      const res = await page.goto(`${server.url}/login?next=%2Fchat`);
      assert.ok(res!.headers()["content-security-policy"]);
      await page.getByLabel("Username").fill("alice");
      await page.getByLabel("Password").fill("parley");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.pathname.startsWith("/chat"));
    });

    await t.step("/chat: the app runs and a message goes out over the socket", async () => {
      await openConversation(page, /general/);
      await sendMessage(page, "Sent under the policy");
      const log = page.getByRole("log", { name: /^Messages in/ });
      await log.getByText("Sent under the policy").waitFor();
    });

    await t.step("the widget on /demo opens and lists conversations", async () => {
      await page.goto(`${server.url}/demo`);
      await page.getByRole("button", { name: /^Open chat/ }).click();
      await page.getByRole("region", { name: "Chat" }).getByRole("button", { name: /Bob Wilson/ }).first()
        .waitFor();
    });

    await t.step("no violation was reported", async () => {
      assert.deepEqual(await violations(page), []);
      assert.deepEqual(problems, []);
    });

    await t.step("an injected inline script is refused and reported (the watch works)", async () => {
      await page.evaluate(() => {
        const s = document.createElement("script");
        s.textContent = "globalThis.__injected = true";
        document.body.append(s);
      });
      await page.waitForFunction(() => (globalThis as unknown as Watched).__csp.length > 0);
      assert.equal(await page.evaluate(() => "__injected" in globalThis), false);
      assert.match((await violations(page))[0], /^script-src/);
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
