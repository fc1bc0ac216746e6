/**
 * The background search indexer (issue 16, fourth pass): new messages get their search rows
 * (`message_search`, migration 0026) in batches after the send committed, one INSERT … SELECT per batch,
 * every `everyMs` or sooner when the send path has stored enough, instead of three GIN index updates
 * inside every send's transaction.
 *
 * No message is ever skipped. Ids are handed out before commit, so a message can commit after one with a
 * higher id: a cursor on "the highest id indexed" would pass over it. The indexer keeps a watermark `low`
 * instead, below which every id is indexed, deleted, or was never committed, and each pass indexes every
 * live message above it that has no row yet (an anti-join over that window). The watermark moves only to an
 * id the sequence had handed out at some moment t (`seq`, read before t) once every transaction open at t
 * has ended (the oldest open transaction in `pg_stat_activity` started after t): any message with an id up
 * to it is committed and visible by then, or never will be. With sends of a few milliseconds the window is
 * the last two or three passes. Several instances index side by side: rows go in with ON CONFLICT DO
 * NOTHING and the watermark is shared (`message_search_state`).
 *
 * The search tables are unlogged (migration 0033): a crash of the database empties them, state row and all,
 * while the instances may keep running. A pass that finds no state row starts a new generation from nothing
 * (every live message is indexed again, from the first id); an instance whose watermark belongs to an earlier
 * generation drops it, and a watermark is only ever saved into the generation it was reached in.
 *
 * Search stays read-your-writes: `catchUp()` runs a pass that starts after the call, so a message
 * acknowledged before a search began is indexed before that search reads.
 *
 * @example
 * const indexer = new SearchIndexer(db);
 * indexer.start();            // main.ts
 * indexer.stored(20);         // after a send batch committed
 * await indexer.catchUp();    // before a search
 * await indexer.stop();       // at shutdown
 */
import type { Db } from "../db/client.ts";
import * as repo from "../db/repos/message_search.ts";

export interface SearchIndexerOptions {
  /** How often the background pass runs. */
  everyMs?: number;
  /** Messages per INSERT … SELECT. */
  batch?: number;
  log?: (line: string) => void;
}

/** Marks kept while old transactions are open; past this the oldest go (which only delays the watermark). */
const MAX_MARKS = 64;
/** An idle indexer (nothing found, nothing waiting) runs a pass this many times less often. */
const IDLE_FACTOR = 5;

export class SearchIndexer {
  readonly #everyMs: number;
  readonly #batch: number;
  readonly #log: (line: string) => void;
  #low = 0;
  /** The generation of the search tables `#low`, `#safe` and the marks belong to; null: none read yet. */
  #gen: number | null = null;
  /** Safe by the latest pass's clock: the watermark once the next pass (a later snapshot) has run. */
  #safe = 0;
  /** Sequence values read at earlier passes; `bound` is a clock reading taken after that read. */
  #marks: { seq: number; bound: number | null }[] = [];
  #tail: Promise<void> = Promise.resolve();
  #waiting: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #started = false;
  #storedSince = 0;
  #lastPicked = 0;
  #idleWait = false;
  #saved = 0;
  #savedAt = 0;

  constructor(private db: Db, opts: SearchIndexerOptions = {}) {
    this.#everyMs = opts.everyMs ?? 200;
    this.#batch = opts.batch ?? 1000;
    this.#log = opts.log ?? console.error;
  }

