/**
 * Postgres' text form of a timestamp as the ISO string the API carries (`db/client.ts`). The common form,
 * UTC with up to six fraction digits (`2026-12-02 10:02:03.123456+00`), is rewritten as text, which costs a
 * fraction of `new Date(text)` (V8's fallback parser: about 1 µs, once per timestamp of every row read);
 * any other form (another time zone, a date, a timestamp without zone, BC, infinity) goes through `Date` as
 * before. Milliseconds are truncated, as `Date` does.
 */
const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

export function timestampToIso(text: string): string {
  if (!UTC_TEXT.test(text)) return new Date(text).toISOString();
  const frac = text.length > 22 ? text.slice(20, text.length - 3) : "";
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${(frac + "000").slice(0, 3)}Z`;
}
