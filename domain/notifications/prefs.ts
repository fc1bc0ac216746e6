/**
 * Notification settings as the rules read them. They are stored in the two registries like every other
 * setting: a person's choices in `domain/preferences/areas/notifications.ts` (stored one row per key), the
 * workspace switches and defaults in `domain/settings/areas/notifications.ts`. This file gives them the
 * grouped shape the rules use (`Prefs`) and translates the grouped patch of `PATCH /api/notifications`
 * into preference keys.
 *
 * @example
 * const p = await effectivePrefs(deps.db, workspaceId, userId);
 * if (p.email.enabled) console.log(`mail after ${p.email.delayMinutes} minutes`);
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import { readPreferences } from "../preferences/user.ts";
import type { Preferences } from "../preferences/catalog.ts";
import { readSettings } from "../settings/workspace.ts";
import type { WorkspaceSettingKey, WorkspaceSettings } from "../settings/catalog.ts";
import {
  DefaultLevels,
  DND_ALLOW,
  EmailDelay,
  Keywords,
  Language,
  LEVELS,
  QuietHours,
  SoundKinds,
  TimeZone,
  WEEKDAYS,
} from "./schemas.ts";

export { LEVELS, WEEKDAYS };
export type { Level, Weekday } from "./schemas.ts";

/** The effective choices of one person, grouped (what `GET /api/notifications` returns as `prefs`). */
export const PrefsSchema = z.object({
  email: z.object({ enabled: z.boolean(), delayMinutes: EmailDelay }).strict(),
  push: z.object({ enabled: z.boolean() }).strict(),
  desktop: z.object({ enabled: z.boolean() }).strict(),
  sounds: z.object({ enabled: z.boolean(), volume: z.number().min(0).max(1) }).merge(SoundKinds).strict(),
  keywords: Keywords,
  dnd: z.object({
    schedule: QuietHours,
    pausedUntil: z.iso.datetime({ offset: true }).nullable(),
    allow: z.array(z.enum(DND_ALLOW)).max(4),
  }).strict(),
  timeZone: TimeZone,
  language: Language,
}).strict();
export type Prefs = z.infer<typeof PrefsSchema>;

/** What `PATCH /api/notifications` may carry: any part, one level deep. */
export const PrefsPatch = z.object({
  email: PrefsSchema.shape.email.partial().optional(),
  push: PrefsSchema.shape.push.partial().optional(),
  desktop: PrefsSchema.shape.desktop.partial().optional(),
  sounds: PrefsSchema.shape.sounds.partial().optional(),
  keywords: Keywords.optional(),
  dnd: PrefsSchema.shape.dnd.partial().optional(),
  timeZone: TimeZone.optional(),
  language: Language.optional(),
}).strict();
export type PrefsPatch = z.infer<typeof PrefsPatch>;

/** Pure: the grouped view of a person's preferences. */
export function prefsFrom(p: Preferences): Prefs {
  return {
    email: { enabled: p.emailEnabled, delayMinutes: p.emailDelayMinutes },
    push: { enabled: p.push },
    desktop: { enabled: p.desktop },
    sounds: { enabled: p.sounds, volume: p.soundVolume, ...p.soundKinds },
    keywords: p.keywords,
    dnd: { schedule: p.quietHours, pausedUntil: p.pausedUntil, allow: p.dndAllow },
    timeZone: p.timeZone,
    language: p.language,
  };
}

/** Some preference keys with new values. */
export type PreferencesChange = { -readonly [K in keyof Preferences]?: Preferences[K] };