  /** Starts the background passes (`main.ts`). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(this.#everyMs);
  }

  /**
   * Stops the background passes and waits for the one running; when the last pass's clock allows a higher
   * watermark (it applies from the pass after it), one more pass, so the stored watermark is as high as it
   * would have been with the clock read before the pass.
   */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tail;
    if (this.#safe > this.#low) await this.#pass().catch(() => {});
    if (this.#low > this.#saved && this.#gen !== null) {
      await repo.raiseLow(this.db, this.#gen, this.#low).catch(() => {});
    }
  }

  /** The send path stored `n` messages (after commit): a pass runs early once a quarter batch waits. */
  stored(n: number): void {
    const wasIdle = this.#storedSince === 0;
    this.#storedSince += n;
    if (!this.#started || this.#waiting) return;
    if (this.#storedSince >= this.#batch / 4) this.#schedule(0);
    else if (wasIdle && this.#idleWait) this.#schedule(this.#everyMs); // out of an idle wait
  }

  /** Indexes everything committed before the call (a failed pass is tried once more). */
  async catchUp(): Promise<void> {
    try {
      await this.#pass();
    } catch {
      await this.#pass();
    }
  }

  #schedule(ms: number) {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#idleWait = false;
    this.#timer = setTimeout(async () => {
      this.#timer = null;
      await this.#pass().catch((e) => this.#log(`search indexer: ${e}`));
      // Nothing found and nothing waiting (no send here, no window to close): look again less often. Sends
      // of this instance wake it; a search indexes what is pending itself.
      const idle = this.#lastPicked === 0 && !this.#marks.length && this.#safe <= this.#low &&
        !this.#storedSince;
      if (this.#started && this.#timer === null) {
        this.#schedule(idle ? this.#everyMs * IDLE_FACTOR : this.#everyMs);
        this.#idleWait = idle;
      }
    }, ms);
  }

  /** A pass that starts after this call (joined by every caller until it starts); passes never overlap. */
  #pass(): Promise<void> {
    if (this.#waiting) return this.#waiting;
    const p = this.#tail.then(() => {
      this.#waiting = null;
      return this.#drain();
    });
    this.#waiting = p;
    this.#tail = p.catch(() => {});
    return p;
  }

  async #drain(): Promise<void> {
    this.#storedSince = 0;
    for (;;) {
      const used = this.#low;
      const r = await repo.indexAbove(this.db, used, this.#batch);
      const c = r.clock;
      // No state row: the search tables are new or were emptied (a crash): a new generation, from nothing.
      // Another generation than ours: the tables were emptied since our watermark was reached, so it no
      // longer holds; take the generation's own. Either way what this pass stored is right (a live message's
      // row) and what it learnt about the watermark is not: run it again when it looked above too high a one.
      if (c.generation === null || c.generation !== this.#gen) {
        this.#gen = c.generation ?? await repo.startGeneration(this.db);
        this.#marks = [];
        this.#safe = 0;
        this.#low = this.#saved = c.generation === null ? 0 : c.low;
        if (c.generation === null || used > this.#low) continue;
      }
      // The sequence went back (the tables were emptied with RESTART IDENTITY): start again from the stored
      // state, and run the pass again (this one looked above a watermark that no longer holds).
      if (c.seq === null || c.seq < used) {
        if (c.seq !== null) this.#marks = [];
        this.#low = this.#saved = this.#safe = 0;
        this.#low = Math.max(this.#low, c.low);
        if (used > this.#low) continue;
      }
      const full = r.picked >= this.#batch;
      this.#lastPicked = r.picked;
      // The pass's snapshot came after the clock of the pass before: every message at or below what that
      // clock showed safe is visible to it, so (when it was not cut off by the batch size) indexed.
      const low = full ? Math.min(this.#safe, Number(r.last)) : this.#safe;
      if (low > this.#low) this.#low = low;
      this.#low = Math.max(this.#low, c.low);
      // This pass's clock, for the next pass: ids handed out before an earlier clock reading whose
      // transactions have all ended since (the oldest open one started after that reading).
      let safe = this.#low;
      for (const m of this.#marks) m.bound ??= c.now;
      while (this.#marks.length && (c.oldest === null || this.#marks[0].bound! < c.oldest)) {
        safe = Math.max(safe, this.#marks.shift()!.seq);
      }
      if (c.seq !== null && c.seq > safe) {
        this.#marks.push({ seq: c.seq, bound: null });
        if (this.#marks.length > MAX_MARKS) this.#marks.shift();
      }
      this.#safe = Math.max(this.#safe, safe);
      // The shared watermark is a saving, not a guarantee (a lower one only widens the window): once a second.
      if (this.#low > this.#saved && Date.now() - this.#savedAt >= 1000) {
        await repo.raiseLow(this.db, this.#gen!, this.#low);
        this.#saved = this.#low;
        this.#savedAt = Date.now();
      }
      if (!full) return;
    }
  }
}
