/** Visitor-chat browser scenes: a host site on another origin, agents in /chat, the widget's frame. */
import type { Browser, BrowserContext, FrameLocator, Page } from "playwright-core";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import type { Server } from "../../main.ts";
import { launch, startTestServer } from "./browser.ts";

export interface VisitorScene {
  server: Server;
  host: { url: string; close(): Promise<void> };
  browser: Browser;
  close(): Promise<void>;
}

/**
 * What every visitor browser test starts with: one Parley server (routing worker every 300 ms), a host
 * site on another origin embedding the widget, `staff` allowed to answer visitors, a 1 s minimum form
 * time, and one browser. `close()` ends all of it.
 */
export async function visitorScene(staff: string[] = ["alice", "bob"]): Promise<VisitorScene> {
  const server = await startTestServer({ VISITOR_WORKER_MS: "300" });
  const host = startHostSite(server.url);
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await host.close();
    await server.shutdown();
  };
  try {
    await grantQueue(server, ...staff);
    await setVisitorSetting(server, "min_form_seconds", 1);
    browser = await launch();
    return { server, host, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A host web site on `http://localhost:<port>` (Parley runs on 127.0.0.1: another site) with two pages. */
export function startHostSite(parley: string): { url: string; close(): Promise<void> } {
  const page = (title: string, link: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>` +
    `<main><h1>${title}</h1><p><a href="${link}">Next page</a></p></main>` +
    `<script src="${parley}/embed/visitor.js" data-workspace="demo" async></script></body></html>`;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/" || path === "/pricing") {
      return new Response(
        page(path === "/" ? "Acme home" : "Acme pricing", path === "/" ? "/pricing" : "/"),
        {
          headers: { "content-type": "text/html; charset=utf-8" },
        },
      );
    }
    return new Response("not found", { status: 404 });
  });
  return { url: `http://localhost:${server.addr.port}`, close: () => server.shutdown() };
}

export async function setVisitorSetting(s: Server, key: string, value: unknown) {
  const ws = await workspacesRepo.bySlug(s.deps.db, "demo");
  await workspacesRepo.putSetting(s.deps.db, ws!.id, `visitor.${key}`, value);
}

export async function grantQueue(s: Server, ...usernames: string[]) {
  await s.deps.db.query(
    "UPDATE users SET permissions = '{chat.public_queue,chat.public_transfer}' WHERE username = ANY($1::text[])",
    [usernames],
  );
}

export function widget(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Chat with us"]');
}

/** Opens the widget on a host page and starts a chat through the pre-chat form. */
export async function startChat(page: Page, name: string, message = "") {
  const w = widget(page);
  const launcher = w.getByRole("button", { name: "Chat with us" });
  const form = w.getByRole("button", { name: "Start chat" });
  await launcher.or(form).first().waitFor();
  if (await launcher.isVisible()) await launcher.click();
  await w.getByLabel("Name").fill(name);
  await w.getByLabel(/^Email/).fill(`${name.toLowerCase()}@example.com`);
  await w.getByLabel(/^Topic/).selectOption("Billing");
  if (message) await w.getByLabel(/^How can we help/).fill(message);
  await page.waitForTimeout(1100); // the minimum form time (set to 1 s in these tests)
  await w.getByRole("button", { name: "Start chat" }).click();
  await w.getByRole("log", { name: "Conversation" }).waitFor();
}

export async function goAvailable(page: Page) {
  const region = page.getByRole("region", { name: "Visitors" });
  const sw = region.getByRole("switch", { name: "Available for visitor chats" });
  await sw.waitFor();
  if (!(await sw.isChecked())) await sw.click();
  await region.getByRole("switch", { name: "Available for visitor chats", checked: true }).waitFor();
}

export async function saved(ctx: BrowserContext, hostUrl: string): Promise<{ token: string } | null> {
  const st = await ctx.storageState();
  const origin = st.origins.find((o) => o.origin === hostUrl);
  const item = origin?.localStorage.find((x) => x.name === "parley.visitor.demo");
  return item ? JSON.parse(item.value) : null;
}
