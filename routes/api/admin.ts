/** /api/admin: people, live connections and workspace settings (permission checks in domain/admin.ts). */
import { Hono } from "hono";
import * as admin from "../../domain/admin.ts";
import * as accounts from "../../domain/accounts.ts";
import * as settings from "../../domain/settings/workspace.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";

export function adminRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  app.post(
    "/users",
    async (c) => c.json({ user: await accounts.createUser(deps, c.get("actor"), await jsonBody(c)) }, 201),
  );
  app.post(
    "/users/:id/password",
    async (c) =>
      c.json({
        user: await accounts.resetPassword(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c)),
      }),
  );
  app.post(
    "/users/:id/deactivate",
    async (c) => c.json({ user: await admin.setDeactivated(deps, c.get("actor"), idParam(c, "id"), true) }),
  );
  app.post(
    "/users/:id/reactivate",
    async (c) => c.json({ user: await admin.setDeactivated(deps, c.get("actor"), idParam(c, "id"), false) }),
  );
  app.put(
    "/users/:id/role",
    async (c) =>
      c.json({ user: await admin.setRole(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c)) }),
  );
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
