// The outbound side's view of services: for each authority, the endpoints discovery gave it, behind a
// balancer. Endpoint objects (and their connection pools) are shared by address across authorities and
// closed gracefully when no authority uses them any more.
import { type HostPort, formatHostPort, isIpAuthority, splitAuthority } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import type { Clock } from '../balance/peak-ewma.js';
import { Endpoint, type EndpointDeps, type EndpointMeta, NO_META } from '../endpoint/endpoint.js';
import { BalancedPicker, FixedPicker, type EndpointPicker } from '../endpoint/picker.js';
import { ProxyError } from '../errors.js';
import type { RequestRouter, RouteDecision } from '../http/context.js';

export interface DiscoveredEndpoint {
  readonly address: HostPort;
  readonly meta?: EndpointMeta;
}

export interface DirectorySnapshot {
  authority: string;
  endpoints: { address: string; state: string; pending: number; ewmaMs: number }[];
}

export class ServiceDirectory implements RequestRouter {
  private readonly services = new Map<string, BalancedPicker>();
  private readonly endpoints = new Map<string, { endpoint: Endpoint; users: number }>();
  private readonly direct = new Map<string, FixedPicker>();

  constructor(
    private readonly deps: EndpointDeps,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  route(authority: string | undefined): RouteDecision {
    if (authority === undefined) {
      return new ProxyError(
        'MESH_UNKNOWN_AUTHORITY',
        'request has no usable Host or :authority; the outbound proxy routes by it',
      );
    }
    const service = this.services.get(authority);
    if (service !== undefined) {
      if (service.endpoints.length === 0) {
        return new ProxyError('MESH_NO_ENDPOINTS', `service ${authority} has no endpoints`);
      }
      return service;
    }
    // An IP literal needs no discovery: send it where it points.
    if (isIpAuthority(authority)) return this.directPicker(authority);
    return new ProxyError('MESH_UNKNOWN_AUTHORITY', `no service known for authority ${authority}`);
  }

  /** Looks up a picker for opaque traffic bound to an authority (forward listeners). */
  picker(authority: string): EndpointPicker | ProxyError {
    return this.route(authority);
  }

  /** Replaces the endpoints of one authority; in-flight requests on removed endpoints finish. */
  setEndpoints(authority: string, discovered: readonly DiscoveredEndpoint[]): void {
    let service = this.services.get(authority);
    if (service === undefined) {
      service = new BalancedPicker(authority, this.clock, this.deps.random);
      this.services.set(authority, service);
    }
    const previous = service.endpoints;
    const next: Endpoint[] = [];
    const seen = new Set<string>();
    for (const d of discovered) {
      const key = formatHostPort(d.address);
      if (seen.has(key)) continue;
      seen.add(key);
      next.push(this.acquire(key, d.address, d.meta ?? NO_META));
    }
    service.endpoints = next;
    for (const ep of previous) this.release(ep.key);
    this.logger.debug({ authority, endpoints: next.map((e) => e.key) }, 'endpoints updated');
  }

  /** Forgets an authority entirely (it is no longer discoverable). */
  removeService(authority: string): void {
    const service = this.services.get(authority);
    if (service === undefined) return;
    this.services.delete(authority);
    for (const ep of service.endpoints) this.release(ep.key);
  }

  authorities(): string[] {
    return [...this.services.keys()];
  }

  snapshot(): DirectorySnapshot[] {
    const now = this.clock.now();
    return [...this.services.entries()].map(([authority, svc]) => ({
      authority,
      endpoints: svc.endpoints.map((ep) => ({
        address: ep.key,
        state: ep.health.state(now),
        pending: ep.load.pending,
        ewmaMs: Math.round(ep.load.estimate() * 1000) / 1000,
      })),
    }));
  }

  destroy(): void {
    for (const { endpoint } of this.endpoints.values()) endpoint.destroy();
    for (const p of this.direct.values()) p.pick()?.destroy();
    this.endpoints.clear();
    this.direct.clear();
    this.services.clear();
  }

  private directPicker(authority: string): FixedPicker {
    let p = this.direct.get(authority);
    if (p === undefined) {
      p = new FixedPicker(authority, new Endpoint(splitAuthority(authority), this.deps));
      this.direct.set(authority, p);
    }
    return p;
  }

  private acquire(key: string, address: HostPort, meta: EndpointMeta): Endpoint {
    let entry = this.endpoints.get(key);
    if (entry === undefined) {
      entry = { endpoint: new Endpoint(address, this.deps, meta), users: 0 };
      this.endpoints.set(key, entry);
    } else {
      entry.endpoint.meta = meta;
    }
    entry.users++;
    return entry.endpoint;
  }

  private release(key: string): void {
    const entry = this.endpoints.get(key);
    if (entry === undefined) return;
    entry.users--;
    if (entry.users <= 0) {
      this.endpoints.delete(key);
      void entry.endpoint.close();
    }
  }
}
