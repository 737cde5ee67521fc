// Turns the Kubernetes objects the informers hold (Services, EndpointSlices, Pods) into the registry's
// view: services with their ports, endpoints per service port (target ports resolved through the
// EndpointSlices, which carry them per pod, so named target ports just work), and instances with their
// identities and proxy addresses. Pure: the same objects always give the same index.
//
// Choices, where Kubernetes leaves room:
// - Headless services (clusterIP: None) resolve like any other to their ready pod endpoints; in addition,
//   `<hostname>.<svc>.<ns>[.svc.<domain>]` (StatefulSet pods) resolves to that one endpoint.
// - ExternalName services are not resolved at all: they have no endpoints in the cluster, so the proxy
//   falls back to plain DNS and forwards to the external name, as it does for any unknown host.
// - Only endpoints whose `ready` condition is not false and that are not terminating are served.
// - An endpoint is meshed (and gets an identity) when its pod has the proxy container, as a native
//   sidecar or a regular container; its identity comes from the pod's ServiceAccount.
// - A Service's opaque ports come from its `config.mesh.io/opaque-ports` annotation.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { HostPort } from '../../../common/address.js';
import { parsePortList } from '../../../common/settings.js';
import { CONFIG_ANNOTATIONS, PROXY_WORKLOAD_LABEL_PREFIX } from '../../../k8s/annotations.js';
import { PROXY_CONTAINER } from '../../../k8s/inject/proxy-env.js';
import {
  type EndpointView,
  type InstanceView,
  type MeshSpec,
  type ServiceSpec,
  type WorkloadSpec,
  workloadIdentity,
} from '../model.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_PORTS = { inbound: 4143, admin: 4191, tap: 4190 };

export interface MeshSettings {
  readonly controlPlaneNamespace: string;
  readonly clusterDomain: string;
  readonly trustDomain: string;
}

export interface ServiceEntry {
  readonly spec: ServiceSpec;
  readonly headless: boolean;
  /** Service port → its endpoints (pod IP and the resolved target port). */
  readonly endpoints: ReadonlyMap<number, readonly EndpointView[]>;
  /** Headless services: endpoint hostname → service port → the one endpoint. */
  readonly hostnames: ReadonlyMap<string, ReadonlyMap<number, EndpointView>>;
}

export interface MeshIndex {
  readonly spec: MeshSpec;
  /** `svc.ns` → entry (every other accepted spelling is reduced to this key first). */
  readonly services: ReadonlyMap<string, ServiceEntry>;
  readonly instances: readonly InstanceView[];
}

export interface MeshObjects {
  readonly services: readonly V1Service[];
  readonly slices: readonly V1EndpointSlice[];
  readonly pods: readonly V1Pod[];
}

const podKey = (ns: string, name: string): string => `${ns}/${name}`;

/** The workload a pod belongs to: injection's `mesh.io/proxy-<kind>` label, else its controller owner. */
export function podWorkload(pod: V1Pod): string {
  const labels = pod.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(PROXY_WORKLOAD_LABEL_PREFIX) && k !== 'mesh.io/proxy-version') return v;
  }
  const owner =
    pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (owner !== undefined) {
    const hash = labels['pod-template-hash'];
    if (owner.kind === 'ReplicaSet' && hash !== undefined && owner.name.endsWith(`-${hash}`)) {
      return owner.name.slice(0, -hash.length - 1);
    }
    return owner.name;
  }
  return pod.metadata?.name ?? '';
}

export function isMeshed(pod: V1Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.some((c) => c.name === PROXY_CONTAINER);
}

function proxyPort(pod: V1Pod, name: string, fallback: number): number {
  const proxy = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === PROXY_CONTAINER,
  );
  return proxy?.ports?.find((p) => p.name === name)?.containerPort ?? fallback;
}

