/**
 * The conversation's message log (`role="log"`): grouped by sender and day, a "New messages" divider before
 * the first unread message, older pages loaded continuously while scrolling up (the reading position kept
 * exactly, on a message anchor) down to a "beginning of the conversation" marker, and stick-to-bottom
 * unless the person scrolled up (then a "new messages" pill). Only a window of at most WINDOW rows is in the
 * DOM, so 10,000 messages stay smooth. Opening with unread messages lands on the first one with a "Jump to
 * first unread" / "Mark as read" bar; reading is recorded up to the last message actually seen. The log is
 * one Tab stop; ↑/↓/Home/End move between messages inside it (roving focus).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { MessageItem, OutboxRow } from "./MessageItem.tsx";
import { useApp } from "./state.ts";
import { buildRows } from "./rows.ts";
import { DayRow, NewRow, StartMarker, UnreadBar } from "./ListParts.tsx";
import { loadMarkdown, markdown } from "./markdown_lazy.ts";

export { buildRows };

const WINDOW = 150;
const STEP = 50;
/** How close to the top (px) the next older rows are revealed or loaded. */
const NEAR_TOP = 600;

/** Message rows in view before a change, with their bottom edges relative to the top of the log. */
type Anchor = { id: string; bottom: number }[];

/** The window of rows in the DOM: [start, end); end null follows the newest row. */
interface Win {
  start: number;
  end: number | null;
}

