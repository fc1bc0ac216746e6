/** Server-rendered pages. The chat UI issue fills this in; for now the root points at the API docs. */
import { Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";

export function pageRoutes(_deps: Deps): Promise<Hono<AppEnv>> {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => c.redirect("/api/docs"));
  return Promise.resolve(app);
}
