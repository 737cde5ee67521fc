// Process-level entry of `meshctl control`: settings, the registry back end, the chosen components, signals.
import { createLogger, type Logger } from '../common/logger.js';
import { UsageError } from '../common/errors.js';
import type { SettingValues } from '../common/settings.js';
import { loadIssuerDir } from '../identity/files.js';
import type { Component } from './component.js';
import {
  type ControlConfig,
  resolveControlConfig,
  CONTROL_COMPONENTS,
  type ComponentName,
} from './config.js';
import { createDestinationComponent } from './destination/service.js';
import { createIdentityComponent } from './identity/service.js';
import { RegistryTokenValidator } from './identity/tokens.js';
import { createTapComponent } from './tap/component.js';
import { createMetricsService } from './metrics/service.js';
import { LocalRegistry } from './registry/local-registry.js';
import type { MeshRegistry } from './registry/model.js';
import { startControlServer } from './server.js';

type Factory = (
  registry: MeshRegistry,
  config: ControlConfig,
  logger: Logger,
) => Component | Promise<Component>;

const FACTORIES: Partial<Record<ComponentName, Factory>> = {
  destination: (registry, _config, logger) =>
    createDestinationComponent(registry, logger.child({ component: 'destination' })),
  identity: async (registry, config, logger) => {
    if (config.identityDir === undefined) {
      throw new UsageError(
        'MESH_MISSING_SETTING',
        'the identity component needs --identity-dir (or MESH_CONTROL_IDENTITY_DIR)',
        'create one with `meshctl identity create --out DIR`',
      );
    }
    const issuer = await loadIssuerDir(config.identityDir, {
      lifetimeMs: config.identityLifetimeMs,
      clockSkewMs: config.identityClockSkewMs,
    });
    return createIdentityComponent(
      issuer,
      new RegistryTokenValidator(registry),
      logger.child({ component: 'identity' }),
    );
  },
  tap: (registry, config, logger) => createTapComponent(registry, config, logger.child({ component: 'tap' })),
  metrics: (registry, config, logger) => {
    const m = createMetricsService({
      registry,
      logger: logger.child({ component: 'metrics' }),
      backend:
        config.prometheusUrl !== undefined
          ? { type: 'prometheus', url: config.prometheusUrl }
          : { type: 'embedded', intervalMs: config.scrapeIntervalMs, retentionMs: config.retentionMs },
    });
    return {
      name: 'metrics',
      services: [
        { name: 'mesh.metrics.v1.Metrics', definition: m.definition, implementation: m.implementation },
      ],
      metrics: () => m.metricsText(),
      notReadyReason: () => undefined,
      close: () => m.close(),
    };
  },
};

/** Components `all` runs only when what they need was given. */
function available(name: ComponentName, config: ControlConfig): boolean {
  return FACTORIES[name] !== undefined && (name !== 'identity' || config.identityDir !== undefined);
}

export async function runControl(
  names: readonly string[],
  flags: SettingValues,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const config = resolveControlConfig(flags, env);
  const all = names.length === 0 || names.includes('all');
  const wanted = resolveComponents(names, config);
  const logger = createLogger('control', config.logLevel);
  if (all && config.identityDir === undefined) {
    logger.warn('identity is not running: pass --identity-dir to issue workload certificates (mTLS)');
  }
  const registry = new LocalRegistry(config.meshFile, (err) =>
    logger.warn({ file: config.meshFile, err: err.message }, 'mesh file change ignored'),
  );
  const components: Component[] = [];
  for (const name of wanted) {
    const factory = FACTORIES[name];
    if (factory === undefined) {
      throw new UsageError(
        'MESH_UNAVAILABLE_COMPONENT',
        `component "${name}" is not available in this build`,
      );
    }
    components.push(await factory(registry, config, logger));
  }
  const server = await startControlServer({ listen: config.listen, admin: config.admin, components, logger });
  const onSignal = (signal: NodeJS.Signals): void => void server.shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await server.closed;
  registry.close();
  logger.flush();
  setImmediate(() => process.exit(0));
}

function resolveComponents(names: readonly string[], config: ControlConfig): ComponentName[] {
  if (names.length === 0 || names.includes('all')) {
    return CONTROL_COMPONENTS.filter((n) => available(n, config));
  }
  for (const n of names) {
    if (!(CONTROL_COMPONENTS as readonly string[]).includes(n)) {
      throw new UsageError(
        'MESH_UNKNOWN_COMPONENT',
        `unknown component "${n}"`,
        `choose from: ${CONTROL_COMPONENTS.join(', ')}, all`,
      );
    }
  }
  return [...new Set(names)] as ComponentName[];
}
