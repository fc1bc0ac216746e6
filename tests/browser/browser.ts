/**
 * Browser test support: finds Debian's Chromium (never downloads one), starts Parley in-process or as a
 * child process on a random port with a temporary data directory and the demo data, and signs users in.
 * Outside CI a missing Chromium skips the browser tests with a message; with CI=true it is a failure.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../config.ts";
import { type Server, startServer } from "../../main.ts";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

export function findChromium(): string | null {
  const env = Deno.env.get("CHROMIUM_PATH");
  for (const p of env ? [env, ...CANDIDATES] : CANDIDATES) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* next */ }
  }
  return null;
}

const ci = Deno.env.get("CI") === "true";
const chromiumPath = findChromium();
let warned = false;

/** Whether browser tests can run here; prints once how to install Chromium when they cannot. */
export function browserAvailable(): boolean {
  if (chromiumPath) return true;
  if (ci) {
    throw new Error("CI=true but no Chromium was found: apt-get install chromium (or set CHROMIUM_PATH)");
  }
  if (!warned) {
    warned = true;
    console.warn(
      "browser tests skipped: no Chromium found. Install Debian's package with `apt-get install chromium` " +
        "(or set CHROMIUM_PATH); playwright-core never downloads a browser.",
    );
  }
  return false;
}

export async function launch(): Promise<Browser> {
  return await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
}

/** Starts Parley in this process on a random port with a fresh data directory and the demo workspace. */
export async function startTestServer(
  env: Record<string, string> = {},
): Promise<Server & { dataDir: string }> {
  const dataDir = await Deno.makeTempDir({ prefix: "parley-browser-" });
  const config = loadConfig({ PORT: "0", HOSTNAME_BIND: "127.0.0.1", DATA_DIR: dataDir, ...env });
  const s = await startServer(config, () => {});
  return {
    ...s,
    url: s.url.replace("localhost", "127.0.0.1"),
    dataDir,
    async shutdown() {
      await s.shutdown();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A Parley server in a child process, so a test can stop it and start it again on the same port. */
export class ChildServer {
  #child: Deno.ChildProcess | null = null;
  url = "";
  constructor(readonly dataDir: string, public port = 0) {}

  async start(): Promise<void> {
    const env = {
      PORT: String(this.port),
      HOSTNAME_BIND: "127.0.0.1",
      DATA_DIR: this.dataDir,
      DENO_NO_UPDATE_CHECK: "1",
    };
    const main = new URL("../../main.ts", import.meta.url).pathname;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-broadcast-channel", main],
      env,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`server exited early:\n${buf}`);
      buf += value;
      const m = /running at http:\/\/localhost:(\d+)/.exec(buf);
      if (m) {
        this.port = Number(m[1]);
        this.url = `http://127.0.0.1:${this.port}`;
        // Keep draining stdout so the child never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* drain */ }
          } catch { /* closed */ }
        })();
        return;
      }
    }
    throw new Error(`server did not start in time:\n${buf}`);
  }

  async stop(): Promise<void> {
    if (!this.#child) return;
    try {
      this.#child.kill("SIGTERM");
    } catch { /* gone */ }
    await this.#child.status;
    this.#child = null;
  }
}

/** Opens a fresh browser context and signs in through the /login form. */
export async function signIn(
  browser: Browser,
  base: string,
  username: string,
  opts: { viewport?: { width: number; height: number }; next?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`[${username} pageerror]`, e.message));
  await page.goto(`${base}/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ""}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("parley");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return { context, page };
}

/** Opens a conversation from the sidebar by its visible name. */
export async function openConversation(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name }).first().click();
  await page.getByRole("log", { name: /^Messages in/ }).waitFor();
}

/** Types into the composer of the open conversation and presses Enter. */
export async function sendMessage(page: Page, text: string, composer = /^Message (?!in)/): Promise<void> {
  const box = page.getByRole("textbox", { name: composer }).first();
  await box.fill(text);
  await box.press("Enter");
}

let axeCache: string | null = null;
async function axeSource(): Promise<string> {
  if (axeCache) return axeCache;
  const file = new URL("../../node_modules/axe-core/axe.min.js", import.meta.url);
  try {
    return axeCache = await Deno.readTextFile(file);
  } catch {
    const root = new URL("../../", import.meta.url).pathname;
    await new Deno.Command(Deno.execPath(), { args: ["install"], cwd: root, stdout: "null" }).output();
    return axeCache = await Deno.readTextFile(file);
  }
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}
type AxeGlobal = { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } };

/** Runs axe-core on the page (optionally only some rules) and returns the serious and critical violations. */
export async function axeSerious(
  page: Page,
  rules?: string[],
): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const src = await axeSource();
  if (!(await page.evaluate(() => "axe" in globalThis))) {
    // Through the DevTools protocol: pages forbid inline scripts (CSP), and a test must not weaken that.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Runtime.evaluate", { expression: src });
    await cdp.detach();
  }
  const result = await page.evaluate(
    async (only) =>
      await (globalThis as unknown as AxeGlobal).axe.run(document, {
        resultTypes: ["violations"],
        ...(only ? { runOnly: { type: "rule", values: only } } : {}),
      }),
    rules,
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
}

/** The chat page's debugging handle (`globalThis.parley`), typed for page.evaluate callbacks. */
export interface ParleyHandle {
  parley: {
    client: {
      status: { value: string };
      edit(id: number, body: string): Promise<unknown>;
    };
    ui: { now: { value: number } };
  };
}
