// The control plane installed in a Kubernetes cluster, reached as `kubectl port-forward` reaches a pod: for
// each API a command needs, a ready pod of that component is found and a loopback port forwarded to it
// through the API server. Every forward is closed when the command is done.
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { MeshError } from '../common/errors.js';
import { CONTROL_PLANE_COMPONENT_LABEL } from '../k8s/annotations.js';
import { apiErrorMessage } from '../k8s/client/api-error.js';
import { loadKube } from '../k8s/client/kubeconfig.js';
import { withPortForward } from '../k8s/client/port-forward.js';
import { COMPONENT_PORTS, componentName } from '../k8s/control-plane.js';
import { podProblem } from './check/control-plane-checks.js';
import type { ControlApi } from './control-plane.js';

export interface KubeSelection {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  /** Where the control plane is installed (`meshctl install`'s namespace). */
  readonly controlPlaneNamespace: string;
}

/** Where each API was forwarded from, for messages: `mesh/mesh-metrics-7d9f…`. */
export interface KubeForwards {
  readonly addresses: ReadonlyMap<ControlApi, string>;
  readonly pods: ReadonlyMap<ControlApi, string>;
}

/** The kubeconfig context's namespace (kubectl's default for a missing -n). */
export function kubeNamespace(
  sel: Pick<KubeSelection, 'kubeconfig' | 'context'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return loadKube({ kubeconfig: sel.kubeconfig, context: sel.context }, env).namespace;
}

function readyPodOf(pods: readonly V1Pod[], api: ControlApi, ns: string): string {
  const mine = pods.filter((p) => p.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] === api);
  const ready = mine.find((p) => podProblem(p) === undefined)?.metadata?.name;
  if (ready !== undefined) return ready;
  const why = mine.length === 0 ? 'no pod' : (podProblem(mine[0] as V1Pod) ?? 'not ready');
  throw new MeshError(
    'MESH_NO_CONTROL_PLANE',
    `no ready ${componentName(api)} pod in namespace ${ns} (${why})`,
    `is the mesh installed there? run \`meshctl check --control-plane-namespace ${ns}\`, or pass --control-plane-namespace`,
  );
}

export async function withKubeControlPlane<T>(
  sel: KubeSelection,
  apis: readonly ControlApi[],
  use: (forwards: KubeForwards) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const access = loadKube({ kubeconfig: sel.kubeconfig, context: sel.context }, env);
  const ns = sel.controlPlaneNamespace;
  let pods: V1Pod[];
  try {
    const list = await access.config.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: ns,
      labelSelector: CONTROL_PLANE_COMPONENT_LABEL,
    });
    pods = list.items;
  } catch (err) {
    throw new MeshError(
      'MESH_NO_CONTROL_PLANE',
      `cannot list the control plane's pods in namespace ${ns} at ${access.server}: ${apiErrorMessage(err)}`,
      'check the cluster and your access with `meshctl check`',
    );
  }
  const chosen = apis.map((api) => [api, readyPodOf(pods, api, ns)] as const);
  const addresses = new Map<ControlApi, string>();
  // One forward per API, nested so that each is closed whatever happens inside.
  const forward = async (i: number): Promise<T> => {
    const entry = chosen[i];
    if (entry === undefined) {
      return use({ addresses, pods: new Map(chosen) });
    }
    const [api, pod] = entry;
    return withPortForward(access.config, ns, pod, COMPONENT_PORTS[api], (address) => {
      addresses.set(api, address);
      return forward(i + 1);
    });
  };
  return forward(0);
}
