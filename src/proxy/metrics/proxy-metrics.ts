// The proxy's golden metrics, with Linkerd's names and labels. Each label set is a series object created
// once and then held by the caller (per connection, endpoint or route), so recording a request is a few
// field updates: no string building, no map lookups keyed by label text.
import type net from 'node:net';
import { Histogram } from './histogram.js';
import type { LabelSet, PrometheusWriter } from './prometheus-text.js';

export type Direction = 'inbound' | 'outbound';
export type TcpPeer = 'src' | 'dst';

/** Label value used once a bound on distinct authorities or routes is reached. */
export const OTHER_LABEL = '[other]';

/** gRPC status when the response carried none (plain HTTP), for recordResponse. */
export const NO_GRPC_STATUS = -1;

/**
 * request_total / response_total / response_latency_ms for one label set
 * {direction, authority, target_addr, tls, ...extra}. Response series are further split by
 * {status_code, classification="success"|"failure", grpc_status (only when != NO_GRPC_STATUS)}.
 */
export class HttpSeries {
  requests = 0;
  constructor(readonly labels: string) {}

  /** Counts one response (call once per request, at its end); latencyMs goes to response_latency_ms. */
  recordResponse(_status: number, _grpcStatus: number, _failure: boolean, _latencyMs: number): void {
    throw new Error('not implemented');
  }
}

/** route_request_total / route_response_total / route_response_latency_ms for {direction, authority, route}. */
export class RouteSeries extends HttpSeries {}

/**
 * tcp_open_total, tcp_close_total, tcp_open_connections, tcp_read_bytes_total, tcp_write_bytes_total and
 * tcp_connection_duration_ms for {direction, peer, target_addr, tls}. Bytes are read from the sockets
 * themselves at scrape time (live sockets) and at close (closed ones), so counting costs nothing per chunk.
 */
export class TcpSeries {
  constructor(readonly labels: string) {}

  /** Starts accounting for a socket: counts the open now, and the close, bytes and duration when it closes. */
  track(_socket: net.Socket): void {
    throw new Error('not implemented');
  }
}

export interface ProxyMetricsOptions {
  /** Most distinct authorities per direction; further ones are labelled OTHER_LABEL. */
  readonly authorityLimit: number;
  /** Most distinct routes per (direction, authority); further ones are labelled OTHER_LABEL. */
  readonly routeLimit: number;
}

export class ProxyMetrics {
  constructor(readonly options: ProxyMetricsOptions) {}

  /**
   * The series for a label set, created on first use and the same object afterwards. `extra` labels (e.g.
   * dst_workload, server_id) are appended after the fixed ones and are part of the series identity.
   */
  http(
    _direction: Direction,
    _authority: string,
    _targetAddr: string,
    _tls: string,
    _extra?: LabelSet,
  ): HttpSeries {
    throw new Error('not implemented');
  }

  route(_direction: Direction, _authority: string, _route: string): RouteSeries {
    throw new Error('not implemented');
  }

  tcp(_direction: Direction, _peer: TcpPeer, _targetAddr: string, _tls: string): TcpSeries {
    throw new Error('not implemented');
  }

  /** Adds a collector that writes more families at scrape time (discovery state, identity, …). */
  addCollector(_collect: (w: PrometheusWriter) => void): void {
    throw new Error('not implemented');
  }

  /** The whole exposition: request/response/route/tcp families, collectors, then process_* metrics. */
  render(): string {
    throw new Error('not implemented');
  }
}

export { Histogram };
