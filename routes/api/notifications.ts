/**
 * /api/notifications: a person's notification preferences, per-conversation levels, pause, push devices,
 * the VAPID public key, who is in do not disturb; the workspace defaults. /notifications/unsubscribe: the
 * signed one-click unsubscribe link of mails (RFC 8058), which needs no session.
 */
import { Hono } from "hono";
import * as n from "../../domain/notifications/mine.ts";
import { ensureKeys } from "../../domain/notifications/keys.ts";
import { notifyText } from "../../domain/notifications/mail_i18n.ts";
import { generateVapidKeys } from "../../notifications/web_push.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";

export function notificationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  app.get("/", async (c) => c.json(await n.mine(deps, c.get("actor"))));
  app.patch("/", async (c) => c.json(await n.update(deps, c.get("actor"), await jsonBody(c))));
  app.post("/pause", async (c) => c.json(await n.pause(deps, c.get("actor"), await jsonBody(c))));
  app.put(
    "/levels/:channelId",
    async (c) => c.json(await n.setLevel(deps, c.get("actor"), idParam(c, "channelId"), await jsonBody(c))),
  );
  app.get("/dnd", async (c) => c.json({ userIds: await n.dndNow(deps, c.get("actor")) }));
  app.get("/push/key", async (c) => {
    c.get("actor");
    const keys = await ensureKeys(deps.db, generateVapidKeys);
    return c.json({ publicKey: keys.vapidPublicKey });
  });
  app.get("/push/devices", async (c) => c.json({ devices: await n.devices(deps, c.get("actor")) }));
  app.post("/push/devices", async (c) =>
    c.json(
      {
        device: await n.subscribe(deps, c.get("actor"), await jsonBody(c), c.req.header("user-agent") ?? ""),
      },
      201,
    ));
  app.delete("/push/devices/:id", async (c) => {
    await n.unsubscribeDevice(deps, c.get("actor"), idParam(c, "id"));
    return c.json({ ok: true });
  });
  app.get("/workspace", async (c) => c.json(await n.workspaceSettings(deps, c.get("actor"))));
  app.patch(
    "/workspace",
    async (c) => c.json(await n.updateWorkspaceSettings(deps, c.get("actor"), await jsonBody(c))),
  );
  return app;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>${title}</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">` +
  `<main>${body}</main></body></html>`;

/** The one-click unsubscribe link: GET asks (mail scanners follow links), POST unsubscribes. */
export function unsubscribeRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const params = (c: { req: { query(k: string): string | undefined } }) => ({
    userId: Number(c.req.query("u")),
    token: c.req.query("t") ?? "",
  });
  app.get("/unsubscribe", (c) => {
    const { userId, token } = params(c);
    const tx = notifyText("en");
    const action = `/notifications/unsubscribe?u=${encodeURIComponent(String(userId))}&t=${
      encodeURIComponent(token)
    }`;
    c.header("Cache-Control", "no-store");
    return c.html(page(
      tx.unsubscribeConfirm,
      `<h1>${tx.unsubscribeConfirm}</h1><form method="post" action="${action}">` +
        `<input type="hidden" name="List-Unsubscribe" value="One-Click">` +
        `<button type="submit">${tx.unsubscribeConfirm}</button></form>`,
    ));
  });
  app.post("/unsubscribe", async (c) => {
    const { userId, token } = params(c);
    const keys = await ensureKeys(deps.db, generateVapidKeys);
    await n.unsubscribeEmail(deps, keys.linkSecret, userId, token);
    const tx = notifyText("en");
    return c.html(
      page(tx.unsubscribedTitle, `<h1>${tx.unsubscribedTitle}</h1><p>${tx.unsubscribedBody}</p>`),
    );
  });
  return app;
}
