// The Destination gRPC service: streams each authority's endpoints and profile from the registry, sending
// a snapshot first and then only changes, pushed as soon as the registry changes.
import type * as grpc from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { normalizeAuthority } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import {
  DestinationService,
  type DestinationList,
  type DestinationProfile,
  type DestinationServer,
  type GetDestination,
  type ListDestinations,
  type Update,
} from '../../api/gen/destination.js';
import type { Component } from '../component.js';
import type { MeshRegistry, ResolveContext } from '../registry/model.js';
import { EMPTY_SNAPSHOT, diffSnapshots, snapshotOf, type EndpointSnapshot } from './endpoint-view.js';
import { profileOf } from './profile-view.js';

interface Counters {
  endpointStreams: number;
  profileStreams: number;
  updatesSent: number;
}

function badAuthority(call: grpc.ServerWritableStream<GetDestination, unknown>): string | undefined {
  const authority = normalizeAuthority(call.request.authority);
  if (authority === undefined) {
    call.emit('error', {
      code: GrpcStatus.INVALID_ARGUMENT,
      details: `invalid authority ${JSON.stringify(call.request.authority)}: expected host:port`,
    });
    return undefined;
  }
  return authority;
}

/**
 * The caller's namespace from its context token (`{"ns":…}`, sent by proxies), so that a bare `svc:port`
 * resolves in the caller's namespace. Anything unreadable is simply no context.
 */
export function contextOf(token: string): ResolveContext {
  if (token === '' || token.length > 1024) return {};
  try {
    const parsed = JSON.parse(token) as unknown;
    const ns = typeof parsed === 'object' && parsed !== null ? (parsed as { ns?: unknown }).ns : undefined;
    return typeof ns === 'string' && ns !== '' ? { namespace: ns } : {};
  } catch {
    return {};
  }
}

export function createDestinationComponent(registry: MeshRegistry, logger: Logger): Component {
  const counters: Counters = { endpointStreams: 0, profileStreams: 0, updatesSent: 0 };
  const closers = new Set<() => void>();

  function streamEndpoints(call: grpc.ServerWritableStream<GetDestination, Update>): void {
    const authority = badAuthority(call);
    if (authority === undefined) return;
    counters.endpointStreams++;
    const context = contextOf(call.request.contextToken);
    let sent: EndpointSnapshot = EMPTY_SNAPSHOT;
    // The `exists` flag of the last no_endpoints message, or undefined when the client has endpoints.
    let lastNone: boolean | undefined;
    const write = (u: Partial<Update>): void => {
      counters.updatesSent++;
      call.write({ add: undefined, remove: undefined, noEndpoints: undefined, ...u });
    };
    const push = (): void => {
      const resolved = registry.resolve(authority, context);
      const next = resolved ? snapshotOf(resolved) : EMPTY_SNAPSHOT;
      if (next.addrs.size === 0) {
        // no_endpoints tells the client to drop every endpoint it has.
        const exists = resolved !== undefined;
        if (lastNone !== exists) write({ noEndpoints: { exists } });
        lastNone = exists;
      } else {
        const diff = diffSnapshots(lastNone === undefined ? sent : EMPTY_SNAPSHOT, next);
        if (diff.removed.length > 0) write({ remove: { addrs: diff.removed } });
        if (diff.added.length > 0) write({ add: { addrs: diff.added, metricLabels: {} } });
        lastNone = undefined;
      }
      sent = next;
    };
    push();
    const unsubscribe = registry.subscribe(push);
    const close = (): void => {
      unsubscribe();
      closers.delete(close);
      counters.endpointStreams--;
    };
    closers.add(close);
    call.once('cancelled', close);
    call.once('close', () => closers.has(close) && close());
    logger.debug({ authority, peer: call.getPeer() }, 'destination stream opened');
  }

  function streamProfile(call: grpc.ServerWritableStream<GetDestination, DestinationProfile>): void {
    const authority = badAuthority(call);
    if (authority === undefined) return;
    counters.profileStreams++;
    const context = contextOf(call.request.contextToken);
    let last = '';
    const push = (): void => {
      const profile = profileOf(registry.resolve(authority, context), registry.spec.clusterDomain);
      const json = JSON.stringify(profile);
      if (json === last) return;
      last = json;
      counters.updatesSent++;
      call.write(profile);
    };
    push();
    const unsubscribe = registry.subscribe(push);
    const close = (): void => {
      unsubscribe();
      closers.delete(close);
      counters.profileStreams--;
    };
    closers.add(close);
    call.once('cancelled', close);
    call.once('close', () => closers.has(close) && close());
  }

  const implementation: DestinationServer = {
    get: streamEndpoints,
    getProfile: streamProfile,
    list(
      _call: grpc.ServerUnaryCall<ListDestinations, DestinationList>,
      callback: grpc.sendUnaryData<DestinationList>,
    ) {
      callback(null, {
        destinations: registry.authorities().map((a) => ({
          authority: a.authority,
          namespace: a.service.namespace,
          service: a.service.name,
          endpoints: a.endpoints,
        })),
      });
    },
  };

  return {
    name: 'destination',
    services: [{ name: 'mesh.destination.v1.Destination', definition: DestinationService, implementation }],
    metrics: () =>
      [
        '# HELP destination_endpoint_streams Open Destination.Get streams.',
        '# TYPE destination_endpoint_streams gauge',
        `destination_endpoint_streams ${counters.endpointStreams}`,
        '# HELP destination_profile_streams Open Destination.GetProfile streams.',
        '# TYPE destination_profile_streams gauge',
        `destination_profile_streams ${counters.profileStreams}`,
        '# HELP destination_updates_total Updates sent on all streams.',
        '# TYPE destination_updates_total counter',
        `destination_updates_total ${counters.updatesSent}`,
        '',
      ].join('\n'),
    notReadyReason: () => undefined,
    async close() {
      for (const c of [...closers]) c();
    },
  };
}
