/**
 * Authentication and CSRF protection.
 *
 * A request authenticates with the `parley_session` cookie (browsers) or `Authorization: Bearer <token>`.
 * CSRF: state-changing requests authenticated by cookie must carry an `Origin` (or, failing that, `Referer`)
 * equal to the server's own origin or one of ALLOWED_ORIGINS; otherwise they are refused with 403. Bearer
 * requests are not subject to it (a foreign page cannot set that header without the token). The cookie is
 * also SameSite=Lax, which stops cross-site POSTs in current browsers on its own. An embed session (the staff
 * widget on a host application's origin, docs/widget.md) is a bearer token usable only from its own origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { authenticate } from "../../domain/auth.ts";
import { embedOriginOk, originOf } from "../../domain/embed.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { AppError, unauthenticated } from "../../domain/errors.ts";
import { type AppEnv, SESSION_COOKIE } from "../env.ts";
import { normaliseOrigin, ownOrigin } from "./client_address.ts";

export function tokenFrom(c: Context): { token: string | null; via: "cookie" | "bearer" } {
  const h = c.req.header("authorization");
  if (h?.toLowerCase().startsWith("bearer ")) return { token: h.slice(7).trim(), via: "bearer" };
  return { token: getCookie(c, SESSION_COOKIE) ?? null, via: "cookie" };
}

/**
 * Is the request's `Origin` (or, failing that, `Referer`) our own origin or one of ALLOWED_ORIGINS?
 * Scheme, host and port are all compared: `https://host` or `ws://host` do not pass on an http server.
 */
export function originAllowed(c: Context, deps: Pick<Deps, "config">): boolean {
  const { allowedOrigins, trustedProxies } = deps.config;
  let origin = c.req.header("origin");
  if (!origin) {
    const ref = c.req.header("referer");
    if (!ref) return false;
    origin = ref;
  }
  const theirs = normaliseOrigin(origin);
  if (!theirs) return false;
  if (theirs === ownOrigin(c, trustedProxies)) return true;
  return allowedOrigins.some((a) => normaliseOrigin(a) === theirs);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Requires a live session; sets `actor`. */
export function requireAuth(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function requireAuth(c, next) {
    const { token, via } = tokenFrom(c);
    await admit(c, deps, await authenticate(deps, token), token, via);
    await next();
  };
}

/** The 401 of a request without a live session (`token`: the one it carried, if any). */
export function sessionRefused(token: string | null): AppError {
  return unauthenticated(token ? "Your session has ended; sign in again" : "Sign in first");
}

/**
 * `requireAuth`'s checks of an actor already authenticated from the request's `token` (null: none, or no
 * live session): 401 without an actor, the Origin check of cookie writes, an embed session's origin; then
 * sets `actor`. For a route that reads the session in its own statement (the history page: routes/api/chat.ts).
 */
export async function admit(
  c: Context<AppEnv>,
  deps: Deps,
  actor: Actor | null,
  token: string | null,
  via: "cookie" | "bearer",
): Promise<void> {
  if (!actor) throw sessionRefused(token);
  if (via === "cookie" && !SAFE.has(c.req.method) && !originAllowed(c, deps)) {
    throw new AppError("csrf", 403, "Cross-site request refused (Origin check)");
  }
  // An embed session works only from the host origin it was opened from, while that is allowed.
  if (actor.embedOrigin && !(await embedOriginOk(deps, actor, originOf(c.req.header("origin"))))) {
    throw new AppError("origin_not_allowed", 403, "This session may not be used from this origin");
  }
  c.set("actor", actor);
  c.set("authVia", via);
}

/** CSRF check for endpoints that use no session yet (login). */
export function requireSameOrigin(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function requireSameOrigin(c, next) {
    const hasCookie = !!getCookie(c, SESSION_COOKIE);
    const fromBrowser = !!(c.req.header("origin") || c.req.header("sec-fetch-site"));
    if (
      (hasCookie || fromBrowser) && !SAFE.has(c.req.method) && !originAllowed(c, deps)
    ) {
      throw new AppError("csrf", 403, "Cross-site request refused (Origin check)");
    }
    await next();
  };
}
