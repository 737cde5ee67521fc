// Edges: which workloads (or pods) hold open connections to which, and whether those are mesh mTLS, from the
// client proxies' tcp_open_connections and their destination labels.
import type { Edge } from '../../api/gen/metrics.js';
import type { MeshRegistry } from '../registry/model.js';
import type { MetricsBackend } from './backend.js';
import { edgesPlan, rowOf } from './plan.js';
import type { ResourceRef } from './resources.js';
import { FAMILIES } from './schema.js';
import { compareResources } from './stat.js';

export interface EdgesQuery {
  readonly selector: ResourceRef;
  readonly atMs: number;
}

export async function computeEdges(
  backend: MetricsBackend,
  registry: MeshRegistry,
  q: EdgesQuery,
): Promise<Edge[]> {
  const plan = edgesPlan(q.selector);
  const kind = q.selector.kind;
  const groups = await backend.sumLatest(
    { metric: FAMILIES.tcpOpenConnections, matchers: plan.matchers },
    plan.by,
    q.atMs,
  );
  const edges = new Map<string, Edge>();
  for (const g of groups) {
    if (!(g.value > 0)) continue;
    const src = rowOf(plan.src, g.labels);
    // Without destination labels the peer is outside the mesh's discovery: there is no edge to draw.
    const dst = rowOf(plan.dst, g.labels);
    if (src === undefined || dst === undefined) continue;
    const key = `${src.namespace}/${src.name}>${dst.namespace}/${dst.name}`;
    const secured = g.labels['tls'] === 'true';
    const found = edges.get(key);
    // Connections of one pair may differ (some secured, some not): the edge is secured only if all are.
    if (found !== undefined && (!found.secured || secured)) continue;
    const srcIdentity = identityOf(registry, kind, src.namespace, src.name);
    const dstIdentity = identityOf(registry, kind, dst.namespace, dst.name);
    edges.set(key, {
      src: { type: kind, namespace: src.namespace, name: src.name },
      dst: { type: kind, namespace: dst.namespace, name: dst.name },
      clientId: g.labels['client_id'] || (secured ? (srcIdentity?.identity ?? '') : ''),
      serverId: g.labels['server_id'] || (secured ? (dstIdentity?.identity ?? '') : ''),
      secured,
      noTlsReason: secured ? '' : noTlsReason(g.labels, dstIdentity?.meshed ?? false),
    });
  }
  return [...edges.values()].sort((a, b) => compareResources(a.src, b.src) || compareResources(a.dst, b.dst));
}

/** Why a connection is plain: the proxy's own reason when it gives one, else what the registry implies. */
function noTlsReason(labels: Readonly<Record<string, string>>, dstMeshed: boolean): string {
  const explicit = labels['no_tls_reason'];
  if (explicit) return explicit;
  const tls = labels['tls'] ?? '';
  // The proxy may put the reason in the tls label itself (e.g. tls="no_identity").
  if (tls !== '' && tls !== 'false' && tls !== 'true') return tls;
  return dstMeshed ? 'no_identity' : 'not_meshed';
}

/** The identity the registry gives a workload's (or pod's) proxies, and whether any of them is meshed. */
function identityOf(
  registry: MeshRegistry,
  kind: string,
  namespace: string,
  name: string,
): { identity: string; meshed: boolean } | undefined {
  const pods = registry
    .instances()
    .filter((i) => i.namespace === namespace && (kind === 'pod' ? i.name === name : i.workload === name));
  const first = pods[0];
  if (first === undefined) return undefined;
  return { identity: first.identity, meshed: pods.some((p) => p.meshed) };
}
