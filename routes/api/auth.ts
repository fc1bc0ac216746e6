/** /api/auth: login, logout, me, and host-application sign-in (JWT exchange). */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import * as auth from "../../domain/auth.ts";
import type { Deps } from "../../domain/deps.ts";
import * as usersRepo from "../../db/repos/users.ts";
import { type AppEnv, SESSION_COOKIE } from "../env.ts";
import { requireAuth, requireSameOrigin } from "../middleware/auth.ts";
import { clientIp } from "../middleware/client_address.ts";
import { jsonBody } from "../middleware/errors.ts";

export function authRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const ctx = (c: Context) => ({
    ip: clientIp(c, deps.config.trustedProxies),
    userAgent: c.req.header("user-agent") ?? "",
  });
  const sessionCookie = (c: Context, r: auth.SessionResult) =>
    setCookie(c, SESSION_COOKIE, r.token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: deps.config.secureCookies,
      path: "/",
      expires: new Date(r.expiresAt),
    });

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
