/** GET /api/chat/search: messages, files, people and channels in one answer (mounted by `chat.ts`). */
import { Hono } from "hono";
import * as search from "../../domain/search.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";

export function searchRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.get("/search", async (c) => c.json(await search.search(deps, c.get("actor"), c.req.query())));
  return app;
}
