/**
 * The full-page chat app at /chat: header, three-section sidebar, conversation, thread pane, dialogs and
 * toasts. Rendered on the server with the data the page already has (so the sidebar is there at first
 * paint) and hydrated in the browser, where `ParleyClient` keeps every signal current.
 */
import { useEffect } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { cx } from "../../components/ui.tsx";
import { Header } from "./Header.tsx";
import { ConnectionBanner, Toasts } from "./Toasts.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Conversation, ThreadPane } from "./Conversation.tsx";
import { FilesPane } from "./files/FilesPane.tsx";
import {
  BrowseDialog,
  ChannelSettingsDialog,
  CreateChannelDialog,
  NewChatDialog,
  QuickSwitcher,
  SettingsDialog,
} from "./lazy.tsx";
import { startNotifications } from "./notify.ts";
import { setKnown } from "./markdown.ts";
import {
  AppContext,
  type AppCtx,
  applyTheme,
  createUi,
  makeCtx,
  type Prefs,
  settingsView,
  toast,
  useApp,
} from "./state.ts";
import { startLiveSettings } from "./live_settings.ts";
import { AdminBanners } from "./AdminBanners.tsx";
import type { Me, ParleyClient, UserInfo } from "../../realtime/client.ts";
import type { ChannelSummary, PublicSettings } from "../../realtime/protocol.ts";
import { effect, signal } from "@preact/signals";
import { VisitorsEntry, VisitorsPanel } from "./visitors/VisitorsPanel.tsx";

/** What the server hands the island: enough to render the sidebar before the client has loaded. */
export interface ChatProps {
  me: Me;
  channels: ChannelSummary[];
  users: UserInfo[];
  /** The public workspace settings (domain/settings/catalog.ts). */
  settings: PublicSettings;
  /** The person's preferences, resolved against the workspace defaults. */
  preferences: Prefs;
  messageChars: number;
  route: { channelId: number | null; messageId: number | null };
}

/** Seeds a client's signals from the page props and builds the app context around it. */
export function chatContext(client: ParleyClient, props: ChatProps): AppCtx {
  client.me.value = props.me;
  client.channels.value = props.channels;
  client.users.value = Object.fromEntries(props.users.map((u) => [u.id, u]));
  client.counts.value = Object.fromEntries(
    props.channels.map((
      c,
    ) => [c.id, { unread: c.unread ?? 0, mentions: c.mentions ?? 0, lastReadSeq: c.lastReadSeq ?? 0 }]),
  );
  const ui = createUi(props.route, props.preferences);
  const navigate = (channelId: number | null, messageId: number | null = null) => {
    const path = channelId === null
      ? "/chat"
      : messageId
      ? `/chat/${channelId}/${messageId}`
      : `/chat/${channelId}`;
    if (location.pathname !== path) history.pushState(null, "", path);
    ui.channelId.value = channelId;
    ui.jumpTo.value = messageId;
    ui.threadId.value = null;
    ui.editing.value = null;
    ui.mobileView.value = channelId === null ? "list" : "conversation";
  };
  return makeCtx(client, ui, settingsView(signal(props.settings), props.messageChars), navigate);
}

/** The island root in the browser. */
export function ChatRoot({ ctx }: { ctx: AppCtx }) {
  useBrowserWiring(ctx);
  return <ChatApp ctx={ctx} />;
}

export function ChatApp({ ctx }: { ctx: AppCtx }) {
  return (
    <AppContext.Provider value={ctx}>
      <Shell />
    </AppContext.Provider>
  );
}

