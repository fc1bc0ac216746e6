/**
 * The floating chat widget shown on every page except /chat: a button with the unread total, a panel with
 * the 3-5 most recent conversations (presence, last message, time, unread), a quick reply box for the
 * selected one and "open in full chat". Open state and the selected conversation survive navigation
 * (sessionStorage). Its look comes from workspace settings.
 */
import { useEffect, useState } from "preact/hooks";
import { computed } from "@preact/signals";
import type { ParleyClient } from "../../realtime/client.ts";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtAge, fmtNumber, t } from "../../i18n/mod.ts";
import { Badge, cx, IconChat, IconExternal, IconSend, IconX, PresenceDot } from "../../components/ui.tsx";
import { plainText } from "../chat/text.ts";
import { useLiveLook, type WidgetLook } from "./look.ts";
import { Peek } from "./Peek.tsx";
import { SignedOut } from "./SignedOut.tsx";

const STATE_KEY = "parley.widget";

interface Saved {
  open: boolean;
  selected: number | null;
}

function loadState(): Saved {
  try {
    return { open: false, selected: null, ...JSON.parse(sessionStorage.getItem(STATE_KEY) ?? "{}") };
  } catch {
    return { open: false, selected: null };
  }
}

export interface WidgetProps {
  client: ParleyClient | null;
  look: WidgetLook;
  /** Where "open in full chat" goes: "/chat" on this server, or an absolute URL when embedded. */
  chatUrl: string;
  loginUrl: string;
  /** Opens a path of the full app in a new tab (embedded on another origin); else the link navigates. */
  openFull?: (path: string) => void;
  /**
   * Embedded on another origin: signs in again with a fresh token from the host application (a sign-in
   * page on Parley's origin would make a cookie this page cannot use). Else "Sign in to chat" is a link.
   */
  signIn?: () => Promise<void>;
}

export function Widget({ client, look: initialLook, chatUrl, loginUrl, openFull, signIn }: WidgetProps) {
  const [state, setState] = useState<Saved>(loadState);
  /** Set when the session ended under an open widget (sign-out, lapsed embed session, origin removed). */
  const [ended, setEnded] = useState(false);
  const look = useLiveLook(client, initialLook);
  const [anim, setAnim] = useState(false);
  const [draft, setDraft] = useState("");
  const [sent, setSent] = useState(false);
  const save = (s: Saved) => {
    setState(s);
    try {
      sessionStorage.setItem(STATE_KEY, JSON.stringify(s));
    } catch { /* ignore */ }
  };

  const recent = client
    ? [...client.channels.value].filter((c) => !c.archived)
      .sort((a, b) => (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? ""))
      .slice(0, 5)
    : [];
  const total = client
    ? client.channels.value.reduce((s, c) => s + (client.counts.value[c.id]?.unread ?? 0), 0)
    : 0;
  const selected = recent.find((c) => c.id === state.selected) ?? recent[0] ?? null;

  useEffect(() => client?.on("session_revoked", () => setEnded(true)), [client]);

  useEffect(() => {
    if (!client) return;
    return client.on("message_received", (e) => {
      if (
        e.type === "message_received" && e.message.senderId !== client.me.value?.id &&
        look.animation !== "none"
      ) {
        setAnim(false);
        requestAnimationFrame(() => setAnim(true));
      }
    });
  }, [client]);

  // Load the last messages of the recent conversations while the panel is open.
  const recentKey = recent.map((c) => c.id).join(",");
  useEffect(() => {
    if (!client || !state.open) return;
    for (const c of recent) if (!client.chat.value[c.id]) client.loadLatest(c.id).catch(() => {});
  }, [state.open, recentKey, client?.status.value]);

  const left = look.position.endsWith("-left");
  const top = look.position.startsWith("top-");
  const style = `--w-primary:${look.primary};--w-primary-fg:${look.primaryFg};--w-accent:${look.accent};` +
    `position:fixed;${top ? "top" : "bottom"}:16px;${left ? "left" : "right"}:16px;z-index:2147483000`;

  const send = (e: Event) => {
    e.preventDefault();
    if (!client || !selected || !draft.trim()) return;
    // Replying means you have read the conversation.
    void client.markRead(selected.id);
    client.send(selected.id, draft.trim());
    setDraft("");
    setSent(true);
    setTimeout(() => setSent(false), 2500);
  };

  return (
    <div
      class={cx(
        "pw-root flex gap-3",
        top ? "flex-col-reverse" : "flex-col",
        left ? "items-start pw-left" : "items-end",
      )}
      data-position={look.position}
      style={style}
    >
      {state.open && (
        <section
          aria-label={t("widget.title")}
          class="pw-panel flex flex-col rounded-xl border border-line bg-main text-fg shadow-2xl overflow-hidden"
        >
          <header class="flex items-center justify-between px-4 py-2.5 bg-sidebar border-b border-line">
            <h2 class="font-bold flex items-center gap-2">
              <span aria-hidden="true">💬</span> {t("widget.title")}
              {total > 0 && (
                <Badge tone="muted" label={t("widget.unread", { count: total })}>{fmtNumber(total)}</Badge>
              )}
            </h2>
            <button
              type="button"
              aria-label={t("widget.close")}
              onClick={() => save({ ...state, open: false })}
              class="p-1 rounded hover:bg-hover"
            >
              <IconX width="16" height="16" />
            </button>
          </header>
          {!client || ended ? <SignedOut ended={ended} loginUrl={loginUrl} signIn={signIn} /> : (
            <>
              <h3 class="sr-only">{t("widget.recent")}</h3>
              {recent.length === 0 && <p class="p-4 text-muted">{t("widget.none")}</p>}
              <ul class="flex flex-col overflow-y-auto">
                {recent.map((c) => (
                  <RecentRow
                    key={c.id}
                    client={client}
                    c={c}
                    selected={selected?.id === c.id}
                    onSelect={() => save({ ...state, selected: c.id })}
                  />
                ))}
              </ul>
              {selected && <Peek client={client} c={selected} />}
              {selected && (
                <form onSubmit={send} class="flex flex-col gap-1.5 p-3 border-t border-line">
                  <label for="pw-quick" class="text-xs font-semibold text-muted">
                    {t("widget.quickReply", { name: selected.displayName })}
                  </label>
                  <div class="flex gap-2">
                    <input
                      id="pw-quick"
                      value={draft}
                      autocomplete="off"
                      disabled={selected.canPost === false}
                      placeholder={t("widget.quickPlaceholder")}
                      onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
                      class="flex-1 min-w-0 rounded-md border border-line bg-input text-fg px-2 py-1.5"
                    />
                    <button
                      type="submit"
                      disabled={!draft.trim()}
                      aria-label={t("widget.send")}
                      title={t("widget.send")}
                      class="px-2.5 rounded-md bg-accent text-accent-fg disabled:opacity-50"
                    >
                      <IconSend width="16" height="16" />
                    </button>
                  </div>
                  <p aria-live="polite" class="text-xs text-muted h-4">{sent ? t("widget.sent") : ""}</p>
                </form>
              )}
              <a
                href={selected ? `${chatUrl}/${selected.id}` : chatUrl}
                target={openFull ? "_blank" : undefined}
                onClick={openFull
                  ? (e) => {
                    e.preventDefault();
                    openFull(selected ? `/chat/${selected.id}` : "/chat");
                  }
                  : undefined}
                class="flex items-center justify-center gap-1.5 px-3 py-2 border-t border-line text-sm font-semibold text-link hover:bg-hover"
              >
                {t("widget.full")} <IconExternal width="14" height="14" />
              </a>
            </>
          )}
        </section>
      )}
      <button
        type="button"
        aria-expanded={state.open}
        onClick={() => save({ ...state, open: !state.open })}
        onAnimationEnd={() => setAnim(false)}
        class={cx("pw-btn", `pw-${look.shape}`, anim && `pw-anim-${look.animation}`)}
      >
        <IconChat width="24" height="24" />
        {look.shape === "pill" ? <span>{t("widget.title")}</span> : null}
        <span class="sr-only">{state.open ? t("widget.close") : t("widget.open")}</span>
        {total > 0 && (
          <span class="pw-badge">
            {total > 99 ? "99+" : fmtNumber(total)}
            <span class="sr-only">{t("widget.unreadSuffix")}</span>
          </span>
        )}
      </button>
    </div>
  );
}

