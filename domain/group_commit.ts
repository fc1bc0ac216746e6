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
export interface GroupCommitOptions<T = unknown> {
  /** Most items in one batch. */
  maxBatch: number;
  /**
   * Most batches being stored at once (read at every start, so a setting can change it); 1 makes the
   * largest groups, a few let an item rarely wait for another batch's commit. Default 1.
   */
  inFlight?: () => number;
  /**
   * Batches in flight never share a key (a row each batch locks, such as a channel's; but see `perKey`): an
   * item whose key a running batch holds waits here for the next batch, instead of in the database on that row's lock while
   * holding a connection and the rows of its batch's other items. Items of one key are then stored one batch
   * after another, in order.
   */
  key?: (item: T) => unknown;
  /**
   * With `key`: most batches in flight that hold one key (read at every start; default 1). At 2, the next
   * batch of a busy key starts beside the running one and waits in the database on that key's row lock
   * (such a batch is started only when no waiting item has a free key, and then holds no free key's items,
   * so a send to a free key never waits on another key's lock),
   * so it commits as soon as the first one does instead of a round trip later (after the first one's
   * answer has been read and handled); items of one key are still numbered under the lock in commit
   * order. Only worth it where the batches lock their rows in one order (no deadlock) and a waiting batch
   * holding a connection is cheap.
   */
  perKey?: () => number;
  /**
   * Milliseconds (read at every start; 0: off) a running batch has to itself before another may start
   * beside it. A batch usually commits within this, and what arrives meanwhile goes out together right
   * after it, so a busy server stores larger groups (fewer statements and commits per item) instead of
   * one statement per item across all the slots; a batch that takes longer (a slow flush, a descheduled
   * backend) does not hold the others up for more than this: they start beside it.
   */
  holdMs?: () => number;
  /**
   * Milliseconds (read at every start; 0: off) between the starts of two batches when none is running: an
   * item arriving within this of the latest start waits for the rest of it, with whatever else arrives
   * meanwhile, instead of going out alone. A lone item after a quiet spell still goes out at once, so only a
   * busy server waits (at most this), and it pays one statement and one commit for more items. A running
   * batch's hold (`holdMs`) still decides when another may start beside it.
   */
  paceMs?: () => number;
  /**
   * With `paceMs`: the most milliseconds (read at every start) the pace grows to under load. Up to one item
   * per `paceMs` (500 a second at 2 ms) arriving over the latest `RATE_WINDOW_MS`, the pace is `paceMs`; from
   * there it climbs in proportion to the rate and reaches this bound at two items per `paceMs` (1,000 a
   * second). So an idle or lightly loaded server waits as with `paceMs` alone, and a busy one pays one
   * statement and one commit for (rate x pace) items, for a wait of at most this. At or under `paceMs`
   * (the default): a fixed pace.
   */
  paceMaxMs?: () => number;
  /**
   * With `paceMs` and a `paceMaxMs` over it: the pace (ms, read at every start) up to one item per `paceMs`,
   * from which it climbs to `paceMaxMs` at two (default `paceMs`). Under `paceMs` (0: no pace at all there),
   * a moderately loaded server starts a batch at once whenever none runs, and the items that arrive while one
   * runs still go out together after it (the hold): classic group commit. A busy server's pace is unchanged
   * at two items per `paceMs` and over.
   */
  paceFloorMs?: () => number;
}

/** Over how many milliseconds the arrival rate that grows the pace (`paceMaxMs`) is measured. */
export const RATE_WINDOW_MS = 100;

interface Waiting<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommit<T, R> {
  #queue: Waiting<T, R>[] = [];
  #running = 0;
  /** Keys of the batches being stored: how many batches in flight hold each. */
  readonly #busy = new Map<unknown, number>();
  /** When the latest batch started (`performance.now()`), and the timer that pumps once its hold is over. */
  #lastStart = 0;
  #holdTimer: ReturnType<typeof setTimeout> | null = null;
  /** Items submitted since `#windowStart`, and the rate (items per ms) over the window before it. */
  #arrived = 0;
  #windowStart = performance.now();
  #rate = 0;

