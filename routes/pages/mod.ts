/**
 * Server-rendered pages: /login, /chat (+ /chat/<channel>, /chat/<channel>/<message>), the demo host pages
 * /demo and /demo/tickets (with the widget), the built assets under /static (hashed files cached forever),
 * and /embed (the widget loader for host applications). The islands are built on start when stale.
 */
import { type Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { SESSION_COOKIE } from "../env.ts";
import { BUILD_DIR, ensureBuilt, type Manifest } from "../../cli/build.ts";
import { type DocumentProps, renderDocument } from "../../components/Document.tsx";
import { pickEncoding } from "../middleware/compress.ts";
import { t } from "../../i18n/mod.ts";
import * as channels from "../../domain/channels.ts";
import * as users from "../../domain/users.ts";
import { ParleyClient } from "../../realtime/client.ts";
import { chatContext, type ChatProps, parseRoute } from "../../islands/chat/ChatApp.tsx";
import { embedRoutes } from "../embed.ts";
import { embedOpenRoutes } from "./embed_open.tsx";
import { adminPages } from "./admin/mod.tsx";
import { invitePages } from "./admin/invite.tsx";
import { meOf, pageActor, safeNext, workspaceSettings } from "./session.ts";
import { chatView, demoView, loginView, logoutView } from "./views.tsx";
import * as auth from "../../domain/auth.ts";
import { requireSameOrigin } from "../middleware/auth.ts";
import { callPages } from "./calls.tsx";

const STATIC_DIR = new URL("../../static/", import.meta.url);
const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  wav: "audio/wav",
  png: "image/png",
  woff2: "font/woff2",
};

const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} } as unknown as Storage;

export async function pageRoutes(
  deps: Deps,
  opts: { log?: (s: string) => void } = {},
): Promise<Hono<AppEnv>> {
  const manifest: Manifest = await ensureBuilt(opts.log);
  const app = new Hono<AppEnv>();
  const doc = (p: DocumentProps) => renderDocument({ ...p, demo: deps.config.demo });
  const html = (body: string, status = 200) =>
    new Response(body, {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
      },
    });

  app.get("/static/build/:file", async (c) => {
    const file = c.req.param("file");
    if (!/^[\w.-]+$/.test(file) || file === "manifest.json" || /\.(br|gz)$/.test(file)) return c.notFound();
    // Bundles are compressed at build time: send the brotli or gzip twin when the client takes it.
    const enc = pickEncoding(c.req.header("accept-encoding"));
    const headers: Record<string, string> = {
      "content-type": TYPES[file.split(".").pop()!] ?? "application/octet-stream",
      "cache-control": "public, max-age=31536000, immutable",
      "access-control-allow-origin": "*",
      "vary": "Accept-Encoding",
    };
    for (const e of enc ? [enc, null] : [null]) {
      try {
        const data = await Deno.readFile(
          new URL(e ? `${file}.${e === "br" ? "br" : "gz"}` : file, BUILD_DIR),
        );
        return new Response(data, { headers: e ? { ...headers, "content-encoding": e } : headers });
      } catch { /* no twin: the plain file */ }
    }
    return c.notFound();
  });

  app.get("/static/:dir{sounds}/:file", (c) => serveStatic(`${c.req.param("dir")}/${c.req.param("file")}`));
  app.get("/static/:file", (c) => serveStatic(c.req.param("file")));

  app.get("/", async (c) => c.redirect((await pageActor(deps, c)) ? "/chat" : "/login"));

  app.get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await pageActor(deps, c)) return c.redirect(next);
    const props = { next, demoPassword: deps.config.demo ? deps.config.demoPassword : null };
    return html(doc({
      title: t("login.title"),
      manifest,
      island: "login",
      props,
      children: loginView(props),
    }));
  });

  app.post("/login", (c) => c.redirect("/login"));

  // Signing out changes state, so it is a POST (a foreign page's link or image cannot sign anyone out);
  // GET only shows the button. The session ends on the server, not just in this browser.
  app.get("/logout", async (c) => {
    if (!(await pageActor(deps, c))) return c.redirect("/login");
    return html(doc({ title: t("logout.title"), manifest, children: logoutView() }));
  });

  app.post("/logout", requireSameOrigin(deps), async (c) => {
    const actor = await pageActor(deps, c);
    if (actor) await auth.logout(deps, actor);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });

  const chatPage = async (c: Context<AppEnv>) => {
    const actor = await pageActor(deps, c);
    if (!actor) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const [me, list, people, ws] = await Promise.all([
      meOf(deps, actor),
      channels.listMine(deps, actor),
      users.search(deps, actor, { limit: "100" }),
      workspaceSettings(deps, actor.workspaceId, actor.userId),
    ]);
    const props: ChatProps = {
      me,
      channels: list,
      users: people,
      settings: ws.settings,
      preferences: ws.preferences!,
      messageChars: deps.config.limits.messageChars,
      route: parseRoute(c.req.path),
    };
    const client = new ParleyClient({ baseUrl: "", storage: noStorage });
    const ctx = chatContext(client, props);
    const current = list.find((x) => x.id === props.route.channelId);
    return html(doc({
      title: current ? `${current.displayName} · ${t("app.name")}` : t("app.title"),
      theme: ws.preferences!.theme,
      manifest,
      island: "chat",
      props,
      children: chatView(ctx),
    }));
  };
  app.get("/chat", chatPage);
  app.get("/chat/:channel{[0-9]+}", chatPage);
  app.get("/chat/:channel{[0-9]+}/:message{[0-9]+}", chatPage);

  const demo = (page: "dashboard" | "tickets") => async (c: Context<AppEnv>) => {
    const actor = await pageActor(deps, c);
    const ws = actor ? await workspaceSettings(deps, actor.workspaceId, actor.userId) : null;
    const me = actor ? await meOf(deps, actor) : null;
    const look = ws?.look;
    return html(doc({
      title: `${page === "tickets" ? t("demo.tickets") : t("demo.dashboard")} · ${t("demo.title")}`,
      manifest,
      theme: ws?.preferences?.theme,
      extraIsland: {
        name: "widget",
        props: {
          cssUrl: `/static/build/${manifest.files.css}`,
          look,
          signedIn: !!actor,
          userTheme: ws?.preferences?.theme,
        },
      },
      children: demoView(page, me),
    }));
  };
  app.get("/demo", demo("dashboard"));
  app.get("/demo/tickets", demo("tickets"));

  app.route("/calls", callPages(deps, manifest, html));

  app.route("/embed", embedRoutes(deps, () => manifest));
  app.route(
    "/embed",
    embedOpenRoutes(deps, (title, body, status) => html(doc({ title, manifest, children: body }), status)),
  );
  app.route("/admin", adminPages(deps, () => manifest));
  app.route("/invite", invitePages(deps, () => manifest));

  return app;
}

async function serveStatic(path: string): Promise<Response> {
  if (!/^[\w-]+(\/[\w.-]+)?\.[a-z0-9]+$/.test(path)) return new Response("Not found", { status: 404 });
  try {
    const data = await Deno.readFile(new URL(path, STATIC_DIR));
    return new Response(data, {
      headers: {
        "content-type": TYPES[path.split(".").pop()!] ?? "application/octet-stream",
        "cache-control": "public, max-age=86400",
      },
    });
  } catch {
    return new Response("Not found", { status: 404 });
  }
}
