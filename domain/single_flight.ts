/**
 * Work that must see every change but need not run once per change: per key, one run at a time, and
 * callers that come while it runs share one more run that starts after it (so it sees their changes).
 * Used for automatic assignment of visitors: every start, end and availability change asks for a run,
 * and 500 visitors starting within seconds otherwise queued 500 transactions on one advisory lock, each
 * holding a pooled connection while it waited (staff messages then waited for a connection too).
 *
 * @example
 * const runs = new SingleFlight<number>();
 * await runs.run(workspaceId, () => assignWaiting(workspaceId));
 */
export class SingleFlight<K> {
  readonly #busy = new Map<K, { current: Promise<void>; next: Promise<void> | null }>();

  /** Resolves when a run of `fn` that started after this call has finished (rejects when it failed). */
  run(key: K, fn: () => Promise<unknown>): Promise<void> {
    const b = this.#busy.get(key);
    if (!b) return this.#start(key, fn);
    return b.next ??= b.current.catch(() => {}).then(() => this.#start(key, fn));
  }

  #start(key: K, fn: () => Promise<unknown>): Promise<void> {
    const entry: { current: Promise<void>; next: Promise<void> | null } = {
      current: Promise.resolve(),
      next: null,
    };
    entry.current = (async () => {
      try {
        await fn();
      } finally {
        if (!entry.next && this.#busy.get(key) === entry) this.#busy.delete(key);
      }
    })();
    this.#busy.set(key, entry);
    return entry.current;
  }
}