  /** `store` answers each item of a batch, in the batch's order. */
  constructor(
    private readonly store: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.opts.paceMaxMs) this.#count();
      this.#pump();
    });
  }

  #pump() {
    const most = this.opts.inFlight?.() ?? 1;
    while (this.#running < most && this.#queue.length) {
      if (this.#held()) return;
      const batch = this.#take();
      if (!batch.length) return; // every waiting item's key is in flight: the next finished batch pumps
      const keys = this.opts.key ? new Set(batch.map((w) => this.opts.key!(w.item))) : null;
      for (const k of keys ?? []) this.#busy.set(k, (this.#busy.get(k) ?? 0) + 1);
      this.#running++;
      this.#lastStart = performance.now();
      void this.#run(batch).finally(() => {
        for (const k of keys ?? []) {
          const n = this.#busy.get(k)! - 1;
          if (n) this.#busy.set(k, n);
          else this.#busy.delete(k);
        }
        this.#running--;
        if (!this.#running && this.#holdTimer !== null) {
          clearTimeout(this.#holdTimer);
          this.#holdTimer = null;
        }
        this.#pump();
      });
    }
  }

  /** Counts an arrival; closes the rate window once it is `RATE_WINDOW_MS` old (a quiet spell makes it longer). */
  #count() {
    this.#arrived++;
    const now = performance.now();
    const span = now - this.#windowStart;
    if (span < RATE_WINDOW_MS) return;
    this.#rate = this.#arrived / span;
    this.#arrived = 0;
    this.#windowStart = now;
  }

  /**
   * The pace now: the floor (`paceFloorMs`, default `paceMs`) up to one item per `paceMs`, `paceMaxMs` from
   * two, in proportion between (at 2 and 8 ms with the floor at 2: 2 ms at 500 items a second, 5 at 750, 8 at
   * 1,000; with the floor at 0: 0 at 500, 4 at 750, 8 at 1,000).
   */
  pace(): number {
    const base = this.opts.paceMs?.() ?? 0;
    const most = this.opts.paceMaxMs?.() ?? 0;
    if (base <= 0 || most <= base) return base;
    const floor = Math.min(base, Math.max(0, this.opts.paceFloorMs?.() ?? base));
    const over = Math.min(1, Math.max(0, this.#rate * base - 1)); // items per pace, over the first
    return floor + (most - floor) * over;
  }

  /**
   * Whether the latest batch still has its hold (`holdMs`, while it runs) or its pace (`paceMs`, once none
   * runs); if so, a timer pumps when that ends.
   */
  #held(): boolean {
    const pace = this.pace();
    const wait = this.#running > 0 ? Math.max(this.opts.holdMs?.() ?? 0, pace) : pace;
    if (wait <= 0) return false;
    const left = this.#lastStart + wait - performance.now();
    if (left <= 0) return false;
    if (this.#holdTimer === null) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = null;
        this.#pump();
      }, Math.ceil(left));
    }
    return true;
  }

  /**
   * Up to maxBatch waiting items, oldest first, whose keys no running batch holds, or else whose keys fewer
   * than `perKey` running batches hold; the rest keep their order. One walk of the queue, and no copy of it
   * when nothing can go (every waiting key held: each pump while batches run finds that again).
   */
  #take(): Waiting<T, R>[] {
    const q = this.#queue;
    const key = this.opts.key;
    const max = this.opts.maxBatch;
    if (!key || !this.#busy.size) return q.splice(0, max);
    const perKey = this.opts.perKey?.() ?? 1;
    // Items of keys no batch holds first; only when there are none, items of keys held by fewer than
    // `perKey` batches (that batch waits on their rows in the database, so it carries nothing else).
    const free: number[] = [], shared: number[] = [];
    for (let i = 0; i < q.length && free.length < max; i++) {
      const n = this.#busy.get(key(q[i].item)) ?? 0;
      if (n === 0) free.push(i);
      else if (n < perKey && !free.length && shared.length < max) shared.push(i);
    }
    const pick = free.length ? free : shared;
    if (!pick.length) return [];
    const take: Waiting<T, R>[] = [], keep: Waiting<T, R>[] = [];
    for (let i = 0, j = 0; i < q.length; i++) {
      if (j < pick.length && pick[j] === i) {
        take.push(q[i]);
        j++;
      } else keep.push(q[i]);
    }
    this.#queue = keep;
    return take;
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
