// The outbound side's view of services: for each authority, its endpoints behind a balancer, from two
// sources: the Destination API (authoritative once it has answered) and the static endpoints file (the
// offline fallback). Endpoint objects and their pools are shared by address and closed when unused.
import { type HostPort, formatHostPort, isIpAuthority, splitAuthority } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import type { Clock } from '../balance/peak-ewma.js';
import { Endpoint, type EndpointDeps, type EndpointMeta, NO_META } from '../endpoint/endpoint.js';
import { BalancedPicker, FixedPicker, type EndpointPicker } from '../endpoint/picker.js';
import { ProxyError } from '../errors.js';
import type { RequestRouter, RouteDecision } from '../http/context.js';
import type { Profile } from '../route/profile.js';

export interface DiscoveredEndpoint {
  readonly address: HostPort;
  readonly meta?: EndpointMeta;
}

/** How an authority's endpoints are known. */
export type DiscoveryState =
  | { readonly kind: 'pending' }
  | { readonly kind: 'resolved'; readonly endpoints: readonly DiscoveredEndpoint[] }
  /** The control plane says it does not know the authority. */
  | { readonly kind: 'unknown' };

/** Starts discovery for an authority on first use; resolves once there is a first answer (or it gave up). */
export interface DiscoveryTrigger {
  watch(authority: string): Promise<void>;
  touch(authority: string): void;
}

export interface DirectorySnapshot {
  authority: string;
  source: 'destination' | 'static' | 'none';
  profileRoutes: number;
  endpoints: {
    address: string;
    state: string;
    pending: number;
    ewmaMs: number;
    labels: Record<string, string>;
  }[];
}

class ServiceEntry {
  readonly picker: BalancedPicker;
  staticEndpoints: readonly DiscoveredEndpoint[] | undefined;
  discovery: DiscoveryState | undefined;
  profile: Profile | undefined;

  constructor(authority: string, clock: Clock, random: () => number) {
    this.picker = new BalancedPicker(authority, clock, random);
  }

  /** Destination's answer wins once it has one; the static file fills in before that and for unknowns. */
  effective(): { source: DirectorySnapshot['source']; endpoints: readonly DiscoveredEndpoint[] } | undefined {
    if (this.discovery?.kind === 'resolved')
      return { source: 'destination', endpoints: this.discovery.endpoints };
    if (this.staticEndpoints !== undefined) return { source: 'static', endpoints: this.staticEndpoints };
    return undefined;
  }
}

/**
 * The estimate a newcomer should start from: the lowest of the set's, so it ties with the best endpoint and
 * is picked at once. (An observed endpoint's estimate blends in its RTT and so sits above an idle one's
 * decayed estimate; tied endpoints therefore alternate rather than one starving the other.)
 */
function typicalEstimate(endpoints: readonly Endpoint[]): number | undefined {
  if (endpoints.length === 0) return undefined;
  return Math.min(...endpoints.map((e) => e.load.estimate()));
}

export class ServiceDirectory implements RequestRouter {
  private readonly services = new Map<string, ServiceEntry>();
  private readonly endpoints = new Map<string, { endpoint: Endpoint; users: number }>();
  private readonly direct = new Map<string, FixedPicker>();
  private trigger: DiscoveryTrigger | undefined;

  constructor(
    private readonly deps: EndpointDeps,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /**
     * Transparent mode: IP authorities (an original destination, or a Host that is an IP) are asked of
     * discovery too, so that a meshed pod's IP is reached over mTLS; unknown ones are dialled directly.
     */
    private readonly discoverIpAuthorities = false,
  ) {}

  /** Connects the directory to a discovery client (the Destination API). */
  useDiscovery(trigger: DiscoveryTrigger): void {
    this.trigger = trigger;
  }

  route(authority: string | undefined): RouteDecision | Promise<RouteDecision> {
    if (authority === undefined) {
      return new ProxyError(
        'MESH_UNKNOWN_AUTHORITY',
        'request has no usable Host or :authority; the outbound proxy routes by it',
      );
    }
    const entry = this.services.get(authority);
    if (this.trigger !== undefined && (this.discoverIpAuthorities || !isIpAuthority(authority))) {
      if (entry?.discovery === undefined) {
        // First use: ask the control plane, then decide with what it said (or the static fallback).
        return this.trigger.watch(authority).then(() => this.decide(authority));
      }
      this.trigger.touch(authority);
    }
    return this.decide(authority);
  }

