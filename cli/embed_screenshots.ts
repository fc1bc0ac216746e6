/**
 * `deno run -A cli/embed_screenshots.ts`: refreshes docs/screenshots/widget-foreign-host.png, the staff
 * widget on a host application of another origin (an "Acme CRM" page on http://localhost:<port>, Parley on
 * 127.0.0.1), signed in with the host's JWT, from a throw-away server with the demo data.
 */
import {
  browserAvailable,
  launch,
  openConversation,
  signIn,
  startTestServer,
} from "../tests/browser/browser.ts";
import { linkDemoUsers, setHostOrigins, SSO_SECRET, startStaffHost } from "../tests/browser/embed_helpers.ts";

const OUT = new URL("../docs/screenshots/", import.meta.url);
if (!browserAvailable()) Deno.exit(1);
const server = await startTestServer({ SSO_JWT_SECRET: SSO_SECRET });
const host = startStaffHost(server.url);
const browser = await launch();
try {
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
  await bob.screenshot({ path: new URL("widget-foreign-host.png", OUT).pathname });
  console.log(`screenshot written to ${OUT.pathname}widget-foreign-host.png`);
} finally {
  await browser.close();
  await host.close();
  await server.shutdown();
}
