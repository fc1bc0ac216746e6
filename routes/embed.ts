/**
 * /embed/widget.js: the one-script-tag loader for host applications. It exchanges the host's signed JWT
 * (fetched from the host's `data-token-endpoint`) for a Parley session through POST /api/auth/sso, then
 * imports the hashed widget bundle and mounts it in a shadow root. See docs/widget.md.
 *
 * @example
 * <script src="https://parley.example/embed/widget.js" data-token-endpoint="/parley-token" async></script>
 */
import { Hono } from "hono";
import type { Deps } from "../domain/deps.ts";
import type { AppEnv } from "./env.ts";
import type { Manifest } from "../cli/build.ts";
import * as workspacesRepo from "../db/repos/workspaces.ts";
import { publicPart, readSettings } from "../domain/settings/workspace.ts";
import { WORKSPACE_SETTINGS } from "../domain/settings/catalog.ts";
import { resolveValues } from "../domain/settings/registry.ts";
import { lookFromSettings } from "../islands/widget/look.ts";
import { onColor } from "../components/themes.ts";

export function loaderScript(cfg: { widget: string; css: string; look: unknown }): string {
  return `/* Parley widget loader. Docs: /docs/widget.md */
(function () {
  var s = document.currentScript;
  if (!s || window.__parleyWidgetLoaded) return;
  window.__parleyWidgetLoaded = true;
  var base = new URL(s.src, location.href).origin;
  var endpoint = s.getAttribute("data-token-endpoint");
  var cfg = ${JSON.stringify(cfg).replace(/</g, "\\u003c")};
  function signIn() {
    if (!endpoint) return Promise.resolve(true);
    return fetch(endpoint, { credentials: "include" })
      .then(function (r) {
        if (!r.ok) throw new Error("token endpoint answered " + r.status);
        return (r.headers.get("content-type") || "").indexOf("json") >= 0
          ? r.json().then(function (j) { return j.token; })
          : r.text().then(function (t) { return t.trim(); });
      })
      .then(function (token) {
        return fetch(base + "/api/auth/sso", {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token: token })
        });
      })
      .then(function (r) { return r.ok; })
      .catch(function (e) { console.warn("Parley: sign-in failed:", e); return false; });
  }
  function start() {
    signIn().then(function (ok) {
      return import(base + "/static/build/" + cfg.widget).then(function (m) {
        m.mount({
          baseUrl: base === location.origin ? "" : base,
          cssUrl: "/static/build/" + cfg.css,
          look: cfg.look,
          signedIn: ok,
          theme: s.getAttribute("data-theme") || undefined
        });
      });
    }).catch(function (e) { console.warn("Parley: the widget could not load:", e); });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
`;
}

export function embedRoutes(deps: Deps, manifest: () => Manifest) {
  const app = new Hono<AppEnv>();
  app.get("/widget.js", async () => {
    const ws = await workspacesRepo.bySlug(deps.db, deps.config.defaultWorkspace);
    const values = ws ? await readSettings(deps.db, ws.id) : resolveValues(WORKSPACE_SETTINGS, {});
    const look = lookFromSettings(publicPart(values), onColor);
    const m = manifest();
    return new Response(loaderScript({ widget: m.files.widget, css: m.files.css, look }), {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        // Short: the loader names the current hashed bundle, which changes with every release.
        "cache-control": "public, max-age=300",
        "access-control-allow-origin": "*",
      },
    });
  });
  return app;
}
