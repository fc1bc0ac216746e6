/**
 * Keyword notifications, matched the same way on the server (who gets notified) and in the browser (which
 * messages ring): a keyword is a whole word, in any case.
 *
 * @example
 * keywordHit("Deploying? no: deploy now", ["deploy"]) // "deploy"
 */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The first of `keywords` found in `body` as a whole word, any case; null when none is. */
export function keywordHit(body: string, keywords: readonly string[]): string | null {
  for (const k of keywords) {
    if (new RegExp(`(?:^|[^\\p{L}\\p{N}_])${escape(k)}(?![\\p{L}\\p{N}_])`, "iu").test(body)) return k;
  }
  return null;
}
