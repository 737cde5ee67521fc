// Which series answer a question about a resource, Linkerd's way: a workload's, pod's or namespace's own
// (server-side) numbers come from its pods' inbound metrics; services, authorities and --from/--to come from
// client-side outbound metrics, told apart by the dst_* labels the client proxies add.
import { eq, neq, type Labels, type Matcher } from './promql/selector.js';
import { badRequest } from './errors.js';
import type { ResourceKind, ResourceRef } from './resources.js';

/** Kinds that run pods and so can be the source of traffic. */
const SOURCE_KINDS: ReadonlySet<ResourceKind> = new Set(['namespace', 'workload', 'pod']);

export function isSourceKind(kind: ResourceKind): boolean {
  return SOURCE_KINDS.has(kind);
}

/** Target labels naming a source resource, outermost first. */
function sourceLabels(kind: ResourceKind): string[] {
  switch (kind) {
    case 'namespace':
      return ['namespace'];
    case 'workload':
      return ['namespace', 'workload'];
    case 'pod':
      return ['namespace', 'pod'];
    default:
      throw new Error(`${kind} is not a source kind`);
  }
}

/** Destination labels naming a resource in client-side metrics. */
function dstLabels(kind: ResourceKind): string[] {
  switch (kind) {
    case 'namespace':
      return ['dst_namespace'];
    case 'workload':
      return ['dst_namespace', 'dst_workload'];
    case 'pod':
      return ['dst_namespace', 'dst_pod'];
    case 'service':
      return ['dst_namespace', 'dst_service'];
    case 'authority':
      return ['authority'];
  }
}

/** Matchers for the traffic of `ref`'s own pods. */
function sourceMatchers(ref: ResourceRef): Matcher[] {
  const [nsLabel, nameLabel] = sourceLabels(ref.kind);
  if (ref.kind === 'namespace') return ref.name === '' ? [] : [eq(nsLabel!, ref.name)];
  const out: Matcher[] = [];
  if (ref.namespace !== undefined) out.push(eq(nsLabel!, ref.namespace));
  if (ref.name !== '') out.push(eq(nameLabel!, ref.name));
  return out;
}

/**
 * Matchers for client-side traffic whose destination is `ref`. With `required`, an unnamed ref still demands
 * the destination label, so "to any workload" does not also match traffic to unknown destinations.
 */
function dstMatchers(ref: ResourceRef, required: boolean): Matcher[] {
  const labels = dstLabels(ref.kind);
  const nameLabel = labels[labels.length - 1]!;
  const out: Matcher[] = [];
  if (ref.kind === 'namespace') {
    if (ref.name !== '') out.push(eq(nameLabel, ref.name));
    else if (required) out.push(neq(nameLabel, ''));
    return out;
  }
  if (ref.kind !== 'authority' && ref.namespace !== undefined) out.push(eq('dst_namespace', ref.namespace));
  if (ref.name !== '') out.push(eq(nameLabel, ref.name));
  else if (required) out.push(neq(nameLabel, ''));
  return out;
}

/** Where a row's resource is found in a group's labels. */
export interface RowNaming {
  readonly kind: ResourceKind;
  /** Label holding the namespace (undefined for namespaces and authorities). */
  readonly namespaceLabel: string | undefined;
  readonly nameLabel: string;
}

function naming(kind: ResourceKind, labels: readonly string[]): RowNaming {
  return {
    kind,
    namespaceLabel: labels.length > 1 ? labels[0] : undefined,
    nameLabel: labels[labels.length - 1]!,
  };
}

/** The (namespace, name) of the row a group belongs to, or undefined when the group lacks the name label. */
export function rowOf(n: RowNaming, labels: Labels): { namespace: string; name: string } | undefined {
  const name = labels[n.nameLabel] ?? '';
  if (name === '') return undefined;
  return { namespace: n.namespaceLabel === undefined ? '' : (labels[n.namespaceLabel] ?? ''), name };
}

export interface StatPlan {
  /** Matchers for response_total and response_latency_ms_bucket, direction included. */
  readonly http: readonly Matcher[];
  /** Matchers for the tcp_* families; undefined when TCP series cannot be grouped so (they carry no authority). */
  readonly tcp: readonly Matcher[] | undefined;
  /** Labels that identify a row. */
  readonly by: readonly string[];
  readonly naming: RowNaming;
}

const INBOUND = eq('direction', 'inbound');
const OUTBOUND = eq('direction', 'outbound');
const PEER_SRC = eq('peer', 'src');
const PEER_DST = eq('peer', 'dst');

function podNamespace(ref: ResourceRef): Matcher[] {
  return ref.namespace === undefined ? [] : [eq('namespace', ref.namespace)];
}

/** Matchers that select `selector` in client-side metrics, and the labels that name its rows there. */
function dstSide(selector: ResourceRef): { matchers: Matcher[]; by: string[] } {
  const by = dstLabels(selector.kind);
  const matchers =
    selector.kind === 'authority'
      ? selector.name === ''
        ? []
        : [eq('authority', selector.name)]
      : dstMatchers(selector, false);
  return { matchers, by };
}

