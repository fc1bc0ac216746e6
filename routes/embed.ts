/**
 * /embed/widget.js: the one-script-tag loader for host applications. On Parley's own origin (behind a
 * proxy) it exchanges the host's signed JWT for a cookie session (POST /api/auth/sso); on another origin
 * for a short bearer session bound to that origin (POST /api/auth/embed, over CORS), refreshed with a
 * fresh JWT before it lapses. Then it imports the hashed widget bundle and mounts it in a shadow root.
 * The JWT comes from `data-token-endpoint`, `data-token`, `window.ParleyConfig.getToken` or
 * `Parley.init({ getToken })`. The page routes `/embed/open` (a new tab of the full app) are here too.
 * See docs/widget.md.
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
  var foreign = base !== location.origin;
  var endpoint = s.getAttribute("data-token-endpoint");
  var cfg = ${JSON.stringify(cfg).replace(/</g, "\\u003c")};
  var getToken = null;
  var started = false;
  // The host's JWT: from Parley.init({ getToken }) / window.ParleyConfig, data-token (once), or the
  // host's token endpoint (fetched with the host's cookies).
  var staticToken = s.getAttribute("data-token");
  function hostToken() {
    if (getToken) return Promise.resolve(getToken());
    if (staticToken) { var t = staticToken; staticToken = null; return Promise.resolve(t); }
    if (!endpoint) return Promise.reject(new Error("no token source"));
    return fetch(endpoint, { credentials: "include" }).then(function (r) {
      if (!r.ok) throw new Error("token endpoint answered " + r.status);
      return (r.headers.get("content-type") || "").indexOf("json") >= 0
        ? r.json().then(function (j) { return j.token; })
        : r.text().then(function (t) { return t.trim(); });
    });
  }
  function post(path, body, bearer) {
    var h = { "content-type": "application/json" };
    if (bearer) h.authorization = "Bearer " + bearer;
    return fetch(base + path, {
      method: "POST", credentials: foreign ? "omit" : "include", headers: h, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || ("Parley answered " + r.status));
        return j;
      });
    });
  }
  // Same origin (behind a proxy): a cookie session. Another origin: a short bearer session bound to this
  // origin, refreshed with a fresh JWT before it lapses (docs/widget.md).
  function signIn() {
    if (!foreign) {
      if (!endpoint && !getToken && !staticToken) return Promise.resolve({ ok: true });
      return hostToken().then(function (t) { return post("/api/auth/sso", { token: t }); })
        .then(function () { return { ok: true }; });
    }
    return hostToken().then(function (t) { return post("/api/auth/embed", { token: t }); })
      .then(function (r) { return { ok: true, session: local(r) }; });
  }
  // The lifetime by this browser's clock (it may differ from the server's).
  function local(r) {
    return { token: r.token, expiresAt: new Date(Date.now() + r.expiresIn * 1000).toISOString() };
  }
  function refresh(current) {
    return hostToken().then(function (t) { return post("/api/auth/embed", { token: t }, current); })
      .then(local);
  }
  function start() {
    if (started) return;
    started = true;
    signIn().catch(function (e) { console.warn("Parley: sign-in failed:", e); return { ok: false }; })
      .then(function (r) {
        return import(base + "/static/build/" + cfg.widget).then(function (m) {
          m.mount({
            baseUrl: foreign ? base : "",
            cssUrl: "/static/build/" + cfg.css,
            look: cfg.look,
            signedIn: r.ok,
            session: r.session,
            refresh: foreign ? refresh : undefined,
            theme: s.getAttribute("data-theme") || undefined
          });
        });
      }).catch(function (e) { console.warn("Parley: the widget could not load:", e); });
  }
  window.Parley = {
    init: function (opts) {
      if (opts && opts.getToken) getToken = opts.getToken;
      else if (opts && opts.token) staticToken = opts.token;
      ready();
    }
  };
  var pre = window.ParleyConfig;
  if (pre && pre.getToken) getToken = pre.getToken;
  function ready() {
    if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
  }
  // On another origin the widget waits for a token source: an attribute, ParleyConfig or Parley.init().
  if (!foreign || endpoint || staticToken || getToken) ready();
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
