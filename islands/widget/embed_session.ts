/**
 * The embed session of the staff widget on a host application's origin (docs/widget.md): a bearer token
 * that lapses unless the widget asks the host for a fresh JWT and gets more time with it, well before.
 * No Deno APIs: bundled for the browser.
 */

/** Asks the host for a fresh JWT and exchanges it, with the current token, for more time. */
export type Refresh = (current: string) => Promise<EmbedSession>;

export interface EmbedSession {
  token: string;
  /** When it lapses, by this browser's clock (the loader computes it from the server's `expiresIn`). */
  expiresAt: string;
}

/** Refresh this long before the embed session lapses (it lives 15 minutes), or a third of it if shorter. */
const REFRESH_AHEAD_MS = 3 * 60_000;

/** When to ask for more time: REFRESH_AHEAD_MS before the end, or at two thirds of a short lifetime. */
export function refreshDelay(expiresAt: string, now = Date.now()): number {
  const left = Date.parse(expiresAt) - now;
  return Math.max(1_000, left - Math.min(REFRESH_AHEAD_MS, left / 3));
}

/** Keeps an embed session alive: a fresh JWT for more time, well before it lapses; retried on failure. */
export function keepAlive(session: EmbedSession, refresh: Refresh | undefined): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const plan = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        const next = await refresh!(session.token);
        session.token = next.token;
        session.expiresAt = next.expiresAt;
        plan(refreshDelay(session.expiresAt));
      } catch {
        // The host gave no token (or Parley refused it): try again while the session lasts.
        if (Date.parse(session.expiresAt) > Date.now()) {
          plan(Math.max(5_000, Math.min(30_000, refreshDelay(session.expiresAt))));
        }
      }
    }, ms);
  };
  if (refresh) plan(refreshDelay(session.expiresAt));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
