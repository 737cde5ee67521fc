// Turns the registry's view of a service into Destination API messages, and computes the changes between
// two snapshots so that a stream sends only what changed.
import { formatHostPort } from '../../common/address.js';
import { ProtocolHint, type WeightedAddr } from '../../api/gen/destination.js';
import type { ResolvedService } from '../registry/model.js';

export interface EndpointSnapshot {
  /** Address key → the message describing it (compared by its JSON to detect changes). */
  readonly addrs: Map<string, { addr: WeightedAddr; json: string }>;
}

export function snapshotOf(resolved: ResolvedService): EndpointSnapshot {
  const addrs = new Map<string, { addr: WeightedAddr; json: string }>();
  for (const ep of resolved.endpoints) {
    const inst = ep.instance;
    const addr: WeightedAddr = {
      addr: { ip: ep.address.host, port: ep.address.port },
      weight: 1,
      metricLabels: {
        namespace: inst.namespace,
        workload: inst.workload,
        pod: inst.name,
        service: resolved.service.name,
        serviceaccount: inst.serviceAccount,
      },
      tlsIdentity: inst.meshed ? { dnsLikeIdentity: inst.identity } : undefined,
      protocolHint: resolved.opaque ? ProtocolHint.PROTOCOL_HINT_OPAQUE : ProtocolHint.PROTOCOL_HINT_UNKNOWN,
    };
    addrs.set(formatHostPort(ep.address), { addr, json: JSON.stringify(addr) });
  }
  return { addrs };
}

export const EMPTY_SNAPSHOT: EndpointSnapshot = { addrs: new Map() };

export interface EndpointDiff {
  readonly added: WeightedAddr[];
  readonly removed: { ip: string; port: number }[];
}

/** What to send to move a client from `before` to `after`: changed endpoints are re-added. */
export function diffSnapshots(before: EndpointSnapshot, after: EndpointSnapshot): EndpointDiff {
  const added: WeightedAddr[] = [];
  const removed: { ip: string; port: number }[] = [];
  for (const [key, cur] of after.addrs) {
    if (before.addrs.get(key)?.json !== cur.json) added.push(cur.addr);
  }
  for (const [key, prev] of before.addrs) {
    if (!after.addrs.has(key) && prev.addr.addr !== undefined) removed.push(prev.addr.addr);
  }
  return { added, removed };
}
