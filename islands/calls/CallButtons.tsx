/**
 * "Start call", "Start video call" and, while a call goes on in the conversation, "Join call": in the
 * header of DMs and groups. Rendered the same on the server (from the person's permissions) as in the browser.
 */
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { useApp } from "../chat/state.ts";
import { useCalls } from "./context.ts";

const base = "px-2 py-1 rounded-md text-sm border disabled:opacity-50 whitespace-nowrap";
const btn = `${base} text-fg border-line hover:bg-hover`;
// Its own colours only (with `text-fg` too, which colour wins depends on the style sheet's order).
const joinBtn = `${base} bg-accent text-accent-fg border-transparent font-semibold hover:opacity-90`;

export function CallButtons({ channel }: { channel: ChannelSummary }) {
  const { client, settings } = useApp();
  const calls = useCalls();
  if (channel.kind !== "direct_message" && channel.kind !== "group") return null;
  if (!settings.values.value["calls.enabled"]) return null;
  const perms = client.me.value?.permissions ?? [];
  const group = channel.kind === "group";
  if (group && !perms.includes("chat.group_call")) return null;
  const live = calls?.callIn(channel.id);
  const inIt = calls?.active.value?.callId === live?.id && !!live;
  if (live && !inIt) {
    return (
      <button
        type="button"
        class={joinBtn}
        disabled={!calls}
        onClick={() =>
          calls!.join(live.id, live.media === "video" && perms.includes("chat.make_video_calls"))}
      >
        <span aria-hidden="true">📞</span> {t("calls.join")}
      </button>
    );
  }
  const busy = !calls || !!calls.active.value;
  return (
    <>
      {perms.includes("chat.make_audio_calls") && (
        <button
          type="button"
          class={btn}
          disabled={busy}
          title={t("calls.start")}
          onClick={() => calls!.startCall(channel.id, "audio")}
        >
          <span aria-hidden="true">📞</span> <span class="hidden lg:inline">{t("calls.start")}</span>
          <span class="sr-only lg:hidden">{t("calls.start")}</span>
        </button>
      )}
      {perms.includes("chat.make_video_calls") && (
        <button
          type="button"
          class={btn}
          disabled={busy}
          title={t("calls.startVideo")}
          onClick={() => calls!.startCall(channel.id, "video")}
        >
          <span aria-hidden="true">🎥</span> <span class="hidden lg:inline">{t("calls.startVideo")}</span>
          <span class="sr-only lg:hidden">{t("calls.startVideo")}</span>
        </button>
      )}
    </>
  );
}
