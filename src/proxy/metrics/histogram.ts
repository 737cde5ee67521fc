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

  constructor(bounds: readonly number[] = LATENCY_BUCKETS_MS) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(_value: number): void {
    throw new Error('not implemented');
  }
}
