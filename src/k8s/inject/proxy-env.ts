// The contract between injection and the injected containers, in one place: the environment the sidecar
// proxy is started with (each a MESH_PROXY_* twin of a `meshctl proxy` flag), the arguments of the
// proxy-init container, and the names of the containers, volumes and paths that injection adds.
// The proxy's settings table (src/proxy/config.ts) and `meshctl proxy-init` must accept exactly these.
import type { JsonObject } from '../model.js';

export const PROXY_CONTAINER = 'mesh-proxy';
export const PROXY_INIT_CONTAINER = 'mesh-init';
/** Projected ServiceAccount token, audience-bound, that the proxy presents to the identity service. */
export const IDENTITY_TOKEN_VOLUME = 'mesh-identity-token';
/** iptables-nft takes a lock under /run; the root filesystem is read-only, so it gets an emptyDir. */
export const XTABLES_LOCK_VOLUME = 'mesh-proxy-init-xtables-lock';

export const IDENTITY_TOKEN_DIR = '/var/run/secrets/mesh.io/tokens';
export const IDENTITY_TOKEN_FILE = 'mesh-identity-token';
export const IDENTITY_TOKEN_AUDIENCE = 'identity.mesh.io';
export const IDENTITY_TOKEN_EXPIRATION_SECONDS = 86_400;

/** Names a pod's containers may have when some mesh's proxy is already in it. */
export const KNOWN_SIDECARS: readonly string[] = [PROXY_CONTAINER, 'linkerd-proxy', 'istio-proxy'];
export const KNOWN_INIT_CONTAINERS: readonly string[] = [PROXY_INIT_CONTAINER, 'linkerd-init', 'istio-init'];

/**
 * The injected proxy's environment. Names are the `meshctl proxy` settings' env twins; the ones marked
 * "identity" and "tap" are read by the identity client and tap server.
 */
export const PROXY_ENV = {
  /** Log level: trace, debug, info, warn, error, fatal, silent (`config.mesh.io/proxy-log-level`). */
  logLevel: 'MESH_PROXY_LOG_LEVEL',
  /** Inbound listener, `0.0.0.0:<inbound port>`: iptables redirects the pod's incoming TCP here. */
  inbound: 'MESH_PROXY_INBOUND',
  /** Outbound listener, `127.0.0.1:<outbound port>`: iptables redirects the app's outgoing TCP here. */
  outbound: 'MESH_PROXY_OUTBOUND',
  /** Admin listener (`/metrics`, `/ready`, `/live`), `0.0.0.0:<admin port>`: probes and scrapes. */
  admin: 'MESH_PROXY_ADMIN',
  /** Tap listener, `0.0.0.0:<tap port>`: the tap component's Observe calls (tap). */
  tap: 'MESH_PROXY_TAP',
  /**
   * `true`: proxy-init's iptables rules redirect the pod's TCP to the proxy, which recovers each connection's
   * original destination (inbound: the app port it was addressed to; outbound: the IP:port it was going to).
   */
  transparent: 'MESH_PROXY_TRANSPARENT',
  /**
   * `127.0.0.1:<port>`, the first port the app's containers declare: where inbound connections go when
   * their original destination cannot be recovered. Unset when the pod declares no ports.
   */
  app: 'MESH_PROXY_APP',
  /** Comma-separated ports the app's containers declare (the inbound side's known ports). */
  inboundPorts: 'MESH_PROXY_INBOUND_PORTS',
  /** Ports whose traffic skips protocol detection (`config.mesh.io/opaque-ports`); unset = proxy default. */
  opaquePorts: 'MESH_PROXY_OPAQUE_PORTS',
  /** The Destination API, `mesh-destination.<ns>.svc.<cluster domain>.:8086`. */
  controlPlane: 'MESH_PROXY_CONTROL_PLANE',
  /** The pod's namespace (downward API). */
  namespace: 'MESH_PROXY_NAMESPACE',
  /** The pod's name (downward API). */
  pod: 'MESH_PROXY_POD',
  /** The workload's name (the Deployment, CronJob… that owns the pod template). */
  workload: 'MESH_PROXY_WORKLOAD',
  /** The pod's ServiceAccount (downward API); only used to compose the identity name below. */
  serviceAccount: 'MESH_PROXY_SERVICE_ACCOUNT',
  /** The identity this proxy asks for: `<sa>.<ns>.serviceaccount.identity.<control ns>.<trust domain>` (identity). */
  identityName: 'MESH_PROXY_IDENTITY',
  /** The Identity API, `mesh-identity.<ns>.svc.<cluster domain>.:8080` (identity). */
  identityAddr: 'MESH_PROXY_IDENTITY_ADDR',
  /** Path of the projected ServiceAccount token sent with each certificate request (identity). */
  identityTokenFile: 'MESH_PROXY_IDENTITY_TOKEN_FILE',
  /**
   * Trust anchors: a path to a PEM bundle, or the PEM text itself when the value starts with
   * `-----BEGIN`. Injection passes the text inline, because the trust-anchor ConfigMap lives in the
   * control-plane namespace and cannot be mounted by pods in other namespaces (identity).
   */
  trustAnchors: 'MESH_PROXY_TRUST_ANCHORS',
} as const;

