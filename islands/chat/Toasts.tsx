/**
 * Toasts at the top right, where they hide neither the message box nor the conversation's newest lines.
 * The stack is a manual popover, re-shown on every change, so it sits in the top layer above any open
 * dialog and its backdrop.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { cx, IconX } from "../../components/ui.tsx";
import { useApp } from "./state.ts";

export function Toasts() {
  const { ui, navigate } = useApp();
  const ref = useRef<HTMLDivElement>(null);
  const list = ui.toasts.value;
  const dialog = ui.dialog.value;
  useLayoutEffect(() => {
    const el = ref.current as
      | (HTMLDivElement & { showPopover?: () => void; hidePopover?: () => void })
      | null;
    if (!el?.showPopover) return;
    try {
      if (el.matches(":popover-open")) el.hidePopover!();
      if (list.length) el.showPopover();
    } catch { /* not supported: stays a fixed element */ }
  }, [list, dialog]);
  return (
    <div
      ref={ref}
      // @ts-ignore: the popover attribute is newer than the JSX types
      popover="manual"
      role="status"
      aria-live="polite"
      class="fixed inset-auto top-14 right-4 m-0 p-0 bg-transparent border-0 overflow-visible z-50 flex flex-col gap-2 w-[min(24rem,calc(100vw-2rem))]"
    >
      {list.map((x) => (
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
            onClick={() => (ui.toasts.value = ui.toasts.value.filter((y) => y.id !== x.id))}
            class="text-muted hover:text-fg"
          >
            <IconX width="14" height="14" />
          </button>
        </div>
      ))}
    </div>
  );
}

/** "Reconnecting in N s" with "Retry now" while the connection is down. */
export function ConnectionBanner() {
  const { client } = useApp();
  const status = client.status.value;
  const at = client.retryAt.value;
  const [now, setNow] = useState(Date.now());
  // Not on the first connect of a page: only once the connection was lost.
  const lost = useRef(false);
  if (status === "offline") lost.current = true;
  if (status === "open") lost.current = false;
  useEffect(() => {
    if (status === "open") return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [status]);
  if (status === "open" || !lost.current) return null;
  const secs = at ? Math.max(0, Math.ceil((at - now) / 1000)) : 0;
  return (
    <div
      role="status"
      class="flex flex-wrap items-center gap-3 px-4 py-1.5 text-sm bg-danger-bg text-fg border-b border-line"
    >
      <span class="flex-1">
        {status === "connecting" || !at ? t("app.reconnecting") : t("app.reconnectIn", { seconds: secs })}
        {" "}
        <span class="text-muted">{t("app.offlineKept")}</span>
      </span>
      {status !== "connecting" && (
        <button
          type="button"
          onClick={() => client.reconnectNow()}
          class="font-semibold underline"
        >
          {t("app.retryNow")}
        </button>
      )}
    </div>
  );
}
