/**
 * Notifications in a real Chromium, one server and one browser: Parley's service worker shows a pushed
 * notification (delivered through the DevTools protocol, as no push service is reachable here); the
 * Settings section stores its choices on the server and "Subscribe this device" registers the worker and
 * hands a subscription made with the server's VAPID key to the server; a DM from another person shows a
 * desktop notification while the tab is hidden (permission granted; the Notification constructor is wrapped
 * to observe it) and clicking it opens the conversation at the message; the level menu mutes a channel
 * (no notification, a dot instead of a count); a pause puts a moon on the person's avatar for others.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  axeSerious,
  browserAvailable,
  launch,
  openConversation,
  signIn,
  startTestServer,
} from "./browser.ts";
import { waitFor } from "../helpers/wait.ts";

const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
type Shown = { title: string; body: string };
const shown = (p: Page) => p.evaluate(() => (globalThis as unknown as { __shown: Shown[] }).__shown);
const sounds = (p: Page) =>
  p.evaluate(() =>
    (globalThis as unknown as { __sounds: { src: string; volume: number }[] }).__sounds.map((x) =>
      `${x.src.replace(/^.*\//, "")}@${x.volume}`
    )
  );
const setHidden = (p: Page, hidden: boolean) =>
  p.evaluate((h) => ((globalThis as unknown as { __hidden: boolean }).__hidden = h), hidden);

/** Records every desktop notification the page shows, and lets the test say the tab is hidden. */
function observe(keys: { p256dh: string; auth: string }) {
  const g = globalThis as unknown as Record<string, unknown>;
  g.__shown = [];
  const Orig = globalThis.Notification;
  class Recorded extends Orig {
    constructor(title: string, opts?: NotificationOptions) {
      super(title, opts);
      (g.__shown as Shown[]).push({ title, body: opts?.body ?? "" });
      g.__last = this;
    }
  }
  globalThis.Notification = Recorded as typeof Notification;
  g.__sounds = [];
  HTMLMediaElement.prototype.play = function () {
    (g.__sounds as { src: string; volume: number }[]).push({ src: this.src, volume: this.volume });
    return Promise.resolve();
  };
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => g.__hidden === true });
  // Chromium here has no push service to subscribe with: stand in for it (the server's side of a real
  // subscription, with delivery and decryption, is tests/notifications/push_test.ts).
  PushManager.prototype.getSubscription = () => Promise.resolve(null);
  PushManager.prototype.subscribe = function (o?: PushSubscriptionOptionsInit) {
    g.__serverKey = btoa(String.fromCharCode(...new Uint8Array(o!.applicationServerKey as ArrayBuffer)));
    return Promise.resolve({
      toJSON: () => ({ endpoint: "https://push.example.test/send/alice-laptop", keys }),
    } as unknown as PushSubscription);
  };
}

