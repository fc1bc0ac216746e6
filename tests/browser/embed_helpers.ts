/**
 * A host application on another origin than Parley (`http://localhost:<port>` while Parley is on
 * 127.0.0.1) that embeds the staff widget with its own signed JWT: `/` uses `data-token-endpoint`,
 * `/reports` calls `Parley.init({ getToken })`. Its `/parley-token` signs a fresh HS256 JWT for the
 * demo user the host has signed in (`?as=` on the page URL picks who; the default is bob).
 */
import * as jose from "jose";
import type { Server } from "../../main.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";

export const SSO_SECRET = "host-app-shared-secret-0123456789-abcdef";

/** The host's users: Parley accounts are matched on `sub` (the demo users get these external ids). */
const PEOPLE: Record<string, { sub: string; name: string; email: string }> = {
  bob: { sub: "acme-bob", name: "Bob Wilson", email: "bob@acme.example" },
  carol: { sub: "acme-carol", name: "Carol Davis", email: "carol@acme.example" },
};

export async function linkDemoUsers(s: Server) {
  for (const [username, p] of Object.entries(PEOPLE)) {
    await s.deps.db.query("UPDATE users SET external_id = $1 WHERE username = $2", [p.sub, username]);
  }
}

export async function setHostOrigins(s: Server, origins: string[]) {
  const ws = await workspacesRepo.bySlug(s.deps.db, "demo");
  await workspacesRepo.putSetting(s.deps.db, ws!.id, "widget.host_origins", origins);
}

export function signHostJwt(who: string): Promise<string> {
  const p = PEOPLE[who];
  return new jose.SignJWT({ name: p.name, email: p.email })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(p.sub)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime("2m")
    .sign(new TextEncoder().encode(SSO_SECRET));
}

export function startStaffHost(parley: string): { url: string; port: number; close(): Promise<void> } {
  const page = (title: string, who: string, init: boolean) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Acme CRM</title>` +
    `<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2230}` +
    `header{background:#1d2230;color:#fff;padding:14px 24px;font-weight:700}` +
    `main{padding:24px;max-width:720px}table{border-collapse:collapse;width:100%;background:#fff}` +
    `td,th{border:1px solid #d8dbe2;padding:8px;text-align:left}</style></head><body>` +
    `<header>Acme CRM</header><main><h1>${title}</h1>` +
    `<nav aria-label="Acme"><a href="/?as=${who}">Customers</a> · <a href="/reports?as=${who}">Reports</a></nav>` +
    `<table><caption>Open cases</caption><tr><th scope="col">Case</th><th scope="col">Customer</th></tr>` +
    `<tr><td>#1042</td><td>Northwind</td></tr><tr><td>#1043</td><td>Contoso</td></tr></table></main>` +
    (init
      ? `<script src="${parley}/embed/widget.js" async></script>` +
        `<script>addEventListener("load", function () { Parley.init({ getToken: function () {` +
        ` return fetch("/parley-token?as=${who}").then(function (r) { return r.json(); })` +
        `.then(function (j) { return j.token; }); } }); });</script>`
      : `<script src="${parley}/embed/widget.js" data-token-endpoint="/parley-token?as=${who}" async></script>`) +
    `</body></html>`;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const who = url.searchParams.get("as") ?? "bob";
    if (!(who in PEOPLE)) return new Response("no such user", { status: 404 });
    if (url.pathname === "/parley-token") return Response.json({ token: await signHostJwt(who) });
    if (url.pathname === "/" || url.pathname === "/reports") {
      return new Response(page(url.pathname === "/" ? "Customers" : "Reports", who, url.pathname !== "/"), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    return new Response("not found", { status: 404 });
  });
  const port = server.addr.port;
  return { url: `http://localhost:${port}`, port, close: () => server.shutdown() };
}
