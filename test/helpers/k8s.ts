// The Kubernetes API test server for a test (closed when the test ends), and the few things real clusters
// do by themselves that tests need done: Namespaces, Services and Pods built compactly, and the
// EndpointSlice controller's work (pods selected by a Service → slices with target ports resolved, named
// ones through each pod's container ports) and the Deployment → ReplicaSet → Pod chain.
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { K8sApiFixture } from '../fixtures/k8s-api/server.js';
import type { KObject } from '../fixtures/k8s-api/store.js';
import { parseLabelSelector } from '../fixtures/k8s-api/selectors.js';

export async function startK8sApi(t: TestContext): Promise<K8sApiFixture> {
  const api = await K8sApiFixture.start();
  t.after(() => api.close());
  return api;
}

export function namespaceObject(
  name: string,
  annotations: Record<string, string> = {},
  labels: Record<string, string> = {},
): KObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations, labels } };
}

export interface ServicePortInput {
  name?: string;
  port: number;
  targetPort?: number | string;
}

export function serviceObject(input: {
  name: string;
  namespace: string;
  ports: ServicePortInput[];
  selector?: Record<string, string>;
  headless?: boolean;
  externalName?: string;
  annotations?: Record<string, string>;
}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: input.name, namespace: input.namespace, annotations: input.annotations ?? {} },
    spec: input.externalName
      ? {
          type: 'ExternalName',
          externalName: input.externalName,
          ports: input.ports.map((p) => ({ ...p, protocol: 'TCP' })),
        }
      : {
          type: 'ClusterIP',
          clusterIP: input.headless ? 'None' : '10.96.0.' + (1 + (hash(input.name) % 250)),
          selector: input.selector ?? { app: input.name },
          ports: input.ports.map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })),
        },
  };
}

export function podObject(input: {
  name: string;
  namespace: string;
  ip: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  meshed?: boolean;
  ports?: { name?: string; containerPort: number }[];
  ready?: boolean;
  hostname?: string;
  subdomain?: string;
  annotations?: Record<string, string>;
  phase?: string;
}): KObject {
  const ready = input.ready ?? true;
  const proxy = {
    name: 'mesh-proxy',
    image: 'ghcr.io/meshctl/meshctl:0.1.0',
    restartPolicy: 'Always',
    ports: [
      { name: 'mesh-proxy', containerPort: 4143 },
      { name: 'mesh-admin', containerPort: 4191 },
      { name: 'mesh-tap', containerPort: 4190 },
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: input.labels ?? { app: input.name.replace(/-[^-]+$/, '') },
      annotations: input.annotations ?? {},
    },
    spec: {
      serviceAccountName: input.serviceAccount ?? 'default',
      ...(input.hostname ? { hostname: input.hostname } : {}),
      ...(input.subdomain ? { subdomain: input.subdomain } : {}),
      ...(input.meshed ? { initContainers: [proxy] } : {}),
      containers: [
        { name: 'app', image: 'app:1', ports: input.ports ?? [{ name: 'http', containerPort: 8080 }] },
      ],
    },
    status: {
      phase: input.phase ?? 'Running',
      podIP: input.ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      ...(input.meshed
        ? {
            initContainerStatuses: [
              { name: 'mesh-proxy', ready, restartCount: 0, image: proxy.image, imageID: '', started: ready },
            ],
          }
        : {}),
      containerStatuses: [{ name: 'app', ready, restartCount: 0, image: 'app:1', imageID: '' }],
    },
  };
}

function hash(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

interface PodShape {
  metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string> };
  spec: {
    hostname?: string;
    subdomain?: string;
    containers: { ports?: { name?: string; containerPort: number }[] }[];
  };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

/**
 * Does what the EndpointSlice controller does for one Service: its selected pods, grouped by how the
 * Service's ports resolve on them (a named targetPort can mean different numbers on different pods), one
 * slice per group; stale slices are deleted.
 */
export function syncEndpointSlices(api: K8sApiFixture, namespace: string, service: string): void {
  const svc = api.get('v1', 'Service', namespace, service) as
    | (KObject & {
        spec: { selector?: Record<string, string>; clusterIP?: string; ports: ServicePortInput[] };
      })
    | undefined;
  const existing = api
    .list('discovery.k8s.io/v1', 'EndpointSlice', namespace)
    .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service);
  const groups = new Map<
    string,
    { ports: { name: string; port: number; protocol: string }[]; endpoints: unknown[] }
  >();
  if (svc?.spec.selector !== undefined) {
    const selector = svc.spec.selector;
    const matches = parseLabelSelector(
      Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
    for (const raw of api.list('v1', 'Pod', namespace)) {
      const pod = raw as unknown as PodShape;
      if (!matches(pod.metadata.labels ?? {}) || !pod.status?.podIP) continue;
      if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
      const containerPorts = pod.spec.containers.flatMap((c) => c.ports ?? []);
      const ports = svc.spec.ports.flatMap((p) => {
        const target = p.targetPort ?? p.port;
        const number =
          typeof target === 'number' ? target : containerPorts.find((c) => c.name === target)?.containerPort;
        return number === undefined ? [] : [{ name: p.name ?? '', port: number, protocol: 'TCP' }];
      });
      const key = JSON.stringify(ports);
      const group = groups.get(key) ?? { ports, endpoints: [] };
      const ready = pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      group.endpoints.push({
        addresses: [pod.status.podIP],
        conditions: { ready, serving: ready, terminating: false },
        targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
        ...(pod.spec.hostname && pod.spec.subdomain === service ? { hostname: pod.spec.hostname } : {}),
      });
      groups.set(key, group);
    }
  }
  const wanted = new Set<string>();
  for (const [key, group] of groups) {
    const name = `${service}-${(hash(key) % 100000).toString(36)}`;
    wanted.add(name);
    api.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      ports: group.ports,
      endpoints: group.endpoints,
    });
  }
  for (const s of existing)
    if (!wanted.has(s.metadata.name ?? ''))
      api.remove('discovery.k8s.io/v1', 'EndpointSlice', namespace, s.metadata.name ?? '');
}
