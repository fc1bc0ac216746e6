/**
 * /api/admin: live connections and workspace settings. People are managed under /api/admin/people
 * (`admin_console.ts`, audited with reason and address).
 */
import { Hono } from "hono";
import * as admin from "../../domain/admin.ts";
import * as settings from "../../domain/settings/workspace.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/errors.ts";

export function adminRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  app.get(
    "/connections",
    async (c) => c.json({ connections: await admin.connections(deps, c.get("actor")) }),
  );
  app.get("/settings", async (c) => c.json(await settings.adminView(deps, c.get("actor"))));
  app.patch(
    "/settings",
    async (c) => c.json({ settings: await settings.updateSettings(deps, c.get("actor"), await jsonBody(c)) }),
  );
  return app;
}
