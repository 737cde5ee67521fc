// The backend aggregations evaluated over the embedded store: increase per series then sum by group, in the
// order and with the arithmetic PromQL uses, so answers from the same samples are PromQL's.
import { LOOKBACK_MS, type GroupQuantiles, type GroupValue } from '../backend.js';
import { histogramQuantile, parseLe, type Bucket } from '../promql/histogram-quantile.js';
import { CounterWindow } from '../promql/increase.js';
import { groupKey, groupLabels, type Labels, type VectorSelector } from '../promql/selector.js';
import type { SeriesStore } from './store.js';

interface Group {
  readonly labels: Labels;
  value: number;
}

/** `sum by (by) (increase(selector[windowMs]))` at atMs. */
export function storeSumIncrease(
  store: SeriesStore,
  selector: VectorSelector,
  by: readonly string[],
  windowMs: number,
  atMs: number,
): GroupValue[] {
  const groups = new Map<string, Group>();
  const w = new CounterWindow();
  const from = atMs - windowMs;
  for (const series of store.select(selector)) {
    w.reset();
    series.window(w, from, atMs);
    const inc = w.increase(from, atMs);
    if (inc === undefined) continue;
    add(groups, series.labels, by, inc);
  }
  return [...groups.values()];
}

/** `histogram_quantile(q, sum by (le, by) (increase(selector[windowMs])))` for each q, at atMs. */
export function storeHistogramQuantiles(
  store: SeriesStore,
  qs: readonly number[],
  selector: VectorSelector,
  by: readonly string[],
  windowMs: number,
  atMs: number,
): GroupQuantiles[] {
  const buckets = storeSumIncrease(store, selector, [...by, 'le'], windowMs, atMs);
  const histograms = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const b of buckets) {
    const key = groupKey(b.labels, by);
    let h = histograms.get(key);
    if (h === undefined) histograms.set(key, (h = { labels: groupLabels(b.labels, by), buckets: [] }));
    h.buckets.push({ le: parseLe(b.labels['le'] ?? ''), count: b.value });
  }
  const out: GroupQuantiles[] = [];
  for (const h of histograms.values()) {
    const values = qs.map((q) => {
      const v = histogramQuantile(q, h.buckets);
      return v === v ? v : undefined;
    });
    if (values.some((v) => v !== undefined)) out.push({ labels: h.labels, values });
  }
  return out;
}

/** `sum by (by) (selector)` at atMs: each series' value in its target's latest scrape within the lookback. */
export function storeSumLatest(
  store: SeriesStore,
  selector: VectorSelector,
  by: readonly string[],
  atMs: number,
): GroupValue[] {
  const groups = new Map<string, Group>();
  for (const series of store.select(selector)) {
    const v = series.latest(atMs, LOOKBACK_MS);
    if (v !== undefined) add(groups, series.labels, by, v);
  }
  return [...groups.values()];
}

function add(groups: Map<string, Group>, labels: Labels, by: readonly string[], value: number): void {
  const key = groupKey(labels, by);
  const g = groups.get(key);
  if (g === undefined) groups.set(key, { labels: groupLabels(labels, by), value });
  else g.value += value;
}
