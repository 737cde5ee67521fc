// Process-level entry of `meshctl control`: settings, the registry back end, the chosen components, signals.
import { createLogger } from '../common/logger.js';
import { UsageError } from '../common/errors.js';
import type { SettingValues } from '../common/settings.js';
import type { Component } from './component.js';
import {
  type ControlConfig,
  resolveControlConfig,
  CONTROL_COMPONENTS,
  type ComponentName,
} from './config.js';
import { createDestinationComponent } from './destination/service.js';
import { LocalRegistry } from './registry/local-registry.js';
import type { MeshRegistry } from './registry/model.js';
import type { Logger } from '../common/logger.js';
import { startControlServer } from './server.js';

type Factory = (registry: MeshRegistry, config: ControlConfig, logger: Logger) => Component;

const FACTORIES: Partial<Record<ComponentName, Factory>> = {
  destination: (registry, _config, logger) =>
    createDestinationComponent(registry, logger.child({ component: 'destination' })),
};

export async function runControl(
  names: readonly string[],
  flags: SettingValues,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const config = resolveControlConfig(flags, env);
  const wanted = resolveComponents(names);
  const logger = createLogger('control', config.logLevel);
  const registry = new LocalRegistry(config.meshFile, (err) =>
    logger.warn({ file: config.meshFile, err: err.message }, 'mesh file change ignored'),
  );
  const components = wanted.map((name) => {
    const factory = FACTORIES[name];
    if (factory === undefined)
      throw new UsageError(
        'MESH_UNAVAILABLE_COMPONENT',
        `component "${name}" is not available in this build`,
      );
    return factory(registry, config, logger);
  });
  const server = await startControlServer({ listen: config.listen, admin: config.admin, components, logger });
  const onSignal = (signal: NodeJS.Signals): void => void server.shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await server.closed;
  registry.close();
  logger.flush();
  setImmediate(() => process.exit(0));
}

function resolveComponents(names: readonly string[]): ComponentName[] {
  if (names.length === 0 || names.includes('all')) {
    return CONTROL_COMPONENTS.filter((n) => FACTORIES[n] !== undefined);
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
