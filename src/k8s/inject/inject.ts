// The one injection function, shared by `meshctl inject` and the admission webhook: given a pod (or a
// workload's pod template), decide whether it may be injected — with a reason when not — and return the
// RFC 6902 patch that adds the proxy, proxy-init and their volumes (or, in annotate mode, just the opt-in
// annotation). Pure: no I/O, no clock, no randomness, so the CLI and the webhook produce the same bytes.
import {
  CONTROL_PLANE_COMPONENT_LABEL,
  CONTROL_PLANE_NS_LABEL,
  CREATED_BY_ANNOTATION,
  INJECT_ANNOTATION,
  INJECT_DISABLED,
  INJECT_ENABLED,
  PROXY_VERSION_ANNOTATION,
  PROXY_WORKLOAD_LABEL_PREFIX,
  TRUST_ROOT_SHA_ANNOTATION,
} from '../annotations.js';
import { componentAddress, identityDomain } from '../control-plane.js';
import { type JsonObject, type JsonValue, type PatchOperation, type PodTemplate, pointer } from '../model.js';
import type { InjectConfig } from './config.js';
import { KNOWN_INIT_CONTAINERS, KNOWN_SIDECARS, proxyEnv, proxyInitArgs } from './proxy-env.js';
import { proxyContainer, proxyInitContainer, sidecarVolumes } from './sidecar.js';
import { isAnnotationProblem, readWorkloadSettings, type WorkloadSettings } from './workload-settings.js';
import { trustRootSha256 } from '../../identity/pki.js';

/** The object a pod template belongs to, as the report and the proxy's labels name it. */
export interface WorkloadRef {
  /** `Deployment`, `CronJob`, … or `Pod` for a bare pod. */
  readonly kind: string;
  readonly name: string;
  /** Where the pods will run, when known: metadata.namespace, `-n`, or the admission request's namespace. */
  readonly namespace?: string | undefined;
  /** The namespace's annotations (the webhook has them): its `config.mesh.io/*` are defaults for its pods. */
  readonly namespaceAnnotations?: Readonly<Record<string, string>> | undefined;
}

export type SkipReason =
  | 'kube-system'
  | 'control-plane-namespace'
  | 'host-network'
  | 'already-injected'
  | 'disabled'
  | 'not-enabled'
  | 'invalid-annotation'
  | 'no-pod-spec'
  | 'unsupported-kind';

export type InjectResult =
  | { readonly status: 'injected'; readonly patch: readonly PatchOperation[] }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly message: string };

export interface InjectOptions {
  /**
   * The webhook's rule: inject only pods that opted in (annotation on the pod, or on its namespace and not
   * disabled on the pod). The CLI injects what it is given, so it leaves this off.
   */
  readonly requireOptIn?: boolean;
  /**
   * Where this pod's proxy gets its certificate. The identity component's own pod uses localhost: its
   * proxy needs a certificate before the identity Service has any ready endpoint.
   */
  readonly identityAddress?: string;
}

export type SkippedResult = Extract<InjectResult, { status: 'skipped' }>;

const skip = (reason: SkipReason, message: string): SkippedResult => ({ status: 'skipped', reason, message });
const isSkipped = (r: SkippedResult | WorkloadSettings): r is SkippedResult => 'status' in r;

/** Why this pod must not be injected, or undefined when it may be. */
export function checkInjectable(
  pod: PodTemplate,
  workload: WorkloadRef,
  config: InjectConfig,
  options: InjectOptions = {},
): SkippedResult | undefined {
  const result = check(pod, workload, config, options);
  return isSkipped(result) ? result : undefined;
}

function check(
  pod: PodTemplate,
  workload: WorkloadRef,
  config: InjectConfig,
  options: InjectOptions,
): SkippedResult | WorkloadSettings {
  const ns = workload.namespace;
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  if (pod.spec === undefined) return skip('no-pod-spec', 'the pod template has no spec');
  if (ns === 'kube-system') return skip('kube-system', 'pods in namespace "kube-system" are never injected');
  if (ns === config.values.controlPlaneNamespace && labels[CONTROL_PLANE_COMPONENT_LABEL] === undefined) {
    return skip(
      'control-plane-namespace',
      `namespace "${ns}" belongs to the control plane; only its own components are meshed there`,
    );
  }
  if (pod.spec.hostNetwork === true) return skip('host-network', 'hostNetwork is enabled');
  const all = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])];
  const existing = [
    ...all.filter((c) => KNOWN_SIDECARS.includes(c.name)),
    ...all.filter((c) => KNOWN_INIT_CONTAINERS.includes(c.name)),
  ];
  if (existing[0] !== undefined) {
    return skip('already-injected', `pod has a sidecar injected already (container "${existing[0].name}")`);
  }
  const podInject = annotations[INJECT_ANNOTATION];
  if (podInject === INJECT_DISABLED) {
    return skip('disabled', `pod has the annotation "${INJECT_ANNOTATION}: ${INJECT_DISABLED}"`);
  }
  if (options.requireOptIn) {
    const nsInject = workload.namespaceAnnotations?.[INJECT_ANNOTATION];
    if (podInject !== INJECT_ENABLED && nsInject !== INJECT_ENABLED) {
      return skip(
        'not-enabled',
        `neither the namespace nor the pod have the annotation "${INJECT_ANNOTATION}: ${INJECT_ENABLED}"`,
      );
    }
  }
  const settings = readWorkloadSettings(config.values, annotations, workload.namespaceAnnotations);
  if (isAnnotationProblem(settings)) {
    return skip(
      'invalid-annotation',
      `invalid value "${settings.value}" for annotation "${settings.annotation}" on the ${settings.where}: expected ${settings.expected}`,
    );
  }
  return settings;
}

