// The proxy's settings: each one a flag with a MESH_PROXY_* environment twin, resolved and validated into
// one typed ProxyConfig. `meshctl proxy --help` is generated from this table, so the two never drift.
import { type HostPort, parseHostPort, normalizeAuthority } from '../common/address.js';
import { parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';
import { type LogLevel, parseLogLevel } from '../common/logger.js';
import {
  type SettingSpec,
  type SettingValues,
  parsePortList,
  parsePositiveInt,
  resolveSetting,
} from '../common/settings.js';

/** An extra outbound listener bound to one destination, for clients that cannot name it in a Host header. */
export interface ForwardSpec {
  readonly listen: HostPort;
  readonly authority: string;
}

export interface ProxyConfig {
  /** Inbound listener; undefined when there is no local app to deliver to (and not transparent). */
  readonly inbound: HostPort | undefined;
  readonly outbound: HostPort;
  readonly admin: HostPort;
  readonly app: HostPort | undefined;
  readonly endpointsFile: string | undefined;
  readonly logLevel: LogLevel;
  readonly opaquePorts: ReadonlySet<number>;
  readonly detectTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Time allowed for response headers; 0 disables the limit. */
  readonly responseTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly routeLimit: number;
  readonly authorityLimit: number;
  readonly forwards: readonly ForwardSpec[];
  readonly shutdownEndpoint: boolean;
  /** Tap listener (gRPC Tap.Observe); undefined when tap is off. */
  readonly tap: HostPort | undefined;
  /** The control plane's Destination API; undefined means static endpoints only. */
  readonly controlPlane: HostPort | undefined;
  readonly discoveryIdleTimeoutMs: number;
  /** Who this proxy serves, for discovery context, tap metadata and logs. */
  readonly namespace: string;
  readonly workload: string;
  readonly pod: string;
  /** Mesh identity (mTLS); undefined disables identity: plaintext between proxies. */
  readonly identity: IdentityConfig | undefined;
  /**
   * Transparent mode: iptables (`meshctl proxy-init`) redirects the pod's TCP to the proxy, which recovers
   * each connection's original destination: inbound goes to 127.0.0.1:<original port>, outbound without an
   * HTTP authority is routed by the original IP:port.
   */
  readonly transparent: boolean;
}

export interface IdentityConfig {
  readonly name: string;
  readonly address: HostPort;
  readonly token: { readonly file: string } | { readonly value: string };
  readonly trustAnchorsFile: string;
}

const address = (text: string, what: string): HostPort => parseHostPort(text, what);
const duration = (text: string, what: string): number => parseDuration(text, what);
const bool = (text: string, what: string): boolean => {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw new UsageError('MESH_BAD_BOOL', `invalid ${what} "${text}"`, 'expected true or false');
};

function parseForwards(text: string, what: string): ForwardSpec[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((item) => {
      const eq = item.indexOf('=');
      const authority = eq > 0 ? normalizeAuthority(item.slice(eq + 1).trim()) : undefined;
      if (eq <= 0 || authority === undefined) {
        throw new UsageError(
          'MESH_BAD_FORWARD',
          `invalid ${what} "${item}"`,
          'expected LISTEN_ADDR=AUTHORITY, e.g. 127.0.0.1:16379=redis.test:6379',
        );
      }
      return { listen: parseHostPort(item.slice(0, eq), what), authority };
    });
}

export const PROXY_SETTINGS = {
  inbound: {
    flag: 'inbound',
    env: 'MESH_PROXY_INBOUND',
    valueName: 'addr',
    description: 'inbound listener: traffic for the local app (mesh mTLS is terminated here)',
    defaultText: '0.0.0.0:4143',
    parse: address,
  },
  outbound: {
    flag: 'outbound',
    env: 'MESH_PROXY_OUTBOUND',
    valueName: 'addr',
    description: 'outbound listener: traffic from the local app, routed by its Host/:authority',
    defaultText: '127.0.0.1:4140',
    parse: address,
  },
  admin: {
    flag: 'admin',
    env: 'MESH_PROXY_ADMIN',
    valueName: 'addr',
    description: 'admin listener: /metrics, /ready, /live, /shutdown',
    defaultText: '0.0.0.0:4191',
    parse: address,
  },
  app: {
    flag: 'app',
    env: 'MESH_PROXY_APP',
    valueName: 'addr',
    description:
      'where inbound traffic is delivered: the local app; without it (and without --transparent) no inbound listener starts. In transparent mode: where connections go that were not redirected',
    parse: address,
  },
  endpoints: {
    flag: 'endpoints',
    env: 'MESH_PROXY_ENDPOINTS',
    valueName: 'file',
    description:
      'static discovery: a JSON map from authority to addresses, {"web.test:80": ["127.0.0.1:4143"]}; reloaded when it changes',
    parse: (text: string) => text,
  },
  logLevel: {
    flag: 'log-level',
    env: 'MESH_PROXY_LOG_LEVEL',
    valueName: 'level',
    description:
      'log level: trace, debug, info, warn, error, fatal or silent (logs are JSON lines on stderr)',
    defaultText: 'info',
    parse: parseLogLevel,
  },
  opaquePorts: {
    flag: 'opaque-ports',
    env: 'MESH_PROXY_OPAQUE_PORTS',
    valueName: 'ports',
    description: 'destination ports whose traffic skips protocol detection and is forwarded as TCP',
    defaultText: '25,587,3306,4444,5432,6379,9300,11211',
    parse: parsePortList,
  },
  detectTimeout: {
    flag: 'detect-timeout',
    env: 'MESH_PROXY_DETECT_TIMEOUT',
    valueName: 'duration',
    description: "how long to wait for a client's first bytes before treating the connection as opaque TCP",
    defaultText: '10s',
    parse: duration,
  },
  connectTimeout: {
    flag: 'connect-timeout',
    env: 'MESH_PROXY_CONNECT_TIMEOUT',
    valueName: 'duration',
    description: 'limit for establishing a connection to an endpoint or the app',
    defaultText: '1s',
    parse: duration,
  },
  responseTimeout: {
    flag: 'response-timeout',
    env: 'MESH_PROXY_RESPONSE_TIMEOUT',
    valueName: 'duration',
    description: "limit for an upstream's response headers before answering 504; 0 means no limit",
    defaultText: '0',
    parse: duration,
  },
  drainTimeout: {
    flag: 'drain-timeout',
    env: 'MESH_PROXY_DRAIN_TIMEOUT',
    valueName: 'duration',
    description: 'on SIGTERM, how long in-flight requests may take to finish before the proxy exits',
    defaultText: '10s',
    parse: duration,
  },
  routeLimit: {
    flag: 'route-limit',
    env: 'MESH_PROXY_ROUTE_LIMIT',
    valueName: 'n',
    description: 'most distinct route labels one authority may create; further routes count as [other]',
    defaultText: '100',
    parse: parsePositiveInt,
  },
  authorityLimit: {
    flag: 'authority-limit',
    env: 'MESH_PROXY_AUTHORITY_LIMIT',
    valueName: 'n',
    description:
      'most distinct authorities per direction kept as metric labels; further ones count as [other]',
    defaultText: '100',
    parse: parsePositiveInt,
  },
  forward: {
    flag: 'forward',
    env: 'MESH_PROXY_FORWARDS',
    valueName: 'listen=authority',
    description:
      'extra outbound listener bound to one destination (repeatable), for clients that cannot set Host, e.g. 127.0.0.1:16379=redis.test:6379',
    repeatable: true,
    parse: parseForwards,
  },
  controlPlane: {
    flag: 'control-plane',
    env: 'MESH_PROXY_CONTROL_PLANE',
    valueName: 'addr',
    description:
      "the control plane's Destination API (e.g. 127.0.0.1:8086); authorities resolve there first, the endpoints file is the fallback",
    parse: address,
  },
  discoveryIdleTimeout: {
    flag: 'discovery-idle-timeout',
    env: 'MESH_PROXY_DISCOVERY_IDLE_TIMEOUT',
    valueName: 'duration',
    description:
      'stop watching an authority in the Destination API after it has had no requests for this long',
    defaultText: '60s',
    parse: duration,
  },
  namespace: {
    flag: 'namespace',
    env: 'MESH_PROXY_NAMESPACE',
    valueName: 'name',
    description: 'namespace of the workload this proxy serves',
    defaultText: 'default',
    parse: (text: string) => text,
  },
  workload: {
    flag: 'workload',
    env: 'MESH_PROXY_WORKLOAD',
    valueName: 'name',
    description: 'workload (deployment) this proxy serves',
    defaultText: '',
    parse: (text: string) => text,
  },
  pod: {
    flag: 'pod',
    env: 'MESH_PROXY_POD',
    valueName: 'name',
    description: 'instance (pod) name this proxy serves',
    defaultText: '',
    parse: (text: string) => text,
  },
  identity: {
    flag: 'identity',
    env: 'MESH_PROXY_IDENTITY',
    valueName: 'name',
    description:
      "this workload's mesh identity, e.g. web.demo.serviceaccount.identity.mesh.cluster.local; turns on mTLS between proxies",
    parse: (text: string) => text,
  },
  identityAddr: {
    flag: 'identity-addr',
    env: 'MESH_PROXY_IDENTITY_ADDR',
    valueName: 'addr',
    description: "the identity service that issues this proxy's certificate (default: --control-plane)",
    parse: address,
  },
  identityTokenFile: {
    flag: 'identity-token-file',
    env: 'MESH_PROXY_IDENTITY_TOKEN_FILE',
    valueName: 'file',
    description: 'file holding the token that proves the identity (re-read for every renewal)',
    parse: (text: string) => text,
  },
  identityToken: {
    flag: 'identity-token',
    env: 'MESH_PROXY_IDENTITY_TOKEN',
    valueName: 'token',
    description:
      'the token itself (prefer the environment variable or a file: flags show up in process lists)',
    parse: (text: string) => text,
  },
  trustAnchors: {
    flag: 'trust-anchors',
    env: 'MESH_PROXY_TRUST_ANCHORS',
    valueName: 'file',
    description: "PEM file of the mesh's trust anchors, against which peers' certificates are verified",
    parse: (text: string) => text,
  },
  shutdownEndpoint: {
    flag: 'shutdown-endpoint',
    env: 'MESH_PROXY_SHUTDOWN_ENDPOINT',
    valueName: 'bool',
    description: 'enable POST /shutdown on the admin listener (loopback clients only)',
    defaultText: 'true',
    parse: bool,
  },
  transparent: {
    flag: 'transparent',
    env: 'MESH_PROXY_TRANSPARENT',
    valueName: 'bool',
    description:
      "transparent mode: iptables (meshctl proxy-init) redirects the pod's TCP here; inbound goes to 127.0.0.1:<original port>; outbound goes by HTTP authority, else by the original IP:port (needs the native addon)",
    defaultText: 'false',
    parse: bool,
  },
  tap: {
    flag: 'tap',
    env: 'MESH_PROXY_TAP',
    valueName: 'addr',
    description:
      'tap listener: gRPC Tap.Observe for the control plane (live request metadata); "off" disables it',
    defaultText: '0.0.0.0:4190',
    parse: (text: string, what: string): HostPort | undefined =>
      text.trim().toLowerCase() === 'off' ? undefined : address(text, what),
  },
} satisfies Record<string, SettingSpec<unknown>>;

export type ProxySettingKey = keyof typeof PROXY_SETTINGS;

/** Builds the proxy's configuration from parsed flags and the environment; throws UsageError on bad input. */
export function resolveProxyConfig(flags: SettingValues, env: NodeJS.ProcessEnv): ProxyConfig {
  const s = PROXY_SETTINGS;
  const app = resolveSetting(s.app, flags, env);
  const transparent = resolveSetting(s.transparent, flags, env) ?? false;
  const cfg: ProxyConfig = {
    app,
    // Transparent inbound delivers to each connection's original port, so it needs no --app.
    inbound: app === undefined && !transparent ? undefined : resolveSetting(s.inbound, flags, env),
    outbound: required(resolveSetting(s.outbound, flags, env), 'outbound'),
    admin: required(resolveSetting(s.admin, flags, env), 'admin'),
    endpointsFile: resolveSetting(s.endpoints, flags, env),
    logLevel: resolveSetting(s.logLevel, flags, env) ?? 'info',
    opaquePorts: resolveSetting(s.opaquePorts, flags, env) ?? new Set(),
    detectTimeoutMs: required(resolveSetting(s.detectTimeout, flags, env), 'detect-timeout'),
    connectTimeoutMs: required(resolveSetting(s.connectTimeout, flags, env), 'connect-timeout'),
    responseTimeoutMs: resolveSetting(s.responseTimeout, flags, env) ?? 0,
    drainTimeoutMs: required(resolveSetting(s.drainTimeout, flags, env), 'drain-timeout'),
    routeLimit: required(resolveSetting(s.routeLimit, flags, env), 'route-limit'),
    authorityLimit: required(resolveSetting(s.authorityLimit, flags, env), 'authority-limit'),
    forwards: resolveSetting(s.forward, flags, env) ?? [],
    shutdownEndpoint: resolveSetting(s.shutdownEndpoint, flags, env) ?? true,
    tap: resolveSetting(s.tap, flags, env),
    controlPlane: resolveSetting(s.controlPlane, flags, env),
    discoveryIdleTimeoutMs: required(
      resolveSetting(s.discoveryIdleTimeout, flags, env),
      'discovery-idle-timeout',
    ),
    namespace: resolveSetting(s.namespace, flags, env) ?? 'default',
    workload: resolveSetting(s.workload, flags, env) ?? '',
    pod: resolveSetting(s.pod, flags, env) ?? '',
    identity: resolveIdentity(flags, env),
    transparent,
  };
  if (cfg.detectTimeoutMs <= 0) {
    throw new UsageError('MESH_BAD_SETTING', 'detect-timeout must be greater than 0');
  }
  return cfg;
}

function resolveIdentity(flags: SettingValues, env: NodeJS.ProcessEnv): IdentityConfig | undefined {
  const s = PROXY_SETTINGS;
  const name = resolveSetting(s.identity, flags, env);
  if (name === undefined || name === '') return undefined;
  const address = resolveSetting(s.identityAddr, flags, env) ?? resolveSetting(s.controlPlane, flags, env);
  const tokenFile = resolveSetting(s.identityTokenFile, flags, env);
  const tokenValue = resolveSetting(s.identityToken, flags, env);
  const trustAnchorsFile = resolveSetting(s.trustAnchors, flags, env);
  const missing = [
    address === undefined ? '--identity-addr (or --control-plane)' : undefined,
    tokenFile === undefined && tokenValue === undefined
      ? '--identity-token-file (or MESH_PROXY_IDENTITY_TOKEN)'
      : undefined,
    trustAnchorsFile === undefined ? '--trust-anchors' : undefined,
  ].filter((m) => m !== undefined);
  if (address === undefined || trustAnchorsFile === undefined || missing.length > 0) {
    throw new UsageError(
      'MESH_MISSING_SETTING',
      `--identity ${name} also needs ${missing.join(', ')}`,
      'or leave out --identity to run without mTLS',
    );
  }
  return {
    name,
    address,
    token: tokenFile !== undefined ? { file: tokenFile } : { value: tokenValue ?? '' },
    trustAnchorsFile,
  };
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError('MESH_MISSING_SETTING', `--${flag} is required`);
  return value;
}
