/**
 * The incoming-call dialog: caller's name and avatar, "Accept", "Accept with video", "Decline", and a
 * ringtone while it shows. One per ringing call; it goes away on every tab once answered or declined.
 */
import { useEffect } from "preact/hooks";
import type { CallInfo } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { Avatar } from "../../components/ui.tsx";
import type { CallManager } from "./call_client.ts";
import { ring } from "./media.ts";

export interface People {
  name(id: number | null): string;
  avatar(id: number | null): string | null;
  channel(id: number): string;
}

export function IncomingCalls({ calls, people }: { calls: CallManager; people: People }) {
  const list = calls.ringing.value;
  const ringing = list.length > 0 && !calls.active.value;
  useEffect(() => (ringing ? ring() : undefined), [ringing]);
  if (!list.length) return null;
  return (
    <div class="fixed top-16 right-4 z-50 flex flex-col gap-3 w-80 max-w-[calc(100%-2rem)]">
      {list.map((c) => <Incoming key={c.id} call={c} calls={calls} people={people} />)}
    </div>
  );
}

function Incoming({ call, calls, people }: { call: CallInfo; calls: CallManager; people: People }) {
  const caller = people.name(call.startedBy);
  const title = call.media === "video"
    ? t("calls.incomingVideo", { name: caller })
    : t("calls.incomingAudio", { name: caller });
  const id = `incoming-${call.id}`;
  const mayVideo = calls.can("chat.make_video_calls");
  const channel = people.channel(call.channelId);
  return (
    <div
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      class="rounded-xl border border-line bg-main text-fg shadow-2xl p-4"
    >
      <div class="flex items-center gap-3">
        <span class="animate-pulse">
          <Avatar name={caller} id={call.startedBy ?? 0} url={people.avatar(call.startedBy)} size={48} />
        </span>
        <div class="min-w-0">
          <h2 id={`${id}-title`} class="font-semibold truncate">{title}</h2>
          <p id={`${id}-desc`} class="text-sm text-muted truncate">{channel}</p>
        </div>
      </div>
      <div class="mt-3 flex flex-wrap gap-2">
        <button
          type="button"
          autoFocus
          class="px-3 py-1.5 rounded-md text-white font-semibold"
          style="background:#15803d"
          onClick={() => calls.join(call.id, false)}
        >
          {t("calls.accept")}
        </button>
        {mayVideo && (
          <button
            type="button"
            class="px-3 py-1.5 rounded-md text-white font-semibold"
            style="background:#1d4ed8"
            onClick={() => calls.join(call.id, true)}
          >
            {t("calls.acceptVideo")}
          </button>
        )}
        <button
          type="button"
          class="px-3 py-1.5 rounded-md text-white font-semibold"
          style="background:#b91c1c"
          onClick={() => calls.decline(call.id)}
        >
          {t("calls.decline")}
        </button>
      </div>
    </div>
  );
}
