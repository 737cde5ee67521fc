// Per-row history for the trend chart: one point per metric snapshot, bounded in age, in points per
// series and in the number of series, so that hours of route churn cannot grow memory.

export interface TrendPoint {
  readonly at: number;
  readonly rps: number;
  readonly latencyP99Ms: number | null;
  readonly successRate: number | null;
}

export interface TrendSeries {
  readonly points: readonly TrendPoint[];
  /** Time of the newest point. */
  readonly lastAt: number;
}

export type Trends = ReadonlyMap<string, TrendSeries>;

export interface TrendLimits {
  /** Points older than this are dropped, and series with nothing newer are forgotten. */
  readonly horizonMs: number;
  readonly maxPoints: number;
  /** Most series kept; those updated least recently go first. */
  readonly maxSeries: number;
}

export const DEFAULT_TREND_LIMITS: TrendLimits = { horizonMs: 15 * 60_000, maxPoints: 900, maxSeries: 300 };

export const EMPTY_TRENDS: Trends = new Map();

export interface TrendSample {
  readonly key: string;
  readonly rps: number;
  readonly latencyP99Ms: number | null;
  readonly successRate: number | null;
}

/** Adds one point per sample at time `at` and applies the limits; returns a new map. */
export function recordTrends(
  trends: Trends,
  at: number,
  samples: readonly TrendSample[],
  limits: TrendLimits = DEFAULT_TREND_LIMITS,
): Trends {
  const cutoff = at - limits.horizonMs;
  const next = new Map<string, TrendSeries>();
  const sampled = new Set<string>();
  for (const s of samples) {
    sampled.add(s.key);
    const old = trends.get(s.key)?.points ?? [];
    const point: TrendPoint = { at, rps: s.rps, latencyP99Ms: s.latencyP99Ms, successRate: s.successRate };
    next.set(s.key, { points: trimPoints([...old, point], cutoff, limits.maxPoints), lastAt: at });
  }
  // Series not in this snapshot keep their history until it ages out (a route may come back).
  for (const [key, series] of trends) {
    if (sampled.has(key) || series.lastAt < cutoff) continue;
    next.set(key, { points: trimPoints(series.points, cutoff, limits.maxPoints), lastAt: series.lastAt });
  }
  if (next.size <= limits.maxSeries) return next;
  const newestFirst = [...next].sort((a, b) => b[1].lastAt - a[1].lastAt);
  return new Map(newestFirst.slice(0, limits.maxSeries));
}

function trimPoints(points: readonly TrendPoint[], cutoff: number, maxPoints: number): readonly TrendPoint[] {
  let start = Math.max(0, points.length - maxPoints);
  while (start < points.length && (points[start] as TrendPoint).at < cutoff) start++;
  return start === 0 ? points : points.slice(start);
}
