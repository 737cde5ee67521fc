// The data `meshctl top` shows, in plain shapes owned by the TUI: metric snapshots and tap records as the
// data sources deliver them (null = no data), independent of the wire protocol they came over.

/** A kubectl-style resource: type (namespace, workload, pod, service, authority), namespace and name. */
export interface ResourceRef {
  readonly type: string;
  readonly namespace: string;
  /** Empty: every resource of the type. */
  readonly name: string;
}

/** Golden metrics of something that serves traffic, over the snapshot's window. */
export interface GoldenMetrics {
  /** Fraction 0..1 of successful responses; null when there were no responses. */
  readonly successRate: number | null;
  readonly rps: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly latencyP99Ms: number | null;
  /** Requests completed in the window. */
  readonly requests: number;
}

export interface NamespaceStats extends GoldenMetrics {
  readonly namespace: string;
  /** Fraction 0..1 of requests over mesh mTLS; null without requests. */
  readonly tlsShare: number | null;
  readonly meshedPods: number;
  readonly runningPods: number;
}

export interface RouteStats extends GoldenMetrics {
  readonly route: string;
  /** The authority (service) the route belongs to. */
  readonly authority: string;
  readonly namespace: string;
  /** The resource whose metrics these are (usually the serving workload). */
  readonly resource: string;
  readonly retriesPerSecond: number;
}

export interface WorkloadStats extends GoldenMetrics {
  readonly namespace: string;
  readonly workload: string;
  readonly tlsShare: number | null;
  readonly meshedPods: number;
  readonly runningPods: number;
}

export type ViewMode = 'route' | 'workload';

/** One answer from the metrics API: per-namespace totals plus the rows of the current view mode. */
export interface StatsSnapshot {
  readonly windowMs: number;
  /** Where the numbers came from ("embedded", "prometheus"). */
  readonly source: string;
  readonly namespaces: readonly NamespaceStats[];
  readonly mode: ViewMode;
  /** Present in route mode. */
  readonly routes: readonly RouteStats[];
  /** Present in workload mode. */
  readonly workloads: readonly WorkloadStats[];
}

export type TapDirection = 'inbound' | 'outbound' | 'unknown';

interface TapRecordBase {
  /** Wall-clock time of the event, ms since the epoch. */
  readonly at: number;
  /** Unique per request within the tap stream (proxy + stream id). */
  readonly id: string;
  readonly proxy: string;
  readonly direction: TapDirection;
  readonly tls: boolean;
  /** `ip:port` of the peer that sent the request. */
  readonly source: string;
  readonly destination: string;
  readonly sourceWorkload: string;
  readonly destinationWorkload: string;
}

export interface TapRequestRecord extends TapRecordBase {
  readonly kind: 'request';
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly route: string;
}

export interface TapResponseRecord extends TapRecordBase {
  readonly kind: 'response';
  readonly status: number;
  readonly sinceRequestMs: number;
}

export interface TapEndRecord extends TapRecordBase {
  readonly kind: 'end';
  readonly durationMs: number;
  readonly grpcStatus: number | null;
  /** Non-zero when the stream ended in a reset or error. */
  readonly resetErrorCode: number;
  readonly responseBytes: number;
}

/** One tap event: a request starting, its response starting, or its response ending. */
export type TapRecord = TapRequestRecord | TapResponseRecord | TapEndRecord;
