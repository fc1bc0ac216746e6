/**
 * What every `cli/*screenshots*.ts` script shares: a throw-away server with the demo data, Debian's Chromium
 * like the browser tests, where the pictures go, and the clean-up. Each script only drives the pages.
 *
 * @example
 * await screenshotRun(async ({ server, browser, shot }) => {
 *   const { page } = await signIn(browser, server.url, "alice");
 *   await page.screenshot({ path: shot("chat.png") });
 * });
 */
import type { Browser } from "playwright-core";
import { browserAvailable, launch, startTestServer } from "../tests/browser/browser.ts";

export const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url);

export interface ScreenshotRun {
  server: Awaited<ReturnType<typeof startTestServer>>;
  browser: Browser;
  /** The path of a picture in docs/screenshots/ (`name` with its extension). */
  shot: (name: string) => string;
  /** Runs `close` when the script ends (before the browser and the server stop), e.g. a host page's server. */
  defer: (close: () => unknown) => void;
}

export interface ScreenshotOptions {
  /** Server environment (config variables), as for `startTestServer`. */
  env?: Record<string, string>;
  /** Another way to start Chromium (calls use fake media devices). */
  launch?: () => Promise<Browser>;
}

export async function screenshotRun(
  run: (r: ScreenshotRun) => Promise<void>,
  opts: ScreenshotOptions = {},
): Promise<void> {
  if (!browserAvailable()) Deno.exit(1);
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const server = await startTestServer(opts.env);
  const closing: (() => unknown)[] = [];
  let browser: Browser | null = null;
  try {
    browser = await (opts.launch ?? launch)();
    await run({
      server,
      browser,
      shot: (name) => new URL(name, SCREENSHOTS).pathname,
      defer: (close) => closing.push(close),
    });
  } finally {
    for (const close of closing.reverse()) await close();
    await browser?.close();
    await server.shutdown();
  }
}
