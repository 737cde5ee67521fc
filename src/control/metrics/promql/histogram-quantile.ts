// histogram_quantile() as Prometheus computes it (bucketQuantile in promql/quantile.go, 2.x): linear
// interpolation inside the bucket holding the rank, the lowest bucket starting at 0, and the +Inf bucket
// answered with the highest finite bound.

export interface Bucket {
  /** Upper bound (the `le` label); +Infinity for the +Inf bucket. */
  readonly le: number;
  /** Cumulative count (or its increase over a window). */
  readonly count: number;
}

/** Parses an `le` label value as Prometheus does ("+Inf", "0.5", "1e3"); NaN when it is not a number. */
export function parseLe(text: string): number {
  if (text === '+Inf' || text === 'Inf' || text === '+inf' || text === 'inf') return Infinity;
  if (text === '-Inf' || text === '-inf') return -Infinity;
  return text.trim() === '' ? NaN : Number(text);
}

/**
 * The q-quantile of a cumulative histogram; NaN when there is none: no +Inf bucket, fewer than two buckets,
 * no observations. q < 0 → -Inf, q > 1 → +Inf, as in PromQL.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = input.filter((b) => b.le === b.le).sort((a, b) => a.le - b.le);
  const last = sorted[sorted.length - 1];
  if (last === undefined || last.le !== Infinity) return NaN;
  // Buckets with the same bound (e.g. from series that differ only in a dropped label) are added together.
  const les: number[] = [];
  const counts: number[] = [];
  for (const b of sorted) {
    if (les.length > 0 && les[les.length - 1] === b.le) counts[counts.length - 1]! += b.count;
    else {
      les.push(b.le);
      counts.push(b.count);
    }
  }
  // Increases of separately extrapolated bucket series can be slightly out of order; cumulative counts cannot.
  let max = -Infinity;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > max) max = counts[i]!;
    else if (counts[i]! < max) counts[i] = max;
  }
  if (counts.length < 2) return NaN;
  const observations = counts[counts.length - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // The first finite bucket whose cumulative count reaches the rank; none → the +Inf bucket.
  let b = 0;
  while (b < counts.length - 1 && !(counts[b]! >= rank)) b++;
  if (b === counts.length - 1) return les[les.length - 2]!;
  if (b === 0 && les[0]! <= 0) return les[0]!;
  let start = 0;
  const end = les[b]!;
  let count = counts[b]!;
  if (b > 0) {
    start = les[b - 1]!;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return start + (end - start) * (rank / count);
}
