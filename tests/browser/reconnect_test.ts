/**
 * The server goes away and comes back: the page says "Reconnecting in N s" with "Retry now", greys out
 * presence while disconnected, and "Retry now" reconnects at once instead of waiting for the backoff.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  browserAvailable,
  ChildServer,
  launch,
  openConversation,
  type ParleyHandle,
  signIn,
} from "./browser.ts";

Deno.test({
  name: "browser: reconnecting shows a countdown, Retry now reconnects at once, presence greys out",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "parley-reconnect-" });
  const server = new ChildServer(dataDir);
  let browser: Browser | null = null;
  try {
    await server.start();
    browser = await launch();
    const { page } = await signIn(browser, server.url, "alice");
    await openConversation(page, /Bob Wilson/);
    await page.waitForFunction(() =>
      (globalThis as unknown as ParleyHandle).parley?.client.status.value === "open"
    );
    const dot = page.locator("[data-presence]").first();
    assert.equal(await dot.evaluate((el) => getComputedStyle(el).filter), "none");

    await server.stop();
    const banner = page.getByRole("status").filter({ hasText: /Reconnecting in \d+ s/ });
    await banner.waitFor({ timeout: 60_000 });
    assert.match(await dot.evaluate((el) => getComputedStyle(el).filter), /grayscale/);
    // Let the backoff grow, so that waiting for it would take a while: longer than the server's restart
    // below takes on a loaded machine, or the scheduled attempt reconnects first and "Retry now" is gone.
    await page.waitForFunction(
      () => {
        const at =
          (globalThis as unknown as { parley: { client: { retryAt: { value: number | null } } } }).parley
            .client.retryAt.value;
        return at !== null && at - Date.now() > 10_000;
      },
      undefined,
      { timeout: 60_000 },
    );

    await server.start(); // same port, same data directory
    const asked = Date.now();
    await page.getByRole("button", { name: "Retry now" }).click();
    await page.waitForFunction(() =>
      (globalThis as unknown as ParleyHandle).parley.client.status.value === "open"
    );
    const took = Date.now() - asked;
    assert.ok(took < 3_000, `reconnected ${took} ms after Retry now`);
    await banner.waitFor({ state: "detached" });
    assert.equal(await dot.evaluate((el) => getComputedStyle(el).filter), "none");
  } finally {
    await browser?.close();
    await server.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
