// What the control plane knows about the mesh, independent of where it learned it (a local mesh file or
// the Kubernetes API): services with their ports and profiles, workloads with their instances.
import type { HostPort } from '../../common/address.js';

export interface RouteSpec {
  readonly name: string;
  /** Exact method; undefined matches every method. */
  readonly method?: string;
  /** JavaScript regular expression matched against the whole path; undefined matches every path. */
  readonly pathRegex?: string;
  readonly isRetryable: boolean;
  /** 0 = no timeout. */
  readonly timeoutMs: number;
  readonly responseClasses: readonly { statusMin: number; statusMax: number; isFailure: boolean }[];
}

export interface RetryBudgetSpec {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

export interface ProfileSpec {
  readonly routes: readonly RouteSpec[];
  readonly retryBudget: RetryBudgetSpec;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetSpec = {
  retryRatio: 0.2,
  minRetriesPerSecond: 10,
  ttlMs: 10_000,
};

export interface ServiceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly number[];
  /** Ports whose traffic is opaque TCP. */
  readonly opaquePorts: readonly number[];
  /** Workload whose instances serve the service. */
  readonly workload: string;
  readonly profile?: ProfileSpec;
}

export interface InstanceSpec {
  /** The instance's (pod's) name, unique in its namespace. */
  readonly name: string;
  /** Where mesh traffic for the instance goes: its proxy's inbound listener (or the app, if unmeshed). */
  readonly address: HostPort;
  /** Its proxy's admin listener: /metrics for scraping. Absent for unmeshed instances. */
  readonly admin?: HostPort;
  /** Its proxy's tap listener. */
  readonly tap?: HostPort;
  /** Bootstrap token the instance's proxy presents to the identity service. */
  readonly token?: string;
}

export interface WorkloadSpec {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly instances: readonly InstanceSpec[];
}

export interface MeshSpec {
  readonly trustDomain: string;
  readonly controlPlaneNamespace: string;
  readonly clusterDomain: string;
  readonly services: readonly ServiceSpec[];
  readonly workloads: readonly WorkloadSpec[];
}

/** One instance as the rest of the control plane sees it, with its workload's facts attached. */
export interface InstanceView extends InstanceSpec {
  readonly namespace: string;
  readonly workload: string;
  readonly serviceAccount: string;
  readonly meshed: boolean;
  /** The identity its proxy's certificate carries. */
  readonly identity: string;
  /** Services (name) whose endpoints include this instance. */
  readonly services: readonly string[];
}

export interface EndpointView {
  readonly address: HostPort;
  readonly instance: InstanceView;
}

export interface ResolvedService {
  readonly service: ServiceSpec;
  readonly port: number;
  readonly opaque: boolean;
  readonly endpoints: readonly EndpointView[];
}

export function workloadIdentity(
  serviceAccount: string,
  namespace: string,
  controlPlaneNamespace: string,
  trustDomain: string,
): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.${controlPlaneNamespace}.${trustDomain}`;
}

/** Who is asking: lets a bare `svc:port` authority mean the caller's own namespace, as cluster DNS does. */
export interface ResolveContext {
  readonly namespace?: string | undefined;
}

/**
 * The control plane's source of truth. The local back end reads a mesh file; the Kubernetes back end
 * watches Services, EndpointSlices and Pods. Everything else reads through this interface.
 */
export interface MeshRegistry {
  /** The service an authority names (`svc.ns:port`, `svc.ns.svc.<cluster-domain>:port`), if any. */
  resolve(authority: string, context?: ResolveContext): ResolvedService | undefined;
  /** True when the authority's host names a known service, whatever the port. */
  knowsHost(authority: string, context?: ResolveContext): boolean;
  /** Every resolvable authority (canonical short form), for listings. */
  authorities(): { authority: string; service: ServiceSpec; endpoints: number }[];
  /** Every instance the mesh knows. */
  instances(): readonly InstanceView[];
  readonly spec: MeshSpec;
  /** Calls `listener` after every change; returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
  close(): void;
}
