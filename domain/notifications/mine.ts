/**
 * What a person manages about their own notifications: preferences, per-conversation levels, push devices,
 * and one-click unsubscribe. Plus the workspace defaults an administrator sets. REST calls these.
 */
import { z } from "zod";
import * as prefsRepo from "../../db/repos/notification_levels.ts";
import * as preferencesRepo from "../../db/repos/preferences.ts";
import type { Actor, Deps } from "../deps.ts";
import { invalid, notFound } from "../errors.ts";
import { readable, requirePermission } from "../access.ts";
import { parse } from "../validate.ts";
import * as preferences from "../preferences/user.ts";
import type { PreferenceKey } from "../preferences/catalog.ts";
import { readSettings, updateSettings } from "../settings/workspace.ts";
import { isQuiet, quietUntil } from "./dnd.ts";
import { checkUnsubscribeToken } from "./links.ts";
import {
  effectivePrefs,
  LEVELS,
  type Prefs,
  PrefsPatch,
  toPreferencePatch,
  toSettingsPatch,
  WorkspaceNotificationPatch,
  workspaceNotificationView,
} from "./prefs.ts";
import { pushEndpointProblem } from "./validate.ts";

export const LevelInput = z.object({ level: z.enum(LEVELS).nullable() }).strict();
export const SubscriptionInput = z.object({
  endpoint: z.string().min(1).max(2000),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "a P-256 public key, base64url"),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,24}={0,2}$/, "16 bytes, base64url"),
  }),
  expirationTime: z.number().nullish(),
  device: z.string().max(120).optional(),
}).strict();
export const PauseInput = z.object({
  /** Minutes to pause for, or 0 to end the pause. */
  minutes: z.number().int().min(0).max(7 * 24 * 60).optional(),
  /** Pause until the next morning (08:00 in the person's time zone). */
  untilTomorrow: z.boolean().optional(),
}).strict();

export interface MyNotifications {
  prefs: Prefs;
  levels: { channelId: number; level: "all" | "mentions" | "mute" }[];
  defaultLevels: { dm: string; group: string; channel: string };
  previews: boolean;
  /** Do not disturb right now, and until when. */
  dnd: { active: boolean; until: string | null };
}

export async function mine(deps: Deps, actor: Actor): Promise<MyNotifications> {
  const ws = await readSettings(deps.db, actor.workspaceId);
  const prefs = await effectivePrefs(deps.db, actor.workspaceId, actor.userId, ws);
  const view = workspaceNotificationView(ws);
  const now = deps.now();
  const active = isQuiet(prefs, now);
  return {
    prefs,
    levels: await prefsRepo.levels(deps.db, actor.userId),
    defaultLevels: view.defaultLevels,
    previews: view.previews,
    dnd: { active, until: active ? quietUntil(prefs, now)?.toISOString() ?? null : null },
  };
}

/**
 * Changes some preferences, given grouped (sections merge); stored as the preference keys of the registry
 * (the person's other tabs get `preferences_updated`). Returns everything as `mine` does.
 */
export async function update(deps: Deps, actor: Actor, input: unknown): Promise<MyNotifications> {
  const patch = parse(PrefsPatch, input);
  const current = await preferences.readPreferences(deps.db, actor.workspaceId, actor.userId);
  const flat = toPreferencePatch(patch, current);
  if (!Object.keys(flat).length) throw invalid("input: name at least one preference to change");
  await preferences.update(deps, actor, flat);
  return await mine(deps, actor);
}

/** Pause for some minutes or until tomorrow morning; minutes 0 ends a pause. */
export async function pause(deps: Deps, actor: Actor, input: unknown): Promise<MyNotifications> {
  const p = parse(PauseInput, input);
  if (p.minutes === undefined && !p.untilTomorrow) throw invalid("minutes or untilTomorrow: say how long");
  const now = deps.now();
  let until: Date | null = null;
  if (p.untilTomorrow) {
    const prefs = await effectivePrefs(deps.db, actor.workspaceId, actor.userId);
    until = tomorrowMorning(now, prefs.timeZone);
  } else if (p.minutes) until = new Date(now.getTime() + p.minutes * 60_000);
  await preferences.update(deps, actor, { pausedUntil: until?.toISOString() ?? null });
  return await mine(deps, actor);
}

/** 08:00 tomorrow in `timeZone`. */
export function tomorrowMorning(now: Date, timeZone: string): Date {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const parts = (d: Date) => Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  // The zone's offset now, applied to 08:00 of the next local day (off by the DST change at most).
  const p = parts(now);
  const localAsUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
  const offset = localAsUtc - Math.floor(now.getTime() / 60_000) * 60_000;
  const next = Date.UTC(+p.year, +p.month - 1, +p.day + 1, 8, 0);
  return new Date(next - offset);
}

