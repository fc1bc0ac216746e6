/**
 * Browser entry of the widget. On Parley's own pages it mounts itself from `#parley-widget-props`; host
 * applications load it through `/embed/widget.js`, which calls `mount()`. It always renders inside a shadow
 * root, so the host page's CSS cannot reach it and its CSS cannot reach the host page.
 */
import { render } from "preact";
import { ParleyClient } from "../../realtime/client.ts";
import { themeCss } from "../../components/themes.ts";
import { BASE_CSS } from "../../components/styles.ts";
import { Widget } from "../widget/Widget.tsx";
import { WidgetRinging } from "../calls/WidgetRinging.tsx";
import { DEFAULT_LOOK, WIDGET_CSS, type WidgetLook } from "../widget/look.ts";
import { afterPaint } from "../boot.ts";
import { type EmbedSession, keepAlive, type Refresh } from "../widget/embed_session.ts";

export interface MountOptions {
  /** Parley's origin ("" for the same origin). */
  baseUrl?: string;
  cssUrl: string;
  look?: Partial<WidgetLook>;
  signedIn: boolean;
  /** The host page's choice (`data-theme` of the loader). */
  theme?: string;
  /** The signed-in person's theme preference, when the page knows it. */
  userTheme?: string;
  /** On a host application's origin: the embed session (a bearer token bound to this origin). */
  session?: EmbedSession;
  /** Gets more time for the embed session with a fresh JWT from the host (the loader asks the host). */
  refresh?: Refresh;
}

/** Creates the shadow host, starts a client and renders the widget. Returns an unmount function. */
export function mount(opts: MountOptions): () => void {
  const base = opts.baseUrl ?? "";
  const host = document.createElement("div");
  host.id = "parley-widget";
  host.setAttribute("style", "all:initial");
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = base + opts.cssUrl;
  const style = document.createElement("style");
  style.textContent = themeCss() + BASE_CSS.replace(/html,body\{[^}]*\}body\{[^}]*\}/, "") + WIDGET_CSS;
  const root = document.createElement("div");
  // The person's theme as the server knows it (Parley's own pages), else this browser's copy, else the host's.
  let theme = opts.userTheme ?? opts.theme ?? "auto";
  if (!opts.userTheme) {
    try {
      theme = JSON.parse(localStorage.getItem("parley.prefs") ?? "{}").theme ?? theme;
    } catch { /* ignore */ }
  }
  root.dataset.theme = theme;
  shadow.append(link, style, root);
  const session = opts.session;
  const client = opts.signedIn
    ? new ParleyClient({
      ...(base ? { baseUrl: base } : {}),
      ...(session ? { bearer: () => session.token } : {}),
    })
    : null;
  const stopRefresh = session ? keepAlive(session, opts.refresh) : () => {};
  // With an embed session, "Open in full chat" opens Parley in a new tab with a single-use ticket that
  // becomes a first-party session there (the tab has no Parley cookie of its own).
  const openFull = session && client
    ? (path: string) => {
      const tab = globalThis.open("about:blank", "_blank");
      if (!tab) return;
      tab.opener = null;
      client.rest.ticket("open").then(({ ticket }) => {
        tab.location.href = `${base}/embed/open?ticket=${encodeURIComponent(ticket)}&next=${
          encodeURIComponent(path)
        }`;
      }, () => (tab.location.href = `${base}/login?next=${encodeURIComponent(path)}`));
    }
    : undefined;
  client?.on("preferences_updated", (e) => {
    if (e.type === "preferences_updated") root.dataset.theme = e.preferences.theme;
  });
  client?.start().catch(() => {});
  // Back to this page after signing in, when it is one of Parley's; a host page's path means nothing there.
  const here = encodeURIComponent(location.pathname + location.search);
  // On another origin, "Sign in to chat" asks the host for a fresh token and starts over with a new embed
  // session (after a sign-out, a lapsed session, or a widget that could not sign in when the page loaded).
  const refresh = opts.refresh;
  const signIn = refresh
    ? async () => {
      const next = await refresh("");
      unmount();
      mount({ ...opts, signedIn: true, session: next });
    }
    : undefined;
  render(
    <>
      <Widget
        client={client}
        look={{ ...DEFAULT_LOOK, ...opts.look }}
        chatUrl={`${base}/chat`}
        loginUrl={base ? `${base}/login` : `/login?next=${here}`}
        openFull={openFull}
        signIn={signIn}
      />
      {client && <WidgetRinging client={client} chatUrl={`${base}/chat`} />}
    </>,
    root,
  );
  function unmount() {
    stopRefresh();
    client?.stop();
    render(null, root);
    host.remove();
  }
  return unmount;
}

// On Parley's pages the page itself is painted first; the widget is added after.
const propsEl = document.getElementById("parley-widget-props");
if (propsEl) await afterPaint();
if (propsEl) mount(JSON.parse(propsEl.textContent || "{}") as MountOptions);
