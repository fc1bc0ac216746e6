/**
 * /api/auth: login, logout, me, host-application sign-in (JWT exchange), and the embedded staff widget's
 * bearer session and tickets (docs/widget.md).
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import * as auth from "../../domain/auth.ts";
import type { Deps } from "../../domain/deps.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { type AppEnv, SESSION_COOKIE } from "../env.ts";
import { requireAuth, requireSameOrigin, tokenFrom } from "../middleware/auth.ts";
import { clientIp, ownOrigin } from "../middleware/client_address.ts";
import * as embed from "../../domain/embed.ts";
import { parse } from "../../domain/validate.ts";
import { jsonBody } from "../middleware/errors.ts";

/** The session cookie: HttpOnly, SameSite=Lax, Secure when configured. */
export function setSessionCookie(c: Context, deps: Deps, r: auth.SessionResult) {
  setCookie(c, SESSION_COOKIE, r.token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: deps.config.secureCookies,
    path: "/",
    expires: new Date(r.expiresAt),
  });
}

export function authRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const ctx = (c: Context) => ({
    ip: clientIp(c, deps.config.trustedProxies),
    userAgent: c.req.header("user-agent") ?? "",
  });
  const sessionCookie = (c: Context, r: auth.SessionResult) => setSessionCookie(c, deps, r);

  app.post("/login", requireSameOrigin(deps), async (c) => {
    const r = await auth.login(deps, await jsonBody(c), ctx(c));
    sessionCookie(c, r);
    return c.json(r);
  });

  app.post("/sso", requireSameOrigin(deps), async (c) => {
    const r = await auth.ssoExchange(deps, await jsonBody(c), ctx(c));
    sessionCookie(c, r);
    return c.json(r);
  });

  // The staff widget on a host application's origin (CORS, see middleware/cors.ts): the host's JWT for a
  // short bearer session bound to the calling origin; with the current bearer token, more time for it.
  app.post("/embed", async (c) => {
    const { token } = tokenFrom(c);
    const current = c.req.header("authorization") ? token : null;
    const r = await embed.embedSignIn(deps, await jsonBody(c), {
      ...ctx(c),
      origin: embed.originOf(c.req.header("origin")),
      current,
    });
    return c.json({ ...r, expiresIn: Math.round((Date.parse(r.expiresAt) - deps.now().getTime()) / 1000) });
  });

  // A single-use ticket: to open the realtime socket ("socket") or Parley in a new tab ("open").
  app.post("/tickets", requireAuth(deps), async (c) => {
    const { purpose } = parse(embed.TicketInput, await jsonBody(c));
    const origin = embed.originOf(c.req.header("origin")) ?? ownOrigin(c, deps.config.trustedProxies) ?? "";
    return c.json(await embed.issueTicket(deps, c.get("actor"), purpose, origin), 201);
  });

  app.post("/logout", requireAuth(deps), async (c) => {
    await auth.logout(deps, c.get("actor"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });

  app.get("/me", requireAuth(deps), async (c) => {
    const a = c.get("actor");
    const u = await usersRepo.byId(deps.db, a.workspaceId, a.userId);
    return c.json({ user: auth.publicUser(u!) });
  });

  return app;
}
