/**
 * Builds the Hono app from its sub-apps. `main.ts` calls this with the wired dependencies; tests call it
 * too and use `app.request()` with no server.
 */
import { Hono } from "hono";
import type { Deps } from "../domain/deps.ts";
import type { AppEnv } from "./env.ts";
import { errorResponse } from "./middleware/errors.ts";
import { securityPolicy } from "./middleware/csp.ts";
import { hostCors } from "./middleware/cors.ts";
import { type BodyLimitRule, limitBodies } from "./middleware/body_limit.ts";
import { UPLOAD_BODY_LIMIT } from "./api/files.ts";
import { compress } from "./middleware/compress.ts";
import { notFoundPage, wantsHtml } from "../components/not_found.ts";
import { authRoutes } from "./api/auth.ts";
import { chatRoutes } from "./api/chat.ts";
import { callRoutes } from "./api/calls.ts";
import { openapiRoutes } from "./api/openapi.ts";
import { adminRoutes } from "./api/admin.ts";
import { adminConsoleRoutes, broadcastRoutes, invitationRoutes } from "./api/admin_console.ts";
import { adminRolesRoutes } from "./api/admin_roles.ts";
import { notificationRoutes, unsubscribeRoutes } from "./api/notifications.ts";
import { pwaRoutes } from "./pwa.ts";
import { visitorRoutes } from "./visitor/api.ts";
import { visitorStaffRoutes } from "./visitor/staff.ts";

export interface AppParts {
  /** Extra sub-apps mounted by main.ts (the WebSocket gateway, pages), keyed by mount path. */
  mounts?: [string, Hono<AppEnv>][];
  /** Larger (or smaller) body limits for some paths than BODY_LIMIT_BYTES, e.g. an upload route. */
  bodyLimits?: BodyLimitRule[];
}

export function createApp(deps: Deps, parts: AppParts = {}) {
  const app = new Hono<AppEnv>();
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) =>
    wantsHtml(c.req.path, c.req.header("accept"))
      ? c.html(notFoundPage(c.req.path), 404)
      : c.json({ error: { code: "not_found", message: "No such endpoint" } }, 404)
  );
  // First, so no route reads a body before its size is known to be acceptable.
  app.use("*", limitBodies(deps.config.limits.bodyBytes, [UPLOAD_BODY_LIMIT, ...(parts.bodyLimits ?? [])]));
  app.use("*", securityPolicy(deps.config.frameAncestors));
  app.use("*", compress());
  app.use("/api/*", hostCors(deps));
  app.use("*", async function securityHeaders(c, next) {
    await next();
    // Not on a WebSocket upgrade's 101 (no document follows it): setting a header on a response already
    // made copies it, a cost paid by every socket that connects. Its checks (body limit, origin, session,
    // rates) all ran before the 101 was made.
    if (c.res.status === 101) return;
    // On the response's own headers: Hono's c.header() after next() wraps the body in a new Response, which
    // makes it a stream (its closures survive the scavenges).
    const set = (k: string, v: string) => {
      try {
        c.res.headers.set(k, v);
      } catch {
        c.header(k, v); // immutable headers (Response.redirect, a fetched response): as before
      }
    };
    set("X-Content-Type-Options", "nosniff");
    set("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("X-Frame-Options") && c.req.path.startsWith("/api/")) {
      set("X-Frame-Options", "DENY");
    }
  });
  app.get("/healthz", async (c) => {
    await deps.db.query("SELECT 1");
    return c.json({ ok: true, engine: deps.db.engine, instance: deps.config.instanceId });
  });
  app.route("/", pwaRoutes());
  app.route("/api/auth", authRoutes(deps));
  app.route("/api", openapiRoutes(deps));
  for (const [path, sub] of parts.mounts ?? []) app.route(path, sub);
  app.route("/api/chat/calls", callRoutes(deps));
  app.route("/api/chat", chatRoutes(deps));
  app.route("/api/admin", adminRoutes(deps));
  app.route("/api/admin", adminConsoleRoutes(deps));
  app.route("/api/admin/roles", adminRolesRoutes(deps));
  app.route("/api/broadcasts", broadcastRoutes(deps));
  app.route("/api/invitations", invitationRoutes(deps));
  app.route("/api/notifications", notificationRoutes(deps));
  app.route("/notifications", unsubscribeRoutes(deps));
  app.route("/api/visitor", visitorRoutes(deps));
  app.route("/api/visitors", visitorStaffRoutes(deps));
  return app;
}
