// Stat: per resource, success rate, request rate, latency quantiles, TLS share and TCP numbers over a window,
// assembled from the backend's aggregations onto the registry's rows.
import type { Resource } from '../../api/gen/common.js';
import type { StatRow } from '../../api/gen/metrics.js';
import type { MeshRegistry } from '../registry/model.js';
import type { GroupValue, MetricsBackend } from './backend.js';
import { notFound } from './errors.js';
import { rowOf, statPlan, type RowNaming } from './plan.js';
import type { Labels } from './promql/selector.js';
import { describe, registryRows, type ResourceRef } from './resources.js';
import { FAMILIES, QUANTILES } from './schema.js';

export interface StatQuery {
  readonly selector: ResourceRef;
  readonly from?: ResourceRef;
  readonly to?: ResourceRef;
  readonly windowMs: number;
  readonly atMs: number;
}

/** Sums of one row's responses over the window. */
export interface ResponseTotals {
  total: number;
  success: number;
  failure: number;
  tls: number;
}

export function emptyTotals(): ResponseTotals {
  return { total: 0, success: 0, failure: 0, tls: 0 };
}

/** Adds a `response_total` group (by classification and, when present, tls) to a row's totals. */
export function addResponses(t: ResponseTotals, labels: Labels, value: number): void {
  t.total += value;
  if (labels['classification'] === 'success') t.success += value;
  else if (labels['classification'] === 'failure') t.failure += value;
  if (labels['tls'] === 'true') t.tls += value;
}

export function successRate(t: ResponseTotals): number | undefined {
  const answered = t.success + t.failure;
  return answered > 0 ? t.success / answered : undefined;
}

function keyOf(n: RowNaming, labels: Labels): string | undefined {
  const row = rowOf(n, labels);
  return row === undefined ? undefined : `${row.namespace}/${row.name}`;
}

function resourceKey(r: Resource): string {
  return `${r.type === 'namespace' || r.type === 'authority' ? '' : r.namespace}/${r.name}`;
}

export async function computeStat(
  backend: MetricsBackend,
  registry: MeshRegistry,
  q: StatQuery,
): Promise<StatRow[]> {
  const plan = statPlan(q.selector, q.from, q.to);
  const { windowMs, atMs } = q;
  const seconds = windowMs / 1000;
  const none: Promise<GroupValue[]> = Promise.resolve([]);
  const tcp = plan.tcp === undefined ? undefined : { metric: '', matchers: plan.tcp };
  const [responses, quantiles, open, read, written] = await Promise.all([
    backend.sumIncrease(
      { metric: FAMILIES.responses, matchers: plan.http },
      [...plan.by, 'classification', 'tls'],
      windowMs,
      atMs,
    ),
    backend.histogramQuantiles(
      QUANTILES,
      { metric: FAMILIES.latencyBuckets, matchers: plan.http },
      plan.by,
      windowMs,
      atMs,
    ),
    tcp ? backend.sumLatest({ ...tcp, metric: FAMILIES.tcpOpenConnections }, plan.by, atMs) : none,
    tcp ? backend.sumIncrease({ ...tcp, metric: FAMILIES.tcpReadBytes }, plan.by, windowMs, atMs) : none,
    tcp ? backend.sumIncrease({ ...tcp, metric: FAMILIES.tcpWriteBytes }, plan.by, windowMs, atMs) : none,
  ]);

  const rows = new Map<string, StatRow>();
  for (const r of registryRows(registry, q.selector)) {
    rows.set(resourceKey(r.resource), {
      resource: r.resource,
      meshedPods: r.meshedPods,
      runningPods: r.runningPods,
      rps: 0,
      tcpOpenConnections: 0,
      readBytesPerSecond: 0,
      writeBytesPerSecond: 0,
      requests: 0,
    });
  }
  // Authorities are rows only through their traffic (or by being asked for by name).
  const rowFor = (labels: Labels): StatRow | undefined => {
    const key = keyOf(plan.naming, labels);
    if (key === undefined) return undefined;
    let row = rows.get(key);
    if (row === undefined && plan.naming.kind === 'authority') {
      const name = labels['authority'] ?? '';
      row = authorityRow(registry, name);
      rows.set(key, row);
    }
    return row;
  };

  const totals = new Map<StatRow, ResponseTotals>();
  for (const g of responses) {
    const row = rowFor(g.labels);
    if (row === undefined) continue;
    let t = totals.get(row);
    if (t === undefined) totals.set(row, (t = emptyTotals()));
    addResponses(t, g.labels, g.value);
  }
  for (const [row, t] of totals) {
    if (!(t.total > 0)) continue;
    row.requests = Math.round(t.total);
    row.rps = t.total / seconds;
    row.successRate = successRate(t);
    row.tlsShare = t.tls / t.total;
  }
  for (const g of quantiles) {
    const row = rowFor(g.labels);
    if (row === undefined || !(totals.get(row)?.total ?? 0)) continue;
    [row.latencyP50Ms, row.latencyP95Ms, row.latencyP99Ms] = g.values;
  }
  for (const g of open) {
    const row = rowFor(g.labels);
    if (row !== undefined) row.tcpOpenConnections = Math.max(0, Math.round(row.tcpOpenConnections + g.value));
  }
  for (const g of read) {
    const row = rowFor(g.labels);
    if (row !== undefined) row.readBytesPerSecond += g.value / seconds;
  }
  for (const g of written) {
    const row = rowFor(g.labels);
    if (row !== undefined) row.writeBytesPerSecond += g.value / seconds;
  }

  if (q.selector.kind === 'authority' && q.selector.name !== '' && rows.size === 0) {
    if (!registry.knowsHost(q.selector.name)) {
      throw notFound(`${describe(q.selector)} not found: no service has this host and no traffic used it`);
    }
    rows.set(`/${q.selector.name}`, authorityRow(registry, q.selector.name));
  }
  return [...rows.values()].sort(compareRows);
}

function authorityRow(registry: MeshRegistry, authority: string): StatRow {
  return {
    resource: {
      type: 'authority',
      namespace: registry.resolve(authority)?.service.namespace ?? '',
      name: authority,
    },
    meshedPods: 0,
    runningPods: 0,
    rps: 0,
    tcpOpenConnections: 0,
    readBytesPerSecond: 0,
    writeBytesPerSecond: 0,
    requests: 0,
  };
}

export function compareResources(a: Resource | undefined, b: Resource | undefined): number {
  return (
    (a?.namespace ?? '').localeCompare(b?.namespace ?? '') || (a?.name ?? '').localeCompare(b?.name ?? '')
  );
}

function compareRows(a: StatRow, b: StatRow): number {
  return compareResources(a.resource, b.resource);
}
