/**
 * 1:1 calls between two real users in Chromium with fake camera and microphone: ring -> accept -> media
 * both ways -> hang up -> call record; the call UI by keyboard (focus on the incoming dialog, the controls'
 * pressed states, Escape declines and dismisses the rating) and axe; ringing stops on the other tab; missed
 * after the (short) ring timeout; screen share replaces and restores the camera; a signaling reconnect
 * mid-call. Media is proven by getStats (bytes and decoded frames grow on both sides), not by UI state.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { axeSerious, browserAvailable, openConversation, signIn, startTestServer } from "./browser.ts";
import {
  assertFlowing,
  callPanel,
  focused,
  incoming,
  launchForCalls,
  log,
  myId,
  patient,
  pressed,
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
  const server = await startTestServer({ CALL_RING_TIMEOUT_MS: "10000" });
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

    await t.step("ring (focus on Accept) -> accept with video -> media both ways", async () => {
      await alice.getByRole("button", { name: "Start video call" }).click();
      const ring = incoming(bob, "Incoming video call from Alice Johnson");
      await ring.waitFor();
      assert.equal(await ring.getByRole("button", { name: "Decline" }).count(), 1);
      await focused(ring.getByRole("button", { name: "Accept", exact: true }));
      await ring.getByRole("button", { name: "Accept with video" }).click();
      await ring.waitFor({ state: "detached" });
      await waitForFrames(bob, [aliceId]);
      await waitForFrames(alice, [bobId]);
      await assertFlowing(bob, [aliceId]);
      await assertFlowing(alice, [bobId]);
      // Bob is looking at #general: the call is a small picture-in-picture window there.
      await callPanel(bob).getByRole("button", { name: "Return to call" }).click();
      await bob.waitForURL(/\/chat\/\d+$/);
      assert.equal(await callPanel(bob).getByRole("button", { name: "Return to call" }).count(), 0);
      await callPanel(alice).getByRole("img", { name: /^Connection quality: good/ }).first().waitFor();
    });

    await t.step(
      "the call by keyboard: mute, camera, devices (another microphone), hang up, rating; axe",
      async () => {
        const bar = callPanel(alice).getByRole("toolbar", { name: "Call controls" });
        const mute = bar.getByRole("button", { name: "Mute" });
        const camera = bar.getByRole("button", { name: "Camera", exact: true });
        const devices = bar.getByRole("button", { name: "Devices" });
        // Starting the call moved alice's focus to its controls.
        await focused(mute);
        assert.deepEqual(await axeSerious(alice), []);
        const aliceTile = callPanel(bob).locator("figure", { hasText: "Alice Johnson" }).first();
        await alice.keyboard.press("Space");
        await pressed(mute, "true");
        await aliceTile.getByText("Alice Johnson · muted").waitFor();
        await alice.keyboard.press("Space");
        await pressed(mute, "false");
        await aliceTile.getByText("Alice Johnson · muted").waitFor({ state: "detached" });
        // Arrow keys move along the toolbar; the camera goes off and on again.
        await alice.keyboard.press("ArrowRight");
        await focused(camera);
        await pressed(camera, "true");
        await alice.keyboard.press("Enter");
        await pressed(camera, "false");
        await aliceTile.getByLabel("Alice Johnson's camera").waitFor({ state: "detached" });
        await alice.keyboard.press("Enter");
        await pressed(camera, "true");
        await aliceTile.getByLabel("Alice Johnson's camera").waitFor();
        await assertFlowing(bob, [aliceId]);
        // Devices: a labelled picker for microphone and camera.
        await alice.keyboard.press("End");
        await alice.keyboard.press("ArrowLeft");
        await focused(devices);
        await alice.keyboard.press("Enter");
        assert.equal(await devices.getAttribute("aria-expanded"), "true");
        await callPanel(alice).getByRole("combobox", { name: "Microphone" }).waitFor();
        await callPanel(alice).getByRole("combobox", { name: "Camera device" }).waitFor();
        assert.deepEqual(await axeSerious(alice), []);
        // Another microphone (Chromium's fake devices offer several): the sound goes on from it.
        const mic = callPanel(alice).getByRole("combobox", { name: "Microphone" });
        const mics = await mic.locator("option").evaluateAll((o) =>
          o.map((x) => (x as HTMLOptionElement).value)
        );
        assert.ok(mics.length > 1, `microphones: ${mics.join(", ")}`);
        await mic.selectOption(mics[1]);
        const chosen = await alice.evaluate(() =>
          (globalThis as unknown as { parley: { calls: { chosen: { value: { mic: string | null } } } } })
            .parley
            .calls.chosen.value.mic
        );
        assert.equal(chosen, mics[1]);
        await assertFlowing(bob, [aliceId]);
        await devices.focus();
        await alice.keyboard.press("Enter");
        assert.equal(await devices.getAttribute("aria-expanded"), "false");
        // Hang up: the record, and the rating takes the focus (Escape dismisses it).
        await alice.keyboard.press("ArrowRight");
        await focused(bar.getByRole("button", { name: "Hang up" }));
        await alice.keyboard.press("Enter");
        await callPanel(alice).waitFor({ state: "detached" });
        await callPanel(bob).waitFor({ state: "detached" });
        const record = log(bob).locator("[data-message-id]").filter({
          hasText: /📞 Video call · \d+:\d\d · started by Alice Johnson · joined: Alice Johnson, Bob Wilson/,
        });
        await record.waitFor();
        const rating = alice.getByRole("dialog", { name: "How was the call?" });
        await focused(rating.getByRole("button", { name: "1 star" }));
        assert.deepEqual(await axeSerious(alice), []);
        await rating.getByRole("button", { name: "4 stars" }).click();
        await rating.waitFor({ state: "detached" });
        const bobRating = bob.getByRole("dialog", { name: "How was the call?" });
        await focused(bobRating.getByRole("button", { name: "1 star" }));
        await bob.keyboard.press("Escape");
        await bobRating.waitFor({ state: "detached" });
      },
    );

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
      // The button under the focus went away: the focus moves to "Stop sharing".
      await focused(callPanel(alice).getByRole("button", { name: "Stop sharing" }));
      await callPanel(bob).getByText("Alice Johnson is sharing their screen").waitFor();
      await waitForStats(
        bob,
        (s) => s[aliceId]?.frameWidth != null && s[aliceId].frameWidth !== camWidth,
        "the screen's frame width",
        60_000,
      );
      await assertFlowing(bob, [aliceId]);
      await alice.keyboard.press("Enter");
      await focused(callPanel(alice).getByRole("button", { name: "Share screen", exact: true }));
      await callPanel(bob).getByText("Alice Johnson is sharing their screen").waitFor({
        state: "detached",
      });
      await waitForStats(bob, (s) => s[aliceId]?.frameWidth === camWidth, "the camera's frame width", 60_000);
      await assertFlowing(bob, [aliceId]);
    });

    await t.step("a signaling reconnect mid-call: the call goes on", async () => {
      type Handle = {
        parley: {
          calls: {
            connectionId: string | null;
            calls: { value: Record<number, { participants: { userId: number; connectionId: string }[] }> };
          };
        };
      };
      const connOf = () => bob.evaluate(() => (globalThis as unknown as Handle).parley.calls.connectionId);
      const before = await connOf();
      server.hub.closeUser(bobId, 1012, "test: drop the socket");
      // The client reconnects and asks for the live calls: the ack names its new socket. (Waiting for the
      // status to leave "open" and come back could miss a fast reconnect; reading the id before the rejoin's
      // update reaches alice could wait for an id she no longer has.)
      await bob.waitForFunction(
        (old) => (globalThis as unknown as Handle).parley.calls.connectionId !== old,
        before,
      );
      const conn = await connOf();
      // The new socket took bob's place in the call: alice sees it, signaling reaches it, media never stopped.
      await alice.waitForFunction(
        ([id, c]) =>
          Object.values((globalThis as unknown as Handle).parley.calls.calls.value)
            .some((x) => x.participants.some((p) => p.userId === id && p.connectionId === c)),
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

    await t.step("Escape declines: the caller's call ends and the record says so", async () => {
      await alice.getByRole("button", { name: "Start call", exact: true }).click();
      await callPanel(alice).waitFor();
      // Escape in the incoming-call dialog declines (the focus is on it).
      const ring = incoming(bob, "Incoming call from Alice Johnson");
      await focused(ring.getByRole("button", { name: "Accept", exact: true }));
      await bob.keyboard.press("Escape");
      await callPanel(alice).waitFor({ state: "detached" });
      await log(alice).locator("[data-message-id]").filter({
        hasText: "📞 Audio call from Alice Johnson · declined by Bob Wilson",
      }).waitFor();
    });

    await t.step("missed after the ring timeout", async () => {
      await alice.getByRole("button", { name: "Start call", exact: true }).click();
      await incoming(bob, "Incoming call from Alice Johnson").waitFor();
      await incoming(bob, "Incoming call from Alice Johnson").waitFor({ state: "detached", timeout: 30_000 });
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
