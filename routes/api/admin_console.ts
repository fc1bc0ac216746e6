/**
 * /api/admin endpoints of the admin console (people, channels, audit log, control panel), /api/broadcasts
 * (any signed-in person: pending broadcasts and acknowledgements) and /api/invitations (setting a password
 * from a one-time link). Permission checks live in domain/admin/.
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import * as audit from "../../domain/admin/audit.ts";
import * as people from "../../domain/admin/people.ts";
import * as channels from "../../domain/admin/channels.ts";
import * as control from "../../domain/admin/control.ts";
import { dashboard } from "../../domain/admin/dashboard.ts";
import * as retention from "../../domain/admin/retention.ts";
import * as analytics from "../../domain/admin/analytics.ts";
import * as monitor from "../../domain/admin/monitor.ts";
import * as purge from "../../domain/admin/purge.ts";
import { backup } from "../../domain/admin/backup.ts";
import type { AppEnv } from "../env.ts";
import { requireAuth, requireSameOrigin } from "../middleware/auth.ts";
import { idParam, jsonBody } from "../middleware/errors.ts";
import { clientIp } from "../middleware/client_address.ts";

export function adminConsoleRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  const ctx = (c: Context<AppEnv>) => ({
    ip: clientIp(c, deps.config.trustedProxies),
    origin: new URL(c.req.url).origin,
  });
  const query = (c: Context<AppEnv>) => c.req.query();

  app.get("/dashboard", async (c) => c.json(await dashboard(deps, c.get("actor"))));
  app.get("/analytics", async (c) => c.json(await analytics.analytics(deps, c.get("actor"), query(c))));
  app.get("/analytics/export", async (c) => {
    const out = await analytics.csv(deps, c.get("actor"), query(c));
    return new Response(out.body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${out.name}"`,
        "cache-control": "no-store",
      },
    });
  });
  app.get("/monitor", async (c) => c.json(await monitor.read(deps, c.get("actor"), ctx(c), query(c))));
  app.get("/monitor/export", async (c) => {
    const out = await monitor.exportStream(deps, c.get("actor"), ctx(c), query(c));
    return new Response(out.stream, {
      headers: {
        "content-type": out.contentType,
        "content-disposition": `attachment; filename="${out.filename}"`,
        "x-total-count": String(out.total),
        "cache-control": "no-store",
      },
    });
  });
  app.get("/people", async (c) => c.json(await people.list(deps, c.get("actor"), query(c))));
  app.post(
    "/people",
    async (c) => c.json(await people.create(deps, c.get("actor"), ctx(c), await jsonBody(c)), 201),
  );
  app.put("/people/:id/role", async (c) =>
    c.json({
      user: await people.setRole(deps, c.get("actor"), ctx(c), idParam(c, "id"), await jsonBody(c)),
    }));
  app.post("/people/:id/deactivate", async (c) =>
    c.json({
      user: await people.setActive(deps, c.get("actor"), ctx(c), idParam(c, "id"), false, await jsonBody(c)),
    }));
  app.post("/people/:id/reactivate", async (c) =>
    c.json({
      user: await people.setActive(deps, c.get("actor"), ctx(c), idParam(c, "id"), true, await jsonBody(c)),
    }));
  app.post("/people/:id/password", async (c) =>
    c.json({
      user: await people.setPassword(deps, c.get("actor"), ctx(c), idParam(c, "id"), await jsonBody(c)),
    }));
  app.post(
    "/people/:id/password-reset",
    async (c) => c.json(await people.resetPassword(deps, c.get("actor"), ctx(c), idParam(c, "id"))),
  );
  app.post("/people/:id/sign-out", async (c) => {
    await people.signOut(deps, c.get("actor"), ctx(c), idParam(c, "id"));
    return c.json({ ok: true });
  });
  app.get(
    "/people/:id/tabs",
    async (c) => c.json({ tabs: await people.tabs(deps, c.get("actor"), idParam(c, "id")) }),
  );

  app.get("/channels", async (c) => c.json(await channels.list(deps, c.get("actor"), query(c))));
  app.post(
    "/channels/:id/archive",
    async (c) =>
      c.json({ channel: await channels.setArchived(deps, c.get("actor"), ctx(c), idParam(c, "id"), true) }),
  );
  app.post(
    "/channels/:id/unarchive",
    async (c) =>
      c.json({ channel: await channels.setArchived(deps, c.get("actor"), ctx(c), idParam(c, "id"), false) }),
  );
  app.post("/channels/:id/delete", async (c) => {
    await channels.remove(deps, c.get("actor"), ctx(c), idParam(c, "id"), await jsonBody(c));
    return c.json({ ok: true });
  });

  app.get(
    "/channels/:id/members",
    async (c) => c.json(await channels.members(deps, c.get("actor"), idParam(c, "id"), query(c))),
  );
  app.put("/channels/:id/owners/:userId", async (c) =>
    c.json({
      channel: await channels.setOwner(
        deps,
        c.get("actor"),
        ctx(c),
        idParam(c, "id"),
        idParam(c, "userId"),
        await jsonBody(c),
      ),
    }));
  app.put(
    "/channels/:id/legal-hold",
    async (c) =>
      c.json(await retention.setLegalHold(deps, c.get("actor"), ctx(c), idParam(c, "id"), await jsonBody(c))),
  );
  app.get("/retention", async (c) => c.json(await retention.overview(deps, c.get("actor"))));
  app.post(
    "/retention/run",
    async (c) => c.json(await retention.runNow(deps, c.get("actor"), ctx(c), await jsonBody(c))),
  );

  app.get("/backup", async (c) => {
    const b = await backup(deps, c.get("actor"), ctx(c));
    return new Response(b.stream, {
      headers: {
        "content-type": b.contentType,
        "content-disposition": `attachment; filename="${b.filename}"`,
        ...(b.size !== null ? { "content-length": String(b.size) } : {}),
        ...(b.databaseBytes !== null ? { "x-database-bytes": String(b.databaseBytes) } : {}),
        "cache-control": "no-store",
        // Already compressed (gzip tarball, pg_dump's custom format): not again by the middleware.
        "content-encoding": "identity",
      },
    });
  });
  app.post(
    "/purge/dry-run",
    async (c) => c.json(await purge.dryRun(deps, c.get("actor"), ctx(c), await jsonBody(c))),
  );
  app.post("/purge", async (c) => {
    const p = await purge.start(deps, c.get("actor"), ctx(c), await jsonBody(c));
    return new Response(progressStream(p.cutoff, p.totals, p.steps), {
      headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" },
    });
  });

  app.get("/audit", async (c) => c.json(await audit.search(deps, c.get("actor"), query(c))));
  app.get("/audit/export", async (c) => {
    const stream = await audit.exportCsv(deps, c.get("actor"), ctx(c), query(c));
    return new Response(stream, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="audit-log.csv"',
        "cache-control": "no-store",
      },
    });
  });

  app.put(
    "/maintenance",
    async (c) => c.json(await control.setMaintenance(deps, c.get("actor"), ctx(c), await jsonBody(c))),
  );
  app.post(
    "/sign-out-everyone",
    async (c) => c.json(await control.signOutEveryone(deps, c.get("actor"), ctx(c))),
  );
  app.get(
    "/broadcasts",
    async (c) => c.json({ broadcasts: await control.listBroadcasts(deps, c.get("actor")) }),
  );
  app.post(
    "/broadcasts",
    async (c) =>
      c.json({ broadcast: await control.broadcast(deps, c.get("actor"), ctx(c), await jsonBody(c)) }, 201),
  );
  app.get(
    "/broadcasts/:id",
    async (c) => c.json(await control.report(deps, c.get("actor"), idParam(c, "id"))),
  );
  app.post(
    "/broadcasts/:id/end",
    async (c) => c.json(await control.endBroadcast(deps, c.get("actor"), ctx(c), idParam(c, "id"))),
  );
  return app;
}

/**
 * A purge's progress as NDJSON: `{"cutoff","totals"}`, then `{"kind","done","total"}` per batch, then
 * `{"finished":true,"counts"}` (or `{"error"}`). The purge goes on to the end if the client leaves.
 */
