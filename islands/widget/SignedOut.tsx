/** The widget's panel without a session (never signed in, or the session ended under it). */
import { useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";

/** The panel without a session: "Sign in to chat" (a link, or a button that asks the host for a token). */
export function SignedOut(
  { ended, loginUrl, signIn }: { ended: boolean; loginUrl: string; signIn?: () => Promise<void> },
) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const again = async () => {
    setBusy(true);
    setError(null);
    try {
      await signIn!();
    } catch (e) {
      setError(t("widget.signInFailed", { reason: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="p-4 flex flex-col gap-2 items-start">
      {ended && <p role="status">{t("widget.ended")}</p>}
      {signIn
        ? (
          <button
            type="button"
            class="text-link underline font-semibold"
            disabled={busy}
            aria-busy={busy}
            onClick={again}
          >
            {t("widget.signIn")}
          </button>
        )
        : <a class="text-link underline font-semibold" href={loginUrl}>{t("widget.signIn")}</a>}
      {error && <p role="alert" class="text-danger">{error}</p>}
    </div>
  );
}
