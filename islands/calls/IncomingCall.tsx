/**
 * The incoming-call dialog: caller's name and avatar, "Accept", "Accept with video", "Decline", and a
 * ringtone while it shows. One per ringing call; it goes away on every tab once answered or declined.
 * Keyboard: focus moves to "Accept" when it appears, Escape declines, and focus goes back where it was
 * when the dialog goes away (unless the call panel takes it). The staff widget shows the same dialog.
 */
import { useEffect, useRef } from "preact/hooks";
import type { CallInfo } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { Avatar, cx } from "../../components/ui.tsx";
import type { CallManager } from "./call_client.ts";
import { ring } from "./media.ts";
import { restoreFocus } from "./focus.ts";

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
  const mayVideo = calls.can("chat.make_video_calls");
  return (
    <div class="fixed top-16 right-4 z-50 flex flex-col gap-3 w-80 max-w-[calc(100%-2rem)]">
      {list.map((c, i) => (
        <IncomingDialog
          key={c.id}
          call={c}
          caller={people.name(c.startedBy)}
          avatar={people.avatar(c.startedBy)}
          where={people.channel(c.channelId)}
          mayVideo={mayVideo}
          focus={i === 0}
          onAccept={(video) => calls.join(c.id, video)}
          onDecline={() => calls.decline(c.id)}
        />
      ))}
    </div>
  );
}

const action = "rounded-md text-white font-semibold focus-visible:outline focus-visible:outline-2 " +
  "focus-visible:outline-offset-2";

/** One ringing call: used by the chat page and by the staff widget (`compact`). */
export function IncomingDialog(
  { call, caller, avatar, where, mayVideo, focus, compact, onAccept, onDecline }: {
    call: CallInfo;
    caller: string;
    avatar: string | null;
    /** The conversation's name (shown under the title when known). */
    where: string;
    mayVideo: boolean;
    /** Whether this dialog takes the focus when it appears (the first of several). */
    focus: boolean;
    compact?: boolean;
    onAccept: (video: boolean) => void;
    onDecline: () => void;
  },
) {
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!focus) return;
    const before = accept.current?.getRootNode() instanceof ShadowRoot
      ? (accept.current.getRootNode() as ShadowRoot).activeElement
      : document.activeElement;
    accept.current?.focus();
    return () => restoreFocus(before);
  }, []);
  const title = call.media === "video"
    ? t("calls.incomingVideo", { name: caller })
    : t("calls.incomingAudio", { name: caller });
  const id = `incoming-${call.id}`;
  const size = compact ? "px-2 py-1 text-sm" : "px-3 py-1.5";
  return (
    <div
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={where ? `${id}-desc` : undefined}
      class={cx("rounded-xl border border-line bg-main text-fg shadow-2xl", compact ? "p-3" : "p-4")}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        e.stopPropagation();
        onDecline();
      }}
    >
      <div class="flex items-center gap-3">
        {/* A ring pulses around the avatar (the avatar itself stays opaque, so its initials stay readable). */}
        <span class="relative inline-flex shrink-0">
          <span
            aria-hidden="true"
            class="absolute inset-0 rounded-full motion-safe:animate-ping"
            style="background:#22c55e;opacity:.35"
          />
          <span class="relative inline-flex">
            <Avatar name={caller} id={call.startedBy ?? 0} url={avatar} size={compact ? 36 : 48} />
          </span>
        </span>
        <div class="min-w-0">
          <h2 id={`${id}-title`} class={cx("font-semibold break-words", compact && "text-sm")}>{title}</h2>
          {where && <p id={`${id}-desc`} class="text-sm text-muted truncate">{where}</p>}
        </div>
      </div>
      <div class="mt-3 flex flex-wrap gap-2">
        <button
          ref={accept}
          type="button"
          class={cx(action, size)}
          style="background:#15803d;outline-color:#15803d"
          onClick={() => onAccept(false)}
        >
          {t("calls.accept")}
        </button>
        {mayVideo && (
          <button
            type="button"
            class={cx(action, size)}
            style="background:#1d4ed8;outline-color:#1d4ed8"
            onClick={() => onAccept(true)}
          >
            {t("calls.acceptVideo")}
          </button>
        )}
        <button
          type="button"
          class={cx(action, size)}
          style="background:#b91c1c;outline-color:#b91c1c"
          onClick={onDecline}
        >
          {t("calls.decline")}
        </button>
      </div>
    </div>
  );
}
