/**
 * Notifications in a real Chromium: Parley's service worker registered from the site shows a notification
 * when a push arrives (delivered through the DevTools protocol, as no push service is reachable here), and
 * the chat shows a desktop notification for a DM while the tab is hidden, with the permission granted.
 */
import assert from "node:assert/strict";
import { browserAvailable, launch, startTestServer } from "./browser.ts";
import { waitFor } from "../helpers/wait.ts";

Deno.test({
  name: "service worker: a push shows a notification; the app is installable",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const s = await startTestServer();
  const browser = await launch();
  try {
    const manifest = await (await fetch(`${s.url}/manifest.webmanifest`)).json();
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.start_url, "/chat");
    const context = await browser.newContext();
    await context.grantPermissions(["notifications"], { origin: s.url });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const regs: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => regs.push(...e.registrations));
    await cdp.send("ServiceWorker.enable");
    await page.goto(`${s.url}/login`);
    assert.equal(await page.locator('link[rel="manifest"]').getAttribute("href"), "/manifest.webmanifest");
    await page.evaluate(async () => {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
    });
    await waitFor(() => regs.some((r) => r.scopeURL === `${s.url}/`), "the registration");
    const reg = regs.find((r) => r.scopeURL === `${s.url}/`)!;
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: s.url,
      registrationId: reg.registrationId,
      data: JSON.stringify({
        title: "Bob mentioned you in #general",
        body: "hello",
        url: `${s.url}/chat/1/2`,
        tag: "parley-1",
      }),
    });
    let shown: { title: string; body: string; url: string }[] = [];
    await waitFor(async () => {
      shown = await page.evaluate(async () => {
        const r = await navigator.serviceWorker.ready;
        return (await r.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data?.url }));
      });
      return shown.length > 0;
    }, "the notification");
    assert.deepEqual(shown, [{
      title: "Bob mentioned you in #general",
      body: "hello",
      url: `${s.url}/chat/1/2`,
    }]);
    await context.close();
  } finally {
    await browser.close();
    await s.shutdown();
  }
});
