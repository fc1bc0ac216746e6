/**
 * Visitor pages: `/support` (the full-page guest chat), `/support/frame` (the same chat inside the widget's
 * iframe on a host site) and `/embed/visitor.js` (the one-script-tag loader for host sites). See
 * docs/visitor-chat.md for why the widget is an iframe whose token lives in the host page's storage.
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { ensureBuilt, type Manifest } from "../../cli/build.ts";
import { renderDocument } from "../../components/Document.tsx";
import { onColor } from "../../components/themes.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import { readVisitorSettings, type VisitorSettings } from "../../domain/visitor/settings.ts";
import { loaderScript } from "./loader.ts";

function lookCss(s: VisitorSettings, frame: boolean): string {
  const c = s.look.color;
  const radius = s.look.shape === "circle" ? "50%" : s.look.shape === "rounded" ? "16px" : "4px";
  return `.v-primary{background:${c};color:${onColor(c)}}` +
    `.v-launcher{width:56px;height:56px;border:0;border-radius:${radius};font-size:26px;cursor:pointer;` +
    `box-shadow:0 4px 14px rgba(0,0,0,.3)}` +
    (s.look.animation === "bounce"
      ? `.v-launcher{animation:vb 1s ease 2}@keyframes vb{50%{transform:translateY(-6px)}}`
      : s.look.animation === "pulse"
      ? `.v-launcher{animation:vp 1.5s ease 2}@keyframes vp{50%{transform:scale(1.08)}}`
      : "") +
    `@media (prefers-reduced-motion:reduce){.v-launcher{animation:none}}` +
    (frame
      ? `html,body{background:transparent!important;height:100%;margin:0}#visitor-island{height:100%;display:flex;align-items:flex-end;justify-content:${
        s.look.position === "bottom-left" ? "flex-start" : "flex-end"
      }}#visitor-island>section{width:100%;border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3)}`
      : "");
}

export async function visitorPageRoutes(deps: Deps): Promise<Hono<AppEnv>> {
  const manifest: Manifest = await ensureBuilt(() => {});
  const app = new Hono<AppEnv>();
  const workspace = async (c: Context) => {
    const slug = c.req.query("workspace") || deps.config.defaultWorkspace;
    const ws = await workspacesRepo.bySlug(deps.db, slug);
    return ws ? { slug, id: ws.id, name: ws.name } : null;
  };
  const page = (s: VisitorSettings, title: string, props: unknown, frame: boolean, wsName: string) =>
    renderDocument({
      title,
      manifest,
      island: "visitor",
      props,
      children: (
        <>
          <style>{lookCss(s, frame)}</style>
          {frame
            ? <main id="visitor-island" />
            : (
              <main class="min-h-full flex items-start justify-center bg-sidebar p-4">
                <div class="w-full max-w-lg flex flex-col gap-2">
                  <p class="text-sm text-muted text-center">{wsName} support</p>
                  <div
                    id="visitor-island"
                    class="h-[80vh] min-h-[28rem] rounded-xl overflow-hidden border border-line shadow"
                  >
                    <p class="p-4 text-sm">Loading the chat…</p>
                  </div>
                </div>
              </main>
            )}
        </>
      ),
    });

  app.get("/support", async (c) => {
    const ws = await workspace(c);
    if (!ws) return c.text("No such workspace", 404);
    const s = await readVisitorSettings(deps.db, ws.id);
    return c.html(
      page(s, `${s.look.title} · ${ws.name}`, { mode: "page", workspace: ws.slug }, false, ws.name),
      200,
      {
        "cache-control": "no-store",
        "x-frame-options": "DENY",
      },
    );
  });

  app.get("/support/frame", async (c) => {
    const ws = await workspace(c);
    if (!ws) return c.text("No such workspace", 404);
    const s = await readVisitorSettings(deps.db, ws.id);
    let host = "";
    try {
      host = new URL(c.req.query("host") ?? "").origin;
    } catch { /* refused below */ }
    if (!host || host === "null" || host !== c.req.query("host")) {
      return c.text("host: the embedding page's origin", 400);
    }
    if (s.host_origins.length && !s.host_origins.includes(host)) {
      return c.text("This site may not embed the chat", 403);
    }
    const ancestors = s.host_origins.length ? s.host_origins.join(" ") : "*";
    return c.html(page(s, s.look.title, { mode: "frame", workspace: ws.slug, host }, true, ws.name), 200, {
      "cache-control": "no-store",
      "content-security-policy": `frame-ancestors ${ancestors}`,
    });
  });

  app.get("/embed/visitor.js", () =>
    new Response(loaderScript(), {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=300",
        "access-control-allow-origin": "*",
      },
    }));
  return app;
}