Deno.test({
  name: "browser: notifications (service worker push, settings, desktop, levels, do not disturb)",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const s = await startTestServer();
  const browser = await launch();
  try {
    await t.step("service worker: a push shows a notification; the app is installable", async () => {
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
      // A push delivered while Chromium is still starting the worker can be dropped on a loaded machine: push
      // again (the same tag, so a second delivery replaces the first) until one is shown, four times at most.
      const push = () =>
        cdp.send("ServiceWorker.deliverPushMessage", {
          origin: s.url,
          registrationId: reg.registrationId,
          data: JSON.stringify({
            title: "Bob mentioned you in #general",
            body: "hello",
            url: `${s.url}/chat/1/2`,
            tag: "parley-1",
          }),
        });
      let got: { title: string; body: string; url: string }[] = [];
      const notifications = async () => {
        got = await page.evaluate(async () => {
          const r = await navigator.serviceWorker.ready;
          return (await r.getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
            url: n.data?.url,
          }));
        });
        return got.length > 0;
      };
      for (let attempt = 1;; attempt++) {
        await push();
        try {
          await waitFor(notifications, "the notification", 8_000);
          break;
        } catch (e) {
          if (attempt === 4) throw e;
        }
      }
      assert.deepEqual(got, [{
        title: "Bob mentioned you in #general",
        body: "hello",
        url: `${s.url}/chat/1/2`,
      }]);
      await context.close();
    });

    const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const keys = {
      p256dh: b64url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))),
      auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
    };
    const { context: aliceCtx, page: alice } = await signIn(browser, s.url, "alice");
    await aliceCtx.grantPermissions(["notifications"], { origin: s.url });
    await aliceCtx.addInitScript(observe, keys);
    await alice.reload();
    const { page: bob } = await signIn(browser, s.url, "bob");
    const api = (p: Page, path: string) => p.evaluate(async (u) => await (await fetch(u)).json(), path);

    await t.step("Settings: notification choices are stored on the server", async () => {
      await alice.getByRole("button", { name: "Settings" }).first().click();
      const dialog = alice.getByRole("dialog", { name: "Chat settings" });
      await dialog.getByRole("checkbox", { name: "Show desktop notifications when this tab is hidden" })
        .check();
      await dialog.getByRole("spinbutton", { name: "Email delay (minutes)" }).fill("15");
      await dialog.getByRole("combobox", { name: "Email language" }).selectOption("de");
      await dialog.getByRole("textbox", { name: "Keywords" }).fill("Deploy, launch");
      await dialog.getByRole("checkbox", { name: "Monday" }).check();
      await dialog.getByLabel("Monday from").fill("22:00");
      await dialog.getByRole("checkbox", { name: "Direct messages", exact: true }).check();
      const volume = dialog.getByRole("slider", { name: "Sound volume" });
      await volume.focus();
      for (let i = 0; i < 2; i++) await volume.press("ArrowLeft"); // 0.5 -> 0.3
      assert.deepEqual(await axeSerious(alice), []);
      await dialog.getByRole("button", { name: "Save preferences" }).click();
      await dialog.waitFor({ state: "detached" });
      const { preferences: p } = await api(alice, "/api/chat/me/preferences");
      assert.equal(p.desktop, true);
      assert.equal(p.emailDelayMinutes, 15);
      assert.equal(p.language, "de");
      assert.deepEqual(p.keywords, ["deploy", "launch"]);
      assert.deepEqual(p.quietHours, { mon: { from: "22:00", to: "08:00" } });
      assert.deepEqual(p.dndAllow, ["dm"]);
      assert.equal(p.soundVolume, 0.3);
      const mine = await api(alice, "/api/notifications");
      assert.deepEqual(mine.prefs.email, { enabled: true, delayMinutes: 15 });
    });

    await t.step(
      "Subscribe this device: permission, service worker, the server's key, the device list",
      async () => {
        await alice.getByRole("button", { name: "Settings" }).first().click();
        const dialog = alice.getByRole("dialog", { name: "Chat settings" });
        await dialog.getByText("No device subscribed yet.").waitFor();
        await dialog.getByRole("button", { name: "Subscribe this device" }).click();
        const remove = dialog.getByRole("button", { name: /^Remove Chrome on Linux/ });
        await remove.waitFor();
        const { publicKey } = await api(alice, "/api/notifications/push/key");
        const used = await alice.evaluate(() =>
          (globalThis as unknown as { __serverKey: string }).__serverKey
        );
        assert.equal(used.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), publicKey);
        assert.ok(await alice.evaluate(async () => !!(await navigator.serviceWorker.getRegistration("/"))));
        const { devices } = await api(alice, "/api/notifications/push/devices");
        assert.deepEqual(devices.map((d: { endpointHost: string }) => d.endpointHost), ["push.example.test"]);
        await remove.click();
        await dialog.getByText("No device subscribed yet.").waitFor();
        await dialog.getByRole("button", { name: "Cancel" }).click();
      },
    );

    let dmPath = "";
    await t.step(
      "desktop notification: a DM from Bob while Alice's tab is hidden; a click opens it",
      async () => {
        await openConversation(alice, "general");
        await openConversation(bob, /Alice Johnson(?! &)/);
        dmPath = new URL(bob.url()).pathname;
        await setHidden(alice, true);
        const box = bob.getByRole("textbox", { name: "Message Alice Johnson" });
        await box.fill("ping from bob");
        await box.press("Enter");
        await waitFor(async () => (await shown(alice)).length > 0, "the desktop notification", 30_000);
        assert.deepEqual(await shown(alice), [{
          title: "New message from Bob Wilson",
          body: "ping from bob",
        }]);
        await setHidden(alice, false);
        await alice.evaluate(() => {
          const n = (globalThis as unknown as { __last: Notification }).__last;
          n.onclick?.(new Event("click"));
        });
        await alice.waitForURL((u) => u.pathname.startsWith(`${dmPath}/`));
        await alice.getByRole("log", { name: /^Messages in/ }).getByText("ping from bob").waitFor();
      },
    );

    await t.step("level menu: mute #general; no notification, a dot instead of a count", async () => {
      await openConversation(alice, "general");
      const menuButton = alice.getByRole("button", { name: "Notification level" });
      await menuButton.click();
      const menu = alice.getByRole("menu", { name: "Notification level" });
      assert.equal(
        await menu.getByRole("menuitemradio", { name: "Mentions only (default)" }).getAttribute(
          "aria-checked",
        ),
        "true",
      );
      await menu.getByRole("menuitemradio", { name: "All messages" }).waitFor();
      assert.deepEqual(await axeSerious(alice), []);
      await menu.getByRole("menuitemradio", { name: "Nothing (mute)" }).click();
      const nav = alice.getByRole("navigation", { name: "Conversations" });
      const general = nav.getByRole("link", { name: /general/ });
      await general.getByRole("img", { name: "Muted" }).waitFor();
      const { levels } = await api(alice, "/api/notifications");
      assert.equal(levels.length, 1);
      assert.equal(levels[0].level, "mute");

      await alice.goto(`${s.url}${dmPath}`);
      await alice.getByRole("log", { name: /^Messages in/ }).waitFor();
      await setHidden(alice, true);
      const before = (await shown(alice)).length;
      await openConversation(bob, "general");
      const gbox = bob.getByRole("textbox", { name: /^Message/ }).first();
      await gbox.fill("@alice muted hello");
      await gbox.press("Enter");
      await bob.getByRole("log", { name: /^Messages in/ }).getByText("muted hello").waitFor();
      await openConversation(bob, /Alice Johnson(?! &)/);
      const box = bob.getByRole("textbox", { name: "Message Alice Johnson" });
      await box.fill("after the mute");
      await box.press("Enter");
      await waitFor(async () => (await shown(alice)).length > before, "the DM's notification", 30_000);
      assert.deepEqual((await shown(alice)).slice(before).map((n) => n.body), ["after the mute"]);
      assert.deepEqual(
        await sounds(alice),
        ["message.wav@0.3"],
        "since the page loaded: the DM rang, the muted mention did not",
      );
      await general.getByRole("img", { name: "Unread messages (muted)" }).waitFor();
      assert.equal(await general.getByText(/^\d+$/).count(), 0, "no count on a muted conversation");
      await setHidden(alice, false);
    });

    await t.step("Pause for 1 hour: a moon on Alice's avatar for Bob", async () => {
      await alice.getByRole("button", { name: "Settings" }).first().click();
      const dialog = alice.getByRole("dialog", { name: "Chat settings" });
      await dialog.getByRole("button", { name: "Pause for 1 hour" }).click();
      await dialog.getByText(/^Notifications paused until/).waitFor();
      await dialog.getByRole("button", { name: "Resume notifications" }).waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await bob.reload();
      const nav = bob.getByRole("navigation", { name: "Conversations" });
      await nav.getByRole("link", { name: /Alice Johnson(?! &)/ }).getByRole("img", {
        name: "Do not disturb",
      })
        .waitFor();
      await openConversation(bob, "general");
      const log = bob.getByRole("log", { name: /^Messages in/ });
      await log.getByRole("img", { name: "Do not disturb" }).first().waitFor();
    });
    await t.step("admin console: the workspace's notification defaults are set in Settings", async () => {
      const { page: admin } = await signIn(browser, s.url, "admin", { next: "/admin" });
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Settings" }).click();
      const levels = admin.getByRole("group", { name: "Default levels" });
      await levels.getByRole("combobox", { name: "channel" }).selectOption("all");
      await admin.getByLabel("Default email delay").fill("30");
      await admin.getByRole("button", { name: "Save settings" }).click();
      await admin.getByRole("status").getByText(/Saved 2 settings/).waitFor();
      const ws = await api(admin, "/api/notifications/workspace");
      assert.deepEqual(ws.defaultLevels, { dm: "all", group: "all", channel: "all" });
      assert.equal(ws.defaults.email.delayMinutes, 30);
      // Bob never chose a delay: the workspace default applies to him; Alice's own 15 minutes stay.
      assert.equal((await api(bob, "/api/notifications")).prefs.email.delayMinutes, 30);
      assert.equal((await api(alice, "/api/notifications")).prefs.email.delayMinutes, 15);
    });
  } finally {
    await browser.close();
    await s.shutdown();
  }
});
