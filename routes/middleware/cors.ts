/**
 * CORS for the staff widget embedded by host applications on other origins (docs/widget.md). Only origins
 * on some workspace's `widget.host_origins` list get `Access-Control-Allow-Origin`, and never
 * `Access-Control-Allow-Credentials`: a foreign page can use Parley's API only with a bearer token (an embed
 * session, itself bound to one origin and workspace by `requireAuth`), never with the session cookie. A
 * preflight from any other origin is refused with 403. Same-origin requests, and the visitor API (which has
 * its own rules), pass through untouched.
 */
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../../domain/deps.ts";
import { anyHostAllows, originOf } from "../../domain/embed.ts";
import type { AppEnv } from "../env.ts";
import { ownOrigin } from "./client_address.ts";

const METHODS = "GET, POST, PUT, PATCH, DELETE";
const HEADERS = "authorization, content-type";

export function hostCors(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function hostCors(c, next) {
    const raw = c.req.header("origin");
    if (!raw || !c.req.path.startsWith("/api/") || c.req.path.startsWith("/api/visitor/")) {
      return await next();
    }
    const origin = originOf(raw);
    if (origin && origin === ownOrigin(c, deps.config.trustedProxies)) return await next();
    const allowed = !!origin && await anyHostAllows(deps, origin);
    const preflight = c.req.method === "OPTIONS" && !!c.req.header("access-control-request-method");
    if (preflight) {
      if (!allowed) {
        return c.json(
          { error: { code: "origin_not_allowed", message: "This origin may not call Parley" } },
          403,
        );
      }
      return c.body(null, 204, {
        "access-control-allow-origin": origin!,
        "access-control-allow-methods": METHODS,
        "access-control-allow-headers": HEADERS,
        "access-control-max-age": "600",
        vary: "Origin",
      });
    }
    await next();
    c.res.headers.append("vary", "Origin");
    if (allowed) {
      c.res.headers.set("access-control-allow-origin", origin!);
      c.res.headers.set("access-control-expose-headers", "retry-after");
    }
  };
}
