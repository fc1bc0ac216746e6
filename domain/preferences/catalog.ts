/**
 * The one list of per-person preferences. To add some: write `areas/<area>.ts` with `definePreferences`
 * (see `domain/settings/registry.ts`) and add it to `combine(...)` below. A preference may name a workspace
 * setting as its default (`workspaceDefault`); the admin changes that, a person's own choice wins.
 */
import { combine, type ValuesOf } from "../settings/registry.ts";
import { displayPreferences } from "./areas/display.ts";
import { notificationPreferences } from "./areas/notifications.ts";

export const USER_PREFERENCES = combine(displayPreferences, notificationPreferences);

export type PreferenceKey = keyof typeof USER_PREFERENCES;
export type Preferences = ValuesOf<typeof USER_PREFERENCES>;

export function isPreferenceKey(k: string): k is PreferenceKey {
  return Object.hasOwn(USER_PREFERENCES, k);
}
