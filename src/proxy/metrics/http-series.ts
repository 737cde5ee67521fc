// Per-label-set HTTP counters: request_total, and response_total / response_latency_ms split by status on
// first sight of each combination, so recording a response is one integer-keyed Map lookup and three updates.
import { Histogram, LATENCY_BUCKETS_MS } from './histogram.js';
import { joinLabels } from './prometheus-text.js';

/** gRPC status when the response carried none (plain HTTP), for recordResponse. */
export const NO_GRPC_STATUS = -1;

/** gRPC UNKNOWN: what a client makes of a status code outside 0..16, and what we count it as. */
const GRPC_UNKNOWN = 2;

/** One response_total sample: a status/grpc_status/classification combination of an HttpSeries. */
export class ResponseCounter {
  count = 0;
  constructor(
    /** response_total labels: the series' labels + status_code, classification[, grpc_status]. */
    readonly labels: string,
    /** The response_latency_ms histogram this combination feeds (shared by all with the same status). */
    readonly latency: LatencyHistogram,
  ) {}
}

/** One response_latency_ms series: the series' labels + status_code. */
export class LatencyHistogram {
  readonly histogram = new Histogram(LATENCY_BUCKETS_MS);
  constructor(readonly labels: string) {}
}

/**
 * request_total / response_total / response_latency_ms for one label set
 * {direction, authority, target_addr, tls, ...extra}. Response series are further split by
 * {status_code, classification="success"|"failure", grpc_status (only when != NO_GRPC_STATUS)}.
 * `requests` is request_total: the caller increments it when a request starts, so requests still in
 * flight (or never answered) are counted too.
 */
export class HttpSeries {
  requests = 0;
  /** response_total sub-series by the integer key built in recordResponse; read at scrape time. */
  readonly responses = new Map<number, ResponseCounter>();
  /** response_latency_ms sub-series by status code; read at scrape time. */
  readonly latencies = new Map<number, LatencyHistogram>();

  constructor(readonly labels: string) {}

  /** Counts one response (call once per request, at its end); latencyMs goes to response_latency_ms. */
  recordResponse(status: number, grpcStatus: number, failure: boolean, latencyMs: number): void {
    // Out-of-range values are folded rather than trusted: a peer choosing arbitrary grpc-status numbers
    // must not be able to create series, and the key below must stay a small integer.
    status = status >= 0 && status <= 999 ? status | 0 : 0;
    grpcStatus = grpcStatus >= NO_GRPC_STATUS && grpcStatus <= 16 ? grpcStatus | 0 : GRPC_UNKNOWN;
    // Integer key (≤ 63 971, a V8 small integer): status in the high bits, then grpc_status + 1 (0..17),
    // then the classification bit. Steady state is one Map lookup and three number updates.
    const key = status * 64 + (grpcStatus + 1) * 2 + (failure ? 1 : 0);
    const counter = this.responses.get(key) ?? addResponseCounter(this, key, status, grpcStatus, failure);
    counter.count++;
    counter.latency.histogram.observe(latencyMs);
  }
}

// Off the hot path: runs once per series and status/grpc_status/classification combination.
function addResponseCounter(
  series: HttpSeries,
  key: number,
  status: number,
  grpcStatus: number,
  failure: boolean,
): ResponseCounter {
  const statusLabel = `status_code="${status}"`;
  let latency = series.latencies.get(status);
  if (latency === undefined) {
    latency = new LatencyHistogram(joinLabels(series.labels, statusLabel));
    series.latencies.set(status, latency);
  }
  let labels =
    joinLabels(series.labels, statusLabel) + `,classification="${failure ? 'failure' : 'success'}"`;
  if (grpcStatus !== NO_GRPC_STATUS) labels += `,grpc_status="${grpcStatus}"`;
  const counter = new ResponseCounter(labels, latency);
  series.responses.set(key, counter);
  return counter;
}

/** route_request_total / route_response_total / route_response_latency_ms for {direction, authority, route}. */
export class RouteSeries extends HttpSeries {
  /** Requests sent again after a failed attempt (route_retry_total). */
  retries = 0;
}
