// The local back end of the registry: a mesh file, re-read when it changes (polled, so it also works for
// editors that replace the file), answering lookups from an index rebuilt on every change.
import { readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { normalizeAuthority } from '../../common/address.js';
import { errorMessage } from '../../common/errors.js';
import { parseMeshFile } from './mesh-file.js';
import {
  type EndpointView,
  type InstanceView,
  type MeshRegistry,
  type MeshSpec,
  type ResolvedService,
  type ServiceSpec,
  workloadIdentity,
} from './model.js';

interface Index {
  /** Host (both short `svc.ns` and long `svc.ns.svc.<domain>`) → service. */
  readonly hosts: Map<string, ServiceSpec>;
  readonly instances: readonly InstanceView[];
  readonly endpointsByService: Map<ServiceSpec, EndpointView[]>;
}

function buildIndex(spec: MeshSpec): Index {
  const hosts = new Map<string, ServiceSpec>();
  const servicesOf = new Map<string, string[]>();
  for (const s of spec.services) {
    hosts.set(`${s.name}.${s.namespace}`, s);
    hosts.set(`${s.name}.${s.namespace}.svc.${spec.clusterDomain}`, s);
    const key = `${s.namespace}/${s.workload}`;
    servicesOf.set(key, [...(servicesOf.get(key) ?? []), s.name]);
  }
  const instances: InstanceView[] = [];
  for (const w of spec.workloads) {
    for (const inst of w.instances) {
      instances.push({
        ...inst,
        namespace: w.namespace,
        workload: w.name,
        serviceAccount: w.serviceAccount,
        meshed: inst.admin !== undefined,
        identity: workloadIdentity(
          w.serviceAccount,
          w.namespace,
          spec.controlPlaneNamespace,
          spec.trustDomain,
        ),
        services: servicesOf.get(`${w.namespace}/${w.name}`) ?? [],
      });
    }
  }
  const endpointsByService = new Map<ServiceSpec, EndpointView[]>();
  for (const s of spec.services) {
    endpointsByService.set(
      s,
      instances
        .filter((i) => i.namespace === s.namespace && i.workload === s.workload)
        .map((instance) => ({ address: instance.address, instance })),
    );
  }
  return { hosts, instances, endpointsByService };
}

export class LocalRegistry implements MeshRegistry {
  spec: MeshSpec;
  private index: Index;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastStamp = '';
  private lastText = '';

  /** Loads `file` now (throwing on a missing or invalid file) and, with `pollMs`, follows its changes. */
  constructor(
    private readonly file: string,
    private readonly onError: (err: Error) => void = () => undefined,
    pollMs = 500,
  ) {
    this.lastText = readFileSync(file, 'utf8');
    this.lastStamp = stamp(file);
    this.spec = parseMeshFile(this.lastText, file);
    this.index = buildIndex(this.spec);
    if (pollMs > 0) {
      this.timer = setInterval(() => this.poll(), pollMs);
      this.timer.unref();
    }
  }

  /** Replaces the whole spec (for tests and in-process embedding) and notifies subscribers. */
  replace(spec: MeshSpec): void {
    this.spec = spec;
    this.index = buildIndex(spec);
    for (const l of this.listeners) l();
  }

  resolve(authority: string): ResolvedService | undefined {
    const normal = normalizeAuthority(authority);
    if (normal === undefined) return undefined;
    const idx = normal.lastIndexOf(':');
    const port = Number(normal.slice(idx + 1));
    const host = normal.slice(0, idx).replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(host) !== 0) return this.resolveIp(host, port);
    const service = this.index.hosts.get(normal.slice(0, idx));
    if (service === undefined || !service.ports.includes(port)) return undefined;
    return {
      service,
      port,
      opaque: service.opaquePorts.includes(port),
      endpoints: this.index.endpointsByService.get(service) ?? [],
    };
  }

  /**
   * An IP authority (a transparent proxy's original destination) names one instance, as a pod IP does: the
   * instance at exactly that address, else the only instance on that host. It resolves to that one endpoint,
   * at the port asked for, under a service the instance backs, so that its identity (mTLS) comes along.
   * Unknown, ambiguous (local instances share 127.0.0.1) or service-less hosts are not resolved.
   */
  private resolveIp(host: string, port: number): ResolvedService | undefined {
    const onHost = this.index.instances.filter((i) => i.address.host === host);
    const exact = onHost.filter((i) => i.address.port === port);
    const instance = exact.length === 1 ? exact[0] : onHost.length === 1 ? onHost[0] : undefined;
    if (instance === undefined) return undefined;
    const backing = this.spec.services.filter(
      (s) => s.namespace === instance.namespace && s.workload === instance.workload,
    );
    const service = backing.find((s) => s.ports.includes(port)) ?? backing[0];
    if (service === undefined) return undefined;
    return {
      service,
      port,
      opaque: service.opaquePorts.includes(port),
      endpoints: [{ address: { host, port }, instance }],
    };
  }

  knowsHost(authority: string): boolean {
    const normal = normalizeAuthority(authority);
    return normal !== undefined && this.index.hosts.has(normal.slice(0, normal.lastIndexOf(':')));
  }

  authorities(): { authority: string; service: ServiceSpec; endpoints: number }[] {
    return this.spec.services.flatMap((service) =>
      service.ports.map((port) => ({
        authority: `${service.name}.${service.namespace}:${port}`,
        service,
        endpoints: this.index.endpointsByService.get(service)?.length ?? 0,
      })),
    );
  }

  instances(): readonly InstanceView[] {
    return this.index.instances;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
  }

  private poll(): void {
    try {
      const now = stamp(this.file);
      if (now === this.lastStamp) return;
      this.lastStamp = now;
      const text = readFileSync(this.file, 'utf8');
      if (text === this.lastText) return;
      const spec = parseMeshFile(text, this.file);
      this.lastText = text;
      this.replace(spec);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(errorMessage(err)));
    }
  }
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}
