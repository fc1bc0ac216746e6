/**
 * Browser call tests: Chromium with fake camera and microphone (and auto-accepted permission prompts),
 * and checks that media really flows: bytes received and frames decoded grow on every side (getStats).
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "./browser.ts";

export const CALL_ARGS = [
  ...CHROMIUM_ARGS,
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--autoplay-policy=no-user-gesture-required",
  "--auto-select-desktop-capture-source=Entire screen",
];

export async function launchForCalls(): Promise<Browser> {
  return await chromium.launch({ executablePath: findChromium()!, headless: true, args: CALL_ARGS });
}

export interface Sample {
  bytesReceived: number;
  framesDecoded: number;
  audioBytesReceived: number;
  videoBytesReceived: number;
  localCandidate: string | null;
  remoteCandidate: string | null;
  frameWidth: number | null;
}

type CallsHandle = {
  parley: {
    calls: {
      stats(): Promise<Record<number, Sample>>;
      active: { value: { callId: number; peers: { userId: number }[] } | null };
    };
    client: { me: { value: { id: number } }; status: { value: string } };
  };
};

export async function statsOf(page: Page): Promise<Record<number, Sample>> {
  return await page.evaluate(() => (globalThis as unknown as CallsHandle).parley.calls.stats());
}

export async function myId(page: Page): Promise<number> {
  return await page.evaluate(() => (globalThis as unknown as CallsHandle).parley.client.me.value.id);
}

/**
 * Polls this page's call statistics until `ok` holds. (Playwright's `waitForFunction` does not await an
 * async predicate: the returned promise is truthy and the wait passes at once, so stats are read here.)
 */
export async function waitForStats(
  page: Page,
  ok: (s: Record<number, Sample>) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<Record<number, Sample>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await statsOf(page);
    if (ok(s)) return s;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await page.waitForTimeout(200);
  }
}

/** Waits until this page decodes video from each of `peers`. */
export async function waitForFrames(page: Page, peers: number[], timeoutMs = 90_000) {
  await waitForStats(
    page,
    (s) => peers.every((id) => (s[id]?.framesDecoded ?? 0) > 0),
    `frames from ${peers.join(", ")}`,
    timeoutMs,
  );
}

/**
 * Media flows into `page` from each of `peers`: audio bytes, video bytes and decoded frames all grow after
 * a first sample (polled for up to `withinMs`, since a loaded test machine can pause a renderer for a
 * moment). Returns the later sample.
 */
export async function assertFlowing(
  page: Page,
  peers: number[],
  withinMs = 30_000,
): Promise<Record<number, Sample>> {
  const a = await statsOf(page);
  const missing = peers.filter((id) => !a[id]);
  if (missing.length) {
    // Say whether the page still thinks it is in the call: a lost peer and a call that ended differ.
    const active = await page.evaluate(() => {
      const v = (globalThis as unknown as CallsHandle).parley.calls.active.value;
      return v
        ? `call ${v.callId}, peers ${v.peers.map((p) => p.userId).join(",") || "none"}`
        : "no active call";
    });
    assert.fail(`no connection to ${missing.join(", ")} (${active})`);
  }
  const deadline = Date.now() + withinMs;
  for (;;) {
    await page.waitForTimeout(500);
    const b = await statsOf(page);
    const stalled = peers.flatMap((id) => [
      ...(b[id]?.audioBytesReceived > a[id].audioBytesReceived ? [] : [`audio from ${id}`]),
      ...(b[id]?.videoBytesReceived > a[id].videoBytesReceived ? [] : [`video from ${id}`]),
      ...(b[id]?.framesDecoded > a[id].framesDecoded ? [] : [`frames from ${id}`]),
    ]);
    if (!stalled.length) return b;
    if (Date.now() > deadline) assert.fail(`stalled: ${stalled.join(", ")}`);
  }
}

/** Call pages wait longer than the default 30 s: two or three renderers encode and decode video. */
export function patient(...pages: Page[]) {
  for (const p of pages) p.setDefaultTimeout(90_000);
}

export function incoming(page: Page, caller: RegExp | string) {
  return page.getByRole("alertdialog", { name: caller });
}

export function callPanel(page: Page) {
  return page.getByRole("region", { name: /^Call with / });
}

export function log(page: Page) {
  return page.getByRole("log", { name: /^Messages in/ });
}

/** Waits until `el` has the keyboard focus (inside a shadow root too: the widget renders in one). */
export async function focused(el: Locator, timeoutMs = 30_000) {
  await el.waitFor();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await el.evaluate((e) => (e.getRootNode() as Document | ShadowRoot).activeElement === e)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) {
      const where = await el.page().evaluate(() => document.activeElement?.outerHTML.slice(0, 200) ?? "none");
      assert.fail(`not focused: ${el}; the focus is on ${where}`);
    }
    await el.page().waitForTimeout(100);
  }
}

/** Waits until a toggle button's `aria-pressed` is `value`. */
export async function pressed(el: Locator, value: "true" | "false", timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await el.getAttribute("aria-pressed")) !== value) {
    if (Date.now() > deadline) assert.fail(`${el} is not aria-pressed=${value}`);
    await el.page().waitForTimeout(100);
  }
}
