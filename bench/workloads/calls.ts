/**
 * Accept -> first decoded frame: how long after "Accept with video" the person answering sees the caller's
 * video, on loopback. Two Chromium contexts with fake camera and microphone (alice calls, bob answers in
 * their DM); the time runs in bob's page from the click (a capturing listener) until `getStats()` shows a
 * decoded frame from alice (polled every 20 ms). The path: camera and microphone opening, the ICE
 * configuration request, the `call_join` round trip, offer/answer over the socket, ICE checks, DTLS, and the
 * first key frame. Parley runs in-process with the demo data on embedded PGlite.
 *
 * Alone: `deno run -A bench/workloads/calls.ts [runs]` prints the result (and the load average, since the
 * number means little on a busy machine).
 */
import { openConversation, signIn, startTestServer } from "../../tests/browser/browser.ts";
import { incoming, launchForCalls, myId } from "../../tests/browser/call_helpers.ts";
import { exactPercentile } from "../lib/stats.ts";

export interface FirstFrame {
  runs: number;
  samples_ms: number[];
  p50_ms: number;
  min_ms: number;
  max_ms: number;
  loadavg_before: number[];
}

const loadavg = async () => (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).map(Number);

export async function callFirstFrame(log: (s: string) => void = console.log, runs = 5): Promise<FirstFrame> {
  const before = await loadavg();
  const server = await startTestServer();
  const browser = await launchForCalls();
  try {
    const alice = (await signIn(browser, server.url, "alice")).page;
    const bob = (await signIn(browser, server.url, "bob")).page;
    await openConversation(alice, /Bob Wilson(?! &)/);
    await openConversation(bob, /Alice Johnson(?! &)/);
    const aliceId = await myId(alice);
    await bob.evaluate(() =>
      document.addEventListener("click", (e) => {
        const b = (e.target as Element).closest("button");
        if (b?.textContent === "Accept with video") {
          (globalThis as { acceptAt?: number }).acceptAt = performance.now();
        }
      }, { capture: true })
    );
    const samples: number[] = [];
    // One warm-up call (first getUserMedia, code paths compiled), then the measured ones.
    for (let i = 0; i <= runs; i++) {
      await alice.getByRole("button", { name: "Start video call" }).click();
      await incoming(bob, "Incoming video call from Alice Johnson").getByRole("button", {
        name: "Accept with video",
      }).click();
      const ms = await bob.evaluate(async (from) => {
        const g = globalThis as unknown as {
          acceptAt: number;
          parley: { calls: { stats(): Promise<Record<number, { framesDecoded: number }>> } };
        };
        for (;;) {
          const s = await g.parley.calls.stats().catch(
            () => ({} as Record<number, { framesDecoded: number }>),
          );
          if ((s[from]?.framesDecoded ?? 0) > 0) return performance.now() - g.acceptAt;
          if (performance.now() - g.acceptAt > 60_000) throw new Error("no frame within 60 s");
          await new Promise((r) => setTimeout(r, 20));
        }
      }, aliceId);
      if (i > 0) samples.push(Math.round(ms));
      log(`calls: ${i === 0 ? "warm-up" : `run ${i}`}: Accept -> first decoded frame ${Math.round(ms)} ms`);
      await alice.getByRole("button", { name: "Hang up" }).click();
      await bob.getByRole("region", { name: /^Call with / }).waitFor({ state: "detached" });
      // The rating offered after each call would cover the next dialog's corner: skip it.
      for (const p of [alice, bob]) {
        const skip = p.getByRole("dialog", { name: "How was the call?" }).getByRole("button", {
          name: "Skip",
        });
        await skip.click({ timeout: 10_000 }).catch(() => {});
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      runs,
      samples_ms: samples,
      p50_ms: exactPercentile(sorted, 50),
      min_ms: sorted[0],
      max_ms: sorted[sorted.length - 1],
      loadavg_before: before,
    };
  } finally {
    await browser.close();
    await server.shutdown();
  }
}

if (import.meta.main) {
  const r = await callFirstFrame(console.log, Number(Deno.args[0] ?? 5));
  console.log(JSON.stringify({ ...r, loadavg_after: await loadavg() }, null, 2));
}
