/**
 * `deno run -A cli/call_screenshots.ts`: refreshes the call screenshots in docs/screenshots/ (ringing, a
 * video call, screen sharing) from a throw-away server with the demo data, with Chromium's fake camera
 * and microphone (the moving test pattern is what a fake camera shows).
 */
import { openConversation, signIn } from "../tests/browser/browser.ts";
import { incoming, launchForCalls, myId, patient, waitForFrames } from "../tests/browser/call_helpers.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot }) => {
  const alice = (await signIn(browser, server.url, "alice")).page;
  const bob = (await signIn(browser, server.url, "bob")).page;
  await openConversation(alice, /Bob Wilson/);
  await openConversation(bob, /Alice Johnson(?! &)/);
  const [aliceId, bobId] = [await myId(alice), await myId(bob)];
  patient(alice, bob);

  await alice.getByRole("button", { name: "Start video call" }).click();
  const ring = incoming(bob, "Incoming video call from Alice Johnson");
  await ring.waitFor();
  await bob.screenshot({ path: shot("call-ringing.png") });

  await ring.getByRole("button", { name: "Accept with video" }).click();
  await waitForFrames(alice, [bobId]);
  await waitForFrames(bob, [aliceId]);
  await alice.waitForTimeout(2500);
  await alice.screenshot({ path: shot("call-video.png") });

  await alice.getByRole("button", { name: "Share screen beside camera" }).click();
  await bob.getByRole("figure").filter({ hasText: "Alice Johnson's screen" }).waitFor();
  await bob.getByLabel("Alice Johnson's screen").first().waitFor();
  await bob.waitForTimeout(2500);
  await bob.screenshot({ path: shot("call-screen-share.png") });
  await alice.getByRole("button", { name: "Hang up" }).click();
  console.log("screenshots: call-ringing.png, call-video.png, call-screen-share.png");
}, { launch: launchForCalls });
