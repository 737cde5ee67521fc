// Durations as operators write them (`10s`, `250ms`, `1m30s`, `2h`), parsed to milliseconds.
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

/** Parses `1m30s`-style durations; a bare number is taken as milliseconds. `what` names the flag in errors. */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < trimmed.length) {
    const start = PART.lastIndex;
    const m = PART.exec(trimmed);
    if (!m || m.index !== start) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
    matched = PART.lastIndex;
  }
  if (trimmed.length === 0 || matched !== trimmed.length || !Number.isFinite(total)) {
    throw new UsageError(
      'MESH_BAD_DURATION',
      `invalid ${what} "${text}"`,
      'use a number with a unit, e.g. 500ms, 10s, 1m30s',
    );
  }
  return total;
}

/** Formats milliseconds compactly for tables: 0.4ms, 12ms, 1.5s, 2m. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${(ms / 60_000).toFixed(1)}m`;
}
