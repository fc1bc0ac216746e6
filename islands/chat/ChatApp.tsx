/**
 * The full-page chat app at /chat: header, three-section sidebar, conversation, thread pane, dialogs and
 * toasts. Rendered on the server with the data the page already has (so the sidebar is there at first
 * paint) and hydrated in the browser, where `ParleyClient` keeps every signal current.
 */
import { useEffect } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { Avatar, cx, IconGear, IconSearch, IconX, PresenceDot } from "../../components/ui.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Conversation, ThreadPane } from "./Conversation.tsx";
import { SettingsDialog } from "./SettingsDialog.tsx";
import { BrowseDialog, CreateChannelDialog, NewChatDialog, QuickSwitcher } from "./Dialogs.tsx";
import { ChannelSettingsDialog } from "./ChannelSettings.tsx";
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
  statusOf,
  toast,
  useApp,
} from "./state.ts";
import { startLiveSettings } from "./live_settings.ts";
import { AdminBanners } from "./AdminBanners.tsx";
import type { Me, ParleyClient, UserInfo } from "../../realtime/client.ts";
import type { ChannelSummary, PublicSettings } from "../../realtime/protocol.ts";
import { effect, signal } from "@preact/signals";
import { VisitorsPanel } from "./visitors/VisitorsPanel.tsx";

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
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        ui.dialog.value = ui.dialog.value?.kind === "switcher" ? null : { kind: "switcher" };
      } else if (
        e.key === "Escape" && !ui.dialog.value && ui.threadId.value !== null && !e.defaultPrevented
      ) {
        ui.threadId.value = null;
      }
    };
    const onOnline = () => client.reconnectNow();
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
    };
  }, []);
}

export function parseRoute(path: string): { channelId: number | null; messageId: number | null } {
  const m = /^\/chat(?:\/(\d+))?(?:\/(\d+))?\/?$/.exec(path);
  return { channelId: m?.[1] ? Number(m[1]) : null, messageId: m?.[2] ? Number(m[2]) : null };
}

function Header() {
  const { client, ui } = useApp();
  const me = client.me.value;
  const st = me ? statusOf(client, me.id) : null;
  return (
    <header class="flex items-center gap-2 md:gap-3 px-3 py-2 bg-sidebar border-b border-line">
      <a href="/chat" class="font-extrabold text-lg text-fg mr-1 md:mr-3 flex items-center gap-1.5">
        <span aria-hidden="true">💬</span>
        <span class="hidden sm:inline">{t("app.name")}</span>
      </a>
      <div class="relative flex-1 max-w-xl">
        <span class="absolute left-2 top-1/2 -translate-y-1/2 text-muted">
          <IconSearch width="16" height="16" />
        </span>
        <input
          type="search"
          aria-label={t("header.search")}
          placeholder={t("header.searchPlaceholder")}
          value={ui.filter.value}
          onInput={(e) => {
            ui.filter.value = (e.target as HTMLInputElement).value;
            ui.mobileView.value = "list";
          }}
          class="w-full rounded-md border border-line bg-input text-fg pl-8 pr-2 py-1.5 text-sm"
        />
      </div>
      <button
        type="button"
        title={t("header.newChatLabel")}
        onClick={() => (ui.dialog.value = { kind: "newChat" })}
        class="px-2.5 py-1.5 rounded-md bg-accent text-accent-fg text-sm font-semibold whitespace-nowrap"
      >
        {t("header.newChat")}
      </button>
      <button
        type="button"
        aria-label={t("header.settings")}
        title={t("header.settings")}
        onClick={() => (ui.dialog.value = { kind: "settings" })}
        class="p-1.5 rounded-md text-fg hover:bg-hover"
      >
        <IconGear />
      </button>
      {me && (
        <div class="hidden md:flex items-center gap-2 pl-2 border-l border-line">
          <span class="relative">
            <Avatar name={me.displayName} id={me.id} size={28} />
            <span class="absolute -bottom-0.5 -right-0.5">
              <PresenceDot status={st!.status} />
            </span>
          </span>
          <span
            class="text-sm text-fg max-w-[10rem] truncate"
            title={t("header.you", { name: me.displayName })}
          >
            {me.displayName}
          </span>
          <button
            type="button"
            class="text-sm text-muted hover:text-fg underline"
            onClick={async () => {
              await client.rest.logout().catch(() => {});
              location.assign("/login");
            }}
          >
            {t("header.logout")}
          </button>
        </div>
      )}
    </header>
  );
}

function Toasts() {
  const { ui, navigate } = useApp();
  return (
    <div role="status" aria-live="polite" class="fixed bottom-4 left-4 z-40 flex flex-col gap-2 max-w-sm">
      {ui.toasts.value.map((x) => (
        <div
          key={x.id}
          class={cx(
            "flex items-start gap-2 rounded-lg shadow-lg px-3 py-2 text-sm border",
            x.tone === "error" ? "bg-danger-bg border-danger text-fg" : "bg-main border-line text-fg",
          )}
        >
          {x.channelId
            ? (
              <button
                type="button"
                class="flex-1 text-left underline-offset-2 hover:underline"
                onClick={() => navigate(x.channelId!)}
              >
                {x.text}
              </button>
            )
            : <span class="flex-1">{x.text}</span>}
          <button
            type="button"
            aria-label={t("toast.dismiss")}
            onClick={() => (ui.toasts.value = ui.toasts.value.filter((y) =>
              y.id !== x.id
            ))}
            class="text-muted hover:text-fg"
          >
            <IconX width="14" height="14" />
          </button>
        </div>
      ))}
    </div>
  );
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
  return (
    <div class="h-full flex flex-col bg-main text-fg">
      <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:bg-main focus:p-2">
        {t("app.skip")}
      </a>
      <Header />
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
          <Sidebar />
        </div>
        <main id="main" class={cx("flex-1 min-w-0", list ? "hidden md:block" : "block")}>
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
        <VisitorsPanel />
      </div>
      <Toasts />
      <Dialogs />
    </div>
  );
}
