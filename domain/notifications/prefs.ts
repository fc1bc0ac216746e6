/**
 * Every notification setting in one place: the per-person preferences (stored on the server, editable in
 * Settings), the workspace defaults an administrator sets, and the workspace switches (previews, who may
 * use @channel in large channels). Keys are spelled here once; readers go through `effectivePrefs` and
 * `workspaceNotificationSettings`.
 *
 * @example
 * const p = await effectivePrefs(deps.db, workspaceId, userId);
 * if (p.email.enabled) console.log(`mail after ${p.email.delayMinutes} minutes`);
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as repo from "../../db/repos/notification_prefs.ts";

export const LEVELS = ["all", "mentions", "mute"] as const;
export type Level = typeof LEVELS[number];
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = typeof WEEKDAYS[number];

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM");
const Range = z.object({ from: HHMM, to: HHMM }).strict();
const TimeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as Europe/Berlin");

/** What a person may choose. Every field is optional in storage: missing means the workspace default. */
export const PrefsSchema = z.object({
  email: z.object({
    enabled: z.boolean(),
    /** Minutes a DM, mention or keyword hit waits unread before it is mailed. */
    delayMinutes: z.number().int().min(1).max(24 * 60),
  }).strict(),
  push: z.object({ enabled: z.boolean() }).strict(),
  desktop: z.object({ enabled: z.boolean() }).strict(),
  sounds: z.object({
    enabled: z.boolean(),
    volume: z.number().min(0).max(1),
    message: z.boolean(),
    mention: z.boolean(),
    visitor: z.boolean(),
  }).strict(),
  /** Words that notify like a mention, matched case-insensitively as whole words. */
  keywords: z.array(z.string().trim().min(2).max(40)).max(20),
  dnd: z.object({
    /** Quiet hours per weekday in `timeZone`; `to` before `from` runs past midnight. */
    schedule: z.partialRecord(z.enum(WEEKDAYS), Range.nullable()),
    /** Paused until this moment (ISO), or not paused. */
    pausedUntil: z.iso.datetime({ offset: true }).nullable(),
    /** What still reaches the person during quiet hours. */
    allow: z.array(z.enum(["dm", "mention", "keyword", "visitor"])).max(4),
  }).strict(),
  timeZone: TimeZone,
  /** Language of mails, as a BCP 47 tag. */
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).max(20),
}).strict();
export type Prefs = z.infer<typeof PrefsSchema>;

/** What an update may carry: any part, one level deep. */
export const PrefsPatch = z.object({
  email: PrefsSchema.shape.email.partial().optional(),
  push: PrefsSchema.shape.push.partial().optional(),
  desktop: PrefsSchema.shape.desktop.partial().optional(),
  sounds: PrefsSchema.shape.sounds.partial().optional(),
  keywords: PrefsSchema.shape.keywords.optional(),
  dnd: PrefsSchema.shape.dnd.partial().optional(),
  timeZone: TimeZone.optional(),
  language: PrefsSchema.shape.language.optional(),
}).strict();
export type PrefsPatch = z.infer<typeof PrefsPatch>;

export const BUILTIN_PREFS: Prefs = {
  email: { enabled: true, delayMinutes: 60 },
  push: { enabled: true },
  desktop: { enabled: true },
  sounds: { enabled: true, volume: 0.5, message: true, mention: true, visitor: true },
  keywords: [],
  dnd: { schedule: {}, pausedUntil: null, allow: [] },
  timeZone: "UTC",
  language: "en",
};

/** Workspace switches (workspace_settings keys). */
export const WorkspaceNotificationSchema = z.object({
  /** Push payloads and mails may carry the first lines of messages. */
  previews: z.boolean(),
  /** In channels with more members than this, only moderators and channel admins can use @here/@channel/@everyone. */
  broadMentionThreshold: z.number().int().min(0).max(100_000),
  /** Default levels per conversation kind. */
  defaultLevels: z.object({ dm: z.enum(LEVELS), group: z.enum(LEVELS), channel: z.enum(LEVELS) }).strict(),
  /** Defaults for every person who has not chosen otherwise. */
  defaults: PrefsPatch,
}).strict();
export type WorkspaceNotificationSettings = z.infer<typeof WorkspaceNotificationSchema>;
export const WorkspaceNotificationPatch = WorkspaceNotificationSchema.partial().strict();

export const WORKSPACE_KEYS = {
  previews: "notifications.previews",
  broadMentionThreshold: "notifications.broad_mention_threshold",
  defaultLevels: "notifications.default_levels",
  defaults: "notifications.defaults",
} as const satisfies Record<keyof WorkspaceNotificationSettings, string>;

export const BUILTIN_WORKSPACE: WorkspaceNotificationSettings = {
  previews: true,
  broadMentionThreshold: 10,
  defaultLevels: { dm: "all", group: "all", channel: "mentions" },
  defaults: {},
};

/** Applies a patch one level deep (sections merge, lists and scalars replace). */
export function mergePrefs(base: Prefs, patch: PrefsPatch | Record<string, unknown>): Prefs {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const b = (base as Record<string, unknown>)[k];
    out[k] =
      b && typeof b === "object" && !Array.isArray(b) && v && typeof v === "object" && !Array.isArray(v)
        ? { ...b, ...v }
        : v;
  }
  return out as Prefs;
}

/** The workspace's notification settings, stored values over the built-in defaults. */
export async function workspaceNotificationSettings(
  sql: Sql,
  workspaceId: number,
): Promise<WorkspaceNotificationSettings> {
  const s = await workspacesRepo.settings(sql, workspaceId);
  const out = structuredClone(BUILTIN_WORKSPACE);
  for (const [field, key] of Object.entries(WORKSPACE_KEYS)) {
    if (!(key in s)) continue;
    const one = WorkspaceNotificationSchema.shape[field as keyof typeof WORKSPACE_KEYS].safeParse(s[key]);
    if (one.success) (out as Record<string, unknown>)[field] = one.data;
  }
  return out;
}

/** What applies to a person: built-in defaults, then the workspace's, then their own choices. */
export async function effectivePrefs(sql: Sql, workspaceId: number, userId: number): Promise<Prefs> {
  const ws = await workspaceNotificationSettings(sql, workspaceId);
  const own = await repo.get(sql, userId);
  return resolvePrefs(ws.defaults, own);
}

/** Pure: builds the effective preferences; stored values that no longer validate are ignored. */
export function resolvePrefs(wsDefaults: PrefsPatch, own: Record<string, unknown> | null): Prefs {
  let p = mergePrefs(structuredClone(BUILTIN_PREFS), wsDefaults);
  if (own) {
    const ok = PrefsPatch.safeParse(own);
    if (ok.success) p = mergePrefs(p, ok.data);
  }
  const full = PrefsSchema.safeParse(p);
  return full.success ? full.data : BUILTIN_PREFS;
}
