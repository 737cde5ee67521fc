// Renders the backend aggregations as PromQL text, the same computations the embedded store performs.
import type { Matcher, VectorSelector } from '../promql/selector.js';

/** A PromQL string literal: double quotes with backslash, quote and line breaks escaped. */
export function quote(value: string): string {
  return (
    '"' +
    value.replace(/[\\"\n\r\t]/g, (c) => {
      switch (c) {
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
        default:
          return '\\' + c;
      }
    }) +
    '"'
  );
}

function matcher(m: Matcher): string {
  return `${m.name}${m.op}${quote(m.value)}`;
}

export function renderSelector(s: VectorSelector): string {
  return s.matchers.length === 0 ? s.metric : `${s.metric}{${s.matchers.map(matcher).join(',')}}`;
}

function sumBy(by: readonly string[], inner: string): string {
  return by.length === 0 ? `sum(${inner})` : `sum by (${by.join(', ')}) (${inner})`;
}

/** Range durations in milliseconds, which PromQL accepts (`[10000ms]`), so no window is rounded. */
function range(windowMs: number): string {
  return `[${Math.round(windowMs)}ms]`;
}

export function sumIncreaseQuery(s: VectorSelector, by: readonly string[], windowMs: number): string {
  return sumBy(by, `increase(${renderSelector(s)}${range(windowMs)})`);
}

export function histogramQuantileQuery(
  q: number,
  s: VectorSelector,
  by: readonly string[],
  windowMs: number,
): string {
  return `histogram_quantile(${q}, ${sumIncreaseQuery(s, ['le', ...by], windowMs)})`;
}

export function sumLatestQuery(s: VectorSelector, by: readonly string[]): string {
  return sumBy(by, renderSelector(s));
}
