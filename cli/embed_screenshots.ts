/**
 * `deno run -A cli/embed_screenshots.ts`: refreshes docs/screenshots/widget-foreign-host.png, the staff
 * widget on a host application of another origin (an "Acme CRM" page on http://localhost:<port>, Parley on
 * 127.0.0.1), signed in with the host's JWT, from a throw-away server with the demo data.
 */
import { openConversation, signIn } from "../tests/browser/browser.ts";
import { linkDemoUsers, setHostOrigins, SSO_SECRET, startStaffHost } from "../tests/browser/embed_helpers.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot, defer }) => {
  const host = startStaffHost(server.url);
  defer(() => host.close());
  await linkDemoUsers(server);
  await setHostOrigins(server, [host.url]);
  const { page: alice } = await signIn(browser, server.url, "alice");
  await openConversation(alice, /Bob Wilson(?! &)/);
  const box = alice.getByRole("textbox", { name: "Message Bob Wilson" });
  await box.fill("Can you look at the Northwind case before the call?");
  await box.press("Enter");
  const bob = await (await browser.newContext({ viewport: { width: 1100, height: 720 } })).newPage();
  await bob.goto(host.url);
  await bob.getByRole("button", { name: /^Open chat/ }).click();
  const panel = bob.getByRole("region", { name: "Chat" });
  await panel.getByRole("button", { name: /Alice Johnson(?! &)/ }).click();
  await panel.getByRole("log").getByText("Northwind case").waitFor();
  await panel.getByRole("textbox", { name: "Quick reply to Alice Johnson" }).fill("Yes, opening it now");
  await bob.waitForTimeout(500);
  await bob.screenshot({ path: shot("widget-foreign-host.png") });
  console.log(`screenshot written to docs/screenshots/widget-foreign-host.png`);
}, { env: { SSO_JWT_SECRET: SSO_SECRET } });