/** Browser-only wiring: start the client, routing, shortcuts, notifications. */
export function useBrowserWiring(ctx: AppCtx) {
  useEffect(() => {
    const { client, ui } = ctx;
    applyTheme(ui.prefs.value.theme);
    const stopLive = startLiveSettings(ctx);
    const stopKnown = effect(() => {
      const users = new Map<string, number>();
      for (const u of Object.values(client.users.value)) users.set(u.username.toLowerCase(), u.id);
      const channels = new Map<string, number>();
      for (const c of client.channels.value) if (c.name) channels.set(c.name.toLowerCase(), c.id);
      setKnown({ users, channels, me: client.me.value?.username ?? "" });
    });
    const stopNotify = startNotifications(ctx);
    const offRevoked = client.on("session_revoked", () => (ui.sessionEnded.value = true));
    client.start().catch((e) => {
      if (e?.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      else toast(ui, t("app.error", { message: e?.message ?? String(e) }), "error");
    });
    const onPop = () => {
      const r = parseRoute(location.pathname);
      ui.channelId.value = r.channelId;
      ui.jumpTo.value = r.messageId;
      ui.threadId.value = null;
      ui.mobileView.value = r.channelId ? "conversation" : "list";
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        stepConversation(ctx, e.key === "ArrowDown" ? 1 : -1);
      } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        ui.dialog.value = ui.dialog.value?.kind === "switcher" ? null : { kind: "switcher" };
      } else if (
        e.key === "Escape" && !ui.dialog.value && ui.threadId.value !== null && !e.defaultPrevented
      ) {
        ui.threadId.value = null;
      } else if (e.key === "Escape" && !ui.dialog.value && ui.filesOpen.value && !e.defaultPrevented) {
        ui.filesOpen.value = false;
      }
    };
    // Retry at once when the browser is online again or the tab comes back.
    const onOnline = () => client.reconnectNow();
    const onVisible = () => document.visibilityState === "visible" && client.reconnectNow();
    document.addEventListener("visibilitychange", onVisible);
    addEventListener("popstate", onPop);
    addEventListener("keydown", onKey);
    addEventListener("online", onOnline);
    return () => {
      stopKnown();
      stopNotify();
      stopLive();
      offRevoked();
      client.stop();
      removeEventListener("popstate", onPop);
      removeEventListener("keydown", onKey);
      removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);
}

/** Alt+↑/↓: the previous or next conversation in the sidebar's order. */
function stepConversation(ctx: AppCtx, dir: 1 | -1) {
  const links = [
    ...document.querySelectorAll<HTMLAnchorElement>("nav[data-conversations] a[data-channel-id]"),
  ];
  if (!links.length) return;
  const ids = links.map((a) => Number(a.dataset.channelId));
  const i = ids.indexOf(ctx.ui.channelId.value ?? -1);
  const next = ids[i < 0 ? (dir > 0 ? 0 : ids.length - 1) : (i + dir + ids.length) % ids.length];
  ctx.navigate(next);
}

export function parseRoute(path: string): { channelId: number | null; messageId: number | null } {
  const m = /^\/chat(?:\/(\d+))?(?:\/(\d+))?\/?$/.exec(path);
  return { channelId: m?.[1] ? Number(m[1]) : null, messageId: m?.[2] ? Number(m[2]) : null };
}

function Dialogs() {
  const { ui, client } = useApp();
  const d = ui.dialog.value;
  const close = () => (ui.dialog.value = null);
  if (!d) return null;
  if (d.kind === "settings") return <SettingsDialog onClose={close} />;
  if (d.kind === "newChat") return <NewChatDialog onClose={close} />;
  if (d.kind === "create") return <CreateChannelDialog onClose={close} />;
  if (d.kind === "browse") return <BrowseDialog onClose={close} />;
  if (d.kind === "switcher") return <QuickSwitcher onClose={close} />;
  const ch = client.channels.value.find((c) => c.id === d.channelId);
  return ch ? <ChannelSettingsDialog channel={ch} onClose={close} /> : null;
}

function Shell() {
  const ctx = useApp();
  const { ui, current, client } = ctx;
  const ch = current.value;
  const list = ui.mobileView.value === "list";
  const visitors = ui.mobileView.value === "visitors";
  return (
    <div
      class={cx("h-full flex flex-col bg-main text-fg", client.status.value !== "open" && "presence-stale")}
    >
      <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:bg-main focus:p-2">
        {t("app.skip")}
      </a>
      <Header />
      <ConnectionBanner />
      <AdminBanners />
      {ui.sessionEnded.value && (
        <div role="alert" class="px-4 py-2 bg-danger-bg text-fg text-sm flex gap-3">
          {t("app.sessionEnded")} <a class="underline font-semibold" href="/login">{t("app.signInAgain")}</a>
        </div>
      )}
      <div class="flex flex-1 min-h-0">
        <div
          class={cx("bg-sidebar border-r border-line shrink-0 md:w-64 md:block", list ? "w-full" : "hidden")}
        >
          <VisitorsEntry />
          <Sidebar />
        </div>
        <main id="main" class={cx("flex-1 min-w-0", list || visitors ? "hidden md:block" : "block")}>
          {ch
            ? <Conversation key={ch.id} channel={ch} />
            : (
              <div class="h-full flex items-center justify-center p-8 text-center text-muted">
                {ui.channelId.value !== null && client.status.value === "open"
                  ? t("conv.notFound")
                  : t("conv.pick", { key: "Ctrl+K" })}
              </div>
            )}
        </main>
        {ch && ui.threadId.value !== null && (
          <ThreadPane key={ui.threadId.value} channel={ch} parentId={ui.threadId.value} />
        )}
        {ch && ui.threadId.value === null && ui.filesOpen.value && <FilesPane key={ch.id} channel={ch} />}
        <VisitorsPanel />
      </div>
      <Toasts />
      <Dialogs />
    </div>
  );
}
