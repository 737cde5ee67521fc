// Line charts for the trend pane behind one small interface, so the renderer can change (asciichart now, an
// 8-level block sparkline as the fallback) without touching the components. Charts are plain text lines.
import asciichart from 'asciichart';

export interface ChartOptions {
  /** Total width in columns, axis labels included. */
  readonly width: number;
  /** Total height in lines. */
  readonly height: number;
  /** Formats an axis label; keep it short (it is padded to `labelWidth`). */
  readonly format: (value: number) => string;
  readonly labelWidth?: number;
  /** Lower bound of the value axis (e.g. 0 for rates); the data may extend it. */
  readonly floor?: number;
  /** Upper bound the axis never passes (e.g. 100 for a percentage). */
  readonly ceiling?: number;
}

/** Renders `values` (oldest first) into exactly `height` lines of at most `width` columns. */
export type ChartRenderer = (values: readonly number[], options: ChartOptions) => string[];

/**
 * Fits a series to `points` columns: bucket averages when there are more values than columns (so a burst
 * still shows), the series itself when there are fewer. The chart is rescaled on every resize through this.
 */
export function resample(values: readonly number[], points: number): number[] {
  if (points <= 0) return [];
  if (values.length <= points) return [...values];
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const from = Math.floor((i * values.length) / points);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / points));
    let sum = 0;
    for (let j = from; j < to; j++) sum += values[j] as number;
    out.push(sum / (to - from));
  }
  return out;
}

function fitLines(lines: string[], width: number, height: number): string[] {
  const out = lines.slice(-height).map((l) => [...l].slice(0, width).join(''));
  while (out.length < height) out.unshift('');
  return out;
}

/** asciichart's line chart, with a fixed-width label axis and a range that never collapses to zero. */
export const asciiChart: ChartRenderer = (values, options) => {
  const labelWidth = options.labelWidth ?? 7;
  const height = Math.max(1, options.height);
  // With offset 2 asciichart puts the whole label in cell 0 and the axis in cell 1; n points then take n
  // more columns (n − 1 segments and a trailing blank), so a line is labelWidth + 1 + n wide.
  const points = resample(values, Math.max(1, options.width - labelWidth - 1));
  if (points.length === 0) return fitLines([], options.width, height);
  let min = Math.min(...points, options.floor ?? Infinity);
  let max = Math.max(...points);
  if (max - min < 1e-9) {
    // A flat line still needs an axis with distinct labels: open a band around it, inside the bounds.
    const pad = Math.max(1, Math.abs(min) * 0.1);
    max = Math.min(max + pad, options.ceiling ?? Infinity);
    if (options.floor === undefined) min -= pad;
    if (max - min < 1e-9) min = max - pad;
  }
  const plot = asciichart.plot(points, {
    height: height - 1,
    min,
    max,
    offset: 2,
    padding: ' '.repeat(labelWidth),
    format: (x: number) => options.format(x).padStart(labelWidth).slice(-labelWidth),
  });
  return fitLines(plot.split('\n'), options.width, height);
};

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A one-line 8-level sparkline in the last line (a drop-in replacement when asciichart has to go). */
export const sparkline: ChartRenderer = (values, options) => {
  const points = resample(values, Math.max(1, options.width));
  const min = Math.min(...points, options.floor ?? Infinity);
  const max = Math.max(...points);
  const span = max - min;
  const line = points
    .map((v) => BLOCKS[span <= 0 ? 0 : Math.min(7, Math.floor(((v - min) / span) * 8))] as string)
    .join('');
  return fitLines([line], options.width, Math.max(1, options.height));
};
