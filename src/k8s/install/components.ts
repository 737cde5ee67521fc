// What differs between the control-plane components in Kubernetes — ports, arguments, environment,
// volumes — as data for the shared component template (manifests/control-plane/component.yaml).
// CONTROL_ENV is the contract with `meshctl control`: each name is the env twin of one of its settings.
import type { JsonObject } from '../model.js';
import { COMPONENT_PORTS, CONTROL_ADMIN_PORT, type K8sComponent, componentName } from '../control-plane.js';
import type { MeshValues } from '../values.js';

/** Environment of the control-plane containers (MESH_CONTROL_* twins of `meshctl control` flags). */
export const CONTROL_ENV = {
  /** `kubernetes`: discovery and identity come from the Kubernetes API instead of a mesh file. */
  registry: 'MESH_CONTROL_REGISTRY',
  /** The control plane's namespace (downward API). */
  namespace: 'MESH_CONTROL_NAMESPACE',
  /** Cluster DNS domain, for service authorities `<svc>.<ns>.svc.<domain>`. */
  clusterDomain: 'MESH_CONTROL_CLUSTER_DOMAIN',
  /** Trust domain of workload identities. */
  trustDomain: 'MESH_CONTROL_TRUST_DOMAIN',
  /** identity: directory with ca.crt, issuer.crt and issuer.key (a projected volume, see below). */
  identityDir: 'MESH_CONTROL_IDENTITY_DIR',
  /** identity: lifetime of issued workload certificates. */
  identityLifetime: 'MESH_CONTROL_IDENTITY_LIFETIME',
  /** identity: how far back notBefore is set. */
  identityClockSkew: 'MESH_CONTROL_IDENTITY_CLOCK_SKEW',
  /** injector: directory with the webhook's tls.crt and tls.key. */
  injectorTlsDir: 'MESH_CONTROL_INJECTOR_TLS_DIR',
  /** injector: the install values (mesh-config's values.yaml) to inject with. */
  injectorValues: 'MESH_CONTROL_INJECTOR_VALUES',
  /** injector: trust anchors PEM given to injected proxies. */
  trustAnchors: 'MESH_CONTROL_TRUST_ANCHORS',
} as const;

export const IDENTITY_DIR = '/var/run/mesh/identity';
export const INJECTOR_TLS_DIR = '/var/run/mesh/injector/tls';
export const CONFIG_DIR = '/var/run/mesh/config';
export const TRUST_ANCHORS_DIR = '/var/run/mesh/trust-anchors';

/** 0440: readable by the pod's fsGroup (the controller's group), not by every user in the container. */
const SECRET_MODE = 0o440;

export interface ComponentSpec {
  readonly component: K8sComponent;
  readonly portName: string;
  readonly servicePort: number;
  readonly env: JsonObject[];
  readonly volumeMounts: JsonObject[] | undefined;
  readonly volumes: JsonObject[] | undefined;
}

const env = (name: string, value: string): JsonObject => ({ name, value });

export function componentSpec(component: K8sComponent, values: MeshValues): ComponentSpec {
  const e = CONTROL_ENV;
  const common: JsonObject[] = [
    env(e.registry, 'kubernetes'),
    { name: e.namespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    env(e.clusterDomain, values.clusterDomain),
    env(e.trustDomain, values.identityTrustDomain),
  ];
  const port = COMPONENT_PORTS[component];
  const base = {
    component,
    portName: 'grpc',
    servicePort: port,
    volumeMounts: undefined,
    volumes: undefined,
  };
  switch (component) {
    case 'identity':
      return {
        ...base,
        env: [
          ...common,
          env(e.identityDir, IDENTITY_DIR),
          env(e.identityLifetime, values.identity.issuanceLifetime),
          env(e.identityClockSkew, values.identity.clockSkewAllowance),
        ],
        volumeMounts: [{ name: 'identity', mountPath: IDENTITY_DIR, readOnly: true }],
        // The layout `meshctl identity create` writes, assembled from the issuer Secret and the roots.
        volumes: [
          {
            name: 'identity',
            projected: {
              defaultMode: SECRET_MODE,
              sources: [
                {
                  secret: {
                    name: 'mesh-identity-issuer',
                    items: [
                      { key: 'tls.crt', path: 'issuer.crt' },
                      { key: 'tls.key', path: 'issuer.key' },
                    ],
                  },
                },
                {
                  configMap: {
                    name: 'mesh-identity-trust-roots',
                    items: [{ key: 'ca.crt', path: 'ca.crt' }],
                  },
                },
              ],
            },
          },
        ],
      };
    case 'injector':
      return {
        ...base,
        portName: 'webhook',
        // The API server calls webhooks on 443 unless told otherwise.
        servicePort: 443,
        env: [
          ...common,
          env(e.injectorTlsDir, INJECTOR_TLS_DIR),
          env(e.injectorValues, `${CONFIG_DIR}/values.yaml`),
          env(e.trustAnchors, `${TRUST_ANCHORS_DIR}/ca.crt`),
        ],
        volumeMounts: [
          { name: 'tls', mountPath: INJECTOR_TLS_DIR, readOnly: true },
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'trust-anchors', mountPath: TRUST_ANCHORS_DIR, readOnly: true },
        ],
        volumes: [
          { name: 'tls', secret: { secretName: 'mesh-injector-k8s-tls', defaultMode: SECRET_MODE } },
          { name: 'config', configMap: { name: 'mesh-config' } },
          { name: 'trust-anchors', configMap: { name: 'mesh-identity-trust-roots' } },
        ],
      };
    default:
      return { ...base, env: common };
  }
}

/** `meshctl control <component>` with its API and admin listeners on all interfaces. */
export function componentArgs(component: K8sComponent, values: MeshValues): string[] {
  return [
    'control',
    component,
    '--listen',
    `0.0.0.0:${COMPONENT_PORTS[component]}`,
    '--admin',
    `0.0.0.0:${CONTROL_ADMIN_PORT}`,
    '--log-level',
    values.controllerLogLevel,
  ];
}

export { componentName };
