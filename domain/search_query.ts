/**
 * The search box's language, as in Slack: words, "quoted phrases", -excluded words, and filters
 * `in:#channel`, `in:@person` (the DM with them), `from:@person`, `has:file`, `has:link`, `before:`,
 * `after:` and `on:` with dates (YYYY-MM-DD). Pure, no I/O: the parse is checked by its own tests.
 *
 * @example
 * parseQuery('from:@alice "release notes" -draft has:file');
 * // { terms: [], phrases: ["release notes"], excluded: ["draft"], from: ["alice"], has: ["file"], ... }
 */
export interface ParsedQuery {
  terms: string[];
  phrases: string[];
  excluded: string[];
  inChannels: string[];
  inPeople: string[];
  from: string[];
  has: ("file" | "link")[];
  /** Dates as YYYY-MM-DD; `before` excludes that day, `after` excludes it too, `on` is that day only. */
  before: string | null;
  after: string | null;
  on: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Splits into tokens, keeping "quoted phrases" (and -"quoted") together. */
function tokens(q: string): string[] {
  const out: string[] = [];
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (const m of q.matchAll(re)) {
    if (m[3] !== undefined) out.push(m[3]);
    else if (m[2].trim()) out.push(`${m[1]}"${m[2].trim()}"`);
  }
  return out;
}

export function parseQuery(raw: string): ParsedQuery {
  const p: ParsedQuery = {
    terms: [],
    phrases: [],
    excluded: [],
    inChannels: [],
    inPeople: [],
    from: [],
    has: [],
    before: null,
    after: null,
    on: null,
  };
  for (const t of tokens(raw.normalize("NFC").slice(0, 500)).slice(0, 30)) {
    const f = /^(in|from|has|before|after|on|during):(.+)$/i.exec(t);
    if (f) {
      const key = f[1].toLowerCase();
      const v = f[2].trim();
      if (key === "in" && v.startsWith("@")) p.inPeople.push(v.slice(1).toLowerCase());
      else if (key === "in") p.inChannels.push(v.replace(/^#/, "").toLowerCase());
      else if (key === "from") p.from.push(v.replace(/^@/, "").toLowerCase());
      else if (key === "has" && (v === "file" || v === "link")) p.has.push(v);
      else if ((key === "before" || key === "after" || key === "on") && validDate(v)) p[key] = v;
      else p.terms.push(t.toLowerCase());
      continue;
    }
    if (t.startsWith('-"')) p.excluded.push(t.slice(2, -1).toLowerCase());
    else if (t.startsWith('"')) p.phrases.push(t.slice(1, -1).toLowerCase());
    else if (t.startsWith("-") && t.length > 1) p.excluded.push(t.slice(1).toLowerCase());
    else p.terms.push(t.toLowerCase());
  }
  return p;
}

/** Whether the query asks for anything at all (filters alone count: "from:@alice" lists her messages). */
export function isEmpty(p: ParsedQuery): boolean {
  return !p.terms.length && !p.phrases.length && !p.inChannels.length && !p.inPeople.length &&
    !p.from.length && !p.has.length && !p.before && !p.after && !p.on;
}

/**
 * Where the words of the query occur in `text`, as [start, end) ranges, merged and sorted: each term and
 * phrase case-insensitively, and words that share a term's stem (so "deploy" marks "deployed").
 */
export function highlights(text: string, p: Pick<ParsedQuery, "terms" | "phrases">): [number, number][] {
  const lower = text.toLowerCase();
  const ranges: [number, number][] = [];
  for (const needle of [...p.terms, ...p.phrases]) {
    if (!needle) continue;
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) {
      ranges.push([i, i + needle.length]);
    }
  }
  for (const term of p.terms) {
    if (term.length < 4 || !/^[\p{L}\p{N}]+$/u.test(term)) continue;
    const stem = term.slice(0, Math.max(3, term.length - 2));
    for (const m of lower.matchAll(/[\p{L}\p{N}]+/gu)) {
      if (m[0].startsWith(stem)) ranges.push([m.index!, m.index! + m[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
