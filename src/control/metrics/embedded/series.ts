// One target's history and its series, at two resolutions: every scrape for the recent past (where answers
// equal PromQL's on the same samples), and one reset-free running total per downsampling step for the rest of
// the retention, so an hour of history costs a fraction of what every scrape would.
import type { CounterWindow } from '../promql/increase.js';
import type { Labels } from '../promql/selector.js';
import { TimeRing } from './ring.js';

export interface TargetLabels {
  readonly namespace: string;
  readonly workload: string;
  readonly pod: string;
}

export interface Resolution {
  /** Slots of the full-resolution ring (one per scrape). */
  readonly fineSlots: number;
  /** Slots of the downsampled ring; 0 when the full-resolution ring already covers the retention. */
  readonly coarseSlots: number;
  /** Minimum time between two downsampled slots. */
  readonly stepMs: number;
}

/** Where a scrape's values go: its full-resolution slot, and its downsampled slot (-1 when it has none). */
export interface Slots {
  readonly fine: number;
  readonly coarse: number;
}

export class TargetHistory {
  readonly fine: TimeRing;
  readonly coarse: TimeRing | undefined;
  lastMs = -Infinity;
  #lastCoarseMs = -Infinity;
  readonly series = new Map<string, StoredSeries>();

  constructor(
    readonly key: string,
    readonly labels: TargetLabels,
    readonly resolution: Resolution,
  ) {
    this.fine = new TimeRing(resolution.fineSlots);
    this.coarse = resolution.coarseSlots > 0 ? new TimeRing(resolution.coarseSlots) : undefined;
  }

  /** Claims the slots of a scrape at `t` (after every earlier one). */
  push(t: number): Slots {
    this.lastMs = t;
    const fine = this.fine.push(t);
    let coarse = -1;
    if (this.coarse !== undefined && t - this.#lastCoarseMs >= this.resolution.stepMs) {
      coarse = this.coarse.push(t);
      this.#lastCoarseMs = t;
    }
    return { fine, coarse };
  }
}

export class StoredSeries {
  lastSeenMs: number;
  readonly values: Float64Array;
  /** Counters only: the running total at each downsampled slot, resets already added back (NaN = absent). */
  readonly totals: Float64Array | undefined;
  #total = NaN;
  #previous = NaN;

  constructor(
    readonly key: string,
    readonly metric: string,
    /** Kept scraped labels plus the target labels. */
    readonly labels: Labels,
    readonly target: TargetHistory,
    counter: boolean,
    seenMs: number,
  ) {
    this.lastSeenMs = seenMs;
    this.values = new Float64Array(target.resolution.fineSlots).fill(NaN);
    this.totals =
      counter && target.coarse !== undefined
        ? new Float64Array(target.resolution.coarseSlots).fill(NaN)
        : undefined;
  }

  /** Writes this series' value (NaN = absent from the scrape) into the scrape's slots. */
  record(slots: Slots, v: number): void {
    this.values[slots.fine] = v;
    const totals = this.totals;
    if (totals === undefined) return;
    const present = v === v;
    if (present) {
      // Every scrape feeds the total, so a reset between two downsampled slots is never missed.
      if (this.#previous !== this.#previous) this.#total = v;
      else this.#total += v >= this.#previous ? v - this.#previous : v;
      this.#previous = v;
    }
    if (slots.coarse >= 0) totals[slots.coarse] = present ? this.#total : NaN;
  }

  /**
   * Feeds this series' samples with fromMs ≤ t ≤ toMs, oldest first, into `w`: every scrape when the full
   * resolution ring still reaches back to fromMs, else the downsampled totals.
   */
  window(w: CounterWindow, fromMs: number, toMs: number): void {
    const { fine, coarse } = this.target;
    const totals = this.totals;
    let ring = fine;
    let values = this.values;
    if (totals !== undefined && coarse !== undefined && fine.full && fine.oldest() > fromMs) {
      ring = coarse;
      values = totals;
    }
    for (let i = ring.lowerBound(fromMs); i < ring.length; i++) {
      const p = ring.physical(i);
      const t = ring.times[p]!;
      if (t > toMs) break;
      w.add(t, values[p]!);
    }
  }

  /** The value in the target's latest scrape at or before atMs (not older than lookbackMs), if present there. */
  latest(atMs: number, lookbackMs: number): number | undefined {
    const fine = this.target.fine;
    const i = fine.lowerBound(atMs + 1) - 1;
    if (i < 0) return undefined;
    const p = fine.physical(i);
    if (fine.times[p]! < atMs - lookbackMs) return undefined;
    const v = this.values[p]!;
    // Absent from that scrape (or the scrape failed): the series is stale, as Prometheus would mark it.
    return v === v ? v : undefined;
  }
}
