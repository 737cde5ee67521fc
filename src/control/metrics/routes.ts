// Routes: the stat numbers per (resource, authority, route) from the route_* families, server-side for the
// selector's pods, or client-side towards a destination's authorities with `to`.
import type { Resource } from '../../api/gen/common.js';
import type { RouteRow } from '../../api/gen/metrics.js';
import type { MeshRegistry } from '../registry/model.js';
import type { MetricsBackend } from './backend.js';
import { rowOf, routesPlan } from './plan.js';
import { groupKey, type Labels } from './promql/selector.js';
import type { ResourceRef } from './resources.js';
import { FAMILIES, QUANTILES } from './schema.js';
import { addResponses, compareResources, emptyTotals, successRate, type ResponseTotals } from './stat.js';

export interface RoutesQuery {
  readonly selector: ResourceRef;
  readonly to?: ResourceRef;
  readonly windowMs: number;
  readonly atMs: number;
}

/** True when `authority` is one under which `ref` is reached (a service of it, or it exactly). */
export function authorityBelongsTo(registry: MeshRegistry, authority: string, ref: ResourceRef): boolean {
  if (ref.kind === 'authority') return ref.name === '' || ref.name === authority;
  const resolved = registry.resolve(authority);
  if (resolved === undefined) return false;
  const svc = resolved.service;
  const ns = ref.kind === 'namespace' ? ref.name || undefined : ref.namespace;
  if (ns !== undefined && svc.namespace !== ns) return false;
  switch (ref.kind) {
    case 'namespace':
      return true;
    case 'service':
      return ref.name === '' || svc.name === ref.name;
    case 'workload':
      return ref.name === '' || svc.workload === ref.name;
    case 'pod':
      return resolved.endpoints.some((e) => ref.name === '' || e.instance.name === ref.name);
  }
}

export async function computeRoutes(
  backend: MetricsBackend,
  registry: MeshRegistry,
  q: RoutesQuery,
): Promise<RouteRow[]> {
  const plan = routesPlan(q.selector, q.to);
  const { windowMs, atMs } = q;
  const seconds = windowMs / 1000;
  const [responses, retries, quantiles] = await Promise.all([
    backend.sumIncrease(
      { metric: FAMILIES.routeResponses, matchers: plan.matchers },
      [...plan.by, 'classification'],
      windowMs,
      atMs,
    ),
    backend.sumIncrease({ metric: FAMILIES.routeRetries, matchers: plan.matchers }, plan.by, windowMs, atMs),
    backend.histogramQuantiles(
      QUANTILES,
      { metric: FAMILIES.routeLatencyBuckets, matchers: plan.matchers },
      plan.by,
      windowMs,
      atMs,
    ),
  ]);

  // The resource a group belongs to, or undefined when it is outside the question.
  const resourceOf = (labels: Labels): Resource | undefined => {
    const authority = labels['authority'] ?? '';
    if (q.to !== undefined && !authorityBelongsTo(registry, authority, q.to)) return undefined;
    if (plan.naming !== undefined) {
      const row = rowOf(plan.naming, labels);
      if (row === undefined) return undefined;
      return { type: plan.naming.kind, namespace: row.namespace, name: row.name };
    }
    if (q.selector.kind === 'authority') {
      return {
        type: 'authority',
        namespace: registry.resolve(authority)?.service.namespace ?? '',
        name: authority,
      };
    }
    // A service: the authority must resolve to it (or, unnamed, to any service in scope).
    const svc = registry.resolve(authority)?.service;
    if (svc === undefined || !authorityBelongsTo(registry, authority, q.selector)) return undefined;
    return { type: 'service', namespace: svc.namespace, name: svc.name };
  };

  const rows = new Map<string, { row: RouteRow; totals: ResponseTotals }>();
  const entry = (labels: Labels): { row: RouteRow; totals: ResponseTotals } | undefined => {
    const key = groupKey(labels, plan.by);
    let e = rows.get(key);
    if (e !== undefined) return e;
    const resource = resourceOf(labels);
    if (resource === undefined) return undefined;
    e = {
      row: {
        route: labels['route'] ?? '',
        authority: labels['authority'] ?? '',
        resource,
        rps: 0,
        requests: 0,
        retriesPerSecond: 0,
      },
      totals: emptyTotals(),
    };
    rows.set(key, e);
    return e;
  };

  for (const g of responses) {
    const e = entry(g.labels);
    if (e !== undefined) addResponses(e.totals, g.labels, g.value);
  }
  for (const { row, totals } of rows.values()) {
    if (!(totals.total > 0)) continue;
    row.requests = Math.round(totals.total);
    row.rps = totals.total / seconds;
    row.successRate = successRate(totals);
  }
  for (const g of quantiles) {
    const e = rows.get(groupKey(g.labels, plan.by));
    if (e === undefined || !(e.totals.total > 0)) continue;
    [e.row.latencyP50Ms, e.row.latencyP95Ms, e.row.latencyP99Ms] = g.values;
  }
  for (const g of retries) {
    const e = rows.get(groupKey(g.labels, plan.by));
    if (e !== undefined) e.row.retriesPerSecond = Math.max(0, g.value) / seconds;
  }
  return [...rows.values()]
    .map((e) => e.row)
    .sort(
      (a, b) =>
        compareResources(a.resource, b.resource) ||
        a.authority.localeCompare(b.authority) ||
        a.route.localeCompare(b.route),
    );
}
