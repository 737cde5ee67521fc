// One table row per route or workload, in one shape for both view modes, with the stable key that
// selection, focus and trend history follow across refreshes and re-sorts.
import type { GoldenMetrics, RouteStats, StatsSnapshot, ViewMode, WorkloadStats } from '../model.js';
import type { TrendSample } from './trends.js';

export interface TableRow extends GoldenMetrics {
  readonly key: string;
  readonly mode: ViewMode;
  /** The route, or the workload. */
  readonly name: string;
  /** The service (authority) of a route, or the namespace of a workload. */
  readonly secondary: string;
  readonly namespace: string;
  readonly route: string | null;
  readonly authority: string | null;
  readonly workload: string | null;
  /** "meshed/running" pods, in workload mode. */
  readonly meshed: string | null;
}

export function routeKey(r: Pick<RouteStats, 'authority' | 'route'>): string {
  return `route:${r.authority} ${r.route}`;
}

export function workloadKey(w: Pick<WorkloadStats, 'namespace' | 'workload'>): string {
  return `workload:${w.namespace}/${w.workload}`;
}

export function toTableRows(snapshot: StatsSnapshot | null): TableRow[] {
  if (!snapshot) return [];
  if (snapshot.mode === 'route') {
    return snapshot.routes.map((r) => ({
      key: routeKey(r),
      mode: 'route',
      name: r.route,
      secondary: r.authority,
      namespace: r.namespace,
      route: r.route,
      authority: r.authority,
      workload: r.resource || null,
      meshed: null,
      successRate: r.successRate,
      rps: r.rps,
      latencyP50Ms: r.latencyP50Ms,
      latencyP95Ms: r.latencyP95Ms,
      latencyP99Ms: r.latencyP99Ms,
      requests: r.requests,
    }));
  }
  return snapshot.workloads.map((w) => ({
    key: workloadKey(w),
    mode: 'workload',
    name: w.workload,
    secondary: w.namespace,
    namespace: w.namespace,
    route: null,
    authority: null,
    workload: w.workload,
    meshed: `${w.meshedPods}/${w.runningPods}`,
    successRate: w.successRate,
    rps: w.rps,
    latencyP50Ms: w.latencyP50Ms,
    latencyP95Ms: w.latencyP95Ms,
    latencyP99Ms: w.latencyP99Ms,
    requests: w.requests,
  }));
}

export function trendSamples(snapshot: StatsSnapshot): TrendSample[] {
  return toTableRows(snapshot).map((r) => ({
    key: r.key,
    rps: r.rps,
    latencyP99Ms: r.latencyP99Ms,
    successRate: r.successRate,
  }));
}
