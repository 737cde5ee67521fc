// `meshctl control` settings: flags with MESH_CONTROL_* environment twins, resolved into one ControlConfig.
import { type HostPort, parseHostPort } from '../common/address.js';
import { parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';
import { type LogLevel, parseLogLevel } from '../common/logger.js';
import { type SettingSpec, type SettingValues, resolveSetting } from '../common/settings.js';

export const CONTROL_COMPONENTS = ['destination', 'identity', 'tap', 'metrics'] as const;
export type ComponentName = (typeof CONTROL_COMPONENTS)[number];

/** Where `meshctl` looks for the control plane when nothing else is said. */
export const DEFAULT_CONTROL_PLANE = '127.0.0.1:8086';

export interface ControlConfig {
  readonly meshFile: string;
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
  if (meshFile === undefined) {
    throw new UsageError(
      'MESH_MISSING_SETTING',
      'no mesh file: pass --mesh-file FILE or set MESH_CONTROL_MESH_FILE',
      'the mesh file lists services, workloads and instances; `meshctl control --help` shows an example',
    );
  }
  const scrapeIntervalMs = resolveSetting(s.scrapeInterval, flags, env) ?? 2000;
  const retentionMs = resolveSetting(s.retention, flags, env) ?? 3_600_000;
  if (scrapeIntervalMs < 100)
    throw new UsageError('MESH_BAD_SETTING', '--scrape-interval must be at least 100ms');
  if (retentionMs < 10_000) throw new UsageError('MESH_BAD_SETTING', '--retention must be at least 10s');
  return {
    meshFile,
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
