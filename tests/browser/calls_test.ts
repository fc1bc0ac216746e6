/**
 * 1:1 calls between two real users in Chromium with fake camera and microphone: ring -> accept -> media
 * both ways -> hang up -> call record; ringing stops on the other tab; decline; missed after the (short)
 * ring timeout; screen share replaces and restores the camera; a signaling reconnect mid-call. Media is
 * proven by getStats (bytes and decoded frames grow on both sides), not by UI state.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserAvailable, openConversation, signIn, startTestServer } from "./browser.ts";
import {
  assertFlowing,
  callPanel,
  incoming,
  launchForCalls,
  log,
  myId,
  patient,
  statsOf,
  waitForFrames,
  waitForStats,
} from "./call_helpers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function hangUpBoth(a: Page, b: Page) {
  await a.getByRole("button", { name: "Hang up" }).click();
  await callPanel(a).waitFor({ state: "detached" });
  await callPanel(b).waitFor({ state: "detached" });
}

Deno.test({ name: "browser: 1:1 calls", ignore: !browserAvailable(), ...opts }, async (t) => {
  const server = await startTestServer({ CALL_RING_TIMEOUT_MS: "4000" });
  let browser: Browser | null = null;
  try {
    browser = await launchForCalls();
    const alice = (await signIn(browser, server.url, "alice")).page;
    const bobLogin = await signIn(browser, server.url, "bob");
    const bob = bobLogin.page;
    await openConversation(alice, /Bob Wilson/);
    await openConversation(bob, /general/);
    const [aliceId, bobId] = [await myId(alice), await myId(bob)];
    patient(alice, bob);

    await t.step("ring -> accept with video -> media both ways -> hang up -> call record", async () => {
      await alice.getByRole("button", { name: "Start video call" }).click();
      const ring = incoming(bob, "Incoming video call from Alice Johnson");
      await ring.waitFor();
      assert.equal(await ring.getByRole("button", { name: "Accept", exact: true }).count(), 1);
      assert.equal(await ring.getByRole("button", { name: "Decline" }).count(), 1);
      // Accept -> first decoded frame, measured in the page: click, then poll getStats every 10 ms.
      // Accept -> first decoded frame, measured in the page: the click's time (a capturing listener), then
      // getStats polled every 20 ms until a frame from alice is decoded.
      await bob.evaluate(() =>
        document.addEventListener("click", (e) => {
          const b = (e.target as Element).closest("button");
          if (b?.textContent === "Accept with video") {
            (globalThis as { acceptAt?: number }).acceptAt = performance.now();
          }
        }, { capture: true })
      );
      await ring.getByRole("button", { name: "Accept with video" }).click();
      const firstFrame = await bob.evaluate(async (from) => {
        const g = globalThis as unknown as {
          acceptAt: number;
          parley: { calls: { stats(): Promise<Record<number, { framesDecoded: number }>> } };
        };
        for (;;) {
          const s = await g.parley.calls.stats().catch(
            () => ({} as Record<number, { framesDecoded: number }>),
          );
          if ((s[from]?.framesDecoded ?? 0) > 0) return Math.round(performance.now() - g.acceptAt);
          if (performance.now() - g.acceptAt > 90_000) return null;
          await new Promise((r) => setTimeout(r, 20));
        }
      }, aliceId);
      await ring.waitFor({ state: "detached" });
      await waitForFrames(bob, [aliceId]);
      await waitForFrames(alice, [bobId]);
      console.log(`calls: Accept -> first decoded frame on loopback: ${firstFrame} ms`);
      assert.ok(firstFrame !== null && firstFrame > 0);
      await assertFlowing(bob, [aliceId]);
      await assertFlowing(alice, [bobId]);
      // Bob is looking at #general: the call is a small picture-in-picture window there.
      await callPanel(bob).getByRole("button", { name: "Return to call" }).click();
      await bob.waitForURL(/\/chat\/\d+$/);
      assert.equal(await callPanel(bob).getByRole("button", { name: "Return to call" }).count(), 0);
      await callPanel(alice).getByRole("img", { name: /^Connection quality: good/ }).first().waitFor();
      await hangUpBoth(alice, bob);
      const record = log(bob).locator("[data-message-id]").filter({
        hasText: /📞 Video call · \d+:\d\d · started by Alice Johnson · joined: Alice Johnson, Bob Wilson/,
      });
      await record.waitFor();
      await alice.getByRole("dialog", { name: "How was the call?" }).getByRole("button", { name: "4 stars" })
        .click();
    });

    await t.step("ringing stops on the other tab when one answers", async () => {
      const bob2 = await bobLogin.context.newPage();
      patient(bob2);
      await bob2.goto(`${server.url}/chat`);
      await bob2.waitForFunction(() =>
        (globalThis as unknown as { parley: { client: { status: { value: string } } } }).parley?.client.status
          .value === "open"
      );
      await alice.getByRole("button", { name: "Start video call" }).click();
      await incoming(bob, /Incoming video call from Alice/).waitFor();
      await incoming(bob2, /Incoming video call from Alice/).waitFor();
      await incoming(bob, /Incoming video call from Alice/).getByRole("button", { name: "Accept with video" })
        .click();
      await incoming(bob2, /Incoming video call from Alice/).waitFor({ state: "detached" });
      assert.equal(await callPanel(bob2).count(), 0);
      await waitForFrames(alice, [bobId]);
      await bob2.close();
    });

    await t.step("screen share replaces the camera and the camera comes back", async () => {
      await waitForFrames(bob, [aliceId]);
      const camWidth = (await statsOf(bob))[aliceId].frameWidth;
      await callPanel(alice).getByRole("button", { name: "Share screen", exact: true }).click();
      await callPanel(bob).getByText("Alice Johnson is sharing their screen").waitFor();
      await waitForStats(
        bob,
        (s) => s[aliceId]?.frameWidth != null && s[aliceId].frameWidth !== camWidth,
        "the screen's frame width",
        60_000,
      );
      await assertFlowing(bob, [aliceId]);
      await callPanel(alice).getByRole("button", { name: "Stop sharing" }).click();
      await callPanel(bob).getByText("Alice Johnson is sharing their screen").waitFor({
        state: "detached",
      });
      await waitForStats(bob, (s) => s[aliceId]?.frameWidth === camWidth, "the camera's frame width", 60_000);
      await assertFlowing(bob, [aliceId]);
    });

    await t.step("a signaling reconnect mid-call: the call goes on", async () => {
      server.hub.closeUser(bobId, 1012, "test: drop the socket");
      await bob.waitForFunction(() =>
        (globalThis as unknown as { parley: { client: { status: { value: string } } } }).parley.client
          .status
          .value !== "open"
      );
      await bob.waitForFunction(() =>
        (globalThis as unknown as { parley: { client: { status: { value: string } } } }).parley.client
          .status
          .value === "open"
      );
      // The new socket took bob's place in the call: signaling reaches it, and media never stopped.
      const conn = await bob.evaluate(() =>
        (globalThis as unknown as { parley: { calls: { connectionId: string } } }).parley.calls.connectionId
      );
      await alice.waitForFunction(
        ([id, c]) =>
          Object.values(
            (globalThis as unknown as {
              parley: {
                calls: {
                  calls: {
                    value: Record<number, { participants: { userId: number; connectionId: string }[] }>;
                  };
                };
              };
            }).parley.calls.calls.value,
          ).some((x) => x.participants.some((p) => p.userId === id && p.connectionId === c)),
        [bobId, conn] as const,
      );
      await assertFlowing(bob, [aliceId]);
      await assertFlowing(alice, [bobId]);
      // An ICE restart over the new socket renegotiates and media keeps flowing.
      await alice.evaluate(
        (id) =>
          (globalThis as unknown as { parley: { calls: { peerConnection(u: number): RTCPeerConnection } } })
            .parley
            .calls.peerConnection(id).restartIce(),
        bobId,
      );
      await alice.waitForTimeout(1500);
      await assertFlowing(bob, [aliceId]);
      await assertFlowing(alice, [bobId]);
      await hangUpBoth(bob, alice);
    });

    await t.step("decline: the caller's call ends and the record says so", async () => {
      await alice.getByRole("button", { name: "Start call", exact: true }).click();
      await callPanel(alice).waitFor();
      await incoming(bob, "Incoming call from Alice Johnson").getByRole("button", { name: "Decline" })
        .click();
      await callPanel(alice).waitFor({ state: "detached" });
      await log(alice).locator("[data-message-id]").filter({
        hasText: "📞 Audio call from Alice Johnson · declined by Bob Wilson",
      }).waitFor();
    });

    await t.step("missed after the ring timeout", async () => {
      await alice.getByRole("button", { name: "Start call", exact: true }).click();
      await incoming(bob, "Incoming call from Alice Johnson").waitFor();
      await incoming(bob, "Incoming call from Alice Johnson").waitFor({ state: "detached", timeout: 15_000 });
      await callPanel(alice).waitFor({ state: "detached" });
      await log(alice).locator("[data-message-id]").filter({
        hasText: "📞 Missed audio call from Alice Johnson",
      })
        .waitFor();
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
});
