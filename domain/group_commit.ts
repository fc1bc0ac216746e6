/**
 * Group commit: items submitted while earlier batches are being stored wait for the next batch, and each
 * batch is stored by one call of `store` (one statement, so one round trip and one commit), while a lone
 * item goes out at once. Each submit resolves with its own item's result when its batch is stored, and
 * rejects with the batch's error when `store` throws (nothing of that batch was committed: it was one
 * statement).
 *
 * Used by the staff send batcher (`send_batch.ts`), the visitor-chat message batcher
 * (`visitor/message_batch.ts`) and the connection-row writers (`coalesce.ts`).
 *
 * @example
 * const writes = new GroupCommit<Row, boolean>((rows) => repo.insertMany(db, rows), { maxBatch: 256 });
 * const stored = await writes.submit(row);
 */
export interface GroupCommitOptions {
  /** Most items in one batch. */
  maxBatch: number;
  /**
   * Most batches being stored at once (read at every start, so a setting can change it); 1 makes the
   * largest groups, a few let an item rarely wait for another batch's commit. Default 1.
   */
  inFlight?: () => number;
}

interface Waiting<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommit<T, R> {
  #queue: Waiting<T, R>[] = [];
  #running = 0;

  /** `store` answers each item of a batch, in the batch's order. */
  constructor(
    private readonly store: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    const most = this.opts.inFlight?.() ?? 1;
    while (this.#running < most && this.#queue.length) {
      const batch = this.#queue.splice(0, this.opts.maxBatch);
      this.#running++;
      void this.#run(batch).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #run(batch: Waiting<T, R>[]) {
    try {
      const out = await this.store(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i]));
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
  }
}
