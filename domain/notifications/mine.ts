/**
 * What a person manages about their own notifications: preferences, per-conversation levels, push devices,
 * and one-click unsubscribe. Plus the workspace defaults an administrator sets. REST calls these.
 */
import { z } from "zod";
import * as prefsRepo from "../../db/repos/notification_prefs.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import type { Actor, Deps } from "../deps.ts";
import { invalid, notFound } from "../errors.ts";
import { readable, requirePermission } from "../access.ts";
import { parse } from "../validate.ts";
import { isQuiet, quietUntil } from "./dnd.ts";
import { checkUnsubscribeToken } from "./links.ts";
import {
  LEVELS,
  mergePrefs,
  type Prefs,
  PrefsPatch,
  resolvePrefs,
  WORKSPACE_KEYS,
  WorkspaceNotificationPatch,
  workspaceNotificationSettings,
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

async function stored(deps: Deps, actor: Actor): Promise<Record<string, unknown>> {
  const own = await prefsRepo.get(deps.db, actor.userId);
  const ok = PrefsPatch.safeParse(own ?? {});
  return ok.success ? ok.data : {};
}

export async function mine(deps: Deps, actor: Actor): Promise<MyNotifications> {
  const ws = await workspaceNotificationSettings(deps.db, actor.workspaceId);
  const prefs = resolvePrefs(ws.defaults, await prefsRepo.get(deps.db, actor.userId));
  const now = deps.now();
  const active = isQuiet(prefs, now);
  return {
    prefs,
    levels: await prefsRepo.levels(deps.db, actor.userId),
    defaultLevels: ws.defaultLevels,
    previews: ws.previews,
    dnd: { active, until: active ? quietUntil(prefs, now)?.toISOString() ?? null : null },
  };
}

/** Changes some preferences (sections merge); returns everything as `mine` does. */
export async function update(deps: Deps, actor: Actor, input: unknown): Promise<MyNotifications> {
  const patch = parse(PrefsPatch, input);
  const own = await stored(deps, actor);
  const next = mergePrefs(own as Prefs, patch);
  if (patch.keywords) next.keywords = [...new Set(patch.keywords.map((k) => k.toLowerCase()))];
  await prefsRepo.put(deps.db, actor.workspaceId, actor.userId, next);
  return await mine(deps, actor);
}

/** Pause for some minutes or until tomorrow morning; minutes 0 ends a pause. */
export async function pause(deps: Deps, actor: Actor, input: unknown): Promise<MyNotifications> {
  const p = parse(PauseInput, input);
  if (p.minutes === undefined && !p.untilTomorrow) throw invalid("minutes or untilTomorrow: say how long");
  const now = deps.now();
  let until: Date | null = null;
  if (p.untilTomorrow) {
    const prefs = (await mine(deps, actor)).prefs;
    until = tomorrowMorning(now, prefs.timeZone);
  } else if (p.minutes) until = new Date(now.getTime() + p.minutes * 60_000);
  const own = await stored(deps, actor) as Partial<Prefs>;
  const dnd = { ...(own.dnd ?? {}), pausedUntil: until?.toISOString() ?? null };
  await prefsRepo.put(deps.db, actor.workspaceId, actor.userId, { ...own, dnd });
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
  const rows = await deps.db.query<{ workspaceId: number; prefs: unknown }>(
    `SELECT u.workspace_id AS "workspaceId", p.prefs FROM users u
     LEFT JOIN notification_prefs p ON p.user_id = u.id WHERE u.id = $1`,
    [userId],
  );
  if (!rows[0]) throw notFound("This link is not valid");
  const own = (await prefsRepo.get(deps.db, userId) ?? {}) as Partial<Prefs>;
  await prefsRepo.put(deps.db, rows[0].workspaceId, userId, {
    ...own,
    email: { ...(own.email ?? {}), enabled: false },
  });
}

export async function workspaceSettings(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.access_channels");
  return await workspaceNotificationSettings(deps.db, actor.workspaceId);
}

export async function updateWorkspaceSettings(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(
    actor,
    "chat.admin_dashboard",
    "Only administrators change workspace notification defaults",
  );
  const p = parse(WorkspaceNotificationPatch, input);
  await deps.db.tx(async (sql) => {
    for (const [field, value] of Object.entries(p)) {
      if (value === undefined) continue;
      await workspacesRepo.putSetting(
        sql,
        actor.workspaceId,
        WORKSPACE_KEYS[field as keyof typeof WORKSPACE_KEYS],
        value,
      );
    }
    await sessionsRepo.audit(sql, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: "notification_defaults_updated",
      detail: p,
    });
  });
  return await workspaceNotificationSettings(deps.db, actor.workspaceId);
}

/** People of the workspace in do not disturb now (the moon on their avatar). */
export async function dndNow(deps: Deps, actor: Actor): Promise<number[]> {
  requirePermission(actor, "chat.access_channels");
  const ws = await workspaceNotificationSettings(deps.db, actor.workspaceId);
  const now = deps.now();
  const out: number[] = [];
  for (const r of await prefsRepo.withDnd(deps.db, actor.workspaceId)) {
    const own = typeof r.prefs === "string" ? JSON.parse(r.prefs) : r.prefs;
    if (isQuiet(resolvePrefs(ws.defaults, own as Record<string, unknown>), now)) out.push(Number(r.userId));
  }
  return out;
}
