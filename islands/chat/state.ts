/**
 * UI state of the chat app (what is open, preferences, toasts) next to the ParleyClient's data signals, and
 * the context that hands both to every component.
 */
import { createContext } from "preact";
import { useContext, useEffect } from "preact/hooks";
import { computed, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import type { ParleyClient } from "../../realtime/client.ts";
import type { ChannelSummary, Preferences, PublicSettings, UserSummary } from "../../realtime/protocol.ts";
import { resolveTheme, type ThemeId } from "../../components/themes.ts";
import { createNotifyState, levelOf, type NotifyState } from "./notify_state.ts";

/** The person's preferences (domain/preferences/catalog.ts), from the server: they follow the person. */
export type Prefs = Preferences;

export const DEFAULT_PREFS: Prefs = {
  theme: "auto",
  tsFormat: "relative",
  tsPosition: "right",
  sounds: true,
  muteAll: false,
  desktop: false,
  soundVolume: 0.5,
  soundKinds: { message: true, mention: true, visitor: true },
  push: true,
  emailEnabled: true,
  emailDelayMinutes: 60,
  keywords: [],
  quietHours: {},
  pausedUntil: null,
  dndAllow: [],
  timeZone: "UTC",
  language: "en",
};

const PREFS_KEY = "parley.prefs";

/** Keeps a copy in this browser: the widget on other pages and the pre-paint theme script read it. */
export function savePrefs(p: Prefs) {
  try {
    globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify(p));
  } catch { /* private mode */ }
}

/** Switches the page's theme without a reload. */
export function applyTheme(id: ThemeId) {
  if (typeof document === "undefined") return;
  document.documentElement.dataset.theme = id;
  document.documentElement.dataset.resolvedTheme = resolveTheme(id);
}

/**
 * Workspace settings as the components read them, backed by a signal the `settings_updated` event replaces,
 * so a change by the admin shows without a reload.
 */
export interface WorkspaceSettings {
  readonly soundsEnabled: boolean;
  readonly editWindowSeconds: number;
  readonly messageChars: number;
  readonly themesOffered: readonly ThemeId[];
  readonly values: Signal<PublicSettings>;
}

export function settingsView(values: Signal<PublicSettings>, messageChars: number): WorkspaceSettings {
  return {
    values,
    messageChars,
    get soundsEnabled() {
      return values.value["sounds.enabled"];
    },
    get editWindowSeconds() {
      return values.value["messages.edit_window_seconds"];
    },
    get themesOffered() {
      return values.value["appearance.themes_offered"];
    },
  };
}

export type DialogState =
  | null
  | { kind: "settings" }
  | { kind: "newChat" }
  | { kind: "create" }
  | { kind: "browse" }
  | { kind: "channel"; channelId: number }
  | { kind: "switcher" };

export interface Toast {
  id: number;
  text: string;
  tone: "info" | "error";
  channelId?: number;
}

export interface Ui {
  channelId: Signal<number | null>;
  /** A message to scroll to and highlight (deep links, search). */
  jumpTo: Signal<number | null>;
  threadId: Signal<number | null>;
  /** Whether the open conversation's "Files" pane is shown (instead of a thread). */
  filesOpen: Signal<boolean>;
  dialog: Signal<DialogState>;
  filter: Signal<string>;
  prefs: Signal<Prefs>;
  toasts: Signal<Toast[]>;
  /** Phone-sized screens show either the list or the conversation. */
  /** What a phone shows (one pane at a time): the list, a conversation, or the Visitors region. */
  mobileView: Signal<"list" | "conversation" | "visitors">;
  /** The message being edited inline. */
  editing: Signal<number | null>;
  /** Ticks every 30 s so relative times refresh. */
  now: Signal<number>;
  /** Whether the open conversation is scrolled to its newest message. */
  atBottom: Signal<boolean>;
  sessionEnded: Signal<boolean>;
  /** Conversation levels and do not disturb (notify_state.ts). */
  notify: NotifyState;
}

export function createUi(
  initial: { channelId: number | null; messageId: number | null },
  prefs: Prefs = DEFAULT_PREFS,
): Ui {
  return {
    channelId: signal(initial.channelId),
    jumpTo: signal(initial.messageId),
    threadId: signal(null),
    filesOpen: signal(false),
    dialog: signal(null),
    filter: signal(""),
    prefs: signal(prefs),
    toasts: signal([]),
    mobileView: signal<"list" | "conversation" | "visitors">(initial.channelId ? "conversation" : "list"),
    editing: signal(null),
    now: signal(Date.now()),
    atBottom: signal(true),
    sessionEnded: signal(false),
    notify: createNotifyState(),
  };
}

let toastSeq = 0;
export function toast(ui: Ui, text: string, tone: Toast["tone"] = "info", channelId?: number) {
  const id = ++toastSeq;
  ui.toasts.value = [...ui.toasts.value.slice(-3), { id, text, tone, channelId }];
  setTimeout(
    () => (ui.toasts.value = ui.toasts.value.filter((x) => x.id !== id)),
    tone === "error" ? 10000 : 6000,
  );
}

export interface AppCtx {
  client: ParleyClient;
  ui: Ui;
  settings: WorkspaceSettings;
  current: ReadonlySignal<ChannelSummary | null>;
  totalUnread: ReadonlySignal<number>;
  navigate: (channelId: number | null, messageId?: number | null) => void;
  userName: (id: number | null) => string;
}

export const AppContext = createContext<AppCtx>(null as unknown as AppCtx);
export const useApp = () => useContext(AppContext);

export function makeCtx(
  client: ParleyClient,
  ui: Ui,
  settings: WorkspaceSettings,
  navigate: AppCtx["navigate"],
): AppCtx {
  const current = computed(() => client.channels.value.find((c) => c.id === ui.channelId.value) ?? null);
  const totalUnread = computed(() =>
    // Muted conversations show a dot in the sidebar and add nothing to the count in the tab title.
    client.channels.value.reduce(
      (s, c) => s + (levelOf(ui.notify, c) === "mute" ? 0 : client.counts.value[c.id]?.unread ?? 0),
      0,
    )
  );
  const userName = (id: number | null) => {
    if (id === null) return "Parley";
    const u: UserSummary | undefined = client.users.value[id] ??
      client.channels.value.flatMap((c) => c.members ?? []).find((m) => m.id === id);
    return u?.displayName ?? `#${id}`;
  };
  return { client, ui, settings, current, totalUnread, navigate, userName };
}

/**
 * A view that shows these people's presence dots follows them while it is mounted (the server sends only
 * the presence a socket subscribed to; conversation partners and oneself are always followed).
 */
export function useFollowPresence(client: ParleyClient, userIds: number[]) {
  const key = userIds.join(",");
  useEffect(() => client.followPresence(key ? key.split(",").map(Number) : []), [client, key]);
}

/** Status of a user: live presence first, then the stored status. */
export function statusOf(client: ParleyClient, id: number) {
  const p = client.presence.value[id];
  const u = client.users.value[id];
  const status = (p?.connections ? p.status : "offline") as "online" | "away" | "busy" | "offline";
  return { status, text: p?.statusText || u?.statusText || "", away: p?.awayMessage || u?.awayMessage || "" };
}
