/**
 * The conversation's message log (`role="log"`): grouped by sender and day, a "New messages" divider at the
 * first unread message, infinite scroll upward, and stick-to-bottom unless the user scrolled up (then a
 * "new messages" pill). Only a window of at most WINDOW rows is in the DOM, moved as the user scrolls, with
 * the scroll position anchored on a visible message, so a channel of 10,000 messages stays smooth.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ChannelSummary, Message } from "../../realtime/protocol.ts";
import type { OutboxItem } from "../../realtime/client.ts";
import { fmtDay, t } from "../../i18n/mod.ts";
import { MessageItem, OutboxRow } from "./MessageItem.tsx";
import { useApp } from "./state.ts";

const WINDOW = 150;
const STEP = 50;
const GROUP_MS = 5 * 60 * 1000;

type Row =
  | { kind: "day"; key: string; label: string }
  | { kind: "new"; key: string }
  | { kind: "msg"; key: string; m: Message; first: boolean }
  | { kind: "out"; key: string; o: OutboxItem; first: boolean };

/** Builds display rows: day separators, the unread divider, and group starts. */
export function buildRows(
  messages: Message[],
  outbox: OutboxItem[],
  me: number | undefined,
  newAfterSeq: number | null,
): Row[] {
  const rows: Row[] = [];
  let prevSender: number | null | undefined;
  let prevTime = 0;
  let prevDay = "";
  let dividerDone = newAfterSeq === null;
  for (const m of messages) {
    const d = new Date(m.createdAt);
    const day = d.toDateString();
    let first = m.senderId !== prevSender || d.getTime() - prevTime > GROUP_MS;
    if (day !== prevDay) {
      rows.push({ kind: "day", key: `day-${day}`, label: fmtDay(d) });
      prevDay = day;
      first = true;
    }
    if (!dividerDone && m.seq > newAfterSeq! && m.senderId !== me) {
      rows.push({ kind: "new", key: "new" });
      dividerDone = true;
      first = true;
    }
    rows.push({ kind: "msg", key: `m-${m.id}`, m, first });
    prevSender = m.senderId;
    prevTime = d.getTime();
  }
  for (const o of outbox) {
    const first = prevSender !== me || o.state === "failed";
    rows.push({ kind: "out", key: `o-${o.clientId}`, o, first });
    prevSender = me;
  }
  return rows;
}

