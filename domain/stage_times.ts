/**
 * Opt-in timing of a grouped send's stages (debugging and `deno task bench`, off by default): how long a
 * send waited for its batch to start, how long the batch's statement took to come back committed, and how
 * long publishing took (for a single instance, the fan-out: every local socket written). Turned on by
 * setting `SendBatcher.stages` (the bench's Parley wrapper does it with `BENCH_STAGES=1`); when it is null
 * the batcher does one null check per batch and nothing else.
 */
export type Stage = "queued" | "commit" | "publish" | "stored";

export class StageTimes {
  #samples: Record<Stage, number[]> = { queued: [], commit: [], publish: [], stored: [] };

  /**
   * `ms` for each send of a batch (`queued`; `stored`: from its submit until its batch's commit was read back,
   * the sum of the two waits a send has before its fan-out) or once per batch (`commit`, `publish`).
   */
  add(stage: Stage, ms: number) {
    const list = this.#samples[stage];
    if (list.length < 200_000) list.push(ms);
  }

  /** p50, p99 and max per stage since the last call, in ms; then starts again. */
  take(): Record<Stage, { n: number; p50: number; p99: number; max: number }> {
    const out = {} as Record<Stage, { n: number; p50: number; p99: number; max: number }>;
    for (const stage of Object.keys(this.#samples) as Stage[]) {
      const l = this.#samples[stage].sort((a, b) => a - b);
      const at = (q: number) =>
        l.length ? Math.round(l[Math.min(l.length - 1, Math.floor(q * l.length))] * 100) / 100 : 0;
      out[stage] = { n: l.length, p50: at(0.5), p99: at(0.99), max: at(1) };
      this.#samples[stage] = [];
    }
    return out;
  }
}
