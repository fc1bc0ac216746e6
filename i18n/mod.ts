/**
 * The message catalogue and formatting. Every user-visible string goes through `t()`; dates and numbers
 * through `Intl`. A translation is a new file next to `en.ts` registered in `CATALOGUES`, not a code change.
 *
 * Placeholders: `{name}` is replaced by `vars.name`; `{count, plural, one {# item} other {# items}}` picks a
 * form with `Intl.PluralRules` and puts the formatted number where `#` stands.
 *
 * @example
 * t("sidebar.unread", { count: 3 }) // "3 unread messages"
 */
import { en, type MessageKey } from "./en.ts";

export type { MessageKey };
const CATALOGUES: Record<string, Partial<Record<MessageKey, string>>> = { en };

let locale = "en";
let catalogue: Partial<Record<MessageKey, string>> = en;

/** Picks the catalogue for a BCP 47 tag (falls back to the language, then English). */
export function setLocale(tag: string): void {
  locale = tag || "en";
  catalogue = CATALOGUES[locale] ?? CATALOGUES[locale.split("-")[0]] ?? en;
}

export function getLocale(): string {
  return locale;
}

const PLURAL = /\{(\w+), plural, ((?:\w+ \{[^{}]*\}\s*)+)\}/g;

/** Looks a message up and fills it in. Unknown keys come back as the key, so a gap is visible. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const msg = catalogue[key] ?? en[key] ?? key;
  return msg
    .replace(PLURAL, (_, name: string, forms: string) => {
      const n = Number(vars[name] ?? 0);
      const table: Record<string, string> = {};
      for (const m of forms.matchAll(/(\w+) \{([^{}]*)\}/g)) table[m[1]] = m[2];
      const form = table[`=${n}`] ?? table[new Intl.PluralRules(locale).select(n)] ?? table.other ?? "";
      return form.replace(/#/g, fmtNumber(n));
    })
    .replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export function fmtNumber(n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "2:15 PM" today, "Aug 24, 2:15 PM" another day this year, with the year otherwise. */
export function fmtTime(iso: string | Date, now = new Date()): string {
  const d = new Date(iso);
  const sameDay = d.toDateString() === now.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay ? { hour: "numeric", minute: "2-digit" } : {
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    ...(d.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  };
  return new Intl.DateTimeFormat(locale, opts).format(d);
}

/** The clock time only: "2:15 PM". */
export function fmtClock(iso: string | Date): string {
  return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(new Date(iso));
}

/** Full date and time for tooltips and `<time>` titles. */
export function fmtFull(iso: string | Date): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" }).format(new Date(iso));
}

/** "just now", "2 minutes ago", "yesterday"... */
export function fmtRelative(iso: string | Date, now = new Date()): string {
  const s = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return t("time.justNow");
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 86400 * 7) return rtf.format(Math.round(s / 86400), "day");
  return fmtTime(iso, now);
}

/** Compact age for lists: "2m", "5h", "3d". */
export function fmtAge(iso: string | Date, now = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  const nf = (n: number, unit: "minute" | "hour" | "day") =>
    new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "narrow" }).format(n);
  if (s < 60) return t("time.now");
  if (s < 3600) return nf(Math.floor(s / 60), "minute");
  if (s < 86400) return nf(Math.floor(s / 3600), "hour");
  return nf(Math.floor(s / 86400), "day");
}

/** Day separator label: "Today", "Yesterday", or "Monday, August 24". */
export function fmtDay(iso: string | Date, now = new Date()): string {
  const d = new Date(iso);
  const start = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((start(now) - start(d)) / 86400000);
  if (diff === 0) return t("time.today");
  if (diff === 1) return t("time.yesterday");
  return new Intl.DateTimeFormat(locale, {
    weekday: "long",
    month: "long",
    day: "numeric",
    ...(d.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  }).format(d);
}

/** "Alice, Bob and Carol" */
export function fmtList(items: string[]): string {
  return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
}
