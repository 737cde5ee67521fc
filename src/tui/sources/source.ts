// The two data sources `meshctl top` reads, as small interfaces: metric snapshots on demand and a stream
// of tap records. The gRPC implementations talk to `meshctl control`; tests and other back ends (an
// external Prometheus, Kubernetes) plug in behind the same shapes.
import type { ResourceRef, StatsSnapshot, TapRecord, ViewMode } from '../model.js';

/** What to summarise: the shown resource, optional traffic direction, window and view mode. */
export interface StatsQuery {
  readonly target: ResourceRef;
  readonly from: ResourceRef | undefined;
  readonly to: ResourceRef | undefined;
  readonly windowMs: number;
  readonly mode: ViewMode;
}

export interface StatsSource {
  /** One snapshot; rejects with a MeshError whose code says why (see sources/errors.ts). */
  fetch(query: StatsQuery): Promise<StatsSnapshot>;
  close(): void;
}

/** Which requests to tap: the resource whose proxies report, narrowed to one route when a route is focused. */
export interface TapQuery {
  readonly target: ResourceRef;
  /** Only requests to this resource (matched on the destination's labels). */
  readonly to: ResourceRef | undefined;
  /** Only requests with this route label. */
  readonly route: string | undefined;
  /** Most requests per second the control plane should report; 0 = its default. */
  readonly maxRps: number;
}

export interface TapHandlers {
  /** The server accepted the watch (it may stay quiet for a while if nothing matches). */
  opened(): void;
  record(record: TapRecord): void;
  /** The stream failed (a MeshError); no more records arrive on this subscription. */
  failed(err: Error): void;
  /** The server ended the stream normally. */
  ended(): void;
}

export interface TapSubscription {
  close(): void;
}

export interface TapSource {
  watch(query: TapQuery, handlers: TapHandlers): TapSubscription;
  close(): void;
}
