/**
 * The Notifications part of Settings (docs/notifications.md): sounds (on/off, volume, kinds), mute all,
 * desktop notifications (permission asked here, never on load), Web Push with "Subscribe this device" and
 * the devices list, email of unread messages with its delay, keywords, and do not disturb (pause for 1 hour
 * or until tomorrow, quiet hours per weekday in a time zone, what may still come through). The choices are
 * saved with the rest of Settings; pause, subscribe and remove act at once.
 */
import { MAIL_LANGUAGES } from "../../shared/mail_languages.ts";
import { useEffect, useState } from "preact/hooks";
import type { PushDevice } from "../../realtime/client/rest.ts";
import { fmtTime, t } from "../../i18n/mod.ts";
import { askNotificationPermission } from "./notify.ts";
import { applyReply, inDnd } from "./notify_state.ts";
import { subscribePush } from "./push.ts";
import { type Prefs, toast, useApp } from "./state.ts";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const ALLOW = [["dm", "allowDm"], ["mention", "allowMention"], ["keyword", "allowKeyword"], [
  "visitor",
  "allowVisitor",
]] as const;
const row = "flex items-center gap-2 text-sm";
const input = "rounded-md border border-line bg-input text-fg px-2 py-1";
const button = "px-2.5 py-1 rounded-md border border-line hover:bg-hover text-sm";

