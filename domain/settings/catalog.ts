/**
 * The one list of workspace settings. To add settings: write `areas/<area>.ts` with `defineSettings` (see
 * `registry.ts`) and add it to `combine(...)` below. Keys are spelled once, in the area file; readers use
 * `readSettings` / `publicSettings` from `workspace.ts`, the admin API validates with this list, and
 * `docs/settings.md` is generated from it (`deno task settings-docs`).
 */
import { appearanceSettings } from "./areas/appearance.ts";
import { directorySettings } from "./areas/directory.ts";
import { messageSettings } from "./areas/messages.ts";
import { fileSettings } from "./areas/files.ts";
import { soundSettings } from "./areas/sounds.ts";
import { widgetSettings } from "./areas/widget.ts";
import { callSettings } from "./areas/calls.ts";
import { visitorSettings } from "./areas/visitor.ts";
import { controlSettings } from "./areas/control.ts";
import { monitorSettings } from "./areas/monitor.ts";
import { notificationSettings } from "./areas/notifications.ts";
import { combine, type PublicKeysOf, type ValuesOf } from "./registry.ts";

export const WORKSPACE_SETTINGS = combine(
  messageSettings,
  soundSettings,
  appearanceSettings,
  widgetSettings,
  directorySettings,
  visitorSettings,
  controlSettings,
  monitorSettings,
  fileSettings,
  callSettings,
  notificationSettings,
);

export type WorkspaceSettingKey = keyof typeof WORKSPACE_SETTINGS;
/** Every setting with its value (stored or default). */
export type WorkspaceSettings = ValuesOf<typeof WORKSPACE_SETTINGS>;
/** What pages receive and the `settings_updated` event carries. */
export type PublicSettings = Pick<WorkspaceSettings, PublicKeysOf<typeof WORKSPACE_SETTINGS>>;

/**
 * Rules across settings, checked on every change against the values the change would leave: each returns
 * the key at fault and why, or null.
 */
export const SETTING_RULES:
  ((v: WorkspaceSettings) => { key: WorkspaceSettingKey; message: string } | null)[] = [
    (v) =>
      v["appearance.themes_offered"].includes(v["appearance.default_theme"]) ? null : {
        key: "appearance.default_theme",
        message: "must be one of the themes offered",
      },
  ];

export function isSettingKey(k: string): k is WorkspaceSettingKey {
  return Object.hasOwn(WORKSPACE_SETTINGS, k);
}
