// How numbers and names are written on screen and in batch tables: fixed precision, "-" for no data, long
// names cut in the middle so both the start and the distinguishing end stay visible.
import { formatDuration } from '../common/duration.js';

export const NO_DATA = '-';

export function formatPercent(fraction: number | null): string {
  if (fraction === null) return NO_DATA;
  return `${(fraction * 100).toFixed(2)}%`;
}

export function formatRps(rps: number | null): string {
  if (rps === null) return NO_DATA;
  if (rps === 0) return '0';
  if (rps < 1) return rps.toFixed(2);
  if (rps < 10_000) return rps.toFixed(1);
  return rps.toFixed(0);
}

export function formatLatency(ms: number | null): string {
  return ms === null ? NO_DATA : formatDuration(ms);
}

/** Windows as operators write them: 10s, 1m, 15m, 1h. */
export function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Ages for "updated 3s ago": seconds below two minutes, then minutes. */
export function formatAge(ms: number): string {
  if (ms < 120_000) return `${Math.floor(ms / 1000)}s`;
  return `${Math.floor(ms / 60_000)}m`;
}

/** Cuts `text` to `width` characters with an ellipsis in the middle (`/api/…/items`). */
export function truncateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return chars.slice(0, head).join('') + '…' + (tail > 0 ? chars.slice(-tail).join('') : '');
}

/** Cuts `text` to `width` characters with an ellipsis at the end. */
export function truncateEnd(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return chars.slice(0, width - 1).join('') + '…';
}

export type Health = 'good' | 'warn' | 'bad' | 'none';

/** Success-rate classes (≥ 99 % good, ≥ 95 % warning, else bad), shown by colour and by a glyph. */
export function successHealth(rate: number | null, thresholds = { good: 0.99, warn: 0.95 }): Health {
  if (rate === null) return 'none';
  if (rate >= thresholds.good) return 'good';
  if (rate >= thresholds.warn) return 'warn';
  return 'bad';
}

/** The glyph that carries the success class without colour (NO_COLOR, monochrome terminals). */
export const HEALTH_GLYPH: Record<Health, string> = { good: ' ', warn: '!', bad: '✗', none: ' ' };
