/**
 * Everything about calls that floats over a page: incoming-call dialogs, the call panel (full while its
 * conversation is open, picture-in-picture otherwise), and the optional rating once a call ends.
 * Mounted by the chat page (and the widget, for ringing) next to its main island.
 */
import type { ReadonlySignal } from "@preact/signals";
import { t } from "../../i18n/mod.ts";
import type { CallManager } from "./call_client.ts";
import { IncomingCalls, type People } from "./IncomingCall.tsx";
import { CallPanel } from "./CallPanel.tsx";

export function CallLayer({ calls, people, viewing, open }: {
  calls: CallManager;
  people: People;
  /** The conversation on screen (null: none). */
  viewing: ReadonlySignal<number | null>;
  open: (channelId: number) => void;
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
      {!a && ended?.answeredAt && ended.participants.some((p) => p.joinedAt) && (
        <div
          role="dialog"
          aria-label={t("calls.rateTitle")}
          class="fixed bottom-4 right-4 z-40 rounded-lg border border-line bg-main text-fg shadow-xl p-3"
        >
          <p class="text-sm mb-2">{t("calls.rateTitle")}</p>
          <div class="flex gap-1">
            {[1, 2, 3, 4, 5].map((n) => (
              <button
                key={n}
                type="button"
                class="px-2 py-1 rounded border border-line hover:bg-hover"
                aria-label={t("calls.rate", { n })}
                onClick={() => calls.rate(ended.id, n)}
              >
                {"★".repeat(n)}
              </button>
            ))}
            <button type="button" class="ml-2 text-sm underline" onClick={() => (calls.ended.value = null)}>
              {t("calls.skipRating")}
            </button>
          </div>
        </div>
      )}
    </>
  );
}