/** Pure: a grouped patch as preference keys (sound kinds merge with the current ones). */
export function toPreferencePatch(patch: PrefsPatch, current: Preferences): PreferencesChange {
  const out: PreferencesChange = {};
  if (patch.email?.enabled !== undefined) out.emailEnabled = patch.email.enabled;
  if (patch.email?.delayMinutes !== undefined) out.emailDelayMinutes = patch.email.delayMinutes;
  if (patch.push?.enabled !== undefined) out.push = patch.push.enabled;
  if (patch.desktop?.enabled !== undefined) out.desktop = patch.desktop.enabled;
  if (patch.sounds) {
    const { enabled, volume, ...kinds } = patch.sounds;
    if (enabled !== undefined) out.sounds = enabled;
    if (volume !== undefined) out.soundVolume = volume;
    if (Object.keys(kinds).length) out.soundKinds = { ...current.soundKinds, ...kinds };
  }
  if (patch.keywords) out.keywords = [...new Set(patch.keywords.map((k) => k.toLowerCase()))];
  if (patch.dnd?.schedule !== undefined) out.quietHours = patch.dnd.schedule;
  if (patch.dnd?.pausedUntil !== undefined) out.pausedUntil = patch.dnd.pausedUntil;
  if (patch.dnd?.allow !== undefined) out.dndAllow = patch.dnd.allow;
  if (patch.timeZone !== undefined) out.timeZone = patch.timeZone;
  if (patch.language !== undefined) out.language = patch.language;
  return out;
}

/** Workspace notification settings, grouped (what `/api/notifications/workspace` shows and changes). */
export const WorkspaceNotificationSchema = z.object({
  /** Push payloads and mails may carry the first lines of messages. */
  previews: z.boolean(),
  /** In channels with more members than this, only moderators and channel admins can use @here/@channel/@everyone. */
  broadMentionThreshold: z.number().int().min(0).max(100_000),
  /** Default levels per conversation kind. */
  defaultLevels: DefaultLevels,
  /** Defaults for every person who has not chosen otherwise. */
  defaults: z.object({
    email: z.object({ enabled: z.boolean(), delayMinutes: EmailDelay }).partial().strict(),
    push: z.object({ enabled: z.boolean() }).partial().strict(),
    timeZone: TimeZone,
    language: Language,
  }).partial().strict(),
}).strict();
export type WorkspaceNotificationSettings = z.infer<typeof WorkspaceNotificationSchema>;
export const WorkspaceNotificationPatch = WorkspaceNotificationSchema.partial().strict();

/** Pure: the grouped view of the workspace settings. */
export function workspaceNotificationView(s: WorkspaceSettings): Required<WorkspaceNotificationSettings> {
  return {
    previews: s["notifications.previews"],
    broadMentionThreshold: s["notifications.broad_mention_threshold"],
    defaultLevels: s["notifications.default_levels"],
    defaults: {
      email: {
        enabled: s["notifications.default_email"],
        delayMinutes: s["notifications.default_email_delay_minutes"],
      },
      push: { enabled: s["notifications.default_push"] },
      timeZone: s["notifications.default_time_zone"],
      language: s["notifications.default_language"],
    },
  };
}

/** Pure: a grouped workspace patch as registry keys. */
export function toSettingsPatch(
  p: z.infer<typeof WorkspaceNotificationPatch>,
): Partial<Record<WorkspaceSettingKey, unknown>> {
  const out: Partial<Record<WorkspaceSettingKey, unknown>> = {};
  if (p.previews !== undefined) out["notifications.previews"] = p.previews;
  if (p.broadMentionThreshold !== undefined) {
    out["notifications.broad_mention_threshold"] = p.broadMentionThreshold;
  }
  if (p.defaultLevels !== undefined) out["notifications.default_levels"] = p.defaultLevels;
  const d = p.defaults ?? {};
  if (d.email?.enabled !== undefined) out["notifications.default_email"] = d.email.enabled;
  if (d.email?.delayMinutes !== undefined) {
    out["notifications.default_email_delay_minutes"] = d.email.delayMinutes;
  }
  if (d.push?.enabled !== undefined) out["notifications.default_push"] = d.push.enabled;
  if (d.timeZone !== undefined) out["notifications.default_time_zone"] = d.timeZone;
  if (d.language !== undefined) out["notifications.default_language"] = d.language;
  return out;
}

/** The workspace's notification settings, read through the registry. */
export async function workspaceNotificationSettings(sql: Sql, workspaceId: number) {
  return workspaceNotificationView(await readSettings(sql, workspaceId));
}

/** What applies to a person: their own choices, else the workspace defaults, else the built-in ones. */
export async function effectivePrefs(
  sql: Sql,
  workspaceId: number,
  userId: number,
  settings?: WorkspaceSettings,
): Promise<Prefs> {
  return prefsFrom(await readPreferences(sql, workspaceId, userId, settings));
}
