// The proxy's golden metrics, with Linkerd's names and labels. Each label set is a series object created
// once and then held by the caller (per connection, endpoint or route), so recording a request is a few
// field updates: no string building, no map lookups keyed by label text.
import { HttpSeries, RouteSeries } from './http-series.js';
import { writeProcessMetrics } from './process-metrics.js';
import { PrometheusWriter, renderLabelEntries, renderLabels, type LabelSet } from './prometheus-text.js';
import { TcpSeries } from './tcp-series.js';

export type Direction = 'inbound' | 'outbound';
export type TcpPeer = 'src' | 'dst';

/** Label value used once a bound on distinct authorities or routes is reached. */
export const OTHER_LABEL = '[other]';

export interface ProxyMetricsOptions {
  /** Most distinct authorities per direction; further ones are labelled OTHER_LABEL. */
  readonly authorityLimit: number;
  /** Most distinct routes per (direction, authority); further ones are labelled OTHER_LABEL. */
  readonly routeLimit: number;
}

interface HttpFamilies {
  readonly requests: string;
  readonly responses: string;
  readonly latency: string;
}

const HTTP_FAMILIES: HttpFamilies = {
  requests: 'request_total',
  responses: 'response_total',
  latency: 'response_latency_ms',
};
const ROUTE_FAMILIES: HttpFamilies = {
  requests: 'route_request_total',
  responses: 'route_response_total',
  latency: 'route_response_latency_ms',
};

export class ProxyMetrics {
  // Series are keyed by their rendered label text: unique per label set, and built only on these rare calls.
  readonly #http = new Map<string, HttpSeries>();
  readonly #routes = new Map<string, RouteSeries>();
  readonly #tcp = new Map<string, TcpSeries>();
  readonly #authorities = new Map<Direction, Set<string>>();
  /** direction → authority label → route labels admitted so far. */
  readonly #routeNames = new Map<Direction, Map<string, Set<string>>>();
  readonly #collectors: ((w: PrometheusWriter) => void)[] = [];
  #collectorErrors = 0;

  constructor(readonly options: ProxyMetricsOptions) {
    for (const name of ['authorityLimit', 'routeLimit'] as const) {
      const v = options[name];
      if (!(v >= 0)) throw new RangeError(`ProxyMetrics: ${name} must be a number ≥ 0, got ${String(v)}`);
    }
  }

