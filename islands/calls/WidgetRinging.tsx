/**
 * Ringing in the staff widget: the same dialog ("Accept", "Accept with video", "Decline", caller's name and
 * avatar, ringtone). Answering opens the conversation in the chat app, which joins the call there.
 */
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { Avatar } from "../../components/ui.tsx";
import type { ParleyClient } from "../../realtime/client.ts";
import { ring } from "./media.ts";
import { RingWatch } from "./ring_watch.ts";

export function WidgetRinging({ client, chatUrl }: { client: ParleyClient; chatUrl: string }) {
  const [watch] = useState(() => new RingWatch(client));
  useEffect(() => {
    watch.start();
    return () => watch.stop();
  }, []);
  const list = watch.ringing.value;
  useEffect(() => (list.length ? ring() : undefined), [list.length > 0]);
  if (!list.length) return null;
  const answer = (id: number, channelId: number, video: boolean) =>
    open(`${chatUrl}/${channelId}?call=${id}${video ? "&video=1" : ""}`, "_blank");
  return (
    <div class="fixed top-4 right-4 z-50 flex flex-col gap-2 w-72">
      {list.map((c) => {
        const caller = c.startedBy === null ? "" : client.users.value[c.startedBy]?.displayName ?? "";
        const title = c.media === "video"
          ? t("calls.incomingVideo", { name: caller })
          : t("calls.incomingAudio", { name: caller });
        return (
          <div
            key={c.id}
            role="alertdialog"
            aria-label={title}
            class="rounded-xl border border-line bg-main text-fg shadow-2xl p-3"
          >
            <div class="flex items-center gap-2">
              <Avatar
                name={caller}
                id={c.startedBy ?? 0}
                url={c.startedBy === null ? null : client.users.value[c.startedBy]?.avatarUrl}
                size={36}
              />
              <p class="font-semibold text-sm">{title}</p>
            </div>
            <div class="mt-2 flex flex-wrap gap-1">
              <button
                type="button"
                class="px-2 py-1 rounded text-white text-sm"
                style="background:#15803d"
                onClick={() => answer(c.id, c.channelId, false)}
              >
                {t("calls.accept")}
              </button>
              <button
                type="button"
                class="px-2 py-1 rounded text-white text-sm"
                style="background:#1d4ed8"
                onClick={() => answer(c.id, c.channelId, true)}
              >
                {t("calls.acceptVideo")}
              </button>
              <button
                type="button"
                class="px-2 py-1 rounded text-white text-sm"
                style="background:#b91c1c"
                onClick={() => watch.decline(c.id)}
              >
                {t("calls.decline")}
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
