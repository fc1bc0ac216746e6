/**
 * Lighthouse (npm `lighthouse`, driving Debian's Chromium through `chrome-launcher`) on the pages people
 * open first: /login, /chat signed in, /demo (with the widget). Mobile emulation and throttling are
 * Lighthouse's defaults. Scores are 0..1; the metrics are milliseconds (CLS unitless). Parley runs
 * in-process with the demo data on embedded PGlite in a temporary directory.
 *
 * Lighthouse's simulated throttling multiplies the main-thread time it observes, so a busy machine lowers
 * the performance score. Each page is run several times and the median run (Lighthouse's own
 * `computeMedianRun`) is reported, with the machine's load average at the time (`load_1m`).
 *
 * Alone: `deno run -A bench/workloads/lighthouse.ts` prints the result.
 */
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";
import { loadConfig } from "../../config.ts";
import { startServer } from "../../main.ts";

export interface PageScores {
  performance: number;
  accessibility: number;
  best_practices: number;
  fcp_ms: number;
  lcp_ms: number;
  tbt_ms: number;
  cls: number;
  transfer_kb: number;
  failing: string[];
  /** How many runs the median was taken from, and the 1-minute load average when they started. */
  runs: number;
  load_1m: number;
}

const PAGES = ["/login", "/chat", "/demo"] as const;
const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

type Lhr = {
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { score: number | null; numericValue?: number; scoreDisplayMode?: string }>;
};

function scoresOf(lhr: Lhr): Omit<PageScores, "runs" | "load_1m"> {
  const a = lhr.audits;
  const num = (k: string) => Math.round((a[k]?.numericValue ?? NaN) * 1000) / 1000;
  return {
    performance: lhr.categories.performance.score ?? 0,
    accessibility: lhr.categories.accessibility.score ?? 0,
    best_practices: lhr.categories["best-practices"].score ?? 0,
    fcp_ms: Math.round(num("first-contentful-paint")),
    lcp_ms: Math.round(num("largest-contentful-paint")),
    tbt_ms: Math.round(num("total-blocking-time")),
    cls: num("cumulative-layout-shift"),
    transfer_kb: Math.round(num("total-byte-weight") / 1024),
    failing: Object.entries(a)
      .filter(([, v]) =>
        v.score !== null && v.score < 0.9 && v.scoreDisplayMode !== "informative" &&
        v.scoreDisplayMode !== "manual" && v.scoreDisplayMode !== "notApplicable"
      )
      .map(([k]) => k),
  };
}

/** Runs Lighthouse once per page and returns the scores keyed by page name (login, chat, demo). */
export async function lighthouseRun(
  log: (s: string) => void = console.log,
  runs = 3,
): Promise<Record<string, PageScores>> {
  const dataDir = await Deno.makeTempDir({ prefix: "parley-lighthouse-" });
  const server = await startServer(
    loadConfig({ PORT: "0", HOSTNAME_BIND: "127.0.0.1", DATA_DIR: dataDir }),
    () => {},
  );
  const base = server.url.replace("localhost", "127.0.0.1");
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const res = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ username: "alice", password: server.deps.config.demoPassword }),
    });
    if (!res.ok) throw new Error(`lighthouse: sign-in failed (${res.status})`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const out: Record<string, PageScores> = {};
    for (const path of PAGES) {
      const load = Deno.loadavg()[0];
      const lhrs = [];
      for (let i = 0; i < runs; i++) {
        const r = await lighthouse(`${base}${path}`, {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: ["performance", "accessibility", "best-practices"],
          extraHeaders: path === "/login" ? undefined : { Cookie: cookie },
        });
        if (!r) throw new Error(`lighthouse: no result for ${path}`);
        lhrs.push(r.lhr);
      }
      const s = { ...scoresOf(computeMedianRun(lhrs) as unknown as Lhr), runs, load_1m: load };
      out[path.slice(1)] = s;
      log(
        `lighthouse ${path}: performance ${s.performance}, accessibility ${s.accessibility}, ` +
          `best practices ${s.best_practices} (FCP ${s.fcp_ms} ms, LCP ${s.lcp_ms} ms, TBT ${s.tbt_ms} ms, ` +
          `${s.transfer_kb} KB; median of ${runs} at load ${load.toFixed(1)})${
            s.failing.length ? `; below 0.9: ${s.failing.join(", ")}` : ""
          }`,
      );
    }
    return out;
  } finally {
    chrome.kill();
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(JSON.stringify(await lighthouseRun(), null, 2));
