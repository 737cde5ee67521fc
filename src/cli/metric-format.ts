// How tables print golden metrics, as linkerd does: `-` for no data, `98.50%`, `2.0rps`, `12ms`, `1.5KB/s`.
// JSON never goes through here: it carries the numbers themselves.

export const NO_DATA = '-';

const missing = (x: number | null | undefined): x is null | undefined => x === null || x === undefined;

/** A 0..1 fraction as a percentage with two decimals. */
export function formatPercent(x: number | null | undefined): string {
  return missing(x) ? NO_DATA : `${(x * 100).toFixed(2)}%`;
}

export function formatRps(x: number | null | undefined): string {
  return missing(x) ? NO_DATA : `${x.toFixed(1)}rps`;
}

/** Milliseconds: whole numbers from 10 ms up, one decimal below (a local mesh answers in under 1 ms). */
export function formatLatency(ms: number | null | undefined): string {
  if (missing(ms)) return NO_DATA;
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB'] as const;

export function formatBytesRate(x: number | null | undefined): string {
  if (missing(x)) return NO_DATA;
  let value = x;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)}${BYTE_UNITS[unit] ?? 'B'}/s`;
}

export function formatCount(x: number | null | undefined): string {
  return missing(x) ? NO_DATA : String(x);
}

/** A 0..1 fraction as a whole percentage, for shares such as TLS. */
export function formatShare(x: number | null | undefined): string {
  return missing(x) ? NO_DATA : `${Math.round(x * 100)}%`;
}
