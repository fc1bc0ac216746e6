/** /api/visitors: the staff side of visitor chat (the Visitors panel in /chat). Session-authenticated. */
import { Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";
import * as staff from "../../domain/visitor/staff.ts";
import * as routing from "../../domain/visitor/routing.ts";
import * as chat from "../../domain/visitor/chat.ts";
import * as tickets from "../../domain/visitor/tickets.ts";
import { staffOpen } from "../../domain/visitor/files.ts";
import { fileResponse } from "../api/files.ts";

export function visitorStaffRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  const id = (c: Parameters<typeof idParam>[0]) => idParam(c, "id");

  app.get("/overview", async (c) => c.json(await staff.overview(deps, c.get("actor"))));
  app.put(
    "/availability",
    async (c) => c.json({ agent: await routing.setAvailability(deps, c.get("actor"), await jsonBody(c)) }),
  );
  app.get("/agents", async (c) => c.json({ agents: await staff.agents(deps, c.get("actor")) }));
  app.get("/ratings", async (c) => c.json(await staff.ratings(deps, c.get("actor"))));
  app.get("/conversations/:id", async (c) => c.json(await staff.conversation(deps, c.get("actor"), id(c))));
  app.post("/conversations/:id/claim", async (c) => c.json(await routing.claim(deps, c.get("actor"), id(c))));
  app.post("/conversations/:id/messages", async (c) => {
    const body = await jsonBody(c) as Record<string, unknown>;
    const { note, ...rest } = body && typeof body === "object" ? body : {};
    return c.json(await chat.agentSend(deps, c.get("actor"), id(c), rest, note === true), 201);
  });
  app.post("/conversations/:id/typing", async (c) => {
    const b = await jsonBody(c) as { typing?: unknown };
    return c.json(await chat.agentTyping(deps, c.get("actor"), id(c), b?.typing === true));
  });
  app.post("/conversations/:id/seen", async (c) => {
    const b = await jsonBody(c) as { seq?: unknown };
    return c.json(await chat.agentSeen(deps, c.get("actor"), id(c), b?.seq));
  });
  app.post(
    "/conversations/:id/transfer",
    async (c) => c.json(await routing.transfer(deps, c.get("actor"), id(c), await jsonBody(c))),
  );
  app.post(
    "/conversations/:id/end",
    async (c) => c.json(await staff.endByAgent(deps, c.get("actor"), id(c))),
  );
  app.post(
    "/conversations/:id/escalate",
    async (c) => c.json(await staff.escalate(deps, c.get("actor"), id(c), await jsonBody(c))),
  );
  app.get("/files/:id", async (c) => {
    const variant = c.req.query("variant") === "thumb" ? "thumb" : "original";
    const o = await staffOpen(deps, c.get("actor"), id(c), { variant, range: c.req.header("range") });
    return fileResponse(o, variant);
  });
  app.get("/tickets", async (c) => c.json({ tickets: await tickets.listTickets(deps, c.get("actor")) }));
  app.get(
    "/tickets/:id",
    async (c) => c.json({ ticket: await tickets.getTicket(deps, c.get("actor"), id(c)) }),
  );
  app.post(
    "/messages/:id/ticket",
    async (c) => c.json({ ticket: await tickets.ticketFromMessage(deps, c.get("actor"), id(c)) }, 201),
  );
  app.get(
    "/webhooks/deliveries",
    async (c) => c.json({ deliveries: await tickets.deliveryLog(deps, c.get("actor")) }),
  );
  return app;
}
