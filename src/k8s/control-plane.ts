// The control plane's shape in Kubernetes: its components, their object names and ports, and the
// in-cluster addresses proxies use to reach them. Install renders these; injection points proxies at them.

export const K8S_COMPONENTS = ['destination', 'identity', 'tap', 'metrics', 'injector'] as const;
export type K8sComponent = (typeof K8S_COMPONENTS)[number];

/** Each component serves its API on its own port (gRPC; HTTPS for the webhook) and /ready, /live on admin. */
export const COMPONENT_PORTS: Readonly<Record<K8sComponent, number>> = {
  destination: 8086,
  identity: 8080,
  tap: 8088,
  metrics: 8085,
  injector: 8443,
};
export const CONTROL_ADMIN_PORT = 9990;

/** Deployment, Service and ServiceAccount name of a component. */
export function componentName(component: K8sComponent): string {
  return `mesh-${component}`;
}

/**
 * A Service's fully qualified name with a trailing dot: the dot makes it absolute, so the resolver does not
 * first try each search domain (ndots:5 would cost up to five wasted lookups per resolution).
 */
export function serviceFqdn(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}.`;
}

export function componentAddress(component: K8sComponent, namespace: string, clusterDomain: string): string {
  return `${serviceFqdn(componentName(component), namespace, clusterDomain)}:${COMPONENT_PORTS[component]}`;
}

/** The domain workload identities live under: `<sa>.<ns>.serviceaccount.identity.<this>`. */
export function identityDomain(controlPlaneNamespace: string, trustDomain: string): string {
  return `${controlPlaneNamespace}.${trustDomain}`;
}