export function NotificationSettings({ p, set }: { p: Prefs; set: (patch: Partial<Prefs>) => void }) {
  const { client, ui, settings } = useApp();
  const [devices, setDevices] = useState<PushDevice[] | null>(null);
  const [keywords, setKeywords] = useState(p.keywords.join(", "));
  const loadDevices = () =>
    client.rest.pushDevices().then((r) => setDevices(r.devices)).catch(() => setDevices([]));
  useEffect(() => void loadDevices(), []);
  const fail = (e: unknown) => toast(ui, t("app.error", { message: (e as Error).message }), "error");
  const check = (label: string, checked: boolean, on: (v: boolean) => void, disabled = false) => (
    <label class={row}>
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) =>
          on((e.target as HTMLInputElement).checked)}
      />
      {label}
    </label>
  );
  const pause = async (input: { minutes?: number; untilTomorrow?: boolean }) => {
    try {
      const r = await client.rest.pause(input);
      applyReply(ui.notify, r);
      set({ pausedUntil: r.dnd.active ? r.dnd.until : null });
    } catch (e) {
      fail(e);
    }
  };
  const subscribe = async () => {
    try {
      await subscribePush(client);
      toast(ui, t("settings.pushSubscribed"));
      await loadDevices();
    } catch (e) {
      fail(e);
    }
  };
  const dnd = ui.notify.myDnd.value;
  const soundsOn = p.sounds && settings.soundsEnabled;
  return (
    <>
      <fieldset class="flex flex-col gap-2">
        <legend class="font-semibold mb-1">{t("settings.notifications")}</legend>
        <label class={row}>
          <input
            type="checkbox"
            checked={soundsOn}
            disabled={!settings.soundsEnabled}
            onChange={(e) => set({ sounds: (e.target as HTMLInputElement).checked })}
          />
          {t("settings.sounds")} <span aria-hidden="true">🔊</span>
        </label>
        {!settings.soundsEnabled && <p class="text-xs text-muted">{t("settings.soundsOff")}</p>}
        <div class="flex flex-wrap gap-x-4 gap-y-1 pl-5">
          <label class={row}>
            {t("settings.volume")}
            <input
              type="range"
              min="0"
              max="1"
              step="0.1"
              value={p.soundVolume}
              disabled={!soundsOn}
              onInput={(e) => set({ soundVolume: Number((e.target as HTMLInputElement).value) })}
            />
          </label>
          {check(
            t("settings.soundMessage"),
            p.soundKinds.message,
            (v) => set({ soundKinds: { ...p.soundKinds, message: v } }),
            !soundsOn,
          )}
          {check(
            t("settings.soundMention"),
            p.soundKinds.mention,
            (v) => set({ soundKinds: { ...p.soundKinds, mention: v } }),
            !soundsOn,
          )}
          {check(
            t("settings.soundVisitor"),
            p.soundKinds.visitor,
            (v) => set({ soundKinds: { ...p.soundKinds, visitor: v } }),
            !soundsOn,
          )}
        </div>
        {check(t("settings.mute"), p.muteAll, (v) => set({ muteAll: v }))}
        {check(t("settings.desktop"), p.desktop, async (on) => {
          if (on && !(await askNotificationPermission())) {
            toast(ui, t("settings.desktopDenied"), "error");
            return set({ desktop: false });
          }
          set({ desktop: on });
        })}
        {check(t("settings.push"), p.push, (v) => set({ push: v }))}
        <div class="flex flex-col gap-1 pl-5">
          <div>
            <button type="button" class={button} onClick={() => void subscribe()}>
              {t("settings.pushSubscribe")}
            </button>
          </div>
          <p class="text-sm font-semibold" id="push-devices">{t("settings.devices")}</p>
          {devices && devices.length === 0 && <p class="text-sm text-muted">{t("settings.noDevices")}</p>}
          {devices && devices.length > 0 && (
            <ul aria-labelledby="push-devices" class="flex flex-col gap-1">
              {devices.map((d) => (
                <li key={d.id} class="flex items-center gap-2 text-sm">
                  <span class="flex-1">{d.device || d.endpointHost}</span>
                  <button
                    type="button"
                    class={button}
                    aria-label={t("settings.removeDevice", { device: d.device || d.endpointHost })}
                    onClick={async () => {
                      try {
                        await client.rest.removePushDevice(d.id);
                        await loadDevices();
                      } catch (e) {
                        fail(e);
                      }
                    }}
                  >
                    {t("settings.remove")}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        {check(t("settings.email"), p.emailEnabled, (v) => set({ emailEnabled: v }))}
        <label class={`${row} pl-5`}>
          {t("settings.emailDelay")}
          <input
            type="number"
            min="1"
            max="1440"
            value={p.emailDelayMinutes}
            disabled={!p.emailEnabled}
            onInput={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (Number.isInteger(v) && v >= 1 && v <= 1440) set({ emailDelayMinutes: v });
            }}
            class={`${input} w-24`}
          />
        </label>
        <label class={`${row} pl-5`}>
          {t("settings.emailLanguage")}
          <select
            value={p.language}
            onChange={(e) => set({ language: (e.target as HTMLSelectElement).value })}
            class={input}
          >
            {[...new Set([...MAIL_LANGUAGES, p.language])].map((l) => (
              <option key={l} value={l}>{languageName(l)}</option>
            ))}
          </select>
        </label>
        <label class="flex flex-col gap-1 text-sm">
          {t("settings.keywords")}
          <input
            value={keywords}
            aria-describedby="keywords-hint"
            placeholder="deploy, design"
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value;
              setKeywords(v);
              const list = v.split(",").map((k) => k.trim().toLowerCase()).filter((k) => k.length >= 2);
              set({ keywords: [...new Set(list)].slice(0, 20).map((k) => k.slice(0, 40)) });
            }}
            class={input}
          />
          <span id="keywords-hint" class="text-xs text-muted">{t("settings.keywordsHint")}</span>
        </label>
      </fieldset>
      <fieldset class="flex flex-col gap-2">
        <legend class="font-semibold mb-1">{t("settings.dnd")}</legend>
        {inDnd(ui.notify) && (
          <p role="status" class="text-sm">
            {p.pausedUntil && Date.parse(p.pausedUntil) > Date.now()
              ? t("settings.pausedUntil", { time: fmtTime(dnd.until ?? p.pausedUntil) })
              : t("settings.dndActive", { time: dnd.until ? fmtTime(dnd.until) : "—" })}
          </p>
        )}
        <div class="flex flex-wrap gap-2">
          <button type="button" class={button} onClick={() => void pause({ minutes: 60 })}>
            {t("settings.pause1h")}
          </button>
          <button type="button" class={button} onClick={() => void pause({ untilTomorrow: true })}>
            {t("settings.pauseTomorrow")}
          </button>
          {p.pausedUntil && Date.parse(p.pausedUntil) > Date.now() && (
            <button
              type="button"
              class={button}
              onClick={() => void pause({ minutes: 0 })}
            >
              {t("settings.resume")}
            </button>
          )}
        </div>
        <fieldset class="flex flex-col gap-1" aria-describedby="quiet-hint">
          <legend class="text-sm font-semibold">{t("settings.quietHours")}</legend>
          <p id="quiet-hint" class="text-xs text-muted">{t("settings.quietHint")}</p>
          {DAYS.map((d) => {
            const range = p.quietHours[d] ?? null;
            const day = t(`day.${d}`);
            const put = (r: { from: string; to: string } | null) =>
              set({ quietHours: { ...p.quietHours, [d]: r } });
            return (
              <div key={d} class="flex flex-wrap items-center gap-2 text-sm">
                <label class={`${row} w-28`}>
                  <input
                    type="checkbox"
                    checked={range !== null}
                    onChange={(e) =>
                      put((e.target as HTMLInputElement).checked ? { from: "18:00", to: "08:00" } : null)}
                  />
                  {day}
                </label>
                {range && (
                  <>
                    <input
                      type="time"
                      aria-label={t("settings.dayFrom", { day })}
                      value={range.from}
                      onInput={(e) => put({ ...range, from: (e.target as HTMLInputElement).value })}
                      class={input}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      aria-label={t("settings.dayTo", { day })}
                      value={range.to}
                      onInput={(e) => put({ ...range, to: (e.target as HTMLInputElement).value })}
                      class={input}
                    />
                  </>
                )}
              </div>
            );
          })}
          <label class={row}>
            {t("settings.timeZone")}
            <input
              value={p.timeZone}
              list="time-zones"
              onChange={(e) => set({ timeZone: (e.target as HTMLInputElement).value.trim() })}
              class={input}
            />
            <datalist id="time-zones">
              {(Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.(
                "timeZone",
              ).map((z) => <option key={z} value={z} />)}
            </datalist>
          </label>
        </fieldset>
        <fieldset class="flex flex-wrap gap-x-4 gap-y-1">
          <legend class="text-sm font-semibold mb-1">{t("settings.dndAllow")}</legend>
          {ALLOW.map(([k, key]) =>
            check(t(`settings.${key}`), p.dndAllow.includes(k), (v) =>
              set({
                dndAllow: v ? [...new Set([...p.dndAllow, k])] : p.dndAllow.filter((x) => x !== k),
              }))
          )}
        </fieldset>
      </fieldset>
    </>
  );
}

/** A language's own name ("Deutsch"), or its code where the browser cannot name it. */
function languageName(code: string): string {
  try {
    return new Intl.DisplayNames([code], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
