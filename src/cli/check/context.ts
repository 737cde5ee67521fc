// What checks share: the Kubernetes access (made by the first check), typed API clients, and a memo of
// what earlier checks already fetched so that each object is read once per run.
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1Pod,
} from '@kubernetes/client-node';
import { apiErrorMessage, apiStatus } from '../../k8s/client/api-error.js';
import type { KubeAccess, KubeOptions } from '../../k8s/client/kubeconfig.js';
import { CheckProblem } from './model.js';

export interface CheckOptions extends KubeOptions {
  readonly controlPlaneNamespace: string;
  /** Data-plane namespace for --proxy; undefined = every namespace. */
  readonly namespace: string | undefined;
  /** How many pods --proxy asks at once. */
  readonly parallelism: number;
}

export class CheckContext {
  kube: KubeAccess | undefined;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly options: CheckOptions,
    readonly env: NodeJS.ProcessEnv,
    /** The CLI's version, compared with the control plane's and the proxies'. */
    readonly version: string,
  ) {}

  get access(): KubeAccess {
    if (this.kube === undefined) throw new CheckProblem('no Kubernetes client (an earlier check failed)');
    return this.kube;
  }

  get ns(): string {
    return this.options.controlPlaneNamespace;
  }

  core(): CoreV1Api {
    return this.access.config.makeApiClient(CoreV1Api);
  }
  apps(): AppsV1Api {
    return this.access.config.makeApiClient(AppsV1Api);
  }
  rbac(): RbacAuthorizationV1Api {
    return this.access.config.makeApiClient(RbacAuthorizationV1Api);
  }
  admission(): AdmissionregistrationV1Api {
    return this.access.config.makeApiClient(AdmissionregistrationV1Api);
  }
  authorization(): AuthorizationV1Api {
    return this.access.config.makeApiClient(AuthorizationV1Api);
  }
  versionApi(): VersionApi {
    return this.access.config.makeApiClient(VersionApi);
  }

  /** Fetches once per run (unless `fresh`, for checks retried while waiting). */
  once<T>(key: string, fetch: () => Promise<T>, fresh = false): Promise<T> {
    if (fresh) this.memo.delete(key);
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (p === undefined) {
      p = fetch();
      this.memo.set(key, p);
      // A failed fetch is not remembered: a retry should try again.
      p.catch(() => this.memo.delete(key));
    }
    return p;
  }

  /** The control plane's pods, read fresh on every call (they are what --wait waits for). */
  async controlPlanePods(): Promise<V1Pod[]> {
    const list = await this.core().listNamespacedPod({
      namespace: this.ns,
      labelSelector: 'mesh.io/control-plane-component',
    });
    return list.items;
  }
}

/** An API call's failure as a CheckProblem with the API server's message; 404 → undefined. */
export async function orNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (apiStatus(err) === 404) return undefined;
    throw new CheckProblem(apiErrorMessage(err));
  }
}

export async function apiCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw new CheckProblem(apiErrorMessage(err));
  }
}
