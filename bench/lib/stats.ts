/**
 * Latency recording for the load generators: a log-linear histogram (1% resolution from 10 µs to about
 * 100 s) so millions of samples cost a fixed few kilobytes and merge across processes.
 *
 * @example
 * const h = new Histogram();
 * h.add(1.25); // milliseconds
 * h.percentile(99);
 */
const MIN_MS = 0.01;
const GROWTH = 1.01;
const BUCKETS = 1700; // 0.01 ms * 1.01^1700 ≈ 2.2e5 ms
const LOG_GROWTH = Math.log(GROWTH);

export class Histogram {
  counts = new Float64Array(BUCKETS);
  n = 0;
  sum = 0;
  max = 0;

  add(ms: number) {
    const v = ms < MIN_MS ? MIN_MS : ms;
    let i = Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.n++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(o: Histogram | SerializedHistogram) {
    if (o instanceof Histogram) {
      for (let i = 0; i < BUCKETS; i++) this.counts[i] += o.counts[i];
    } else {
      for (const [i, c] of o.counts) this.counts[i] += c;
    }
    this.n += o.n;
    this.sum += o.sum;
    this.max = Math.max(this.max, o.max);
  }

  /** The upper edge of the bucket holding the p-th percentile, in milliseconds (0 with no samples). */
  percentile(p: number): number {
    if (!this.n) return 0;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** (i + 1));
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      p50_ms: round(this.percentile(50)),
      p95_ms: round(this.percentile(95)),
      p99_ms: round(this.percentile(99)),
      max_ms: round(this.max),
      mean_ms: round(this.n ? this.sum / this.n : 0),
    };
  }

  toJSON(): SerializedHistogram {
    const counts: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) counts.push([i, this.counts[i]]);
    return { n: this.n, sum: this.sum, max: this.max, counts };
  }

  static from(s: SerializedHistogram): Histogram {
    const h = new Histogram();
    h.merge(s);
    return h;
  }
}

export interface SerializedHistogram {
  n: number;
  sum: number;
  max: number;
  counts: [number, number][];
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

export const round = (x: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Exact percentile of a small array of samples (history queries, reconnect times). */
export function exactPercentile(samples: number[], p: number): number {
  if (!samples.length) return 0;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();
