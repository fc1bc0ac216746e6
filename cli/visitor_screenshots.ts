/**
 * `deno run -A cli/visitor_screenshots.ts`: refreshes the visitor-chat screenshots in docs/screenshots/
 * (the widget on a host site of another origin, the Visitors region in /chat, a monitor's read-only view,
 * the region on a phone, /support) from a throw-away
 * server with the demo data, using Debian's Chromium like the browser tests.
 */
import { signIn } from "../tests/browser/browser.ts";
import {
  goAvailable,
  grantQueue,
  setVisitorSetting,
  startChat,
  startHostSite,
  widget,
} from "../tests/browser/visitor_helpers.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot, defer }) => {
  const host = startHostSite(server.url);
  defer(() => host.close());
  await grantQueue(server, "alice", "bob");
  await setVisitorSetting(server, "min_form_seconds", 1);
  const { page: alice } = await signIn(browser, server.url, "alice");
  await goAvailable(alice);
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const v = await ctx.newPage();
  await v.goto(host.url);
  await startChat(v, "Vera", "Hello, my invoice shows the wrong amount.");
  const region = alice.getByRole("region", { name: "Visitors" });
  await region.getByRole("listitem").filter({ hasText: "Vera" }).getByRole("button", { name: "Claim" })
    .click();
  const reply = region.getByRole("textbox", { name: "Reply to visitor" });
  await reply.fill("Hi Vera, I'm Alice. Which invoice number is it?");
  await reply.press("Enter");
  const w = widget(v);
  await w.getByText("Which invoice number is it?").waitFor();
  await w.getByRole("textbox", { name: "Message" }).fill("INV-2042, thanks!");
  await w.getByRole("textbox", { name: "Message" }).press("Enter");
  await region.getByText("INV-2042, thanks!").waitFor();
  await region.getByRole("checkbox", { name: "Internal note" }).check();
  await reply.fill("Billing says this was fixed in the last release.");
  await reply.press("Enter");
  await region.getByText("Billing says this was fixed").waitFor();
  await v.waitForTimeout(500);
  await v.screenshot({ path: shot("visitor-widget.png") });
  await alice.screenshot({ path: shot("visitor-staff.png") });
  const { page: admin } = await signIn(browser, server.url, "admin");
  const aregion = admin.getByRole("region", { name: "Visitors" });
  await aregion.getByRole("button", { name: /Watch Vera/ }).click();
  await aregion.getByRole("group", { name: "Watching visitor chat with Vera" }).getByText("INV-2042")
    .waitFor();
  await admin.screenshot({ path: shot("visitor-monitor.png") });
  const { page: bob } = await signIn(browser, server.url, "bob", { viewport: { width: 390, height: 844 } });
  await bob.getByRole("button", { name: "Open Visitors" }).click();
  await goAvailable(bob);
  const v2 = await (await browser.newContext()).newPage();
  await v2.goto(host.url);
  await startChat(v2, "Pia", "Do you ship to Norway?");
  const bregion = bob.getByRole("region", { name: "Visitors" });
  await bregion.getByRole("listitem").filter({ hasText: "Pia" }).waitFor();
  await bob.screenshot({ path: shot("visitor-staff-phone.png") });
  const s = await browser.newContext({ viewport: { width: 900, height: 760 } });
  const sp = await s.newPage();
  await sp.goto(`${server.url}/support`);
  await sp.getByRole("button", { name: "Start chat" }).waitFor();
  await sp.screenshot({ path: shot("visitor-support.png") });
  console.log(`screenshots written to docs/screenshots/`);
});
