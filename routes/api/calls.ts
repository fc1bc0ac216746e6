/** /api/chat/calls: ICE servers, live calls, call history and ratings. Ringing and signaling are WebSocket actions. */
import { Hono } from "hono";
import * as calls from "../../domain/calls.ts";
import { iceConfig } from "../../domain/call_ice.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";

export function callRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  app.get("/ice", (c) => {
    c.header("cache-control", "no-store");
    return c.json(iceConfig(deps.config.calls, c.get("actor"), deps.now()));
  });
  app.get("/", async (c) => c.json({ calls: await calls.live(deps, c.get("actor")) }));
  app.get(
    "/history",
    async (c) => c.json({ calls: await calls.history(deps, c.get("actor"), c.req.query()) }),
  );
  app.post("/:id/rating", async (c) => {
    await calls.rate(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c));
    return c.json({ ok: true });
  });
  return app;
}
