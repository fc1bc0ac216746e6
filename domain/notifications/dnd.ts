/**
 * Do not disturb, as pure functions: a pause ("for 1 hour", "until tomorrow") and quiet hours per weekday
 * in the person's time zone. A range whose `to` is before its `from` runs past midnight into the next day;
 * equal times mean the whole day.
 *
 * @example
 * isQuiet(prefs, new Date()) // true while paused or inside tonight's quiet hours
 */
import { type Prefs, WEEKDAYS } from "./prefs.ts";

type Dnd = Pick<Prefs, "dnd" | "timeZone">;

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** The weekday (0 = Sunday) and minute of the day at `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    fmtCache.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const mins = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside the weekly quiet hours (ignores the pause). */
export function inSchedule(p: Dnd, at: Date): boolean {
  const { day, minute } = localTime(at, p.timeZone);
  const today = p.dnd.schedule[WEEKDAYS[day]];
  if (today) {
    const from = mins(today.from), to = mins(today.to);
    if (from === to) return true;
    if (from < to ? minute >= from && minute < to : minute >= from) return true;
  }
  const yesterday = p.dnd.schedule[WEEKDAYS[(day + 6) % 7]];
  if (yesterday) {
    const from = mins(yesterday.from), to = mins(yesterday.to);
    if (from > to && minute < to) return true;
  }
  return false;
}

export function isPaused(p: Dnd, at: Date): boolean {
  return !!p.dnd.pausedUntil && new Date(p.dnd.pausedUntil).getTime() > at.getTime();
}

/** Paused or inside quiet hours. */
export function isQuiet(p: Dnd, at: Date): boolean {
  return isPaused(p, at) || inSchedule(p, at);
}

/** When do not disturb ends (the first minute that is neither paused nor quiet), or null if it is off now. */
export function quietUntil(p: Dnd, at: Date): Date | null {
  if (!isQuiet(p, at)) return null;
  let t = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
  if (isPaused(p, t)) t = new Date(Math.max(t.getTime(), new Date(p.dnd.pausedUntil!).getTime()));
  // Coarse steps, then back to the minute. Eight days covers any weekly schedule (all-week quiet: give up).
  const STEP = 15 * 60_000;
  for (let i = 0; i < 8 * 24 * 4 && inSchedule(p, t); i++) t = new Date(t.getTime() + STEP);
  if (inSchedule(p, t)) return null;
  let back = t;
  for (let i = 0; i < 15; i++) {
    const prev = new Date(back.getTime() - 60_000);
    if (prev.getTime() < at.getTime() || inSchedule(p, prev) || isPaused(p, prev)) break;
    back = prev;
  }
  return back;
}

/** Whether a notification of this kind gets through do not disturb. */
export function allowedDuringDnd(p: Dnd, reason: "dm" | "mention" | "keyword" | "all" | "visitor"): boolean {
  return reason !== "all" && p.dnd.allow.includes(reason);
}