export function MessageList({ channel }: { channel: ChannelSummary }) {
  const { client, ui } = useApp();
  const box = useRef<HTMLDivElement>(null);
  const me = client.me.value?.id;
  // The conversation counts as loaded once its messages and the renderer for them are both there.
  const ready = markdown.value !== null;
  useEffect(() => void (ready || loadMarkdown().catch(() => {})), [ready]);
  const st = ready ? client.chat.value[channel.id] : undefined;
  const loaded = !!st;
  const messages = useMemo(() => (st?.messages ?? []).filter((m) => m.replyTo === null), [st]);
  const outbox = client.outbox.value.filter((o) => o.channelId === channel.id && o.replyTo === null);
  const hasOlder = client.hasOlder.value[channel.id] ?? true;
  // The read position when the conversation was opened: the divider stays where the unread began.
  const [newAfter] = useState<number | null>(() => {
    const c = client.counts.value[channel.id];
    return c && c.unread > 0 ? c.lastReadSeq : null;
  });
  // The divider only once the message before the first unread one is held (or nothing older exists).
  const boundary = newAfter !== null && messages.length > 0 &&
    (messages[0].seq <= newAfter || client.hasOlder.value[channel.id] === false);
  const rows = useMemo(() => buildRows(messages, outbox, me, boundary ? newAfter : null), [
    messages,
    client.outbox.value,
    me,
    boundary,
  ]);

  // The window lives in a ref (re-rendered through `bump`), pinned to the first message row it shows, so
  // that rows prepended by an older page shift its indexes instead of moving what is on screen.
  const winRef = useRef<Win>({ start: Math.max(0, rows.length - WINDOW), end: null });
  const pinRef = useRef<{ key: string; idx: number } | null>(null);
  const [, bump] = useState(0);
  const pinned = pinRef.current;
  if (pinned && rows[pinned.idx]?.key !== pinned.key) {
    const now = rows.findIndex((r) => r.key === pinned.key);
    if (now >= 0) {
      const shift = now - pinned.idx;
      const { start: s0, end: e0 } = winRef.current;
      let s = s0 + shift;
      let e = e0 === null ? null : e0 + shift;
      // An older page arrived while the window was at the top: show some of it at once, so that there is
      // room above to keep the reading position (scrollTop cannot go below 0 when a divider or header
      // above the text goes away).
      if (shift > 0 && s0 === 0) {
        s = Math.max(0, s - STEP);
        if ((e ?? rows.length) - s > WINDOW) e = s + WINDOW;
      }
      winRef.current = { start: s, end: e };
    }
  }
  const win = winRef.current;
  const end = win.end === null ? rows.length : Math.min(rows.length, win.end);
  const start = Math.max(0, Math.min(win.start, Math.max(0, end - 1)));
  const pinIdx = rows.findIndex((r, k) => k >= start && r.kind === "msg");
  pinRef.current = pinIdx >= 0 ? { key: rows[pinIdx].key, idx: pinIdx } : null;
  const visible = rows.slice(start, end);
  const setWin = (s: number, e: number | null) => {
    winRef.current = { start: s, end: e };
    bump((n) => n + 1);
  };

  const [pill, setPill] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [bar, setBar] = useState(newAfter !== null);
  const [activeId, setActiveId] = useState<number | null>(null);
  const anchor = useRef<Anchor | null>(null);
  const lastCount = useRef(messages.length);
  const lastNewest = useRef(messages[messages.length - 1]?.id);
  const jumped = useRef<number | null>(null);
  const landed = useRef(newAfter === null);
  const loading = useRef(false);
  const readUpTo = useRef(0);

  const firstUnreadIdx = rows.findIndex((r) => r.kind === "new");

  /**
   * Remembers where the message rows in view are, by their bottom edges, to put them back after the rows
   * change. Bottom edges, because what changes when older rows arrive lies above the text being read: the
   * previously-oldest row loses its day divider and, when grouped with the new rows, its sender header.
   * Called while rendering, so it measures the DOM exactly as the reader last saw it, however long a page
   * took to arrive and however far the reader scrolled meanwhile.
   */
  const captureAnchor = () => {
    const el = box.current;
    if (!el) return;
    const { top, bottom } = el.getBoundingClientRect();
    const inView: Anchor = [];
    for (const row of el.querySelectorAll<HTMLElement>("[data-row^='m-']")) {
      const r = row.getBoundingClientRect();
      if (r.bottom <= top) continue;
      if (r.top >= bottom || inView.length >= 4) break;
      inView.push({ id: row.dataset.row!, bottom: r.bottom - top });
    }
    anchor.current = inView.length ? inView : null;
  };

  /** Puts the first anchored row that is still in the DOM back where it was. */
  const restoreAnchor = (el: HTMLElement, a: Anchor) => {
    for (const { id, bottom } of a) {
      const row = el.querySelector<HTMLElement>(`[data-row="${id}"]`);
      if (!row) continue;
      el.scrollTop += row.getBoundingClientRect().bottom - el.getBoundingClientRect().top - bottom;
      return;
    }
  };

  // Rows or the window changed since the last render: note where the reader is before the DOM changes
  // (unless the view follows the newest message, or has not landed yet).
  const shown = useRef({ rows, start, end, hasOlder });
  const prev = shown.current;
  if (prev.rows !== rows || prev.start !== start || prev.end !== end || prev.hasOlder !== hasOlder) {
    shown.current = { rows, start, end, hasOlder };
    if (landed.current && !(ui.atBottom.value && win.end === null)) captureAnchor();
  }

  /** Reveals or loads what lies above when the reader is near the top; called after every change too. */
  const moreAbove = () => {
    const el = box.current;
    if (!el || el.scrollTop > NEAR_TOP || loading.current || !loaded) return;
    if (start > 0) {
      const s2 = Math.max(0, start - STEP);
      setWin(s2, end - s2 > WINDOW ? s2 + WINDOW : win.end === null ? null : end);
    } else if (hasOlder) void loadOlder();
  };

  const loadOlder = async () => {
    if (loading.current) return;
    loading.current = true;
    setLoadingOlder(true);
    try {
      await client.loadOlder(channel.id);
    } catch { /* offline: the next scroll tries again */ }
    loading.current = false;
    setLoadingOlder(false);
  };

  /** Sends the read position up to the last message the reader has seen (bottom edge of the view). */
  const recordRead = () => {
    const el = box.current;
    // Not before the view has landed where reading starts: what shows meanwhile was not read.
    if (!el || client.status.value !== "open" || document.hidden || !landed.current || !loaded) return;
    if (ui.atBottom.value && win.end === null) {
      readUpTo.current = Infinity;
      void client.markRead(channel.id);
      return;
    }
    const bottom = el.getBoundingClientRect().bottom;
    let seen = 0;
    for (const row of el.querySelectorAll<HTMLElement>("[data-seq]")) {
      if (row.getBoundingClientRect().bottom <= bottom + 2) seen = Math.max(seen, Number(row.dataset.seq));
    }
    if (seen > readUpTo.current && seen > (client.counts.value[channel.id]?.lastReadSeq ?? 0)) {
      readUpTo.current = seen;
      void client.markRead(channel.id, seen);
    }
  };

  useLayoutEffect(() => {
    const el = box.current;
    // The anchor captured for this render applies to it only.
    const held = anchor.current;
    anchor.current = null;
    if (!el) return;
    const jump = ui.jumpTo.value;
    if (jump !== null && jumped.current !== jump) {
      const idx = rows.findIndex((r) => r.kind === "msg" && r.m.id === jump);
      if (idx >= 0) {
        if (idx < start || idx >= end) {
          setWin(Math.max(0, idx - WINDOW / 2), Math.min(rows.length, idx + WINDOW / 2));
          return;
        }
        jumped.current = jump;
        landed.current = true;
        el.querySelector(`#msg-${jump}`)?.scrollIntoView({ block: "center" });
        ui.atBottom.value = false;
        return;
      }
    }
    // First open with unread messages: land on the divider (loading older pages until it is held).
    if (!landed.current && loaded) {
      if (!boundary && hasOlder && messages.length) {
        void loadOlder();
        return;
      }
      if (firstUnreadIdx >= 0 && firstUnreadIdx < start) {
        const s = Math.max(0, firstUnreadIdx - 5);
        return setWin(s, s + WINDOW >= rows.length ? null : s + WINDOW);
      }
      landed.current = true;
      if (firstUnreadIdx >= 0) {
        const div = el.querySelector<HTMLElement>("[data-row='new']");
        if (div) {
          el.scrollTop += div.getBoundingClientRect().top - el.getBoundingClientRect().top - 8;
          ui.atBottom.value = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
          requestAnimationFrame(recordRead);
          return;
        }
      }
    }
    if (held) restoreAnchor(el, held);
    else if (ui.atBottom.value && win.end === null && landed.current) {
      el.scrollTop = el.scrollHeight;
      if (rows.length - start > WINDOW + STEP) setWin(rows.length - WINDOW, null);
    }
    const newest = messages[messages.length - 1];
    if (newest && newest.id !== lastNewest.current && messages.length > lastCount.current) {
      // Only what arrived after the newest message already shown counts (not the first load, nor older
      // pages loaded in the same change).
      const after = lastNewest.current === undefined
        ? -1
        : messages.findIndex((m) => m.id === lastNewest.current);
      if (!ui.atBottom.value && newest.senderId !== me && after >= 0) {
        setPill((n) => n + (messages.length - 1 - after));
      }
      if (newest.senderId === me && !ui.jumpTo.value) {
        // Your own message: always show it.
        setWin(Math.max(0, rows.length - WINDOW), null);
        el.scrollTop = el.scrollHeight;
        ui.atBottom.value = true;
      }
    }
    lastCount.current = messages.length;
    lastNewest.current = newest?.id;
    // Older pages keep coming while the reader stays near the top.
    if (landed.current && !ui.atBottom.value) moreAbove();
  }, [rows, start, end, loadingOlder, hasOlder]);

  // Reading is recorded as the person scrolls, when the tab is visible and the connection is open.
  useEffect(() => {
    recordRead();
    document.addEventListener("visibilitychange", recordRead);
    return () => document.removeEventListener("visibilitychange", recordRead);
  }, [channel.id, channel.lastSeq, messages.length, ui.atBottom.value, win.end, client.status.value]);

  const onScroll = () => {
    const el = box.current!;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (nearBottom && end < rows.length) {
      const e2 = Math.min(rows.length, end + STEP);
      setWin(Math.max(start, e2 - WINDOW), e2 >= rows.length ? null : e2);
      return;
    }
    const bottom = nearBottom && end >= rows.length;
    if (bottom !== ui.atBottom.value) ui.atBottom.value = bottom;
    if (bottom) {
      if (pill) setPill(0);
      if (ui.jumpTo.value) ui.jumpTo.value = null;
    }
    recordRead();
    moreAbove();
  };

  const toBottom = () => {
    setWin(Math.max(0, rows.length - WINDOW), null);
    ui.atBottom.value = true;
    ui.jumpTo.value = null;
    setPill(0);
    requestAnimationFrame(() => box.current && (box.current.scrollTop = box.current.scrollHeight));
  };

  const toFirstUnread = () => {
    if (firstUnreadIdx < 0) return;
    if (firstUnreadIdx < start || firstUnreadIdx >= end) {
      const s = Math.max(0, firstUnreadIdx - 5);
      setWin(s, s + WINDOW >= rows.length ? null : s + WINDOW);
    }
    requestAnimationFrame(() => {
      const el = box.current;
      const div = el?.querySelector<HTMLElement>("[data-row='new']");
      if (el && div) el.scrollTop += div.getBoundingClientRect().top - el.getBoundingClientRect().top - 8;
    });
  };

  const markAllRead = () => {
    setBar(false);
    readUpTo.current = Infinity;
    void client.markRead(channel.id);
  };

  // Roving focus: the log is one Tab stop; arrows move between messages.
  const onKeyDown = (e: KeyboardEvent) => {
    if (!["ArrowUp", "ArrowDown", "Home", "End"].includes(e.key) || e.altKey) return;
    const target = e.target as HTMLElement;
    if (target.closest("textarea, input")) return;
    const items = [...box.current!.querySelectorAll<HTMLElement>("[data-message-id]")];
    if (!items.length) return;
    e.preventDefault();
    const cur = items.findIndex((x) => x.contains(target));
    let next = cur < 0 ? items.length - 1 : cur;
    if (e.key === "ArrowUp") next = Math.max(0, next - (cur < 0 ? 0 : 1));
    else if (e.key === "ArrowDown") next = Math.min(items.length - 1, next + (cur < 0 ? 0 : 1));
    else if (e.key === "Home") next = 0;
    else next = items.length - 1;
    const el = items[next];
    setActiveId(Number(el.dataset.messageId));
    el.focus();
    el.scrollIntoView({ block: "nearest" });
  };

  const unreadNow = (client.counts.value[channel.id]?.unread ?? 0) > 0;
  return (
    <div class="relative flex-1 min-h-0 flex flex-col">
      {bar && unreadNow && firstUnreadIdx >= 0 && (
        <UnreadBar
          count={client.counts.value[channel.id]?.unread ?? 0}
          onJump={toFirstUnread}
          onRead={markAllRead}
        />
      )}
      <div
        ref={box}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={t("conv.log", { name: channel.displayName })}
        tabIndex={activeId === null ? 0 : -1}
        class="flex-1 min-h-0 overflow-y-auto pb-2 focus-visible:outline-2"
        style="overflow-anchor:none"
      >
        {!loaded && <p class="p-4 text-muted">{t("app.loading")}</p>}
        {loaded && start === 0 && !hasOlder && <StartMarker channel={channel} />}
        {loaded && (start > 0 || hasOlder) && (
          <p class="px-4 py-2 text-sm text-muted" aria-hidden={!loadingOlder}>
            {loadingOlder ? t("conv.loadingOlder") : "\u00a0"}
          </p>
        )}
        {loaded && rows.length === 0 && <p class="px-4 text-muted">{t("conv.empty")}</p>}
        {visible.map((r) => {
          if (r.kind === "day") return <DayRow key={r.key} rowKey={r.key} label={r.label} />;
          if (r.kind === "new") return <NewRow key={r.key} />;
          if (r.kind === "out") {
            return (
              <div key={r.key} data-row={r.key}>
                <OutboxRow o={r.o} first={r.first} />
              </div>
            );
          }
          return (
            <div key={r.key} data-row={r.key} data-seq={r.m.seq}>
              <MessageItem
                m={r.m}
                first={r.first}
                channel={channel}
                highlight={ui.jumpTo.value === r.m.id}
                active={activeId === r.m.id}
                onFocusRow={() => setActiveId(r.m.id)}
              />
            </div>
          );
        })}
      </div>
      {(pill > 0 || win.end !== null || (!ui.atBottom.value && ui.jumpTo.value !== null)) && (
        <button
          type="button"
          onClick={toBottom}
          class="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-accent text-accent-fg text-sm font-semibold px-4 py-1.5 shadow-lg"
        >
          {pill > 0 ? t("conv.newPill", { count: pill }) : t("conv.jumpLatest")}
        </button>
      )}
    </div>
  );
}
