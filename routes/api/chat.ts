/** /api/chat: channels, members, direct messages and groups, messages, reactions, threads, users. */
import { Hono } from "hono";
import * as channels from "../../domain/channels.ts";
import * as members from "../../domain/members.ts";
import * as messages from "../../domain/messages.ts";
import * as users from "../../domain/users.ts";
import * as presence from "../../domain/presence.ts";
import * as accounts from "../../domain/accounts.ts";
import * as settings from "../../domain/settings/workspace.ts";
import * as preferences from "../../domain/preferences/user.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { admit, requireAuth, sessionRefused, tokenFrom } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";
import { fileRoutes } from "./files.ts";
import { searchRoutes } from "./search.ts";

export function chatRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  // A history page (the REST call made most often) reads its session in the page's own statement: one round
  // trip instead of two (bench/notes/history_page.md, "The latest history page in one round trip", fourteenth
  // pass). The same checks as `requireAuth` (`admit`); registered before it, so it answers alone. A bad
  // channel id goes on to `requireAuth` and the route below, which refuses it after the session as every
  // route does.
  app.get("/channels/:id/messages", async function historyPage(c, next) {
    let channelId: number;
    try {
      channelId = idParam(c, "id");
    } catch {
      return await next();
    }
    const { token, via } = tokenFrom(c);
    const text = await messages.historyForToken(
      deps,
      token,
      channelId,
      c.req.query(),
      (actor) => admit(c, deps, actor, token, via),
    );
    if (text === null) throw sessionRefused(token);
    return c.body(text, 200, { "content-type": "application/json" });
  });
  app.use("*", requireAuth(deps));
  app.route("/", fileRoutes(deps));
  app.route("/", searchRoutes(deps));

  // channels
  app.get("/channels", async (c) => c.json({ channels: await channels.listMine(deps, c.get("actor")) }));
  app.get(
    "/channels/browse",
    async (c) => c.json({ channels: await channels.browsePublic(deps, c.get("actor"), c.req.query()) }),
  );
  app.post(
    "/channels",
    async (c) => c.json({ channel: await channels.create(deps, c.get("actor"), await jsonBody(c)) }, 201),
  );
  app.get(
    "/channels/:id",
    async (c) => c.json({ channel: await channels.get(deps, c.get("actor"), idParam(c, "id")) }),
  );
  app.patch(
    "/channels/:id",
    async (c) =>
      c.json({ channel: await channels.update(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c)) }),
  );
  app.post(
    "/channels/:id/archive",
    async (c) =>
      c.json({ channel: await channels.update(deps, c.get("actor"), idParam(c, "id"), { archived: true }) }),
  );
  app.post(
    "/channels/:id/unarchive",
    async (c) =>
      c.json({ channel: await channels.update(deps, c.get("actor"), idParam(c, "id"), { archived: false }) }),
  );
  app.delete("/channels/:id", async (c) => {
    await channels.remove(deps, c.get("actor"), idParam(c, "id"));
    return c.json({ ok: true });
  });
  app.post(
    "/channels/:id/join",
    async (c) => c.json({ channel: await channels.join(deps, c.get("actor"), idParam(c, "id")) }),
  );
  app.post("/channels/:id/leave", async (c) => {
    await channels.leave(deps, c.get("actor"), idParam(c, "id"));
    return c.json({ ok: true });
  });

  // members
  app.get(
    "/channels/:id/members",
    async (c) => c.json({ members: await members.list(deps, c.get("actor"), idParam(c, "id")) }),
  );
  app.post(
    "/channels/:id/members",
    async (c) =>
      c.json({ members: await members.add(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c)) }),
  );
  app.delete("/channels/:id/members/:userId", async (c) => {
    await members.remove(deps, c.get("actor"), idParam(c, "id"), idParam(c, "userId"));
    return c.json({ ok: true });
  });
  app.patch("/channels/:id/members/:userId", async (c) =>
    c.json({
      members: await members.setRole(
        deps,
        c.get("actor"),
        idParam(c, "id"),
        idParam(c, "userId"),
        await jsonBody(c),
      ),
    }));
  app.post(
    "/channels/:id/members/:userId/block",
    async (c) =>
      c.json({
        members: await members.setBlocked(deps, c.get("actor"), idParam(c, "id"), idParam(c, "userId"), true),
      }),
  );
  app.post(
    "/channels/:id/members/:userId/unblock",
    async (c) =>
      c.json({
        members: await members.setBlocked(
          deps,
          c.get("actor"),
          idParam(c, "id"),
          idParam(c, "userId"),
          false,
        ),
      }),
  );

  // direct messages and groups
  app.post(
    "/direct",
    async (c) => c.json({ channel: await channels.openDirect(deps, c.get("actor"), await jsonBody(c)) }),
  );
  app.post(
    "/groups",
    async (c) => c.json({ channel: await channels.openGroup(deps, c.get("actor"), await jsonBody(c)) }, 201),
  );

  // messages
  app.get(
    "/channels/:id/messages",
    // Reached only with a bad channel id (`historyPage` above answers the rest), refused here after the
    // session. The page's JSON text as Postgres built it (`messages.historyResponse`), c.json's content type.
    async (c) =>
      c.body(await messages.historyResponse(deps, c.get("actor"), idParam(c, "id"), c.req.query()), 200, {
        "content-type": "application/json",
      }),
  );
  app.post("/channels/:id/messages", async (c) => {
    const body = await jsonBody(c);
    const input = body && typeof body === "object" ? { ...body, channelId: idParam(c, "id") } : body;
    const r = await messages.send(deps, c.get("actor"), input);
    return c.json({ message: r.message }, r.created ? 201 : 200);
  });
  app.post(
    "/channels/:id/read",
    async (c) => c.json(await messages.markRead(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c))),
  );
  app.get(
    "/messages/:id",
    async (c) => c.json({ message: await messages.get(deps, c.get("actor"), idParam(c, "id")) }),
  );
  app.patch(
    "/messages/:id",
    async (c) =>
      c.json({ message: await messages.edit(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c)) }),
  );
  app.delete("/messages/:id", async (c) => {
    await messages.remove(deps, c.get("actor"), idParam(c, "id"));
    return c.json({ ok: true });
  });
  app.get(
    "/messages/:id/thread",
    async (c) => c.json(await messages.thread(deps, c.get("actor"), idParam(c, "id"))),
  );
  app.post("/messages/:id/reactions", async (c) => {
    await messages.react(deps, c.get("actor"), idParam(c, "id"), await jsonBody(c), true);
    return c.json({ message: await messages.get(deps, c.get("actor"), idParam(c, "id")) });
  });
  app.delete("/messages/:id/reactions/:emoji", async (c) => {
    await messages.react(deps, c.get("actor"), idParam(c, "id"), { emoji: c.req.param("emoji") }, false);
    return c.json({ message: await messages.get(deps, c.get("actor"), idParam(c, "id")) });
  });

  // users
  app.get("/users", async (c) => c.json({ users: await users.search(deps, c.get("actor"), c.req.query()) }));
  app.get(
    "/users/:id",
    async (c) => c.json({ user: await users.get(deps, c.get("actor"), idParam(c, "id")) }),
  );
  app.get("/presence", async (c) => c.json({ presence: await presence.snapshot(deps, c.get("actor")) }));
  app.get(
    "/settings",
    async (c) => c.json({ settings: await settings.publicSettings(deps, c.get("actor")) }),
  );
  app.get("/me/preferences", async (c) => c.json(await preferences.mine(deps, c.get("actor"))));
  app.patch(
    "/me/preferences",
    async (c) => c.json(await preferences.update(deps, c.get("actor"), await jsonBody(c))),
  );
  app.put(
    "/me/password",
    async (c) => c.json(await accounts.changeOwnPassword(deps, c.get("actor"), await jsonBody(c))),
  );
  app.put(
    "/me/status",
    async (c) => c.json({ user: await users.setStatus(deps, c.get("actor"), await jsonBody(c)) }),
  );

  return app;
}
