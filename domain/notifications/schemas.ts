/**
 * The shapes of notification choices, shared by the preferences registry
 * (`domain/preferences/areas/notifications.ts`), the workspace settings (`domain/settings/areas/notifications.ts`)
 * and the notification rules. Only zod here, so both registries can import it without a cycle.
 */
import { z } from "zod";

export const LEVELS = ["all", "mentions", "mute"] as const;
export type Level = typeof LEVELS[number];
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = typeof WEEKDAYS[number];
export const DND_ALLOW = ["dm", "mention", "keyword", "visitor"] as const;

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM");
export const QuietRange = z.object({ from: HHMM, to: HHMM }).strict();
/** Quiet hours per weekday in the person's time zone; `to` before `from` runs past midnight. */
export const QuietHours = z.partialRecord(z.enum(WEEKDAYS), QuietRange.nullable());
/** Zones already found valid: building an `Intl.DateTimeFormat` costs more than the rest of a check. */
const knownZones = new Set<string>();
export const TimeZone = z.string().max(64).refine((tz) => {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    if (knownZones.size < 1000) knownZones.add(tz);
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as Europe/Berlin");
export const Language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).max(20);
export const Keywords = z.array(z.string().trim().min(2).max(40)).max(20);
export const EmailDelay = z.number().int().min(1).max(24 * 60);
export const SoundKinds = z.object({ message: z.boolean(), mention: z.boolean(), visitor: z.boolean() })
  .strict();
export const DefaultLevels = z.object({ dm: z.enum(LEVELS), group: z.enum(LEVELS), channel: z.enum(LEVELS) })
  .strict();
