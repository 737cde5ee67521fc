// The proxy metric families the summaries read and the labels they group or filter by. The embedded store
// keeps exactly these (everything else is dropped at ingest); the queries never ask for anything else.

export const FAMILIES = {
  responses: 'response_total',
  latencyBuckets: 'response_latency_ms_bucket',
  routeResponses: 'route_response_total',
  routeLatencyBuckets: 'route_response_latency_ms_bucket',
  /** Requests the client proxy sent again after a failed attempt (meshctl's proxy exports it per route). */
  routeRetries: 'route_retry_total',
  tcpOpenConnections: 'tcp_open_connections',
  tcpReadBytes: 'tcp_read_bytes_total',
  tcpWriteBytes: 'tcp_write_bytes_total',
} as const;

/** Labels a scraper attaches to every sample of a target (Prometheus target labels). */
export const TARGET_LABELS = ['namespace', 'workload', 'pod'] as const;
export type TargetLabelName = (typeof TARGET_LABELS)[number];

/** Destination labels the proxy copies from Destination endpoint metadata (outbound series). */
export const DST_LABELS = ['dst_namespace', 'dst_workload', 'dst_pod', 'dst_service', 'dst_serviceaccount'];

const IDENTITY_LABELS = ['server_id', 'client_id', 'no_tls_reason'];
const HTTP_LABELS = ['direction', 'authority', 'tls', ...DST_LABELS, ...IDENTITY_LABELS];
const TCP_LABELS = ['direction', 'peer', 'tls', ...DST_LABELS, ...IDENTITY_LABELS];
const ROUTE_LABELS = ['direction', 'authority', 'route', ...DST_LABELS];

/**
 * Scraped labels kept per family, besides the target labels. Left out on purpose: target_addr (one series per
 * endpoint), status_code and grpc_status (classification says what the summaries need). Series that differ
 * only in those are added together at ingest, which keeps the store small and its size independent of how
 * many endpoints and status codes a mesh has.
 */
export const KEPT_LABELS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    [FAMILIES.responses]: [...HTTP_LABELS, 'classification'],
    [FAMILIES.latencyBuckets]: [...HTTP_LABELS, 'le'],
    [FAMILIES.routeResponses]: [...ROUTE_LABELS, 'classification'],
    [FAMILIES.routeLatencyBuckets]: [...ROUTE_LABELS, 'le'],
    [FAMILIES.routeRetries]: ROUTE_LABELS,
    [FAMILIES.tcpOpenConnections]: TCP_LABELS,
    [FAMILIES.tcpReadBytes]: TCP_LABELS,
    [FAMILIES.tcpWriteBytes]: TCP_LABELS,
  }).map(([family, labels]) => [family, new Set(labels)]),
);

/** Kept families that are gauges (read as their latest value); every other kept family is a counter. */
export const GAUGE_FAMILIES: ReadonlySet<string> = new Set([FAMILIES.tcpOpenConnections]);

/** Latency quantiles every summary reports, in StatRow/RouteRow field order. */
export const QUANTILES = [0.5, 0.95, 0.99] as const;
