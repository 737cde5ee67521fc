// Every annotation and label the mesh reads or writes on Kubernetes objects, named once. `mesh.io/*` says
// whether and by whom a pod is meshed; `config.mesh.io/*` tunes one workload's proxy (the user's to set).

/** `enabled` or `disabled`, on a pod template or a namespace. */
export const INJECT_ANNOTATION = 'mesh.io/inject';
export const INJECT_ENABLED = 'enabled';
export const INJECT_DISABLED = 'disabled';

/** Written by manual injection and the webhook; `uninject` removes them. */
export const CREATED_BY_ANNOTATION = 'mesh.io/created-by';
export const PROXY_VERSION_ANNOTATION = 'mesh.io/proxy-version';
/** SHA-256 of the trust anchors the proxy was given: a root rotation changes it and so rolls the pods. */
export const TRUST_ROOT_SHA_ANNOTATION = 'mesh.io/trust-root-sha256';

export const CONTROL_PLANE_NS_LABEL = 'mesh.io/control-plane-ns';
/** `mesh.io/proxy-deployment: web` etc.: lets tap, stat and check find a workload's meshed pods. */
export const PROXY_WORKLOAD_LABEL_PREFIX = 'mesh.io/proxy-';
/** Marks the control plane's own pods; the webhook's objectSelector skips them. */
export const CONTROL_PLANE_COMPONENT_LABEL = 'mesh.io/control-plane-component';
/** Namespace label that turns the webhook off for a namespace. */
export const ADMISSION_WEBHOOKS_LABEL = 'config.mesh.io/admission-webhooks';

/** Per-workload proxy settings (pod template annotations; on a namespace they are defaults for its pods). */
export const CONFIG_ANNOTATIONS = {
  skipInboundPorts: 'config.mesh.io/skip-inbound-ports',
  skipOutboundPorts: 'config.mesh.io/skip-outbound-ports',
  opaquePorts: 'config.mesh.io/opaque-ports',
  proxyCpuRequest: 'config.mesh.io/proxy-cpu-request',
  proxyCpuLimit: 'config.mesh.io/proxy-cpu-limit',
  proxyMemoryRequest: 'config.mesh.io/proxy-memory-request',
  proxyMemoryLimit: 'config.mesh.io/proxy-memory-limit',
  proxyLogLevel: 'config.mesh.io/proxy-log-level',
} as const;
export type ConfigAnnotationKey = keyof typeof CONFIG_ANNOTATIONS;
