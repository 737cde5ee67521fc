// `routes` rows: per route of a resource, as documented JSON and the linkerd-style table drawn from it.
import type { RoutesResponse } from '../../api/gen/metrics.js';
import { formatLatency, formatPercent, formatRps, NO_DATA } from '../metric-format.js';
import { type Column, renderTable } from '../output.js';
import { displayResource, kindOf } from '../resource.js';

export interface RouteJsonRow {
  /** The resource whose traffic the route was seen in. */
  namespace: string;
  kind: string;
  name: string;
  /** The route's name (from a service profile) or its inferred label; `[DEFAULT]`-style names pass through. */
  route: string;
  /** The authority (service) the route belongs to. */
  authority: string;
  requests: number;
  successRate: number | null;
  rps: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Retries the client proxies sent on the route, per second. */
  retriesPerSecond: number;
}

const orNull = (x: number | undefined): number | null => (x === undefined ? null : x);

export function routeJsonRows(res: RoutesResponse): RouteJsonRow[] {
  return res.rows
    .map((r): RouteJsonRow => ({
      namespace: r.resource?.namespace ?? '',
      kind: kindOf(r.resource?.type ?? ''),
      name: r.resource?.name ?? '',
      route: r.route,
      authority: r.authority,
      requests: r.requests,
      successRate: orNull(r.successRate),
      rps: r.rps,
      latencyP50Ms: orNull(r.latencyP50Ms),
      latencyP95Ms: orNull(r.latencyP95Ms),
      latencyP99Ms: orNull(r.latencyP99Ms),
      retriesPerSecond: r.retriesPerSecond,
    }))
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name) ||
        a.authority.localeCompare(b.authority) ||
        a.route.localeCompare(b.route),
    );
}

/** One table per resource; a `==> workload/web (demo) <==` heading above each when there are several. */
export function routesTable(rows: readonly RouteJsonRow[], options: { wide?: boolean } = {}): string {
  const columns: Column<RouteJsonRow>[] = [
    { header: 'ROUTE', value: (r) => r.route },
    { header: 'SERVICE', align: 'right', value: (r) => r.authority },
    { header: 'SUCCESS', align: 'right', value: (r) => formatPercent(r.successRate) },
    {
      header: 'RPS',
      align: 'right',
      value: (r) => (r.requests === 0 && r.rps === 0 ? NO_DATA : formatRps(r.rps)),
    },
    { header: 'LATENCY_P50', align: 'right', value: (r) => formatLatency(r.latencyP50Ms) },
    { header: 'LATENCY_P95', align: 'right', value: (r) => formatLatency(r.latencyP95Ms) },
    { header: 'LATENCY_P99', align: 'right', value: (r) => formatLatency(r.latencyP99Ms) },
  ];
  if (options.wide) {
    columns.push({ header: 'RETRIES', align: 'right', value: (r) => formatRps(r.retriesPerSecond) });
  }
  const groups = new Map<string, RouteJsonRow[]>();
  for (const r of rows) {
    const key = r.namespace === '' ? displayResource(r) : `${displayResource(r)} (${r.namespace})`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (groups.size <= 1) return renderTable(columns, rows);
  return [...groups].map(([key, group]) => `==> ${key} <==\n${renderTable(columns, group)}`).join('\n');
}
