/**
 * /admin: the admin console, one server-rendered page per tab hydrated by the `admin` island. Each tab is
 * checked on the server (islands/admin/tabs.ts says which permission opens it); people without any are
 * refused with 403. The tab's first data comes from the same domain functions the API calls.
 */
import { type Context, Hono } from "hono";
import type { Actor, Deps } from "../../../domain/deps.ts";
import type { AppEnv } from "../../env.ts";
import type { Manifest } from "../../../cli/build.ts";
import { renderDocument } from "../../../components/Document.tsx";
import { AdminApp, type AdminProps } from "../../../islands/admin/AdminApp.tsx";
import { allowedTabs, type TabId, TABS } from "../../../islands/admin/tabs.ts";
import * as people from "../../../domain/admin/people.ts";
import * as channels from "../../../domain/admin/channels.ts";
import * as roles from "../../../domain/admin/roles.ts";
import * as audit from "../../../domain/admin/audit.ts";
import * as control from "../../../domain/admin/control.ts";
import * as retention from "../../../domain/admin/retention.ts";
import { dashboard } from "../../../domain/admin/dashboard.ts";
import { analytics } from "../../../domain/admin/analytics.ts";
import { monitorChoices } from "../../../domain/admin/monitor.ts";
import { adminView, readSettings } from "../../../domain/settings/workspace.ts";
import { pageActor, workspaceSettings } from "../session.ts";
import { escapeHtml } from "../../../components/html.ts";

async function tabData(deps: Deps, actor: Actor, tab: TabId): Promise<unknown> {
  switch (tab) {
    case "dashboard":
      return await dashboard(deps, actor);
    case "people":
      return await people.list(deps, actor, {});
    case "analytics":
      return await analytics(deps, actor, {});
    case "monitor":
      return await monitorChoices(deps, actor);
    case "channels":
      return await channels.list(deps, actor, {});
    case "audit":
      return await audit.search(deps, actor, {});
    case "roles":
      return await roles.overview(deps, actor);
    case "settings":
      return await adminView(deps, actor);
    case "control": {
      const s = await readSettings(deps.db, actor.workspaceId);
      const canBroadcast = actor.permissions.has("chat.system_broadcast");
      return {
        maintenance: s["control.maintenance"],
        message: s["control.maintenance_message"],
        broadcasts: canBroadcast ? await control.listBroadcasts(deps, actor) : [],
        canBroadcast,
        retention: await retention.overview(deps, actor),
        engine: deps.db.engine,
      };
    }
    default:
      return null;
  }
}

export function adminPages(deps: Deps, manifest: () => Manifest): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const html = (body: string, status = 200) =>
    new Response(body, {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-frame-options": "DENY",
      },
    });
  const refused = (why: string) =>
    html(
      renderDocument({
        title: "Not allowed · Parley admin",
        manifest: manifest(),
        children: (
          <main class="p-8 max-w-lg">
            <h1 class="text-2xl font-bold mb-3">Not allowed</h1>
            <p class="mb-3">{why}</p>
            <a class="underline text-link" href="/chat">Back to chat</a>
          </main>
        ),
      }),
      403,
    );

  const page = async (c: Context<AppEnv>) => {
    const actor = await pageActor(deps, c);
    if (!actor) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const tabs = allowedTabs(actor.permissions);
    if (!tabs.length) return refused("The admin console is for administrators and moderators.");
    const wanted = c.req.param("tab");
    if (!wanted) return c.redirect(`/admin/${tabs[0]}`);
    const tab = TABS.find((t) => t.id === wanted)?.id;
    if (!tab) return c.notFound();
    if (!tabs.includes(tab)) return refused(`You do not have the permission to open ${escapeHtml(tab)}.`);
    const [data, ws] = await Promise.all([
      tabData(deps, actor, tab),
      workspaceSettings(deps, actor.workspaceId, actor.userId),
    ]);
    const props: AdminProps = { tab, tabs, me: { displayName: actor.displayName, role: actor.role }, data };
    return html(renderDocument({
      title: `${TABS.find((t) => t.id === tab)!.label} · Parley admin`,
      theme: ws.preferences?.theme,
      manifest: manifest(),
      island: "admin",
      props,
      children: (
        <div id="admin-island" class="h-full">
          <AdminApp {...props} />
        </div>
      ),
    }));
  };
  app.get("/", page);
  app.get("/:tab", page);
  return app;
}