function progressStream(
  cutoff: string,
  totals: purge.Counts,
  steps: AsyncGenerator<purge.Progress, purge.Counts>,
) {
  const enc = new TextEncoder();
  const line = (o: unknown) => enc.encode(JSON.stringify(o) + "\n");
  return new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(line({ cutoff, totals }));
    },
    async pull(c) {
      try {
        const r = await steps.next();
        if (r.done) {
          c.enqueue(line({ finished: true, counts: r.value }));
          c.close();
        } else c.enqueue(line(r.value));
      } catch (e) {
        console.error("purge:", e);
        c.enqueue(line({ error: "The purge stopped on an error; what went is in the audit log" }));
        c.close();
      }
    },
    async cancel() {
      // The client left: finish the purge anyway (it is audited when it ends).
      try {
        while (!(await steps.next()).done) { /* keep going */ }
      } catch (e) {
        console.error("purge:", e);
      }
    },
  });
}

/** Broadcasts as every signed-in person sees them. */
export function broadcastRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireAuth(deps));
  app.get("/pending", async (c) => c.json({ broadcasts: await control.pending(deps, c.get("actor")) }));
  app.post(
    "/:id/ack",
    async (c) => c.json(await control.acknowledge(deps, c.get("actor"), idParam(c, "id"))),
  );
  return app;
}

/** Setting a password from an invitation or reset link (no session: the link is the credential). */
export function invitationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use("*", requireSameOrigin(deps));
  app.post("/accept", async (c) => c.json(await people.acceptInvite(deps, await jsonBody(c))));
  return app;
}
