// `meshctl control` settings: flags with MESH_CONTROL_* environment twins, resolved into one ControlConfig.
import { type HostPort, parseHostPort } from '../common/address.js';
import { parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';
import { type LogLevel, parseLogLevel } from '../common/logger.js';
import { type SettingSpec, type SettingValues, resolveSetting } from '../common/settings.js';

export const CONTROL_COMPONENTS = ['destination', 'identity', 'tap', 'metrics', 'injector'] as const;
export type ComponentName = (typeof CONTROL_COMPONENTS)[number];

/** Where `meshctl` looks for the control plane when nothing else is said. */
export const DEFAULT_CONTROL_PLANE = '127.0.0.1:8086';

export const REGISTRIES = ['local', 'kubernetes'] as const;
export type RegistryKind = (typeof REGISTRIES)[number];

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function dnsSetting(pattern: RegExp, example: string) {
  return (t: string, what: string): string => {
    if (!pattern.test(t))
      throw new UsageError('MESH_BAD_SETTING', `invalid ${what} "${t}"`, `expected ${example}`);
    return t;
  };
}

export interface ControlConfig {
  readonly registry: RegistryKind;
  /** The local registry's file; only the local registry needs it. */
  readonly meshFile: string | undefined;
  /** Kubernetes: --kubeconfig / --context; neither means in-cluster (or $KUBECONFIG, ~/.kube/config). */
  readonly kubeconfig: string | undefined;
  readonly kubeContext: string | undefined;
  /** Kubernetes: the control plane's namespace, cluster DNS domain and identity trust domain. */
  readonly controlPlaneNamespace: string;
  readonly clusterDomain: string;
  readonly trustDomain: string;
  /** The injector's HTTPS listener; undefined = --listen when it runs alone, else 127.0.0.1:8443. */
  readonly injectorListen: HostPort | undefined;
  readonly injectorTlsDir: string | undefined;
  readonly injectorValues: string | undefined;
  readonly trustAnchors: string | undefined;
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly logLevel: LogLevel;
  readonly scrapeIntervalMs: number;
  readonly retentionMs: number;
  readonly prometheusUrl: string | undefined;
  /** Directory with ca.crt (trust anchors), issuer.crt and issuer.key; the identity component needs it. */
  readonly identityDir: string | undefined;
  readonly identityLifetimeMs: number;
  readonly identityClockSkewMs: number;
}

export const CONTROL_SETTINGS = {
  registry: {
    flag: 'registry',
    env: 'MESH_CONTROL_REGISTRY',
    valueName: 'kind',
    description:
      'where discovery and identity come from: local (a mesh file, bootstrap tokens) or kubernetes (Services, EndpointSlices, Pods; TokenReview)',
    defaultText: 'local',
    parse: (t: string, what: string): RegistryKind => {
      if (!(REGISTRIES as readonly string[]).includes(t)) {
        throw new UsageError(
          'MESH_BAD_SETTING',
          `invalid ${what} "${t}"`,
          `choose from: ${REGISTRIES.join(', ')}`,
        );
      }
      return t as RegistryKind;
    },
  },
  kubeconfig: {
    flag: 'kubeconfig',
    env: 'MESH_CONTROL_KUBECONFIG',
    valueName: 'file',
    description:
      'kubernetes: kubeconfig file; without it $KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount (never http://localhost:8080)',
    parse: (t: string) => t,
  },
  context: {
    flag: 'context',
    env: 'MESH_CONTROL_CONTEXT',
    valueName: 'name',
    description: 'kubernetes: kubeconfig context to use (default: its current-context)',
    parse: (t: string) => t,
  },
  controlPlaneNamespace: {
    flag: 'control-plane-namespace',
    env: 'MESH_CONTROL_NAMESPACE',
    valueName: 'ns',
    description: "kubernetes: the control plane's namespace (part of every workload identity)",
    defaultText: 'mesh',
    parse: dnsSetting(DNS_LABEL, 'a DNS label like mesh'),
  },
  clusterDomain: {
    flag: 'cluster-domain',
    env: 'MESH_CONTROL_CLUSTER_DOMAIN',
    valueName: 'domain',
    description: 'kubernetes: cluster DNS domain; services are <svc>.<ns>.svc.<domain>',
    defaultText: 'cluster.local',
    parse: dnsSetting(DNS_NAME, 'a DNS name like cluster.local'),
  },
  trustDomain: {
    flag: 'trust-domain',
    env: 'MESH_CONTROL_TRUST_DOMAIN',
    valueName: 'domain',
    description:
      'kubernetes: trust domain of workload identities <sa>.<ns>.serviceaccount.identity.<cp-ns>.<domain>',
    defaultText: 'cluster.local',
    parse: dnsSetting(DNS_NAME, 'a DNS name like cluster.local'),
  },
  injectorListen: {
    flag: 'injector-listen',
    env: 'MESH_CONTROL_INJECTOR_LISTEN',
    valueName: 'addr',
    description:
      'injector: HTTPS listener of the admission webhook (default: --listen when the injector runs alone, else 127.0.0.1:8443)',
    parse: (t: string, what: string) => parseHostPort(t, what),
  },
  injectorTlsDir: {
    flag: 'injector-tls-dir',
    env: 'MESH_CONTROL_INJECTOR_TLS_DIR',
    valueName: 'dir',
    description: "injector: directory with the webhook's tls.crt and tls.key (re-read when they change)",
    parse: (t: string) => t,
  },
  injectorValues: {
    flag: 'injector-values',
    env: 'MESH_CONTROL_INJECTOR_VALUES',
    valueName: 'file',
    description:
      "injector: the install's values.yaml (mesh-config ConfigMap) to inject with (default: built-in defaults)",
    parse: (t: string) => t,
  },
  trustAnchors: {
    flag: 'trust-anchors',
    env: 'MESH_CONTROL_TRUST_ANCHORS',
    valueName: 'file',
    description: 'injector: PEM trust anchors given to injected proxies',
    parse: (t: string) => t,
  },
  meshFile: {
    flag: 'mesh-file',
    env: 'MESH_CONTROL_MESH_FILE',
    valueName: 'file',
    description:
      'the local registry: a YAML file of services, workloads and instances; re-read when it changes',
    parse: (t: string) => t,
  },
  listen: {
    flag: 'listen',
    env: 'MESH_CONTROL_LISTEN',
    valueName: 'addr',
    description: 'gRPC listener serving every chosen component (and grpc.health.v1)',
    defaultText: DEFAULT_CONTROL_PLANE,
    parse: (t: string, what: string) => parseHostPort(t, what),
  },
  admin: {
    flag: 'admin',
    env: 'MESH_CONTROL_ADMIN',
    valueName: 'addr',
    description: 'admin listener: /metrics, /ready, /live',
    defaultText: '127.0.0.1:9990',
    parse: (t: string, what: string) => parseHostPort(t, what),
  },
  logLevel: {
    flag: 'log-level',
    env: 'MESH_CONTROL_LOG_LEVEL',
    valueName: 'level',
    description: 'log level (JSON lines on stderr)',
    defaultText: 'info',
    parse: parseLogLevel,
  },
  scrapeInterval: {
    flag: 'scrape-interval',
    env: 'MESH_CONTROL_SCRAPE_INTERVAL',
    valueName: 'duration',
    description: "metrics: how often each proxy's /metrics is scraped",
    defaultText: '2s',
    parse: (t: string, what: string) => parseDuration(t, what),
  },
  retention: {
    flag: 'retention',
    env: 'MESH_CONTROL_RETENTION',
    valueName: 'duration',
    description: 'metrics: how much history the embedded store keeps (memory stays bounded)',
    defaultText: '1h',
    parse: (t: string, what: string) => parseDuration(t, what),
  },
  prometheusUrl: {
    flag: 'prometheus-url',
    env: 'MESH_CONTROL_PROMETHEUS_URL',
    valueName: 'url',
    description: 'metrics: answer from this Prometheus server instead of the embedded store',
    parse: (t: string, what: string) => {
      if (!/^https?:\/\/[^/\s]+/.test(t))
        throw new UsageError('MESH_BAD_URL', `invalid ${what} "${t}"`, 'expected http://host:port');
      return t.replace(/\/+$/, '');
    },
  },
  identityDir: {
    flag: 'identity-dir',
    env: 'MESH_CONTROL_IDENTITY_DIR',
    valueName: 'dir',
    description:
      'identity: directory holding ca.crt, issuer.crt and issuer.key (make one with `meshctl identity create`)',
    parse: (t: string) => t,
  },
  identityLifetime: {
    flag: 'identity-lifetime',
    env: 'MESH_CONTROL_IDENTITY_LIFETIME',
    valueName: 'duration',
    description: 'identity: lifetime of the workload certificates it issues',
    defaultText: '24h',
    parse: (t: string, what: string) => parseDuration(t, what),
  },
  identityClockSkew: {
    flag: 'identity-clock-skew',
    env: 'MESH_CONTROL_IDENTITY_CLOCK_SKEW',
    valueName: 'duration',
    description: 'identity: how far back notBefore is set, for peers whose clocks run slightly behind',
    defaultText: '20s',
    parse: (t: string, what: string) => parseDuration(t, what),
  },
} satisfies Record<string, SettingSpec<unknown>>;

export function resolveControlConfig(flags: SettingValues, env: NodeJS.ProcessEnv): ControlConfig {
  const s = CONTROL_SETTINGS;
  const meshFile = resolveSetting(s.meshFile, flags, env);
  const scrapeIntervalMs = resolveSetting(s.scrapeInterval, flags, env) ?? 2000;
  const retentionMs = resolveSetting(s.retention, flags, env) ?? 3_600_000;
  if (scrapeIntervalMs < 100)
    throw new UsageError('MESH_BAD_SETTING', '--scrape-interval must be at least 100ms');
  if (retentionMs < 10_000) throw new UsageError('MESH_BAD_SETTING', '--retention must be at least 10s');
  return {
    registry: resolveSetting(s.registry, flags, env) ?? 'local',
    meshFile,
    kubeconfig: resolveSetting(s.kubeconfig, flags, env),
    kubeContext: resolveSetting(s.context, flags, env),
    controlPlaneNamespace: resolveSetting(s.controlPlaneNamespace, flags, env) ?? 'mesh',
    clusterDomain: resolveSetting(s.clusterDomain, flags, env) ?? 'cluster.local',
    trustDomain: resolveSetting(s.trustDomain, flags, env) ?? 'cluster.local',
    injectorListen: resolveSetting(s.injectorListen, flags, env),
    injectorTlsDir: resolveSetting(s.injectorTlsDir, flags, env),
    injectorValues: resolveSetting(s.injectorValues, flags, env),
    trustAnchors: resolveSetting(s.trustAnchors, flags, env),
    listen: resolveSetting(s.listen, flags, env) ?? parseHostPort(DEFAULT_CONTROL_PLANE),
    admin: resolveSetting(s.admin, flags, env) ?? parseHostPort('127.0.0.1:9990'),
    logLevel: resolveSetting(s.logLevel, flags, env) ?? 'info',
    scrapeIntervalMs,
    retentionMs,
    prometheusUrl: resolveSetting(s.prometheusUrl, flags, env),
    identityDir: resolveSetting(s.identityDir, flags, env),
    identityLifetimeMs: resolveSetting(s.identityLifetime, flags, env) ?? 86_400_000,
    identityClockSkewMs: resolveSetting(s.identityClockSkew, flags, env) ?? 20_000,
  };
}
