/**
 * The event bus: how events published by `domain/` after a commit reach every instance's hub.
 * Implementations: `memory.ts` (one process), `broadcast_channel.ts` (Deno Deploy, workers) and
 * `pg_notify.ts` (several processes on one Postgres). Selected in `main.ts`.
 */
import type { Envelope } from "../../protocol.ts";

export interface EventBus {
  /** Delivers to local subscribers at once and to other instances as soon as it can. Never throws. */
  publish(envelopes: Envelope[]): void;
  subscribe(fn: (env: Envelope) => void): () => void;
  close(): Promise<void>;
}

/** Local delivery shared by every implementation. */
export class Subscribers {
  #fns = new Set<(env: Envelope) => void>();
  add(fn: (env: Envelope) => void) {
    this.#fns.add(fn);
    return () => void this.#fns.delete(fn);
  }
  deliver(env: Envelope) {
    for (const fn of this.#fns) {
      try {
        fn(env);
      } catch (err) {
        console.error("bus subscriber failed", err);
      }
    }
  }
}
