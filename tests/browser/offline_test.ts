/**
 * A message typed while the server is down is sent once it is back and appears exactly once; after a
 * server restart a fresh page shows every message.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { browserAvailable, ChildServer, launch, openConversation, signIn } from "./browser.ts";

Deno.test({
  name: "browser: a message sent while the server is down arrives once after it returns",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "parley-offline-" });
  const server = new ChildServer(dataDir);
  let browser: Browser | null = null;
  try {
    await server.start();
    browser = await launch();
    const { page: alice } = await signIn(browser, server.url, "alice");
    await openConversation(alice, /general/);
    const box = alice.getByRole("textbox", { name: "Message # general" });
    const log = alice.getByRole("log", { name: "Messages in # general" });
    await box.fill("before the outage");
    await box.press("Enter");
    // As every wait below: a loaded machine (the suite's files run in parallel) can take long to connect.
    await log.locator("[data-message-id]").filter({ hasText: "before the outage" }).waitFor({
      timeout: 60_000,
    });

    await server.stop();
    await alice.getByRole("status").filter({ hasText: "You are offline" }).waitFor({ timeout: 60_000 });
    await box.fill("typed while the server was down");
    await box.press("Enter");
    await log.getByText("Waiting for the connection…").waitFor();

    await server.start(); // same port, same data directory
    const sent = log.locator("[data-message-id]").filter({ hasText: "typed while the server was down" });
    await sent.waitFor({ timeout: 60_000 });
    await log.getByText("Waiting for the connection…").waitFor({ state: "detached" });
    assert.equal(await log.getByText("typed while the server was down").count(), 1);

    // A fresh page (and another user) after the restart sees every message, each once.
    await alice.reload();
    await log.locator("[data-message-id]").filter({ hasText: "typed while the server was down" }).waitFor();
    const texts = await log.locator("[data-message-id]").allTextContents();
    assert.equal(texts.filter((x) => x.includes("before the outage")).length, 1);
    assert.equal(texts.filter((x) => x.includes("typed while the server was down")).length, 1);
    assert.ok(texts.some((x) => x.includes("Welcome to Parley")), "seeded history is still there");
    const { page: bob } = await signIn(browser, server.url, "bob");
    await openConversation(bob, /general/);
    const bobLog = bob.getByRole("log", { name: "Messages in # general" });
    await bobLog.getByText("typed while the server was down").waitFor();
    assert.equal(await bobLog.getByText("typed while the server was down").count(), 1);
  } finally {
    await browser?.close();
    await server.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
