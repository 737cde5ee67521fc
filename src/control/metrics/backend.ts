// The one interface the stat/routes/edges summaries ask their numbers from: three PromQL-shaped aggregations
// that the embedded store and an external Prometheus answer alike for the same samples (README.md says where
// the store's ingest-time aggregation and downsampling can make them differ, and by how much).
import type { Labels, VectorSelector } from './promql/selector.js';

export interface GroupValue {
  /** Exactly the `by` labels ('' for a label the series lack). */
  readonly labels: Labels;
  readonly value: number;
}

export interface GroupQuantiles {
  readonly labels: Labels;
  /** One per requested quantile, in the same order; undefined where the histogram had no observations. */
  readonly values: readonly (number | undefined)[];
}

export type BackendSource = 'embedded' | 'prometheus';

export interface MetricsBackend {
  readonly source: BackendSource;
  /** `sum by (by) (increase(selector[windowMs]))` evaluated at `atMs`. */
  sumIncrease(
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupValue[]>;
  /**
   * `histogram_quantile(q, sum by (le, by) (increase(selector[windowMs])))` for each q, evaluated at `atMs`;
   * `selector` names the `_bucket` series. Groups without observations are left out.
   */
  histogramQuantiles(
    qs: readonly number[],
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupQuantiles[]>;
  /** `sum by (by) (selector)` at `atMs`: each series' latest sample within the 5-minute lookback. */
  sumLatest(selector: VectorSelector, by: readonly string[], atMs: number): Promise<GroupValue[]>;
  close(): Promise<void>;
}

/** How far back an instant query looks for a series' latest sample (Prometheus' default lookback delta). */
export const LOOKBACK_MS = 5 * 60_000;
