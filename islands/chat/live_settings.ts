/**
 * Keeps the page in step with the server: `settings_updated` replaces the workspace settings the components
 * read (sounds, edit window, themes offered), `preferences_updated` the person's preferences (theme,
 * timestamps, sounds) changed in another tab or browser. A new workspace default can change preferences
 * the person never set, so a settings change asks for the preferences again.
 */
import { type AppCtx, applyTheme, type Prefs, savePrefs } from "./state.ts";

export function applyPreferences(ctx: AppCtx, p: Prefs) {
  ctx.ui.prefs.value = p;
  savePrefs(p);
  // While the settings dialog previews a theme, it puts the stored one back itself when it closes.
  if (ctx.ui.dialog.value?.kind !== "settings") applyTheme(p.theme);
}

export function startLiveSettings(ctx: AppCtx): () => void {
  const { client } = ctx;
  savePrefs(ctx.ui.prefs.value);
  const offPrefs = client.on("preferences_updated", (e) => {
    if (e.type === "preferences_updated") applyPreferences(ctx, e.preferences);
  });
  const offSettings = client.on("settings_updated", (e) => {
    if (e.type !== "settings_updated") return;
    ctx.settings.values.value = e.settings;
    client.rest.preferences()
      .then((r) => applyPreferences(ctx, r.preferences))
      .catch(() => {});
  });
  return () => {
    offPrefs();
    offSettings();
  };
}