export function statPlan(selector: ResourceRef, from?: ResourceRef, to?: ResourceRef): StatPlan {
  if (from !== undefined) {
    if (!isSourceKind(from.kind)) {
      throw badRequest(`from: a ${from.kind} sends no traffic of its own; use a namespace, workload or pod`);
    }
    const { matchers, by } = dstSide(selector);
    const http = [OUTBOUND, ...sourceMatchers(from), ...matchers];
    return {
      http,
      tcp:
        selector.kind === 'authority'
          ? undefined
          : [OUTBOUND, PEER_DST, ...sourceMatchers(from), ...matchers],
      by,
      naming: naming(selector.kind, by),
    };
  }
  if (to !== undefined) {
    const toMatchers = dstMatchers(to, true);
    const noTcp = to.kind === 'authority' || selector.kind === 'authority';
    if (isSourceKind(selector.kind)) {
      const by = sourceLabels(selector.kind);
      const m = [OUTBOUND, ...sourceMatchers(selector), ...toMatchers];
      return {
        http: m,
        tcp: noTcp ? undefined : [OUTBOUND, PEER_DST, ...sourceMatchers(selector), ...toMatchers],
        by,
        naming: naming(selector.kind, by),
      };
    }
    const { matchers, by } = dstSide(selector);
    const clients = selector.kind === 'authority' ? podNamespace(selector) : [];
    return {
      http: [OUTBOUND, ...clients, ...matchers, ...toMatchers],
      tcp: noTcp ? undefined : [OUTBOUND, PEER_DST, ...matchers, ...toMatchers],
      by,
      naming: naming(selector.kind, by),
    };
  }
  if (isSourceKind(selector.kind)) {
    const by = sourceLabels(selector.kind);
    return {
      http: [INBOUND, ...sourceMatchers(selector)],
      tcp: [INBOUND, PEER_SRC, ...sourceMatchers(selector)],
      by,
      naming: naming(selector.kind, by),
    };
  }
  const { matchers, by } = dstSide(selector);
  if (selector.kind === 'authority') {
    // An authority is no object of the registry: -n means the namespace of the clients that called it.
    return {
      http: [OUTBOUND, ...podNamespace(selector), ...matchers],
      tcp: undefined,
      by,
      naming: naming(selector.kind, by),
    };
  }
  return {
    http: [OUTBOUND, ...matchers],
    tcp: [OUTBOUND, PEER_DST, ...matchers],
    by,
    naming: naming(selector.kind, by),
  };
}

export interface RoutesPlan {
  /** Matchers for the route_* families, direction included. */
  readonly matchers: readonly Matcher[];
  /** Row labels, then authority and route. */
  readonly by: readonly string[];
  /** How to name the row's resource: from source labels, or (services, authorities) from the authority. */
  readonly naming: RowNaming | undefined;
}

/**
 * Routes of a resource: the server side (inbound) of its pods; with `to`, the client side (outbound) of the
 * selector's pods, whose authorities the caller then keeps when they belong to `to`.
 */
export function routesPlan(selector: ResourceRef, to?: ResourceRef): RoutesPlan {
  if (to !== undefined) {
    if (!isSourceKind(selector.kind)) {
      throw badRequest(
        `selector: routes --to needs a namespace, workload or pod to send the traffic, not a ${selector.kind}`,
      );
    }
    const labels = sourceLabels(selector.kind);
    return {
      matchers: [OUTBOUND, ...sourceMatchers(selector)],
      by: [...labels, 'authority', 'route'],
      naming: naming(selector.kind, labels),
    };
  }
  if (isSourceKind(selector.kind)) {
    const labels = sourceLabels(selector.kind);
    return {
      matchers: [INBOUND, ...sourceMatchers(selector)],
      by: [...labels, 'authority', 'route'],
      naming: naming(selector.kind, labels),
    };
  }
  // A service's routes are those its pods serve under one of its authorities; an authority's are those served
  // under it. Both are read server-side in the selector's namespace and mapped to rows by the authority.
  const m: Matcher[] = [INBOUND, ...podNamespace(selector)];
  if (selector.kind === 'authority' && selector.name !== '') m.push(eq('authority', selector.name));
  return { matchers: m, by: ['authority', 'route'], naming: undefined };
}

export interface EdgesPlan {
  readonly matchers: readonly Matcher[];
  readonly by: readonly string[];
  readonly src: RowNaming;
  readonly dst: RowNaming;
}

/** Edges between workloads or pods: open client-side connections, by source and destination. */
export function edgesPlan(selector: ResourceRef): EdgesPlan {
  if (selector.kind !== 'workload' && selector.kind !== 'pod') {
    throw badRequest(`selector: edges are drawn between workloads or pods, not ${selector.kind}s`);
  }
  const src = sourceLabels(selector.kind);
  const dst = dstLabels(selector.kind);
  return {
    matchers: [OUTBOUND, PEER_DST, ...sourceMatchers(selector)],
    by: [...src, ...dst, 'tls', 'server_id', 'client_id', 'no_tls_reason'],
    src: naming(selector.kind, src),
    dst: naming(selector.kind, dst),
  };
}
