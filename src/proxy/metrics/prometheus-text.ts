// Prometheus text exposition (version 0.0.4): label sets are rendered once per series, when the series is
// created, so a scrape only concatenates and a request never formats anything.
import type { Histogram } from './histogram.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type LabelSet = Readonly<Record<string, string>>;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Renders labels as `a="x",b="y"` (no braces), escaping backslash, double quote and newline in values as the
 * format requires. Keys keep the object's insertion order. Empty object → empty string.
 */
export function renderLabels(_labels: LabelSet): string {
  throw new Error('not implemented');
}

/** Accumulates one scrape's text. Families must be declared before their samples. */
export class PrometheusWriter {
  /** Writes `# HELP name help` and `# TYPE name type` once per name (later calls for the same name are no-ops). */
  family(_name: string, _type: MetricType, _help: string): void {
    throw new Error('not implemented');
  }

  /** Writes `name{labels} value`; `labels` is a pre-rendered label string (possibly empty → no braces). */
  sample(_name: string, _labels: string, _value: number): void {
    throw new Error('not implemented');
  }

  /**
   * Writes `name_bucket{labels,le="b"}` cumulative counts for every bound and `+Inf`, then `name_sum` and
   * `name_count`. Bounds are printed as Prometheus prints floats (1, 0.5, 10000).
   */
  histogram(_name: string, _labels: string, _h: Histogram): void {
    throw new Error('not implemented');
  }

  toString(): string {
    throw new Error('not implemented');
  }
}
