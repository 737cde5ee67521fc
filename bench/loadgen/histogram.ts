// A log-linear latency histogram in the spirit of HdrHistogram: fixed memory, O(1) record, about three
// significant digits (values below 2,048 ns are exact, above that buckets are 1/1024 of their power of two
// wide), so p99.9 of a million samples costs no sort and no per-sample storage.

const EXACT = 2048;
const SUB = 1024;
const SUB_MAGNITUDE = 10;
/** Buckets for values up to 2^48 ns (about 78 hours): far more than any run. */
const BUCKETS = EXACT + (48 - 11) * SUB;

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

/** Percentiles of the HDR-style "percentile spectrum" (x spaced by log(1/(1-p)), as HdrHistogram plots). */
export const SPECTRUM_PERCENTILES = [0, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99] as const;

function indexOf(ns: number): number {
  if (ns < EXACT) return ns < 0 ? 0 : Math.floor(ns);
  let exp = Math.floor(Math.log2(ns));
  let sub = Math.floor(ns / 2 ** (exp - SUB_MAGNITUDE));
  // log2 of a value just below a power of two can round up; step back into range.
  if (sub < SUB) {
    exp -= 1;
    sub = Math.floor(ns / 2 ** (exp - SUB_MAGNITUDE));
  }
  const index = EXACT + (exp - 11) * SUB + (sub - SUB);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The highest value that lands in bucket `index` (HdrHistogram reports percentiles this way). */
function highestValueOf(index: number): number {
  if (index < EXACT) return index;
  const exp = 11 + Math.floor((index - EXACT) / SUB);
  const sub = SUB + ((index - EXACT) % SUB);
  const width = 2 ** (exp - SUB_MAGNITUDE);
  return (sub + 1) * width - 1;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;

  /** Records one value in nanoseconds. */
  record(ns: number): void {
    const v = ns < 0 ? 0 : ns;
    const i = indexOf(v);
    this.counts[i] = (this.counts[i] as number) + 1;
    this.total += 1;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  get count(): number {
    return this.total;
  }

  /** The value (ns) at or below which `percentile` per cent of the recorded values fall. */
  valueAt(percentile: number): number {
    if (this.total === 0) return 0;
    // The epsilon keeps floating point from turning 99.9 % of 1000 into 999.0000000000001 → 1000.
    const wanted = Math.max(1, Math.ceil((percentile / 100) * this.total - 1e-9));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= wanted) return Math.min(highestValueOf(i), this.maxValue);
    }
    return this.maxValue;
  }

  add(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++)
      this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.total += other.total;
    this.sum += other.sum;
    this.minValue = Math.min(this.minValue, other.minValue);
    this.maxValue = Math.max(this.maxValue, other.maxValue);
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }

  /** Latencies (ms) at SPECTRUM_PERCENTILES, for percentile-spectrum charts. */
  spectrumMs(): number[] {
    return SPECTRUM_PERCENTILES.map(
      (p) => Math.round((p === 0 ? this.minValue : this.valueAt(p)) / 1e3) / 1e3,
    );
  }

  /** Summary in milliseconds. */
  summaryMs(): LatencySummary {
    const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
    return {
      count: this.total,
      mean: this.total === 0 ? 0 : ms(this.sum / this.total),
      min: this.total === 0 ? 0 : ms(this.minValue),
      p50: ms(this.valueAt(50)),
      p90: ms(this.valueAt(90)),
      p99: ms(this.valueAt(99)),
      p999: ms(this.valueAt(99.9)),
      p9999: ms(this.valueAt(99.99)),
      max: ms(this.maxValue),
    };
  }
}