function podInstance(pod: V1Pod, settings: MeshSettings): InstanceView | undefined {
  const ip = pod.status?.podIP;
  const name = pod.metadata?.name;
  const namespace = pod.metadata?.namespace ?? 'default';
  const phase = pod.status?.phase;
  if (!ip || !name || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const meshed = isMeshed(pod);
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  const firstAppPort = pod.spec?.containers?.flatMap((c) => c.ports ?? [])[0]?.containerPort ?? 80;
  const at = (port: number): HostPort => ({ host: ip, port });
  return {
    name,
    namespace,
    workload: podWorkload(pod),
    serviceAccount,
    meshed,
    identity: workloadIdentity(
      serviceAccount,
      namespace,
      settings.controlPlaneNamespace,
      settings.trustDomain,
    ),
    address: at(meshed ? proxyPort(pod, 'mesh-proxy', DEFAULT_PORTS.inbound) : firstAppPort),
    ...(meshed
      ? {
          admin: at(proxyPort(pod, 'mesh-admin', DEFAULT_PORTS.admin)),
          tap: at(proxyPort(pod, 'mesh-tap', DEFAULT_PORTS.tap)),
        }
      : {}),
    services: [],
  };
}

function opaquePortsOf(service: V1Service): number[] {
  const text = service.metadata?.annotations?.[CONFIG_ANNOTATIONS.opaquePorts];
  if (text === undefined) return [];
  try {
    return [...parsePortList(text, CONFIG_ANNOTATIONS.opaquePorts)];
  } catch {
    return []; // a bad annotation must not take discovery down; the injector reports it on pods
  }
}

/** An endpoint without a pod (a manually managed EndpointSlice): unmeshed, named by its address. */
function bareInstance(ip: string, port: number, namespace: string): InstanceView {
  return {
    name: ip,
    namespace,
    workload: '',
    serviceAccount: '',
    meshed: false,
    identity: '',
    address: { host: ip, port },
    services: [],
  };
}

export function buildMeshIndex(objects: MeshObjects, settings: MeshSettings): MeshIndex {
  const pods = new Map<string, InstanceView>();
  for (const pod of objects.pods) {
    const inst = podInstance(pod, settings);
    if (inst !== undefined) pods.set(podKey(inst.namespace, inst.name), inst);
  }
  const slicesByService = new Map<string, V1EndpointSlice[]>();
  for (const slice of objects.slices) {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined || slice.addressType === 'FQDN') continue;
    const key = `${svc}.${slice.metadata?.namespace ?? 'default'}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }
  const servicesOfPod = new Map<string, Set<string>>();
  const services = new Map<string, ServiceEntry>();
  for (const svc of objects.services) {
    const name = svc.metadata?.name;
    const namespace = svc.metadata?.namespace ?? 'default';
    if (!name || svc.spec?.type === 'ExternalName') continue;
    const key = `${name}.${namespace}`;
    const ports = svc.spec?.ports ?? [];
    const endpoints = new Map<number, EndpointView[]>();
    const hostnames = new Map<string, Map<number, EndpointView>>();
    const workloads = new Map<string, number>();
    for (const slice of slicesByService.get(key) ?? []) {
      for (const sp of slice.ports ?? []) {
        // The slice names its ports after the Service's; its port number is that port's target on these pods.
        const servicePort = ports.find((p) => (p.name ?? '') === (sp.name ?? ''));
        if (servicePort === undefined || sp.port === undefined) continue;
        if ((sp.protocol ?? 'TCP') !== 'TCP') continue;
        const list = endpoints.get(servicePort.port) ?? [];
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false || ep.conditions?.terminating === true) continue;
          const ip = ep.addresses[0];
          if (ip === undefined) continue;
          const ref = ep.targetRef;
          const inst =
            ref?.kind === 'Pod' && ref.name
              ? pods.get(podKey(ref.namespace ?? namespace, ref.name))
              : undefined;
          const view: EndpointView = {
            address: { host: ip, port: sp.port },
            instance: inst ?? bareInstance(ip, sp.port, namespace),
          };
          if (list.some((e) => e.address.host === ip && e.address.port === sp.port)) continue;
          list.push(view);
          if (inst !== undefined) {
            const k = podKey(inst.namespace, inst.name);
            servicesOfPod.set(k, (servicesOfPod.get(k) ?? new Set()).add(name));
            workloads.set(inst.workload, (workloads.get(inst.workload) ?? 0) + 1);
          }
          if (ep.hostname) {
            const byPort = hostnames.get(ep.hostname) ?? new Map<number, EndpointView>();
            byPort.set(servicePort.port, view);
            hostnames.set(ep.hostname, byPort);
          }
        }
        endpoints.set(servicePort.port, list);
      }
    }
    const workload =
      [...workloads.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
    services.set(key, {
      spec: {
        name,
        namespace,
        ports: ports.filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port),
        opaquePorts: opaquePortsOf(svc),
        workload,
      },
      headless: svc.spec?.clusterIP === 'None',
      endpoints,
      hostnames,
    });
  }
  const instances: InstanceView[] = [...pods.values()].map((i) => {
    const s = servicesOfPod.get(podKey(i.namespace, i.name));
    return s === undefined ? i : { ...i, services: [...s].sort() };
  });
  const workloads = new Map<string, { spec: Omit<WorkloadSpec, 'instances'>; instances: InstanceView[] }>();
  for (const i of instances) {
    const key = `${i.namespace}/${i.workload}`;
    const w = workloads.get(key) ?? {
      spec: { name: i.workload, namespace: i.namespace, serviceAccount: i.serviceAccount },
      instances: [],
    };
    w.instances.push(i);
    workloads.set(key, w);
  }
  return {
    spec: {
      trustDomain: settings.trustDomain,
      controlPlaneNamespace: settings.controlPlaneNamespace,
      clusterDomain: settings.clusterDomain,
      services: [...services.values()].map((e) => e.spec),
      workloads: [...workloads.values()].map((w) => ({ ...w.spec, instances: w.instances })),
    },
    services,
    instances,
  };
}

export interface HostMatch {
  readonly entry: ServiceEntry;
  /** Set for `<hostname>.<svc>.<ns>…` authorities of headless services. */
  readonly hostname?: string;
}

/**
 * Which service a host names: `svc` (in the caller's namespace), `svc.ns`, `svc.ns.svc`,
 * `svc.ns.svc.<domain>`, and for headless services `<hostname>.` before any of the last three.
 */
export function matchHost(
  index: MeshIndex,
  host: string,
  clusterDomain: string,
  callerNamespace: string | undefined,
): HostMatch | undefined {
  let h = host.endsWith('.') ? host.slice(0, -1) : host;
  const suffix = `.svc.${clusterDomain}`;
  if (h.endsWith(suffix)) h = h.slice(0, -suffix.length);
  else if (h.endsWith('.svc')) h = h.slice(0, -4);
  const labels = h.split('.');
  if (labels.length === 1 && callerNamespace !== undefined) {
    const entry = index.services.get(`${h}.${callerNamespace}`);
    return entry === undefined ? undefined : { entry };
  }
  if (labels.length === 2) {
    const entry = index.services.get(h);
    return entry === undefined ? undefined : { entry };
  }
  if (labels.length === 3) {
    const [hostname, svc, ns] = labels as [string, string, string];
    const entry = index.services.get(`${svc}.${ns}`);
    if (entry === undefined || !entry.headless || !entry.hostnames.has(hostname)) return undefined;
    return { entry, hostname };
  }
  return undefined;
}