export async function setLevel(deps: Deps, actor: Actor, channelId: number, input: unknown) {
  const { level } = parse(LevelInput, input);
  const a = await readable(deps.db, actor, channelId);
  if (!a.member) throw notFound("You are not a member of this conversation");
  await prefsRepo.setLevel(deps.db, actor.userId, channelId, level);
  return { channelId, level };
}

export interface DeviceView {
  id: number;
  device: string;
  endpointHost: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const view = (s: prefsRepo.SubscriptionRow): DeviceView => ({
  id: s.id,
  device: s.device,
  endpointHost: new URL(s.endpoint).host,
  createdAt: s.createdAt,
  lastUsedAt: s.lastUsedAt,
});

export async function devices(deps: Deps, actor: Actor): Promise<DeviceView[]> {
  return (await prefsRepo.subscriptions(deps.db, actor.userId)).map(view);
}

export async function subscribe(
  deps: Deps,
  actor: Actor,
  input: unknown,
  userAgent = "",
): Promise<DeviceView> {
  const p = parse(SubscriptionInput, input);
  const problem = pushEndpointProblem(p.endpoint, deps.config.notifications.pushAllowLoopbackHttp);
  if (problem) throw invalid(problem);
  if ((await prefsRepo.subscriptions(deps.db, actor.userId)).length >= 20) {
    throw invalid("At most 20 devices; remove one first");
  }
  const row = await prefsRepo.upsertSubscription(deps.db, {
    userId: actor.userId,
    workspaceId: actor.workspaceId,
    endpoint: p.endpoint,
    p256dh: p.keys.p256dh,
    auth: p.keys.auth,
    device: (p.device ?? deviceName(userAgent)).slice(0, 120),
  });
  return view(row);
}

/** A short name for a device from its user agent ("Chrome on Linux"). */
export function deviceName(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrom(e|ium)\//.test(ua)
    ? "Chrome"
    : /Safari\//.test(ua)
    ? "Safari"
    : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Windows/.test(ua)
    ? "Windows"
    : /Mac OS/.test(ua)
    ? "macOS"
    : /Linux/.test(ua)
    ? "Linux"
    : "";
  return os ? `${browser} on ${os}` : browser;
}

export async function unsubscribeDevice(deps: Deps, actor: Actor, id: number): Promise<void> {
  const s = await prefsRepo.subscription(deps.db, id);
  if (!s || s.userId !== actor.userId) throw notFound("No such device");
  await prefsRepo.removeSubscription(deps.db, id);
}

/** One-click unsubscribe from unread-message mails (RFC 8058); needs the signed link, no session. */
export async function unsubscribeEmail(deps: Deps, linkSecret: string, userId: number, token: string) {
  if (!Number.isSafeInteger(userId) || userId <= 0 || !checkUnsubscribeToken(linkSecret, userId, token)) {
    throw notFound("This link is not valid");
  }
  const rows = await deps.db.query<{ id: number }>("SELECT id FROM users WHERE id = $1", [userId]);
  if (!rows[0]) throw notFound("This link is not valid");
  const key: PreferenceKey = "emailEnabled";
  await preferencesRepo.put(deps.db, userId, key, false);
}

export async function workspaceSettings(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.access_channels");
  return workspaceNotificationView(await readSettings(deps.db, actor.workspaceId));
}

/** Changes workspace notification settings, given grouped, through the settings registry (audited there). */
export async function updateWorkspaceSettings(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(
    actor,
    "chat.admin_dashboard",
    "Only administrators change workspace notification defaults",
  );
  const p = parse(WorkspaceNotificationPatch, input);
  const patch = toSettingsPatch(p);
  if (!Object.keys(patch).length) throw invalid("input: name at least one setting to change");
  return workspaceNotificationView(await updateSettings(deps, actor, patch));
}

/** People of the workspace in do not disturb now (the moon on their avatar). */
export async function dndNow(deps: Deps, actor: Actor): Promise<number[]> {
  requirePermission(actor, "chat.access_channels");
  const ws = await readSettings(deps.db, actor.workspaceId);
  const now = deps.now();
  const out: number[] = [];
  const keys: PreferenceKey[] = ["quietHours", "pausedUntil"];
  for (const userId of await preferencesRepo.usersWithAny(deps.db, actor.workspaceId, keys)) {
    if (isQuiet(await effectivePrefs(deps.db, actor.workspaceId, userId, ws), now)) out.push(userId);
  }
  return out;
}
