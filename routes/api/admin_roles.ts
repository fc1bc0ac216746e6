/** /api/admin/roles: custom roles and who holds them (rules in domain/admin/roles.ts). */
import { type Context, Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import * as roles from "../../domain/admin/roles.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";
import { clientIp } from "../middleware/client_address.ts";
import type { Endpoint, Method } from "./openapi_endpoints.ts";
import * as R from "./response_schemas.ts";

export function adminRolesRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  const ctx = (c: Context<AppEnv>) => ({ ip: clientIp(c, deps.config.trustedProxies) });
  app.get("/", async (c) => c.json(await roles.overview(deps, c.get("actor"))));
  app.post(
    "/",
    async (c) => c.json({ role: await roles.create(deps, c.get("actor"), ctx(c), await jsonBody(c)) }, 201),
  );
  app.patch(
    "/:id",
    async (c) =>
      c.json({ role: await roles.update(deps, c.get("actor"), ctx(c), idParam(c, "id"), await jsonBody(c)) }),
  );
  app.delete("/:id", async (c) => {
    await roles.remove(deps, c.get("actor"), ctx(c), idParam(c, "id"));
    return c.json({ ok: true });
  });
  app.put("/:id/holders/:userId", async (c) =>
    c.json({
      role: await roles.assign(deps, c.get("actor"), ctx(c), idParam(c, "id"), idParam(c, "userId")),
    }));
  app.delete("/:id/holders/:userId", async (c) =>
    c.json({
      role: await roles.unassign(deps, c.get("actor"), ctx(c), idParam(c, "id"), idParam(c, "userId")),
    }));
  return app;
}

type E = (
  method: Method,
  path: string,
  tag: string,
  summary: string,
  rest: Omit<Endpoint, "method" | "path" | "tag" | "summary" | "auth"> & { auth?: boolean },
) => Endpoint;

const RULES = "chat.manage_users; only roles ranked below the caller's own and holding only permissions " +
  "the caller holds.";

export function adminRolesEndpoints(e: E): Endpoint[] {
  const a = "/api/admin/roles";
  return [
    e("get", a, "Admin", "Permissions, built-in roles, custom roles and who holds them", {
      description: "chat.manage_users.",
      ok: [[200, "Roles", R.RolesOverview]],
    }),
    e("post", a, "Admin", "Create a custom role", {
      description: `${RULES} The rank is a built-in role below admin; the permissions replace that role's ` +
        "defaults for the holders. Audited (`role_created`).",
      body: ["CustomRoleInput", roles.RoleInput],
      ok: [[201, "The role", R.CustomRoleResponse]],
      errors: [409],
    }),
    e("patch", `${a}/:id`, "Admin", "Rename a custom role or change its rank or permissions", {
      description: `${RULES} Holders act with the new permissions from their next action (open sockets ` +
        "included). Audited (`role_changed`).",
      body: ["CustomRolePatch", roles.RolePatch],
      ok: [[200, "The role", R.CustomRoleResponse]],
      errors: [404, 409],
    }),
    e("delete", `${a}/:id`, "Admin", "Delete a custom role nobody holds", {
      description:
        `${RULES} Refused with 409 \`role_in_use\` while anyone holds it. Audited (\`role_deleted\`).`,
      ok: [[200, "Deleted", R.Ok]],
      errors: [404, 409],
    }),
    e("put", `${a}/:id/holders/:userId`, "Admin", "Give a person a custom role", {
      description: `${RULES} The person must rank below the caller. Audited (\`role_assigned\`).`,
      ok: [[200, "The role", R.CustomRoleResponse]],
      errors: [404],
    }),
    e("delete", `${a}/:id/holders/:userId`, "Admin", "Take a custom role from a person", {
      description: `${RULES} They keep the built-in role of its rank. Audited (\`role_unassigned\`).`,
      ok: [[200, "The role", R.CustomRoleResponse]],
      errors: [404],
    }),
  ];
}
