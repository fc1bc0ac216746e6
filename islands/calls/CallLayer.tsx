/**
 * Everything about calls that floats over a page: incoming-call dialogs, the call panel (full while its
 * conversation is open, picture-in-picture otherwise), and the optional rating once a call ends.
 * Mounted by the chat page next to its main island (the widget rings with `WidgetRinging`).
 */
import type { ReadonlySignal } from "@preact/signals";
import { t } from "../../i18n/mod.ts";
import type { CallManager } from "./call_client.ts";
import { IncomingCalls, type People } from "./IncomingCall.tsx";
import { CallPanel } from "./CallPanel.tsx";
import { useEffect, useRef } from "preact/hooks";

export function CallLayer({ calls, people, viewing, open, askRating }: {
  calls: CallManager;
  people: People;
  /** The conversation on screen (null: none). */
  viewing: ReadonlySignal<number | null>;
  open: (channelId: number) => void;
  /** Whether the workspace asks for a rating after a call (the `calls.rating_prompt` setting). */
  askRating: () => boolean;
}) {
  const a = calls.active.value;
  const ended = calls.ended.value;
  return (
    <>
      <IncomingCalls calls={calls} people={people} />
      {a && (
        <CallPanel
          calls={calls}
          people={people}
          mini={viewing.value !== a.channelId}
          onReturn={() => open(a.channelId)}
        />
      )}
      {!a && calls.error.value && (
        <div
          role="alert"
          class="fixed bottom-4 right-4 z-50 rounded-lg border border-line bg-main p-3 text-sm"
        >
          {t("calls.failed", { message: calls.error.value })}
          <button type="button" class="ml-2 underline" onClick={() => (calls.error.value = null)}>
            {t("calls.dismiss")}
          </button>
        </div>
      )}
      {!a && askRating() && ended?.answeredAt && ended.participants.some((p) => p.joinedAt) && (
        <Rating
          key={ended.id}
          onRate={(n) => calls.rate(ended.id, n)}
          onSkip={() => (calls.ended.value = null)}
        />
      )}
    </>
  );
}

/**
 * The optional one-click rating once a call ended: takes the focus (the call's controls just went away);
 * Escape or "Skip" dismisses it.
 */
function Rating({ onRate, onSkip }: { onRate: (n: number) => void; onSkip: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector("button")?.focus(), []);
  return (
    <div
      ref={box}
      role="dialog"
      aria-labelledby="call-rating-title"
      class="fixed bottom-4 right-4 z-40 rounded-lg border border-line bg-main text-fg shadow-xl p-3"
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        onSkip();
      }}
    >
      <p id="call-rating-title" class="text-sm mb-2">{t("calls.rateTitle")}</p>
      <div class="flex gap-1">
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            class="px-2 py-1 rounded border border-line hover:bg-hover"
            aria-label={t("calls.rate", { n })}
            onClick={() => onRate(n)}
          >
            <span aria-hidden="true">{"★".repeat(n)}</span>
          </button>
        ))}
        <button type="button" class="ml-2 text-sm underline" onClick={onSkip}>
          {t("calls.skipRating")}
        </button>
      </div>
    </div>
  );
}
