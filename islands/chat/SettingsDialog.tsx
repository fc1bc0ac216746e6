/**
 * The settings gear menu of the seed: notifications and sounds, status with custom status and away message,
 * timestamp format and position, and the theme with a live preview (the page itself switches as you pick;
 * closing without saving puts the old theme back).
 */
import { useState } from "preact/hooks";
import type { PresenceStatus } from "../../realtime/protocol.ts";
import { t } from "../../i18n/mod.ts";
import { THEME_IDS, type ThemeId } from "../../components/themes.ts";
import { Avatar, cx } from "../../components/ui.tsx";
import { Dialog } from "./Dialog.tsx";
import { PasswordForm } from "./PasswordForm.tsx";
import { NotificationSettings } from "./NotificationSettings.tsx";
import { applyTheme, type Prefs, savePrefs, toast, useApp } from "./state.ts";

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const { client, ui, settings } = useApp();
  const me = client.me.value!;
  const [p, setP] = useState<Prefs>(ui.prefs.value);
  const [status, setStatus] = useState<PresenceStatus>(me.status === "offline" ? "online" : me.status);
  const [statusText, setStatusText] = useState(me.statusText ?? "");
  const [away, setAway] = useState(me.awayMessage ?? "");
  const set = (patch: Partial<Prefs>) => {
    const next = { ...p, ...patch };
    setP(next);
    if (patch.theme) applyTheme(patch.theme);
  };
  const close = () => {
    applyTheme(ui.prefs.value.theme);
    onClose();
  };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      // Stored on the server: the preferences follow the person to every browser (and reach their other tabs).
      // Only what changed here, so a pause or a choice made meanwhile in another tab is not undone.
      const before = ui.prefs.value as Record<string, unknown>;
      const changed = Object.fromEntries(
        Object.entries(p).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])),
      ) as Partial<Prefs>;
      const r = Object.keys(changed).length
        ? await client.rest.setPreferences(changed)
        : await client.rest.preferences();
      ui.prefs.value = r.preferences;
      savePrefs(r.preferences);
      applyTheme(r.preferences.theme);
      await client.setPresence({
        status: status as "online" | "away" | "busy",
        statusText,
        awayMessage: away,
      });
      toast(ui, t("settings.saved"));
    } catch (err) {
      applyTheme(ui.prefs.value.theme);
      toast(ui, t("app.error", { message: (err as Error).message }), "error");
    }
    onClose();
  };
  const radio = "flex items-center gap-2 text-sm";
  return (
    <Dialog title={t("settings.title")} onClose={close} wide>
      <form onSubmit={save} class="flex flex-col gap-5">
        <NotificationSettings p={p} set={set} />
        <fieldset class="flex flex-col gap-2">
          <legend class="font-semibold mb-1">{t("settings.status")}</legend>
          <label class="flex flex-col gap-1 text-sm">
            {t("settings.currentStatus")}
            <select
              value={status}
              onChange={(e) => setStatus((e.target as HTMLSelectElement).value as PresenceStatus)}
              class="rounded-md border border-line bg-input text-fg px-2 py-1.5"
            >
              {(["online", "away", "busy"] as const).map((s) => (
                <option key={s} value={s}>{t(`presence.${s}`)}</option>
              ))}
            </select>
          </label>
          <label class="flex flex-col gap-1 text-sm">
            {t("settings.awayMessage")}
            <input
              value={away}
              maxLength={200}
              placeholder={t("settings.awayPlaceholder")}
              onInput={(e) => setAway((e.target as HTMLInputElement).value)}
              class="rounded-md border border-line bg-input text-fg px-2 py-1.5"
            />
          </label>
          <label class="flex flex-col gap-1 text-sm">
            {t("settings.customStatus")}
            <input
              value={statusText}
              maxLength={100}
              placeholder={t("settings.customPlaceholder")}
              onInput={(e) => setStatusText((e.target as HTMLInputElement).value)}
              class="rounded-md border border-line bg-input text-fg px-2 py-1.5"
            />
          </label>
        </fieldset>
        <fieldset class="flex flex-col gap-2">
          <legend class="font-semibold mb-1">{t("settings.display")}</legend>
          <div role="radiogroup" aria-label={t("settings.timestamps")} class="flex flex-wrap gap-4">
            <span class="text-sm w-24">{t("settings.timestamps")}:</span>
            {(["relative", "absolute"] as const).map((f) => (
              <label key={f} class={radio}>
                <input
                  type="radio"
                  name="tsFormat"
                  checked={p.tsFormat === f}
                  onChange={() => set({ tsFormat: f })}
                />
                {t(f === "relative" ? "settings.relative" : "settings.absolute")}
              </label>
            ))}
          </div>
          <div role="radiogroup" aria-label={t("settings.position")} class="flex flex-wrap gap-4">
            <span class="text-sm w-24">{t("settings.position")}:</span>
            {(["right", "tooltip", "below"] as const).map((f) => (
              <label key={f} class={radio}>
                <input
                  type="radio"
                  name="tsPosition"
                  checked={p.tsPosition === f}
                  onChange={() => set({ tsPosition: f })}
                />
                {t(
                  f === "right"
                    ? "settings.posRight"
                    : f === "tooltip"
                    ? "settings.posTooltip"
                    : "settings.posBelow",
                )}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend class="font-semibold mb-2">{t("settings.theme")}</legend>
          <div class="grid grid-cols-2 sm:grid-cols-3 gap-2">
            {THEME_IDS.filter((id) => settings.themesOffered.includes(id)).map((id: ThemeId) => (
              <label
                key={id}
                class={cx(
                  radio,
                  "rounded-md border px-2 py-1.5",
                  p.theme === id ? "border-accent bg-selected" : "border-line",
                )}
              >
                <input
                  type="radio"
                  name="theme"
                  value={id}
                  checked={p.theme === id}
                  onChange={() => set({ theme: id })}
                />
                {t(`theme.${id}`)}
              </label>
            ))}
          </div>
          <p class="text-sm font-semibold mt-3 mb-1" id="theme-preview-label">{t("settings.preview")}</p>
          <div
            aria-labelledby="theme-preview-label"
            role="group"
            data-theme={p.theme}
            class="rounded-md border border-line overflow-hidden text-sm"
          >
            <div class="flex justify-between bg-sidebar text-fg px-3 py-1.5 border-b border-line">
              <span class="font-semibold"># general</span>
              <span class="text-muted">Boris Chu · 2:15 PM</span>
            </div>
            <div class="bg-main text-fg px-3 py-2 flex flex-col gap-1.5">
              <div class="flex gap-2 items-center">
                <Avatar name="Boris Chu" id={3} size={22} />
                <span>
                  <b>Boris:</b> {t("settings.previewA")}
                </span>
              </div>
              <div class="flex gap-2 items-center">
                <Avatar name={me.displayName} id={me.id} size={22} />
                <span class="flex-1">
                  <b>{t("msg.you")}:</b> {t("settings.previewB")}
                </span>
                <span class="text-muted text-xs">2:16 PM</span>
              </div>
              <span class="text-link underline">@mention · #channel</span>
            </div>
          </div>
        </fieldset>
        <div class="flex justify-end gap-2">
          <button
            type="button"
            onClick={close}
            class="px-3 py-1.5 rounded-md border border-line hover:bg-hover"
          >
            {t("dialog.cancel")}
          </button>
          <button type="submit" class="px-3 py-1.5 rounded-md bg-accent text-accent-fg font-semibold">
            {t("settings.save")}
          </button>
        </div>
      </form>
      <PasswordForm />
    </Dialog>
  );
}
