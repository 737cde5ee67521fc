// The containers and volumes injection adds to a pod: the proxy (a native sidecar: an init container with
// restartPolicy Always, so it starts before the app, stops after it, and lets Jobs complete), proxy-init
// (the iptables redirection) and their volumes. Pure builders; the patch that places them is in inject.ts.
import type { JsonObject } from '../model.js';
import type { ResourceValues } from '../values.js';
import {
  IDENTITY_TOKEN_AUDIENCE,
  IDENTITY_TOKEN_DIR,
  IDENTITY_TOKEN_EXPIRATION_SECONDS,
  IDENTITY_TOKEN_FILE,
  IDENTITY_TOKEN_VOLUME,
  PROXY_CONTAINER,
  PROXY_INIT_CONTAINER,
  XTABLES_LOCK_VOLUME,
  type ProxyPorts,
} from './proxy-env.js';

/** requests/limits with empty values left out; undefined when nothing is set. */
export function resourceRequirements(r: ResourceValues): JsonObject | undefined {
  const pick = (cpu: string, memory: string): JsonObject | undefined => {
    const o: JsonObject = {};
    if (cpu !== '') o['cpu'] = cpu;
    if (memory !== '') o['memory'] = memory;
    return Object.keys(o).length > 0 ? o : undefined;
  };
  const requests = pick(r.cpuRequest, r.memoryRequest);
  const limits = pick(r.cpuLimit, r.memoryLimit);
  if (!requests && !limits) return undefined;
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

const RESTRICTED: JsonObject = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface ProxyContainerInput {
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly ports: ProxyPorts;
  readonly uid: number;
  readonly env: JsonObject[];
  readonly resources: ResourceValues;
}

export function proxyContainer(input: ProxyContainerInput): JsonObject {
  const admin = input.ports.admin;
  const resources = resourceRequirements(input.resources);
  return {
    name: PROXY_CONTAINER,
    image: input.image,
    imagePullPolicy: input.imagePullPolicy,
    args: ['proxy'],
    env: input.env,
    ports: [
      { name: 'mesh-proxy', containerPort: input.ports.inbound },
      { name: 'mesh-admin', containerPort: admin },
      { name: 'mesh-tap', containerPort: input.ports.tap },
    ],
    ...(resources ? { resources } : {}),
    securityContext: { ...RESTRICTED, runAsNonRoot: true, runAsUser: input.uid },
    // The app starts only once the startup probe passes, so its first requests already have a proxy.
    startupProbe: { httpGet: { path: '/ready', port: admin }, periodSeconds: 1, failureThreshold: 120 },
    readinessProbe: { httpGet: { path: '/ready', port: admin }, initialDelaySeconds: 2, timeoutSeconds: 1 },
    livenessProbe: { httpGet: { path: '/live', port: admin }, initialDelaySeconds: 10, timeoutSeconds: 1 },
    volumeMounts: [{ name: IDENTITY_TOKEN_VOLUME, mountPath: IDENTITY_TOKEN_DIR, readOnly: true }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
    restartPolicy: 'Always',
  };
}

export interface ProxyInitContainerInput {
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly args: string[];
}

export function proxyInitContainer(input: ProxyInitContainerInput): JsonObject {
  return {
    name: PROXY_INIT_CONTAINER,
    image: input.image,
    imagePullPolicy: input.imagePullPolicy,
    args: input.args,
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    // Changing the pod's NAT table needs root with NET_ADMIN and NET_RAW; nothing else is granted.
    securityContext: {
      ...RESTRICTED,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      privileged: false,
      runAsNonRoot: false,
      runAsUser: 0,
    },
    volumeMounts: [{ name: XTABLES_LOCK_VOLUME, mountPath: '/run' }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

export function sidecarVolumes(): JsonObject[] {
  return [
    {
      name: IDENTITY_TOKEN_VOLUME,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: IDENTITY_TOKEN_AUDIENCE,
              expirationSeconds: IDENTITY_TOKEN_EXPIRATION_SECONDS,
              path: IDENTITY_TOKEN_FILE,
            },
          },
        ],
      },
    },
    { name: XTABLES_LOCK_VOLUME, emptyDir: {} },
  ];
}
