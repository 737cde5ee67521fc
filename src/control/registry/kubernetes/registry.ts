// The Kubernetes back end of the registry: supervised informers over Services, EndpointSlices and Pods in
// every namespace, an index rebuilt lazily after changes, and subscribers told of changes within a few
// milliseconds (changes are coalesced so that a burst of events — the initial lists, a rollout — costs
// one rebuild and one notification, far inside the 1 s the proxies are promised).
import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { normalizeAuthority } from '../../../common/address.js';
import type { Logger } from '../../../common/logger.js';
import type { Component } from '../../component.js';
import type { MeshRegistry, MeshSpec, ResolveContext, ResolvedService, ServiceSpec } from '../model.js';
import { type BackoffOptions, DEFAULT_BACKOFF, type InformerState, SupervisedInformer } from './informer.js';
import { type MeshIndex, type MeshSettings, buildMeshIndex, matchHost } from './mesh-index.js';

export interface KubernetesRegistryOptions {
  readonly settings: MeshSettings;
  readonly logger: Logger;
  /** Delay between a change and the rebuild + notification; coalesces bursts. */
  readonly coalesceMs?: number;
  readonly backoff?: BackoffOptions;
}

export class KubernetesRegistry implements MeshRegistry {
  private readonly services: SupervisedInformer<V1Service>;
  private readonly slices: SupervisedInformer<V1EndpointSlice>;
  private readonly pods: SupervisedInformer<V1Pod>;
  private readonly listeners = new Set<() => void>();
  private readonly settings: MeshSettings;
  private readonly coalesceMs: number;
  private index: MeshIndex;
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private rebuilds = 0;

  constructor(kc: KubeConfig, options: KubernetesRegistryOptions) {
    this.settings = options.settings;
    this.coalesceMs = options.coalesceMs ?? 10;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const changed = (): void => this.changed();
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    const log = options.logger;
    this.services = new SupervisedInformer<V1Service>(
      kc,
      'services',
      '/api/v1/services',
      () => core.listServiceForAllNamespaces(),
      changed,
      log,
      backoff,
    );
    this.slices = new SupervisedInformer<V1EndpointSlice>(
      kc,
      'endpointslices',
      '/apis/discovery.k8s.io/v1/endpointslices',
      () => discovery.listEndpointSliceForAllNamespaces(),
      changed,
      log,
      backoff,
    );
    this.pods = new SupervisedInformer<V1Pod>(
      kc,
      'pods',
      '/api/v1/pods',
      () => core.listPodForAllNamespaces(),
      changed,
      log,
      backoff,
    );
    this.index = this.build();
    for (const i of this.informers()) i.start();
  }

  private informers(): SupervisedInformer<V1Service | V1EndpointSlice | V1Pod>[] {
    return [this.services, this.slices, this.pods] as SupervisedInformer<
      V1Service | V1EndpointSlice | V1Pod
    >[];
  }

  private build(): MeshIndex {
    this.rebuilds++;
    return buildMeshIndex(
      { services: this.services.list(), slices: this.slices.list(), pods: this.pods.list() },
      this.settings,
    );
  }

  private current(): MeshIndex {
    if (this.dirty) {
      this.index = this.build();
      this.dirty = false;
    }
    return this.index;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of [...this.listeners]) l();
    }, this.coalesceMs);
  }

  get spec(): MeshSpec {
    return this.current().spec;
  }

  resolve(authority: string, context?: ResolveContext): ResolvedService | undefined {
    const normal = normalizeAuthority(authority);
    if (normal === undefined) return undefined;
    const idx = normal.lastIndexOf(':');
    const port = Number(normal.slice(idx + 1));
    const match = matchHost(
      this.current(),
      normal.slice(0, idx),
      this.settings.clusterDomain,
      context?.namespace,
    );
    if (match === undefined || !match.entry.spec.ports.includes(port)) return undefined;
    const { entry } = match;
    let endpoints = entry.endpoints.get(port) ?? [];
    if (match.hostname !== undefined) {
      const one = entry.hostnames.get(match.hostname)?.get(port);
      endpoints = one === undefined ? [] : [one];
    }
    return { service: entry.spec, port, opaque: entry.spec.opaquePorts.includes(port), endpoints };
  }

  knowsHost(authority: string, context?: ResolveContext): boolean {
    const normal = normalizeAuthority(authority);
    if (normal === undefined) return false;
    const host = normal.slice(0, normal.lastIndexOf(':'));
    return matchHost(this.current(), host, this.settings.clusterDomain, context?.namespace) !== undefined;
  }

  authorities(): { authority: string; service: ServiceSpec; endpoints: number }[] {
    return [...this.current().services.values()].flatMap((e) =>
      e.spec.ports.map((port) => ({
        authority: `${e.spec.name}.${e.spec.namespace}:${port}`,
        service: e.spec,
        endpoints: e.endpoints.get(port)?.length ?? 0,
      })),
    );
  }

  instances(): MeshIndex['instances'] {
    return this.current().instances;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every informer's state, for readiness, metrics and tests. */
  informerStates(): InformerState[] {
    return this.informers().map((i) => i.state());
  }

  /**
   * Ready once every informer has completed a list. After that, failures show in metrics and logs but
   * not in readiness: serving the last known endpoints beats taking discovery away from every proxy.
   */
  notReadyReason(): string | undefined {
    const waiting = this.informerStates().filter((s) => !s.synced);
    if (waiting.length === 0) return undefined;
    return `waiting for the first list of ${waiting
      .map((s) => s.resource + (s.lastError ? ` (${s.lastError})` : ''))
      .join(', ')}`;
  }

  metrics(): string {
    const states = this.informerStates();
    const lines = [
      '# HELP registry_informer_synced 1 once the informer has listed its resource.',
      '# TYPE registry_informer_synced gauge',
      ...states.map((s) => `registry_informer_synced{resource="${s.resource}"} ${s.synced ? 1 : 0}`),
      '# HELP registry_informer_healthy 0 while the informer is restarting after an error.',
      '# TYPE registry_informer_healthy gauge',
      ...states.map((s) => `registry_informer_healthy{resource="${s.resource}"} ${s.healthy ? 1 : 0}`),
      '# HELP registry_informer_restarts_total Restarts after the informer stopped on an error.',
      '# TYPE registry_informer_restarts_total counter',
      ...states.map((s) => `registry_informer_restarts_total{resource="${s.resource}"} ${s.restarts}`),
      '# HELP registry_informer_events_total Objects added, updated or deleted.',
      '# TYPE registry_informer_events_total counter',
      ...states.map((s) => `registry_informer_events_total{resource="${s.resource}"} ${s.events}`),
      '# HELP registry_index_rebuilds_total Times the service index was rebuilt after changes.',
      '# TYPE registry_index_rebuilds_total counter',
      `registry_index_rebuilds_total ${this.rebuilds}`,
      '',
    ];
    return lines.join('\n');
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const i of this.informers()) i.stop();
    this.listeners.clear();
  }
}

/** The registry as a component of the runner: no gRPC service, but metrics and readiness. */
export function registryComponent(registry: KubernetesRegistry): Component {
  return {
    name: 'kubernetes-registry',
    services: [],
    metrics: () => registry.metrics(),
    notReadyReason: () => registry.notReadyReason(),
    async close() {
      registry.close();
    },
  };
}