  /**
   * The series for a label set, created on first use and the same object afterwards. `extra` labels (e.g.
   * dst_workload, server_id) are appended after the fixed ones and are part of the series identity.
   * An extra label named like a fixed one is dropped: the fixed labels are what dashboards group by.
   */
  http(
    direction: Direction,
    authority: string,
    targetAddr: string,
    tls: string,
    extra?: LabelSet,
  ): HttpSeries {
    const fixed: [string, string][] = [
      ['direction', direction],
      ['authority', this.#boundAuthority(direction, authority)],
      ['target_addr', targetAddr],
      ['tls', tls],
    ];
    const labels = renderLabelEntries(extra === undefined ? fixed : [...fixed, ...Object.entries(extra)]);
    let series = this.#http.get(labels);
    if (series === undefined) {
      series = new HttpSeries(labels);
      this.#http.set(labels, series);
    }
    return series;
  }

  route(direction: Direction, authority: string, route: string): RouteSeries {
    const boundedAuthority = this.#boundAuthority(direction, authority);
    const labels = renderLabels({
      direction,
      authority: boundedAuthority,
      route: this.#boundRoute(direction, boundedAuthority, route),
    });
    let series = this.#routes.get(labels);
    if (series === undefined) {
      series = new RouteSeries(labels);
      this.#routes.set(labels, series);
    }
    return series;
  }

  /**
   * The TCP series for a label set. Like http(), `extra` labels (dst_workload, server_id, …, which edges are
   * drawn from) follow the fixed ones, are part of the series identity, and cannot override a fixed label.
   */
  tcp(direction: Direction, peer: TcpPeer, targetAddr: string, tls: string, extra?: LabelSet): TcpSeries {
    const fixed: [string, string][] = [
      ['direction', direction],
      ['peer', peer],
      ['target_addr', targetAddr],
      ['tls', tls],
    ];
    const labels = renderLabelEntries(extra === undefined ? fixed : [...fixed, ...Object.entries(extra)]);
    let series = this.#tcp.get(labels);
    if (series === undefined) {
      series = new TcpSeries(labels);
      this.#tcp.set(labels, series);
    }
    return series;
  }

  /** Adds a collector that writes more families at scrape time (discovery state, identity, …). */
  addCollector(collect: (w: PrometheusWriter) => void): void {
    this.#collectors.push(collect);
  }

  /** The whole exposition: request/response/route/tcp families, collectors, then process_* metrics. */
  render(): string {
    const w = new PrometheusWriter();
    writeHttpFamilies(w, this.#http, HTTP_FAMILIES);
    writeHttpFamilies(w, this.#routes, ROUTE_FAMILIES);
    writeRouteRetries(w, this.#routes);
    writeTcpFamilies(w, this.#tcp);
    for (const collect of this.#collectors) {
      // One broken collector must not take the whole scrape (and with it every other metric) down.
      const mark = w.mark();
      try {
        collect(w);
      } catch {
        w.rollback(mark);
        this.#collectorErrors++;
      }
    }
    if (this.#collectors.length > 0) {
      w.family('proxy_metrics_collector_errors_total', 'counter', 'Collectors that threw during a scrape.');
      w.sample('proxy_metrics_collector_errors_total', '', this.#collectorErrors);
    }
    writeProcessMetrics(w);
    return w.toString();
  }

  #boundAuthority(direction: Direction, authority: string): string {
    if (authority === OTHER_LABEL) return authority;
    let seen = this.#authorities.get(direction);
    if (seen === undefined) this.#authorities.set(direction, (seen = new Set<string>()));
    if (seen.has(authority)) return authority;
    if (seen.size >= this.options.authorityLimit) return OTHER_LABEL;
    seen.add(authority);
    return authority;
  }

  #boundRoute(direction: Direction, authority: string, route: string): string {
    if (route === OTHER_LABEL) return route;
    let byAuthority = this.#routeNames.get(direction);
    if (byAuthority === undefined)
      this.#routeNames.set(direction, (byAuthority = new Map<string, Set<string>>()));
    let seen = byAuthority.get(authority);
    if (seen === undefined) byAuthority.set(authority, (seen = new Set<string>()));
    if (seen.has(route)) return route;
    if (seen.size >= this.options.routeLimit) return OTHER_LABEL;
    seen.add(route);
    return route;
  }
}

function writeRouteRetries(w: PrometheusWriter, routes: Map<string, RouteSeries>): void {
  if (routes.size === 0) return;
  w.family(
    'route_retry_total',
    'counter',
    'Requests the proxy sent again after a failed attempt, per route.',
  );
  for (const series of routes.values()) w.sample('route_retry_total', series.labels, series.retries);
}

function writeHttpFamilies(w: PrometheusWriter, all: Map<string, HttpSeries>, names: HttpFamilies): void {
  if (all.size === 0) return;
  w.family(names.requests, 'counter', 'Total count of HTTP requests.');
  for (const series of all.values()) w.sample(names.requests, series.labels, series.requests);
  let declared = false;
  for (const series of all.values()) {
    for (const counter of series.responses.values()) {
      if (!declared) {
        w.family(names.responses, 'counter', 'Total count of HTTP responses.');
        declared = true;
      }
      w.sample(names.responses, counter.labels, counter.count);
    }
  }
  declared = false;
  for (const series of all.values()) {
    for (const latency of series.latencies.values()) {
      if (!declared) {
        w.family(
          names.latency,
          'histogram',
          'Elapsed times between a request starting and its response ending.',
        );
        declared = true;
      }
      w.histogram(names.latency, latency.labels, latency.histogram);
    }
  }
}

function writeTcpFamilies(w: PrometheusWriter, all: Map<string, TcpSeries>): void {
  if (all.size === 0) return;
  const each = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    value: (s: TcpSeries) => number,
  ): void => {
    w.family(name, type, help);
    for (const series of all.values()) w.sample(name, series.labels, value(series));
  };
  each('tcp_open_total', 'counter', 'Total count of opened connections.', (s) => s.opened);
  each('tcp_close_total', 'counter', 'Total count of closed connections.', (s) => s.closed);
  each('tcp_open_connections', 'gauge', 'Number of currently-open connections.', (s) => s.open);
  each('tcp_read_bytes_total', 'counter', 'Total count of bytes read from peers.', (s) => s.readBytes());
  each('tcp_write_bytes_total', 'counter', 'Total count of bytes written to peers.', (s) => s.writtenBytes());
  w.family('tcp_connection_duration_ms', 'histogram', 'Connection lifetimes, in ms.');
  for (const series of all.values())
    w.histogram('tcp_connection_duration_ms', series.labels, series.duration);
}

// The series classes live beside this file (one job each); callers import everything from here.
export { HttpSeries, LatencyHistogram, NO_GRPC_STATUS, ResponseCounter, RouteSeries } from './http-series.js';
export { TcpSeries } from './tcp-series.js';
export { Histogram } from './histogram.js';
