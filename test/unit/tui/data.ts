// Builders for TUI tests: snapshots, rows and tap records with sensible defaults.
import type {
  NamespaceStats,
  RouteStats,
  StatsSnapshot,
  TapRecord,
  WorkloadStats,
} from '../../../src/tui/model.js';
import { initialState, type TopState } from '../../../src/tui/state/state.js';

export const T0 = 1_700_000_000_000;

export function route(name: string, m: Partial<RouteStats> = {}): RouteStats {
  return {
    route: name,
    authority: 'web.demo:80',
    namespace: 'demo',
    resource: 'web',
    successRate: 1,
    rps: 1,
    latencyP50Ms: 1,
    latencyP95Ms: 2,
    latencyP99Ms: 3,
    requests: 60,
    retriesPerSecond: 0,
    ...m,
  };
}

export function workload(name: string, m: Partial<WorkloadStats> = {}): WorkloadStats {
  return {
    namespace: 'demo',
    workload: name,
    meshedPods: 1,
    runningPods: 1,
    successRate: 1,
    rps: 1,
    latencyP50Ms: 1,
    latencyP95Ms: 2,
    latencyP99Ms: 3,
    tlsShare: 1,
    requests: 60,
    ...m,
  };
}

export function namespace(name: string, m: Partial<NamespaceStats> = {}): NamespaceStats {
  return {
    namespace: name,
    successRate: 1,
    rps: 1,
    latencyP50Ms: 1,
    latencyP95Ms: 2,
    latencyP99Ms: 3,
    tlsShare: 1,
    meshedPods: 1,
    runningPods: 1,
    requests: 60,
    ...m,
  };
}

export function routeSnapshot(
  routes: RouteStats[],
  namespaces: NamespaceStats[] = [namespace('demo')],
): StatsSnapshot {
  return { windowMs: 60_000, source: 'test', mode: 'route', namespaces, routes, workloads: [] };
}

export function workloadSnapshot(workloads: WorkloadStats[]): StatsSnapshot {
  return {
    windowMs: 60_000,
    source: 'test',
    mode: 'workload',
    namespaces: [namespace('demo')],
    routes: [],
    workloads,
  };
}

/** The four routes most tests use: distinct values in every column, one without data. */
export function demoRoutes(): RouteStats[] {
  return [
    route('GET /users/{id}', {
      successRate: 0.999,
      rps: 20,
      latencyP50Ms: 3,
      latencyP95Ms: 9,
      latencyP99Ms: 14,
    }),
    route('POST /orders', {
      authority: 'api.demo:8080',
      resource: 'api',
      successRate: 0.9,
      rps: 5.5,
      latencyP50Ms: 12,
      latencyP95Ms: 80,
      latencyP99Ms: 180,
    }),
    route('GET /search', {
      authority: 'api.demo:8080',
      resource: 'api',
      successRate: 0.97,
      rps: 15,
      latencyP50Ms: 6,
      latencyP95Ms: 30,
      latencyP99Ms: 55,
    }),
    route('[DEFAULT]', {
      authority: 'db.demo:5432',
      resource: 'db',
      successRate: null,
      rps: 0,
      latencyP50Ms: null,
      latencyP95Ms: null,
      latencyP99Ms: null,
      requests: 0,
    }),
  ];
}

export function state(overrides: Partial<Parameters<typeof initialState>[0]> = {}): TopState {
  return initialState({
    targetLabel: 'namespace/demo',
    controlPlane: '127.0.0.1:8086',
    windowMs: 60_000,
    intervalMs: 1000,
    mode: 'route',
    now: T0,
    ...overrides,
  });
}

/** One request's three records (request, response, end). */
export function exchange(
  n: number,
  o: {
    route?: string;
    authority?: string;
    status?: number;
    at?: number;
    proxy?: string;
    grpcStatus?: number;
  } = {},
): TapRecord[] {
  const base = {
    at: o.at ?? T0 + n,
    id: `${o.proxy ?? 'web-0'}/1:${n}`,
    proxy: o.proxy ?? 'web-0',
    direction: 'outbound' as const,
    tls: true,
    source: '127.0.0.1:40000',
    destination: '127.0.0.1:4143',
    sourceWorkload: 'web',
    destinationWorkload: 'api',
  };
  return [
    {
      ...base,
      kind: 'request',
      method: 'GET',
      authority: o.authority ?? 'api.demo:8080',
      path: `/items/${n}`,
      route: o.route ?? 'GET /items/{id}',
    },
    { ...base, kind: 'response', status: o.status ?? 200, sinceRequestMs: 2 },
    {
      ...base,
      kind: 'end',
      durationMs: 3,
      grpcStatus: o.grpcStatus ?? null,
      resetErrorCode: 0,
      responseBytes: 10,
    },
  ];
}