  /** Looks up a picker for opaque traffic bound to an authority (forward listeners). */
  picker(authority: string): EndpointPicker | ProxyError | Promise<RouteDecision> {
    return this.route(authority);
  }

  /** The service profile of an authority, when the control plane gave one. */
  profile(authority: string): Profile | undefined {
    return this.services.get(authority)?.profile;
  }

  private decide(authority: string): RouteDecision {
    const entry = this.services.get(authority);
    const effective = entry?.effective();
    if (entry !== undefined && effective !== undefined) {
      if (entry.picker.endpoints.length === 0) {
        if (this.discoverIpAuthorities && isIpAuthority(authority)) return this.directPicker(authority);
        return new ProxyError('MESH_NO_ENDPOINTS', `service ${authority} has no endpoints`);
      }
      return entry.picker;
    }
    // An IP literal needs no discovery: send it where it points.
    if (isIpAuthority(authority)) return this.directPicker(authority);
    if (entry?.discovery?.kind === 'pending') {
      return new ProxyError('MESH_NO_ENDPOINTS', `no answer from the control plane for ${authority} yet`);
    }
    return new ProxyError('MESH_UNKNOWN_AUTHORITY', `no service known for authority ${authority}`);
  }

  /** Sets the endpoints from the static file for one authority (undefined removes them). */
  setStaticEndpoints(authority: string, discovered: readonly DiscoveredEndpoint[] | undefined): void {
    const entry = this.entry(authority);
    entry.staticEndpoints = discovered;
    this.apply(authority, entry);
  }

  /** Records what the control plane said about an authority (undefined: discovery stopped watching it). */
  setDiscovery(authority: string, state: DiscoveryState | undefined): void {
    const entry = this.entry(authority);
    entry.discovery = state;
    this.apply(authority, entry);
  }

  setProfile(authority: string, profile: Profile | undefined): void {
    this.entry(authority).profile = profile;
  }

  staticAuthorities(): string[] {
    return [...this.services.entries()].filter(([, e]) => e.staticEndpoints !== undefined).map(([a]) => a);
  }

  authorities(): string[] {
    return [...this.services.keys()];
  }

  snapshot(): DirectorySnapshot[] {
    const now = this.clock.now();
    return [...this.services.entries()].map(([authority, svc]) => ({
      authority,
      source: svc.effective()?.source ?? 'none',
      profileRoutes: svc.profile?.routes.length ?? 0,
      endpoints: svc.picker.endpoints.map((ep) => ({
        address: ep.key,
        state: ep.health.state(now),
        pending: ep.load.pending,
        ewmaMs: Math.round(ep.load.estimate() * 1000) / 1000,
        labels: { ...ep.meta.labels },
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

  private entry(authority: string): ServiceEntry {
    let entry = this.services.get(authority);
    if (entry === undefined) {
      entry = new ServiceEntry(authority, this.clock, this.deps.random);
      this.services.set(authority, entry);
    }
    return entry;
  }

  /** Rebuilds an authority's balancer from its effective endpoints; in-flight requests finish where they are. */
  private apply(authority: string, entry: ServiceEntry): void {
    const discovered = entry.effective()?.endpoints ?? [];
    const previous = entry.picker.endpoints;
    const next: Endpoint[] = [];
    const seen = new Set<string>();
    const typical = typicalEstimate(previous);
    for (const d of discovered) {
      const key = formatHostPort(d.address);
      if (seen.has(key)) continue;
      seen.add(key);
      const isNew = !this.endpoints.has(key);
      const ep = this.acquire(key, d.address, d.meta ?? NO_META);
      if (isNew && typical !== undefined) ep.load.seed(typical);
      next.push(ep);
    }
    entry.picker.endpoints = next;
    for (const ep of previous) this.release(ep.key);
    if (entry.staticEndpoints === undefined && entry.discovery === undefined && entry.profile === undefined) {
      this.services.delete(authority);
    }
    this.logger.debug({ authority, endpoints: next.map((e) => e.key) }, 'endpoints updated');
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
      entry.endpoint.setMeta(meta);
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
