/**
 * Group calls and real network paths: a 3-person mesh in the demo group (everyone receives everyone),
 * leaving and re-joining with "Join call"; a call rung to someone whose only open page is a host page with
 * the staff widget (its dialog declines, and answers by opening the chat app); a call forced through
 * Debian's coturn (relay-only ICE with the generated time-limited credentials), started and stopped by the
 * test on loopback; and the /calls/test self-test page reporting the candidate types it gathered through
 * STUN and TURN.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
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
  statsOf,
  waitForFrames,
} from "./call_helpers.ts";
import { startCoturn } from "../helpers/coturn.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const GROUP = / & /;

Deno.test(
  {
    name: "browser: a 3-person mesh call, leave and re-join; ringing in the staff widget",
    ignore: !browserAvailable(),
    ...opts,
  },
  async (t) => {
    const server = await startTestServer();
    let browser: Browser | null = null;
    try {
      browser = await launchForCalls();
      const pages = {
        alice: (await signIn(browser, server.url, "alice")).page,
        bob: (await signIn(browser, server.url, "bob")).page,
        carol: (await signIn(browser, server.url, "carol")).page,
      };
      for (const p of Object.values(pages)) await openConversation(p, GROUP);
      const id = {
        alice: await myId(pages.alice),
        bob: await myId(pages.bob),
        carol: await myId(pages.carol),
      };
      const { alice, bob, carol } = pages;
      patient(alice, bob, carol);

      await t.step("3-person mesh: everyone receives everyone; leave and re-join", async () => {
        await alice.getByRole("button", { name: "Start video call" }).click();
        // The incoming-call dialog takes the focus, and axe finds nothing serious with it open.
        const ring = incoming(carol, "Incoming video call from Alice Johnson");
        await focused(ring.getByRole("button", { name: "Accept", exact: true }));
        assert.deepEqual(await axeSerious(carol), []);
        for (const p of [bob, carol]) {
          await incoming(p, "Incoming video call from Alice Johnson").getByRole("button", {
            name: "Accept with video",
          })
            .click();
        }
        await waitForFrames(alice, [id.bob, id.carol]);
        await waitForFrames(bob, [id.alice, id.carol]);
        await waitForFrames(carol, [id.alice, id.bob]);
        await assertFlowing(alice, [id.bob, id.carol]);
        await assertFlowing(bob, [id.alice, id.carol]);
        await assertFlowing(carol, [id.alice, id.bob]);

        // Carol leaves: the call goes on for the two others; she re-joins from the header.
        await carol.getByRole("button", { name: "Hang up" }).click();
        await callPanel(carol).waitFor({ state: "detached" });
        await alice.waitForFunction(
          (c) =>
            !((globalThis as unknown as {
              parley: { calls: { active: { value: { peers: { userId: number }[] } } } };
            })
              .parley.calls.active.value.peers.some((p) => p.userId === c)),
          id.carol,
        );
        await assertFlowing(alice, [id.bob]);
        await assertFlowing(bob, [id.alice]);
        await carol.getByRole("button", { name: "Join call" }).click();
        await waitForFrames(carol, [id.alice, id.bob]);
        await assertFlowing(carol, [id.alice, id.bob]);
        await assertFlowing(alice, [id.bob, id.carol]);
        await assertFlowing(bob, [id.alice, id.carol]);
        // Two hang up; the last one alone ends the call.
        for (const p of [alice, bob]) await p.getByRole("button", { name: "Hang up" }).click();
        await callPanel(carol).waitFor({ state: "detached" });
        await callPanel(alice).waitFor({ state: "detached" });
      });

      await t.step("the staff widget rings when it is the only page open; Decline, and Accept", async () => {
        // Bob's only page is a host application's page with the floating staff widget.
        await bob.goto(`${server.url}/demo/tickets`);
        await bob.getByRole("button", { name: /^Open chat/ }).waitFor();
        await openConversation(alice, /Bob Wilson(?! &)/);
        await alice.getByRole("button", { name: "Start video call" }).click();
        const ring = incoming(bob, "Incoming video call from Alice Johnson");
        await ring.waitFor();
        await focused(ring.getByRole("button", { name: "Accept", exact: true }));
        assert.deepEqual(await axeSerious(bob), []);
        await ring.getByRole("button", { name: "Decline" }).click();
        await ring.waitFor({ state: "detached" });
        await callPanel(alice).waitFor({ state: "detached" });
        await log(alice).locator("[data-message-id]").filter({
          hasText: "📞 Video call from Alice Johnson · declined by Bob Wilson",
        }).waitFor();

        // Accepting from the widget opens the conversation in the chat app, which joins the call there.
        await alice.getByRole("button", { name: "Start video call" }).click();
        const popup = bob.waitForEvent("popup");
        await ring.getByRole("button", { name: "Accept with video" }).click();
        const chat = await popup;
        patient(chat);
        await callPanel(chat).waitFor();
        await ring.waitFor({ state: "detached" });
        await waitForFrames(chat, [id.alice]);
        await waitForFrames(alice, [id.bob]);
        await assertFlowing(chat, [id.alice]);
        await assertFlowing(alice, [id.bob]);
        await chat.getByRole("button", { name: "Hang up" }).click();
        await callPanel(alice).waitFor({ state: "detached" });
        await chat.close();
      });
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
);

Deno.test({
  name: "browser: relay-only through coturn, and the self-test page",
  ignore: !browserAvailable(),
  ...opts,
}, async (t) => {
  const turn = await startCoturn();
  const server = await startTestServer({
    CALL_STUN_URLS: turn.stunUrl,
    CALL_TURN_URLS: turn.turnUrl,
    CALL_TURN_SECRET: turn.secret,
    CALL_TURN_TTL_SECONDS: "600",
    CALL_ICE_POLICY: "relay",
  });
  let browser: Browser | null = null;
  try {
    browser = await launchForCalls();
    const alice = (await signIn(browser, server.url, "alice")).page;
    const bob = (await signIn(browser, server.url, "bob")).page;
    patient(alice, bob);

    await t.step("a call relayed by TURN with the generated credentials", async () => {
      await openConversation(alice, /Bob Wilson/);
      await openConversation(bob, /Alice Johnson(?! &)/);
      const [aliceId, bobId] = [await myId(alice), await myId(bob)];
      await alice.getByRole("button", { name: "Start video call" }).click();
      await incoming(bob, "Incoming video call from Alice Johnson").getByRole("button", {
        name: "Accept with video",
      })
        .click();
      await waitForFrames(bob, [aliceId]);
      await waitForFrames(alice, [bobId]);
      await assertFlowing(bob, [aliceId]);
      await assertFlowing(alice, [bobId]);
      const a = (await statsOf(alice))[bobId];
      const b = (await statsOf(bob))[aliceId];
      assert.equal(a.localCandidate, "relay");
      assert.equal(b.localCandidate, "relay");
      await alice.getByRole("button", { name: "Hang up" }).click();
      await callPanel(bob).waitFor({ state: "detached" });
    });

    await t.step("the self-test page reports the candidate types through STUN and TURN", async () => {
      await alice.goto(`${server.url}/calls/test`);
      await alice.getByRole("button", { name: "Test camera and microphone" }).click();
      await alice.getByRole("status").filter({ hasText: /^Allowed\. Camera: / }).waitFor();
      await alice.getByRole("img", { name: "Camera preview" }).or(alice.getByLabel("Camera preview")).first()
        .waitFor();
      await alice.getByRole("button", { name: "Run connection test" }).click();
      const table = alice.getByRole("table", { name: "Connection test results" });
      await table.waitFor({ timeout: 30_000 });
      const stun = table.getByRole("row", { name: /STUN \(direct\)/ });
      const relay = table.getByRole("row", { name: /TURN \(relay only\)/ });
      assert.match(await stun.innerText(), /host/);
      assert.match(await stun.innerText(), /\byes\b/);
      const relayText = await relay.innerText();
      assert.match(relayText, /relay/);
      assert.doesNotMatch(relayText, /host|srflx/);
      assert.match(relayText, /\byes\b/);
      assert.match(relayText, /relay\/udp ↔ relay\/udp/);
    });
  } finally {
    await browser?.close();
    await server.shutdown();
    await turn.stop();
  }
});