/** Flags of `meshctl proxy-init`, which installs the pod's iptables redirection before any other container. */
export const PROXY_INIT_FLAGS = {
  /** Where incoming TCP is redirected: the proxy's inbound port. */
  inboundPort: '--inbound-port',
  /** Where outgoing TCP is redirected: the proxy's outbound port. */
  outboundPort: '--outbound-port',
  /** Traffic from this UID (the proxy's own) is never redirected, or the proxy would loop into itself. */
  proxyUid: '--proxy-uid',
  /** Incoming ports that bypass the proxy; always includes the proxy's admin and tap ports. */
  skipInboundPorts: '--skip-inbound-ports',
  /** Outgoing ports that bypass the proxy. Omitted when empty. */
  skipOutboundPorts: '--skip-outbound-ports',
} as const;

export interface ProxyPorts {
  readonly inbound: number;
  readonly outbound: number;
  readonly admin: number;
  readonly tap: number;
}

export interface ProxyEnvInput {
  readonly ports: ProxyPorts;
  readonly logLevel: string;
  readonly appPorts: readonly number[];
  /** Only set when the workload overrides the proxy's default list. */
  readonly opaquePorts: string | undefined;
  readonly destinationAddr: string;
  readonly identityAddr: string;
  readonly identityDomain: string;
  readonly workload: string;
  readonly trustAnchorsPem: string | undefined;
}

const value = (name: string, v: string): JsonObject => ({ name, value: v });
const field = (name: string, fieldPath: string): JsonObject => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

/** The proxy container's `env`, in a fixed order (later entries refer to earlier ones with `$(NAME)`). */
export function proxyEnv(input: ProxyEnvInput): JsonObject[] {
  const e = PROXY_ENV;
  const p = input.ports;
  const env: JsonObject[] = [
    value(e.logLevel, input.logLevel),
    value(e.inbound, `0.0.0.0:${p.inbound}`),
    value(e.outbound, `127.0.0.1:${p.outbound}`),
    value(e.admin, `0.0.0.0:${p.admin}`),
    value(e.tap, `0.0.0.0:${p.tap}`),
    value(e.transparent, 'true'),
  ];
  const first = input.appPorts[0];
  if (first !== undefined) {
    env.push(value(e.app, `127.0.0.1:${first}`), value(e.inboundPorts, input.appPorts.join(',')));
  }
  if (input.opaquePorts !== undefined) env.push(value(e.opaquePorts, input.opaquePorts));
  env.push(
    value(e.controlPlane, input.destinationAddr),
    field(e.namespace, 'metadata.namespace'),
    field(e.pod, 'metadata.name'),
    value(e.workload, input.workload),
    field(e.serviceAccount, 'spec.serviceAccountName'),
    value(
      e.identityName,
      `$(${e.serviceAccount}).$(${e.namespace}).serviceaccount.identity.${input.identityDomain}`,
    ),
    value(e.identityAddr, input.identityAddr),
    value(e.identityTokenFile, `${IDENTITY_TOKEN_DIR}/${IDENTITY_TOKEN_FILE}`),
  );
  if (input.trustAnchorsPem !== undefined) env.push(value(e.trustAnchors, input.trustAnchorsPem));
  return env;
}

export interface ProxyInitInput {
  readonly ports: ProxyPorts;
  readonly proxyUid: number;
  /** Extra ports from the workload's annotations or the install's values, already validated. */
  readonly skipInboundPorts: readonly string[];
  readonly skipOutboundPorts: readonly string[];
}

/** The proxy-init container's `args` (the image's entrypoint is `meshctl`). */
export function proxyInitArgs(input: ProxyInitInput): string[] {
  const f = PROXY_INIT_FLAGS;
  const inbound = dedupe([String(input.ports.admin), String(input.ports.tap), ...input.skipInboundPorts]);
  const args = [
    'proxy-init',
    f.inboundPort,
    String(input.ports.inbound),
    f.outboundPort,
    String(input.ports.outbound),
    f.proxyUid,
    String(input.proxyUid),
    f.skipInboundPorts,
    inbound.join(','),
  ];
  const outbound = dedupe(input.skipOutboundPorts);
  if (outbound.length > 0) args.push(f.skipOutboundPorts, outbound.join(','));
  return args;
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items.filter((s) => s !== ''))];
}
