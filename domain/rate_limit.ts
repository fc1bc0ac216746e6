/** In-memory token buckets per key (per instance). Used for sends, typing and connection attempts. */
import { rateLimited } from "./errors.ts";

export class RateLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private now: () => number = () => Date.now()) {}

  /** Takes one token from `key`'s bucket of `perMinute`; throws `rate_limited` with a retry time when empty. */
  take(key: string, perMinute: number, what = "Too many requests") {
    const now = this.now();
    const rate = perMinute / 60_000;
    // A bucket is stored once, when its key is first seen, and updated in place after that.
    let b = this.#buckets.get(key);
    if (!b) {
      this.#buckets.set(key, b = { tokens: perMinute, at: now });
      if (this.#buckets.size > 100_000) this.#sweep(now);
    }
    b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (b.tokens < 1) throw rateLimited(Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)), what);
    b.tokens -= 1;
  }

  /** Would `take` succeed now? (Takes nothing.) */
  available(key: string, perMinute: number): boolean {
    const b = this.#buckets.get(key);
    if (!b) return true;
    return Math.min(perMinute, b.tokens + (this.now() - b.at) * (perMinute / 60_000)) >= 1;
  }

  /** Gives back a token taken by `take` for something that turned out not to count (a retried send). */
  refund(key: string, perMinute: number) {
    const b = this.#buckets.get(key);
    if (b) b.tokens = Math.min(perMinute, b.tokens + 1);
  }

  #sweep(now: number) {
    for (const [k, b] of this.#buckets) if (now - b.at > 120_000) this.#buckets.delete(k);
  }
}