export function MessageList({ channel }: { channel: ChannelSummary }) {
  const { client, ui } = useApp();
  const box = useRef<HTMLDivElement>(null);
  const me = client.me.value?.id;
  const st = client.chat.value[channel.id];
  const loaded = !!st;
  const messages = useMemo(() => (st?.messages ?? []).filter((m) => m.replyTo === null), [st]);
  const outbox = client.outbox.value.filter((o) => o.channelId === channel.id && o.replyTo === null);
  const hasOlder = client.hasOlder.value[channel.id] ?? true;
  const [newAfter] = useState<number | null>(() => {
    const c = client.counts.value[channel.id];
    return c && c.unread > 0 ? c.lastReadSeq : null;
  });
  const rows = useMemo(() => buildRows(messages, outbox, me, newAfter), [
    messages,
    outbox.length,
    client.outbox.value,
    me,
    newAfter,
  ]);

  // The window: [start, end); end === null follows the newest row.
  const [win, setWin] = useState<{ start: number; end: number | null }>({
    start: Math.max(0, rows.length - WINDOW),
    end: null,
  });
  const end = win.end ?? rows.length;
  const start = Math.max(0, Math.min(win.start, Math.max(0, end - 1)));
  const visible = rows.slice(start, end);

  const [pill, setPill] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const anchor = useRef<{ id: string; top: number } | null>(null);
  const lastCount = useRef(messages.length);
  const lastNewest = useRef(messages[messages.length - 1]?.id);
  const jumped = useRef<number | null>(null);

  const captureAnchor = () => {
    const el = box.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top;
    for (const row of el.querySelectorAll<HTMLElement>("[data-row]")) {
      const r = row.getBoundingClientRect();
      if (r.bottom > top) {
        anchor.current = { id: row.dataset.row!, top: r.top - top };
        return;
      }
    }
  };

  // Keep the view where it was (anchor) or at the bottom after every change of rows or window.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const jump = ui.jumpTo.value;
    if (jump !== null && jumped.current !== jump) {
      const idx = rows.findIndex((r) => r.kind === "msg" && r.m.id === jump);
      if (idx >= 0) {
        if (idx < start || idx >= end) {
          setWin({ start: Math.max(0, idx - WINDOW / 2), end: Math.min(rows.length, idx + WINDOW / 2) });
          return;
        }
        jumped.current = jump;
        const target = el.querySelector(`#msg-${jump}`);
        target?.scrollIntoView({ block: "center" });
        ui.atBottom.value = false;
        return;
      }
    }
    if (anchor.current) {
      const row = el.querySelector<HTMLElement>(`[data-row="${anchor.current.id}"]`);
      if (row) {
        el.scrollTop += row.getBoundingClientRect().top - el.getBoundingClientRect().top - anchor.current.top;
      }
      anchor.current = null;
    } else if (ui.atBottom.value && win.end === null) {
      el.scrollTop = el.scrollHeight;
      if (rows.length - start > WINDOW + STEP) setWin({ start: rows.length - WINDOW, end: null });
    }
    const newest = messages[messages.length - 1];
    if (newest && newest.id !== lastNewest.current && messages.length > lastCount.current) {
      if (!ui.atBottom.value && newest.senderId !== me) {
        setPill((n) => n + (messages.length - lastCount.current));
      }
      if (newest.senderId === me && !ui.jumpTo.value) {
        // Your own message: always show it.
        setWin({ start: Math.max(0, rows.length - WINDOW), end: null });
        el.scrollTop = el.scrollHeight;
        ui.atBottom.value = true;
      }
    }
    lastCount.current = messages.length;
    lastNewest.current = newest?.id;
  }, [rows, start, end]);

  // Mark read while the newest message is in view and the tab is visible.
  useEffect(() => {
    const read = () => {
      // Only while connected: ParleyClient.markRead zeroes the local count before it sends.
      if (client.status.value !== "open") return;
      if (ui.atBottom.value && !document.hidden && win.end === null) void client.markRead(channel.id);
    };
    read();
    document.addEventListener("visibilitychange", read);
    return () => document.removeEventListener("visibilitychange", read);
  }, [channel.id, channel.lastSeq, messages.length, ui.atBottom.value, win.end, client.status.value]);

  const onScroll = async () => {
    const el = box.current!;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (nearBottom && end < rows.length) {
      captureAnchor();
      const e2 = Math.min(rows.length, end + STEP);
      setWin({ start: Math.max(start, e2 - WINDOW), end: e2 >= rows.length ? null : e2 });
      return;
    }
    const bottom = nearBottom && end >= rows.length;
    if (bottom !== ui.atBottom.value) ui.atBottom.value = bottom;
    if (bottom) {
      if (pill) setPill(0);
      if (ui.jumpTo.value) ui.jumpTo.value = null;
    }
    if (el.scrollTop < 300) {
      if (start > 0) {
        captureAnchor();
        const s2 = Math.max(0, start - STEP);
        setWin({ start: s2, end: end - s2 > WINDOW ? s2 + WINDOW : win.end });
      } else if (hasOlder && loaded && !loadingOlder) {
        setLoadingOlder(true);
        captureAnchor();
        try {
          await client.loadOlder(channel.id);
          // Older rows were prepended: show them (the anchor keeps the view still) and trim the far end.
          const total = buildCount(client, channel.id);
          setWin({ start: 0, end: total < WINDOW - STEP ? null : WINDOW });
        } catch { /* offline: try again on the next scroll */ }
        setLoadingOlder(false);
      }
    }
  };

  const toBottom = () => {
    setWin({ start: Math.max(0, rows.length - WINDOW), end: null });
    ui.atBottom.value = true;
    ui.jumpTo.value = null;
    setPill(0);
    requestAnimationFrame(() => box.current && (box.current.scrollTop = box.current.scrollHeight));
  };

  return (
    <div class="relative flex-1 min-h-0">
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={t("conv.log", { name: channel.displayName })}
        tabIndex={0}
        class="h-full overflow-y-auto pb-2"
        style="overflow-anchor:none"
      >
        {!loaded && <p class="p-4 text-muted">{t("app.loading")}</p>}
        {loaded && start === 0 && !hasOlder && (
          <p class="px-4 pt-6 pb-2 text-muted">{t("conv.start", { name: channel.displayName })}</p>
        )}
        {loaded && (start > 0 || hasOlder) && (
          <p class="px-4 py-2 text-sm text-muted" aria-hidden={!loadingOlder}>
            {loadingOlder ? t("conv.loadingOlder") : "\u00a0"}
          </p>
        )}
        {loaded && rows.length === 0 && <p class="px-4 text-muted">{t("conv.empty")}</p>}
        {visible.map((r) => {
          if (r.kind === "day") {
            return (
              <div
                key={r.key}
                data-row={r.key}
                class="flex items-center gap-3 px-4 my-3"
                role="separator"
                aria-label={r.label}
              >
                <span class="flex-1 border-t border-line" />
                <span class="text-xs font-semibold text-muted">{r.label}</span>
                <span class="flex-1 border-t border-line" />
              </div>
            );
          }
          if (r.kind === "new") {
            return (
              <div
                key={r.key}
                data-row={r.key}
                class="flex items-center gap-3 px-4 my-2"
                role="separator"
                aria-label={t("conv.newMessages")}
              >
                <span class="flex-1 border-t border-danger" />
                <span class="text-xs font-bold text-danger uppercase">{t("conv.newMessages")}</span>
              </div>
            );
          }
          if (r.kind === "out") {
            return (
              <div key={r.key} data-row={r.key}>
                <OutboxRow o={r.o} first={r.first} />
              </div>
            );
          }
          return (
            <div key={r.key} data-row={r.key}>
              <MessageItem m={r.m} first={r.first} channel={channel} highlight={ui.jumpTo.value === r.m.id} />
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

function buildCount(client: ReturnType<typeof useApp>["client"], channelId: number): number {
  const ms = (client.chat.value[channelId]?.messages ?? []).filter((m) => m.replyTo === null);
  // Rows are messages plus separators; separators added by older pages are few, so count messages.
  return ms.length;
}
