/**
 * /api/visitor: the visitor's REST API. Authenticated by the conversation's secret token in the
 * `X-Parley-Visitor` header (never a cookie: the widget runs in an iframe on a host site, where third-party
 * cookies and storage are blocked), so it needs no CSRF check. Each call reaches only that token's
 * conversation. Start and the offline form name the workspace with `?workspace=<slug>`.
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/errors.ts";
import { clientIp } from "../middleware/client_address.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as presenceRepo from "../../db/repos/visitor_presence.ts";
import { notFound } from "../../domain/errors.ts";
import { authenticateVisitor } from "../../domain/visitor/access.ts";
import * as lifecycle from "../../domain/visitor/lifecycle.ts";
import * as chat from "../../domain/visitor/chat.ts";
import { emailTranscript, transcript } from "../../domain/visitor/transcript.ts";
import { visitorAttach, visitorOpen } from "../../domain/visitor/files.ts";
import { fileResponse } from "../api/files.ts";
import { idParam } from "../middleware/errors.ts";
import { offlineMessage } from "../../domain/visitor/tickets.ts";
import { publicSettings, readVisitorSettings } from "../../domain/visitor/settings.ts";

export const VISITOR_HEADER = "x-parley-visitor";

export async function workspaceOf(deps: Deps, slug: string | undefined): Promise<number> {
  const ws = await workspacesRepo.bySlug(deps.db, slug || deps.config.defaultWorkspace);
  if (!ws) throw notFound("No such workspace");
  return ws.id;
}

export function visitorRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const visitor = async (c: Context) => {
    const v = await authenticateVisitor(deps, c.req.header(VISITOR_HEADER));
    await presenceRepo.touchVisitors(deps.db, [v.conversationId]);
    return v;
  };

  app.get("/config", async (c) => {
    const ws = await workspaceOf(deps, c.req.query("workspace"));
    const s = await readVisitorSettings(deps.db, ws);
    // Public data, read by the loader on host sites.
    c.header("access-control-allow-origin", "*");
    return c.json({ settings: publicSettings(s), open: await lifecycle.isOpen(deps, deps.db, ws, s) });
  });
  app.post("/start", async (c) => {
    const ws = await workspaceOf(deps, c.req.query("workspace"));
    const r = await lifecycle.start(deps, ws, await jsonBody(c), {
      ip: clientIp(c, deps.config.trustedProxies),
      userAgent: c.req.header("user-agent") ?? "",
    });
    return c.json({ conversation: r.conversation }, r.created ? 201 : 200);
  });
  app.post("/offline", async (c) => {
    const ws = await workspaceOf(deps, c.req.query("workspace"));
    return c.json(
      await offlineMessage(deps, ws, await jsonBody(c), clientIp(c, deps.config.trustedProxies)),
      201,
    );
  });
  app.get(
    "/conversation",
    async (c) => c.json({ conversation: await lifecycle.viewOf(deps, await visitor(c)) }),
  );
  app.post("/messages", async (c) => {
    const v = await visitor(c);
    return c.json(
      await chat.visitorSend(deps, v, await jsonBody(c), clientIp(c, deps.config.trustedProxies)),
      201,
    );
  });
  app.post("/typing", async (c) => {
    const v = await visitor(c);
    const b = await jsonBody(c) as { typing?: unknown };
    return c.json(await chat.visitorTyping(deps, v, b?.typing === true));
  });
  app.post("/seen", async (c) => {
    const v = await visitor(c);
    const b = await jsonBody(c) as { seq?: unknown };
    return c.json(await chat.visitorSeen(deps, v, b?.seq));
  });
  app.post(
    "/end",
    async (c) => c.json({ conversation: await lifecycle.endByVisitor(deps, await visitor(c)) }),
  );
  app.post("/rating", async (c) => {
    const v = await visitor(c);
    return c.json(await lifecycle.rate(deps, v, await jsonBody(c)), 201);
  });
  app.get("/transcript", async (c) => {
    const v = await visitor(c);
    const text = await transcript(deps, v);
    return new Response(text, {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="chat-${v.conversationId}.txt"`,
        "cache-control": "no-store",
      },
    });
  });
  app.post("/files", async (c) => {
    const v = await visitor(c);
    const len = c.req.header("content-length");
    const r = await visitorAttach(deps, v, {
      name: c.req.query("name") ?? "file",
      size: len !== undefined && /^\d{1,12}$/.test(len) ? Number(len) : null,
      body: c.req.raw.body,
    }, clientIp(c, deps.config.trustedProxies));
    return c.json(r, 201);
  });
  app.get("/files/:id", async (c) => {
    const v = await visitor(c);
    const variant = c.req.query("variant") === "thumb" ? "thumb" : "original";
    const o = await visitorOpen(deps, v, idParam(c, "id"), { variant, range: c.req.header("range") });
    return fileResponse(o, variant);
  });
  app.post("/transcript/email", async (c) => {
    const v = await visitor(c);
    const ip = clientIp(c, deps.config.trustedProxies);
    return c.json(await emailTranscript(deps, v, await jsonBody(c), ip), 202);
  });
  return app;
}
