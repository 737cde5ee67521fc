// An installed control plane in the Kubernetes API test server: the objects `meshctl install` renders,
// applied as `kubectl apply` would, plus what the cluster's controllers would then make — a ReplicaSet
// and running, ready pods for each Deployment. Tests break it in one place to see `check` notice.
import { createHash } from 'node:crypto';
import { installCertificates, type InstallCertificates } from '../../src/k8s/install/certs.js';
import { renderControlPlane } from '../../src/k8s/install/render.js';
import { resolveValues, type MeshValues } from '../../src/k8s/values.js';
import type { K8sApiFixture } from '../fixtures/k8s-api/server.js';
import type { KObject } from '../fixtures/k8s-api/store.js';

export interface InstalledMesh {
  readonly values: MeshValues;
  readonly certs: InstallCertificates;
  /** Component → its pod's name. */
  readonly pods: Record<string, string>;
}

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: { name: string; image?: string }[];
    initContainers?: { name: string; image?: string; restartPolicy?: string }[];
  };
}

const shortHash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** Pods the Deployment's ReplicaSet would run, ready unless `ready` says otherwise. */
export function runDeployment(api: K8sApiFixture, deployment: KObject, ip: string, ready = true): string {
  const ns = deployment.metadata.namespace ?? 'default';
  const name = deployment.metadata.name ?? '';
  const template = (deployment['spec'] as { template: Template }).template;
  const hash = shortHash(`${ns}/${name}`, 10); // stable names, so that check output is reproducible
  const rsName = `${name}-${hash}`;
  const labels = { ...template.metadata?.labels, 'pod-template-hash': hash };
  const rs = api.apply({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: ns,
      labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          uid: deployment.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: { replicas: 1, template },
    status: { replicas: 1, readyReplicas: ready ? 1 : 0, availableReplicas: ready ? 1 : 0 },
  });
  const podName = `${rsName}-${shortHash(rsName, 5)}`;
  const status = (c: { name: string; image?: string }) => ({
    name: c.name,
    ready,
    started: ready,
    restartCount: ready ? 0 : 7,
    image: c.image ?? '',
    imageID: '',
    state: ready
      ? { running: { startedAt: new Date().toISOString() } }
      : { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
  });
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: ns,
      labels,
      annotations: template.metadata?.annotations ?? {},
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rsName,
          uid: rs.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: template.spec,
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      ],
      initContainerStatuses: (template.spec.initContainers ?? []).map((c) =>
        c.restartPolicy === 'Always'
          ? status(c)
          : { ...status(c), ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ),
      containerStatuses: template.spec.containers.map(status),
    },
  });
  const replicas = ready ? 1 : 0;
  api.apply({
    ...deployment,
    metadata: { ...deployment.metadata, resourceVersion: undefined },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: replicas,
      availableReplicas: replicas,
    },
  });
  return podName;
}

/**
 * Applies a full `meshctl install` (fresh certificates made at `now`) and runs every Deployment. The
 * certificates' dates are fixed by `now`, so what `check` prints about them is reproducible.
 */
export async function installMesh(
  api: K8sApiFixture,
  options: { now?: Date; values?: MeshValues } = {},
): Promise<InstalledMesh> {
  const values = options.values ?? resolveValues();
  const { certs } = await installCertificates(values, {}, options.now ?? new Date());
  const docs = renderControlPlane(values, certs).map((d) => d.toJSON() as KObject);
  for (const d of docs) api.apply(d);
  const pods: Record<string, string> = {};
  let n = 10;
  for (const d of docs.filter((o) => o.kind === 'Deployment')) {
    const stored = api.get('apps/v1', 'Deployment', d.metadata.namespace, d.metadata.name ?? '') as KObject;
    const component = d.metadata.labels?.['mesh.io/control-plane-component'] ?? d.metadata.name ?? '';
    pods[component] = runDeployment(api, stored, `10.1.0.${n++}`);
  }
  return { values, certs, pods };
}
