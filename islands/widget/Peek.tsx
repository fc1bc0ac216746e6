/** The widget's small conversation view: the last few messages of the selected conversation, live. */
import type { ParleyClient } from "../../realtime/client.ts";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtAge, t } from "../../i18n/mod.ts";
import { plainText } from "../chat/text.ts";

const SHOWN = 6;

export function Peek({ client, c }: { client: ParleyClient; c: ChannelSummary }) {
  const me = client.me.value?.id;
  const st = client.chat.value[c.id];
  const msgs = (st?.messages ?? []).filter((m) => m.replyTo === null && !m.deletedAt).slice(-SHOWN);
  const name = (id: number | null) =>
    id === me ? t("msg.you") : (id !== null && (client.users.value[id]?.displayName ??
      c.members?.find((m) => m.id === id)?.displayName)) || "Parley";
  return (
    // The log is a scrollable region (keyboard-focusable); the list inside keeps its list semantics.
    <div
      role="log"
      aria-live="polite"
      aria-label={t("widget.peek", { name: c.displayName })}
      tabIndex={0}
      class="px-4 py-2 border-t border-line max-h-48 overflow-y-auto text-sm"
    >
      <ol class="flex flex-col gap-1.5">
        {!st && <li class="text-muted">{t("app.loading")}</li>}
        {st && msgs.length === 0 && <li class="text-muted">{t("conv.empty")}</li>}
        {msgs.map((m) => (
          <li key={m.id} class="min-w-0">
            <span class="font-semibold">{name(m.senderId)}</span>{" "}
            <time dateTime={m.createdAt} class="text-xs text-muted">{fmtAge(m.createdAt)}</time>
            <span class="block break-words">{plainText(m.body)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
