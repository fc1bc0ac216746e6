/**
 * Ringing in the staff widget: the same dialog as in the chat app ("Accept", "Accept with video",
 * "Decline", caller's name and avatar, ringtone, focus and Escape). Answering opens the conversation in the
 * chat app, which joins the call there.
 */
import { useEffect, useState } from "preact/hooks";
import type { ParleyClient } from "../../realtime/client.ts";
import { ring } from "./media.ts";
import { RingWatch } from "./ring_watch.ts";
import { IncomingDialog } from "./IncomingCall.tsx";

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
  const mayVideo = client.me.value?.permissions?.includes("chat.make_video_calls") ?? false;
  return (
    <div class="fixed top-4 right-4 z-50 flex flex-col gap-2 w-72 max-w-[calc(100%-2rem)]">
      {list.map((c, i) => {
        const user = c.startedBy === null ? undefined : client.users.value[c.startedBy];
        return (
          <IncomingDialog
            key={c.id}
            call={c}
            caller={user?.displayName ?? ""}
            avatar={user?.avatarUrl ?? null}
            where=""
            mayVideo={mayVideo}
            focus={i === 0}
            compact
            onAccept={(video) => answer(c.id, c.channelId, video)}
            onDecline={() => void watch.decline(c.id)}
          />
        );
      })}
    </div>
  );
}
