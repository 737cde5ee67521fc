// StatsSource over the control plane's Metrics gRPC API: per-namespace totals for the header plus either
// per-route (Routes) or per-workload (Stat) rows, each poll one pair of unary calls with a deadline.
import { Metadata, credentials, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import type { Resource } from '../../api/gen/common.js';
import {
  MetricsClient,
  type RouteRow,
  type RoutesResponse,
  type StatResponse,
  type StatRow,
} from '../../api/gen/metrics.js';
import type { NamespaceStats, ResourceRef, RouteStats, StatsSnapshot, WorkloadStats } from '../model.js';
import { controlPlaneError } from './errors.js';
import type { StatsQuery, StatsSource } from './source.js';

export interface GrpcStatsOptions {
  /** `host:port` of the control plane. */
  readonly address: string;
  /** Deadline of each call; a control plane that does not answer in time counts as unreachable. */
  readonly timeoutMs?: number;
}

export function toWireResource(ref: ResourceRef | undefined): Resource | undefined {
  if (ref === undefined) return undefined;
  return { type: ref.type, namespace: ref.namespace, name: ref.name };
}

/** The selector for per-workload rows of a target: a namespace's workloads, or the target itself. */
export function workloadSelector(target: ResourceRef): ResourceRef {
  if (target.type === 'namespace') return { type: 'workload', namespace: target.name, name: '' };
  return target;
}

export class GrpcStatsSource implements StatsSource {
  private readonly client: MetricsClient;
  private readonly address: string;
  private readonly timeoutMs: number;

  constructor(options: GrpcStatsOptions) {
    this.address = options.address;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.client = new MetricsClient(options.address, credentials.createInsecure(), {
      // Reconnect attempts are driven by our own polling; keep the channel's own backoff short so a control
      // plane that comes back is seen at the next poll.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  async fetch(query: StatsQuery): Promise<StatsSnapshot> {
    const namespaces = this.call<StatResponse>((options, done) =>
      this.client.stat(
        {
          selector: { type: 'namespace', namespace: '', name: '' },
          from: undefined,
          to: undefined,
          windowMs: query.windowMs,
          allNamespaces: true,
        },
        new Metadata(),
        options,
        done,
      ),
    );
    const base = { windowMs: query.windowMs, mode: query.mode };
    if (query.mode === 'route') {
      const routes = this.call<RoutesResponse>((options, done) =>
        this.client.routes(
          {
            // Traffic from `from` to the target: the `from` resource's client-side routes to the target.
            selector: toWireResource(query.from ?? query.target),
            to: toWireResource(query.from ? query.target : query.to),
            windowMs: query.windowMs,
            allNamespaces: false,
          },
          new Metadata(),
          options,
          done,
        ),
      );
      const [ns, rs] = await Promise.all([namespaces, routes]);
      return {
        ...base,
        windowMs: rs.windowMs || query.windowMs,
        source: rs.source,
        namespaces: ns.rows.map(toNamespaceStats),
        routes: rs.rows.map(toRouteStats),
        workloads: [],
      };
    }
    const workloads = this.call<StatResponse>((options, done) =>
      this.client.stat(
        {
          selector: toWireResource(workloadSelector(query.target)),
          from: toWireResource(query.from),
          to: toWireResource(query.to),
          windowMs: query.windowMs,
          allNamespaces: false,
        },
        new Metadata(),
        options,
        done,
      ),
    );
    const [ns, ws] = await Promise.all([namespaces, workloads]);
    return {
      ...base,
      windowMs: ws.windowMs || query.windowMs,
      source: ws.source,
      namespaces: ns.rows.map(toNamespaceStats),
      routes: [],
      workloads: ws.rows.map(toWorkloadStats),
    };
  }

  close(): void {
    this.client.close();
  }

  private call<T>(
    start: (options: Partial<CallOptions>, done: (err: ServiceError | null, value: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start({ deadline: Date.now() + this.timeoutMs }, (err, value) => {
        if (err) reject(controlPlaneError(err, this.address, 'metrics'));
        else resolve(value);
      });
    });
  }
}

const orNull = (v: number | undefined): number | null => (v === undefined ? null : v);

function toNamespaceStats(row: StatRow): NamespaceStats {
  return {
    // Namespace rows are named by `name`; `namespace` is ignored for that type.
    namespace: row.resource?.name || row.resource?.namespace || '',
    ...golden(row),
    tlsShare: orNull(row.tlsShare),
    meshedPods: row.meshedPods,
    runningPods: row.runningPods,
  };
}

function toWorkloadStats(row: StatRow): WorkloadStats {
  return {
    namespace: row.resource?.namespace ?? '',
    workload: row.resource?.name ?? '',
    ...golden(row),
    tlsShare: orNull(row.tlsShare),
    meshedPods: row.meshedPods,
    runningPods: row.runningPods,
  };
}

function toRouteStats(row: RouteRow): RouteStats {
  return {
    route: row.route,
    authority: row.authority,
    namespace: row.resource?.namespace ?? '',
    resource: row.resource?.name ?? '',
    ...golden(row),
    retriesPerSecond: row.retriesPerSecond,
  };
}

function golden(row: StatRow | RouteRow): {
  successRate: number | null;
  rps: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  requests: number;
} {
  return {
    successRate: orNull(row.successRate),
    rps: row.rps,
    latencyP50Ms: orNull(row.latencyP50Ms),
    latencyP95Ms: orNull(row.latencyP95Ms),
    latencyP99Ms: orNull(row.latencyP99Ms),
    requests: row.requests,
  };
}