/**
 * Default mode of `meshctl inject`: adds `mesh.io/inject: enabled` to the pod template so the webhook
 * injects its pods. Runs the same checks as injectPod, so a workload that would be skipped says so now.
 */
export function annotatePod(pod: PodTemplate, workload: WorkloadRef, config: InjectConfig): InjectResult {
  const result = check(pod, workload, config, {});
  if (isSkipped(result)) return result;
  if (pod.metadata?.annotations?.[INJECT_ANNOTATION] === INJECT_ENABLED)
    return { status: 'injected', patch: [] };
  return { status: 'injected', patch: metadataPatch(pod, { [INJECT_ANNOTATION]: INJECT_ENABLED }, {}) };
}

/**
 * Full injection, as the webhook does it and `meshctl inject --manual` shows it: proxy-init and the proxy
 * go first among the init containers, the volumes are appended, and the pod is labelled and annotated.
 * Idempotent: an injected pod is skipped with reason `already-injected`.
 */
export function injectPod(
  pod: PodTemplate,
  workload: WorkloadRef,
  config: InjectConfig,
  options: InjectOptions = {},
): InjectResult {
  const settings = check(pod, workload, config, options);
  if (isSkipped(settings)) return settings;
  const v = config.values;
  const ports = {
    inbound: v.proxy.inboundPort,
    outbound: v.proxy.outboundPort,
    admin: v.proxy.adminPort,
    tap: v.proxy.tapPort,
  };
  const appPorts = [
    ...new Set(
      (pod.spec?.containers ?? []).flatMap((c) =>
        (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort),
      ),
    ),
  ];
  const env = proxyEnv({
    ports,
    logLevel: settings.logLevel,
    appPorts,
    opaquePorts: settings.opaquePorts,
    destinationAddr: componentAddress('destination', v.controlPlaneNamespace, v.clusterDomain),
    identityAddr:
      options.identityAddress ?? componentAddress('identity', v.controlPlaneNamespace, v.clusterDomain),
    identityDomain: identityDomain(v.controlPlaneNamespace, v.identityTrustDomain),
    workload: workload.name,
    trustAnchorsPem: config.trustAnchorsPem,
  });
  const init = proxyInitContainer({
    image: `${v.proxyInitImage}:${v.version}`,
    imagePullPolicy: v.imagePullPolicy,
    args: proxyInitArgs({
      ports,
      proxyUid: v.proxy.uid,
      skipInboundPorts: settings.skipInboundPorts,
      skipOutboundPorts: settings.skipOutboundPorts,
    }),
  });
  const proxy = proxyContainer({
    image: `${v.proxyImage}:${v.version}`,
    imagePullPolicy: v.imagePullPolicy,
    ports,
    uid: v.proxy.uid,
    env,
    resources: settings.resources,
  });
  const annotations: Record<string, string> = {
    [CREATED_BY_ANNOTATION]: config.createdBy,
    [PROXY_VERSION_ANNOTATION]: v.version,
  };
  if (config.trustAnchorsPem !== undefined) {
    annotations[TRUST_ROOT_SHA_ANNOTATION] = trustRootSha256(config.trustAnchorsPem);
  }
  const labels: Record<string, string> = { [CONTROL_PLANE_NS_LABEL]: v.controlPlaneNamespace };
  if (workload.kind !== 'Pod')
    labels[PROXY_WORKLOAD_LABEL_PREFIX + workload.kind.toLowerCase()] = workload.name;

  const spec = pod.spec ?? {};
  const patch: PatchOperation[] = [...metadataPatch(pod, annotations, labels)];
  if ((spec.initContainers ?? []).length === 0) {
    patch.push({ op: 'add', path: '/spec/initContainers', value: [init, proxy] });
  } else {
    patch.push({ op: 'add', path: '/spec/initContainers/0', value: init });
    patch.push({ op: 'add', path: '/spec/initContainers/1', value: proxy });
  }
  const volumes = sidecarVolumes();
  if (spec.volumes === undefined) {
    patch.push({ op: 'add', path: '/spec/volumes', value: volumes });
  } else {
    for (const vol of volumes) patch.push({ op: 'add', path: '/spec/volumes/-', value: vol });
  }
  return { status: 'injected', patch };
}

/** Adds annotations and labels, creating `metadata` and the maps when missing (JSON Patch needs parents). */
function metadataPatch(
  pod: PodTemplate,
  annotations: Record<string, string>,
  labels: Record<string, string>,
): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (pod.metadata === undefined) ops.push({ op: 'add', path: '/metadata', value: {} });
  const addMap = (field: 'annotations' | 'labels', entries: Record<string, string>): void => {
    if (Object.keys(entries).length === 0) return;
    if (pod.metadata?.[field] === undefined) {
      ops.push({ op: 'add', path: pointer('metadata', field), value: entries as JsonObject });
      return;
    }
    for (const [k, val] of Object.entries(entries)) {
      ops.push({ op: 'add', path: pointer('metadata', field, k), value: val as JsonValue });
    }
  };
  addMap('annotations', annotations);
  addMap('labels', labels);
  return ops;
}
