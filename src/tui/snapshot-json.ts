// The `meshctl top -o jsonl` document: one per interval, with stable camelCase fields, numbers as numbers and
// null where there is no data. Documented in docs/top.md and pinned by a golden file; change both together.
import type { ResourceRef, StatsSnapshot } from './model.js';
import { meshTotals } from './state/selectors.js';
import { routeKey, workloadKey } from './state/rows.js';

export interface TopSnapshotDocument {
  readonly kind: 'TopSnapshot';
  /** When the snapshot was taken, ISO 8601 UTC. */
  readonly time: string;
  readonly controlPlane: string;
  readonly target: ResourceRef;
  readonly from: ResourceRef | null;
  readonly to: ResourceRef | null;
  readonly mode: 'route' | 'workload';
  readonly windowMs: number;
  readonly source: string;
  readonly mesh: {
    readonly successRate: number | null;
    readonly rps: number;
    readonly latencyP50MsAtMost: number | null;
    readonly latencyP99MsAtMost: number | null;
    readonly tlsShare: number | null;
    readonly meshedPods: number;
    readonly runningPods: number;
    readonly requests: number;
  };
  readonly namespaces: readonly {
    readonly namespace: string;
    readonly successRate: number | null;
    readonly rps: number;
    readonly latencyP50Ms: number | null;
    readonly latencyP95Ms: number | null;
    readonly latencyP99Ms: number | null;
    readonly tlsShare: number | null;
    readonly meshedPods: number;
    readonly runningPods: number;
    readonly requests: number;
  }[];
  /** In route mode; absent in workload mode. */
  readonly routes?: readonly {
    readonly route: string;
    readonly authority: string;
    readonly namespace: string;
    readonly resource: string;
    readonly successRate: number | null;
    readonly rps: number;
    readonly latencyP50Ms: number | null;
    readonly latencyP95Ms: number | null;
    readonly latencyP99Ms: number | null;
    readonly requests: number;
    readonly retriesPerSecond: number;
  }[];
  /** In workload mode; absent in route mode. */
  readonly workloads?: readonly {
    readonly namespace: string;
    readonly workload: string;
    readonly meshedPods: number;
    readonly runningPods: number;
    readonly successRate: number | null;
    readonly rps: number;
    readonly latencyP50Ms: number | null;
    readonly latencyP95Ms: number | null;
    readonly latencyP99Ms: number | null;
    readonly tlsShare: number | null;
    readonly requests: number;
  }[];
}

/** Busiest first, then by key: the same order every time for the same numbers. */
function byRps<T extends { rps: number }>(rows: readonly T[], key: (r: T) => string): T[] {
  return [...rows].sort((a, b) => b.rps - a.rps || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function snapshotDocument(
  snapshot: StatsSnapshot,
  context: {
    readonly at: number;
    readonly controlPlane: string;
    readonly target: ResourceRef;
    readonly from: ResourceRef | undefined;
    readonly to: ResourceRef | undefined;
  },
): TopSnapshotDocument {
  const m = meshTotals(snapshot.namespaces);
  const doc: TopSnapshotDocument = {
    kind: 'TopSnapshot',
    time: new Date(context.at).toISOString(),
    controlPlane: context.controlPlane,
    target: { ...context.target },
    from: context.from ? { ...context.from } : null,
    to: context.to ? { ...context.to } : null,
    mode: snapshot.mode,
    windowMs: snapshot.windowMs,
    source: snapshot.source,
    mesh: {
      successRate: m.successRate,
      rps: m.rps,
      latencyP50MsAtMost: m.latencyP50MsAtMost,
      latencyP99MsAtMost: m.latencyP99MsAtMost,
      tlsShare: m.tlsShare,
      meshedPods: m.meshedPods,
      runningPods: m.runningPods,
      requests: m.requests,
    },
    namespaces: [...snapshot.namespaces]
      .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0))
      .map((n) => ({
        namespace: n.namespace,
        successRate: n.successRate,
        rps: n.rps,
        latencyP50Ms: n.latencyP50Ms,
        latencyP95Ms: n.latencyP95Ms,
        latencyP99Ms: n.latencyP99Ms,
        tlsShare: n.tlsShare,
        meshedPods: n.meshedPods,
        runningPods: n.runningPods,
        requests: n.requests,
      })),
  };
  if (snapshot.mode === 'route') {
    return {
      ...doc,
      routes: byRps(snapshot.routes, routeKey).map((r) => ({
        route: r.route,
        authority: r.authority,
        namespace: r.namespace,
        resource: r.resource,
        successRate: r.successRate,
        rps: r.rps,
        latencyP50Ms: r.latencyP50Ms,
        latencyP95Ms: r.latencyP95Ms,
        latencyP99Ms: r.latencyP99Ms,
        requests: r.requests,
        retriesPerSecond: r.retriesPerSecond,
      })),
    };
  }
  return {
    ...doc,
    workloads: byRps(snapshot.workloads, workloadKey).map((w) => ({
      namespace: w.namespace,
      workload: w.workload,
      meshedPods: w.meshedPods,
      runningPods: w.runningPods,
      successRate: w.successRate,
      rps: w.rps,
      latencyP50Ms: w.latencyP50Ms,
      latencyP95Ms: w.latencyP95Ms,
      latencyP99Ms: w.latencyP99Ms,
      tlsShare: w.tlsShare,
      requests: w.requests,
    })),
  };
}