function RecentRow({ client, c, selected, onSelect }: {
  client: ParleyClient;
  c: ChannelSummary;
  selected: boolean;
  onSelect: () => void;
}) {
  const me = client.me.value?.id;
  const other = c.kind === "direct_message" ? c.members?.find((m) => m.id !== me) : undefined;
  const p = other ? client.presence.value[other.id] : undefined;
  const status = (p?.connections ? p.status : "offline") as "online" | "away" | "busy" | "offline";
  // The preview is the newest message still there: deleted ones are never shown as the last word.
  const msgs = client.chat.value[c.id]?.messages.filter((m) => m.replyTo === null && !m.deletedAt) ?? [];
  const last = msgs[msgs.length - 1];
  const unread = client.counts.value[c.id]?.unread ?? 0;
  const preview = last ? plainText(last.body) : "";
  const who = last && last.senderId === me ? `${t("msg.you")}: ` : "";
  return (
    <li>
      <button
        type="button"
        aria-pressed={selected}
        onClick={onSelect}
        class={cx(
          "w-full flex items-center gap-2.5 px-4 py-2 text-left",
          selected ? "bg-selected" : "hover:bg-hover",
        )}
      >
        {other
          ? <PresenceDot status={status} />
          : <span aria-hidden="true" class="w-2.5 text-muted text-xs">{c.kind === "group" ? "👥" : "#"}
          </span>}
        <span class="flex-1 min-w-0">
          <span class={cx("block truncate", unread > 0 ? "font-bold" : "font-medium")}>
            {c.displayName.replace(/^# /, "#")}
          </span>
          <span class="block truncate text-xs text-muted">{who}{preview}</span>
        </span>
        <span class="flex flex-col items-end gap-0.5">
          {c.lastMessageAt && (
            <time dateTime={c.lastMessageAt} class="text-xs text-muted">{fmtAge(c.lastMessageAt)}</time>
          )}
          {unread > 0 && (
            <Badge tone="muted" label={t("sidebar.unread", { count: unread })}>{fmtNumber(unread)}</Badge>
          )}
        </span>
      </button>
    </li>
  );
}

/** The unread total as a signal (for hosts that want to show it elsewhere). */
export function unreadTotal(client: ParleyClient) {
  return computed(() =>
    client.channels.value.reduce((s, c) => s + (client.counts.value[c.id]?.unread ?? 0), 0)
  );
}
