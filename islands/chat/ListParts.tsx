/** Small parts of the message log: day separator, unread divider, start marker, the unread bar. */
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";

export function DayRow({ rowKey, label }: { rowKey: string; label: string }) {
  return (
    <div data-row={rowKey} class="flex items-center gap-3 px-4 my-3" role="separator" aria-label={label}>
      <span class="flex-1 border-t border-line" />
      <span class="text-xs font-semibold text-muted">{label}</span>
      <span class="flex-1 border-t border-line" />
    </div>
  );
}

export function NewRow() {
  return (
    <div
      data-row="new"
      class="flex items-center gap-3 px-4 my-2"
      role="separator"
      aria-label={t("conv.newMessages")}
    >
      <span class="flex-1 border-t border-danger" />
      <span class="text-xs font-bold text-danger uppercase">{t("conv.newMessages")}</span>
    </div>
  );
}

/** What the top of a conversation says once nothing older exists. */
export function StartMarker({ channel }: { channel: ChannelSummary }) {
  const text = channel.kind === "direct_message"
    ? t("conv.startDm", { name: channel.displayName })
    : channel.kind === "group"
    ? t("conv.startGroup", { name: channel.displayName })
    : t("conv.startChannel", { name: channel.name });
  return (
    <div role="note" aria-label={t("conv.beginning")} class="px-4 pt-6 pb-2">
      <p class="font-semibold text-fg">{t("conv.beginning")}</p>
      <p class="text-sm text-muted">{text}</p>
    </div>
  );
}

export function UnreadBar(
  { count, onJump, onRead }: { count: number; onJump: () => void; onRead: () => void },
) {
  return (
    <div
      role="region"
      aria-label={t("conv.unreadBar")}
      class="flex items-center gap-3 px-4 py-1.5 text-sm bg-selected border-b border-line"
    >
      <span class="flex-1">{t("sidebar.unread", { count })}</span>
      <button type="button" onClick={onJump} class="font-semibold text-link hover:underline">
        {t("conv.jumpUnread")}
      </button>
      <button type="button" onClick={onRead} class="font-semibold text-link hover:underline">
        {t("conv.markRead")}
      </button>
    </div>
  );
}
