/**
 * Notifications: `(N) …` in the tab title and a dot on the favicon while anything is unread, sounds for
 * messages and mentions (only when the administrator's switch and the user's preference allow), the
 * Notification API while the tab is hidden (permission asked from a button, never on load), and toasts.
 */
import { effect } from "@preact/signals";
import type { Message, ServerEvent } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { plainText } from "./text.ts";
import { type AppCtx, toast } from "./state.ts";
import { inDnd, levelOf } from "./notify_state.ts";
import { keywordHit } from "../../shared/keywords.ts";

const FAVICON = (dot: boolean) =>
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="4" width="26" height="20" rx="6" fill="#4f6bed"/>` +
      `<path d="M8 24 6 30l8-6z" fill="#4f6bed"/><path d="M9 12h14M9 17h9" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>` +
      (dot ? `<circle cx="25" cy="7" r="6.5" fill="#e5383b" stroke="#fff" stroke-width="1.5"/>` : "") +
      `</svg>`,
  );

export function setFavicon(dot: boolean) {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.append(link);
  }
  link.type = "image/svg+xml";
  link.href = FAVICON(dot);
  link.dataset.unread = dot ? "1" : "0";
}

const sounds: Record<string, HTMLAudioElement> = {};
export function playSound(kind: "message" | "mention" | "visitor", volume = 0.5) {
  try {
    const a = sounds[kind] ??= new Audio(`/static/sounds/${kind}.wav`);
    a.volume = Math.max(0, Math.min(1, volume));
    a.currentTime = 0;
    void a.play().catch(() => {});
  } catch { /* no audio */ }
}

/** Wires title, favicon and per-message notifications. Returns a cleanup function. */
export function startNotifications(ctx: AppCtx): () => void {
  const { client, ui, settings } = ctx;
  const stopTitle = effect(() => {
    const n = ctx.totalUnread.value;
    const name = ctx.current.value?.displayName;
    const base = name ? `${name} · ${t("app.name")}` : t("app.title");
    document.title = n > 0 ? `(${n}) ${base}` : base;
    setFavicon(n > 0);
  });

  const onMessage = (e: ServerEvent) => {
    if (e.type !== "message_received") return;
    const m: Message = e.message;
    const me = client.me.value?.id;
    if (m.senderId === me || m.senderId === null) return;
    const prefs = ui.prefs.value;
    if (prefs.muteAll) return;
    const watching = !document.hidden && ui.channelId.value === m.channelId && ui.atBottom.value;
    if (watching && m.replyTo === null) return;
    const channel = client.channels.value.find((c) => c.id === m.channelId);
    const mentioned = (me !== undefined && m.mentions.includes(me)) ||
      keywordHit(m.body, prefs.keywords) !== null;
    // The conversation's level decides: muted ones only count as unread (a dot), "mentions" ones ring for
    // mentions and keywords, "all" for every message (defaults: DMs and groups all, channels mentions).
    const level = channel ? levelOf(ui.notify, channel) : "mentions";
    if (level === "mute" || (level === "mentions" && !mentioned)) return;
    const isDm = channel?.kind === "direct_message";
    if (inDnd(ui.notify)) {
      const allow = prefs.dndAllow;
      const allowed = (isDm && allow.includes("dm")) || (mentioned && allow.includes("mention")) ||
        (mentioned && allow.includes("keyword"));
      if (!allowed) return;
    }
    const kind = mentioned ? "mention" : "message";
    if (settings.soundsEnabled && prefs.sounds && prefs.soundKinds[kind]) playSound(kind, prefs.soundVolume);
    const who = ctx.userName(m.senderId);
    const title = mentioned ? t("notify.mention", { name: who }) : t("notify.newFrom", { name: who });
    const where = channel && channel.kind !== "direct_message"
      ? ` ${t("notify.in", { channel: channel.displayName })}`
      : "";
    if (
      document.hidden && prefs.desktop && "Notification" in globalThis &&
      Notification.permission === "granted"
    ) {
      const n = new Notification(title + where, {
        body: plainText(m.body).slice(0, 140),
        tag: `parley-${m.channelId}`,
      });
      n.onclick = () => {
        globalThis.focus();
        ctx.navigate(m.channelId, m.id); // opens the conversation at that message
        n.close();
      };
    } else if (!watching) {
      toast(ui, `${title}${where}: ${plainText(m.body).slice(0, 80)}`, "info", m.channelId);
    }
  };
  const off = client.on("message_received", onMessage);
  const tick = setInterval(() => (ui.now.value = Date.now()), 30_000);
  return () => {
    stopTitle();
    off();
    clearInterval(tick);
  };
}

/** Asks for permission to show desktop notifications; resolves to whether they are allowed. */
export async function askNotificationPermission(): Promise<boolean> {
  if (!("Notification" in globalThis)) return false;
  if (Notification.permission === "granted") return true;
  if (Notification.permission === "denied") return false;
  return (await Notification.requestPermission()) === "granted";
}

/**
 * A new visitor is waiting (staff on visitor duty, from the Visitors region): the "visitor" sound and, while
 * the tab is hidden, a desktop notification, both as the person's preferences and do not disturb allow.
 */
export function visitorWaiting(ctx: AppCtx, name: string, conversationId: number) {
  const { ui, settings } = ctx;
  const prefs = ui.prefs.value;
  if (prefs.muteAll || (inDnd(ui.notify) && !prefs.dndAllow.includes("visitor"))) return;
  if (settings.soundsEnabled && prefs.sounds && prefs.soundKinds.visitor) {
    playSound("visitor", prefs.soundVolume);
  }
  const title = t("notify.visitor", { name });
  if (
    document.hidden && prefs.desktop && "Notification" in globalThis && Notification.permission === "granted"
  ) {
    const n = new Notification(title, { tag: `parley-visitor-${conversationId}` });
    n.onclick = () => {
      globalThis.focus();
      n.close();
    };
  } else toast(ui, title, "info");
}
