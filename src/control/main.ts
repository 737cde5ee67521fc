// Process-level entry of `meshctl control`: settings, the back ends (a mesh file, or the Kubernetes API),
// the chosen components, signals. Back ends are made only when a chosen component needs them, so that
// `control identity` in a cluster needs no informers and `control injector` no registry at all.
import { type HostPort, parseHostPort } from '../common/address.js';
import { createLogger, type Logger } from '../common/logger.js';
import { UsageError } from '../common/errors.js';
import type { SettingValues } from '../common/settings.js';
import { loadIssuerDir } from '../identity/files.js';
import { type KubeAccess, loadKube } from '../k8s/client/kubeconfig.js';
import { resolveValues } from '../k8s/values.js';
import type { Component } from './component.js';
import {
  type ControlConfig,
  resolveControlConfig,
  CONTROL_COMPONENTS,
  type ComponentName,
} from './config.js';
import { createDestinationComponent } from './destination/service.js';
import { createIdentityComponent } from './identity/service.js';
import { TokenReviewValidator } from './identity/token-review.js';
import { RegistryTokenValidator, type TokenValidator } from './identity/tokens.js';
import { createInjectorComponent } from './injector/component.js';
import { createTapComponent } from './tap/component.js';
import { createMetricsService } from './metrics/service.js';
import { LocalRegistry } from './registry/local-registry.js';
import { KubernetesRegistry, registryComponent } from './registry/kubernetes/registry.js';
import type { MeshRegistry } from './registry/model.js';
import { startControlServer } from './server.js';

/** Where the injector listens when it shares the process with gRPC components and nothing else is said. */
const INJECTOR_SHARED_LISTEN = '127.0.0.1:8443';

/** The back ends, made on first use and closed at exit. */
class BackEnds {
  private registryValue: MeshRegistry | undefined;
  private kubeValue: KubeAccess | undefined;
  /** Extra components the back ends contribute (the Kubernetes registry's metrics and readiness). */
  readonly components: Component[] = [];

  constructor(
    readonly config: ControlConfig,
    private readonly logger: Logger,
  ) {}

  kube(): KubeAccess {
    this.kubeValue ??= loadKube({ kubeconfig: this.config.kubeconfig, context: this.config.kubeContext });
    return this.kubeValue;
  }

  registry(): MeshRegistry {
    if (this.registryValue !== undefined) return this.registryValue;
    const { config, logger } = this;
    if (config.registry === 'kubernetes') {
      const kube = this.kube();
      logger.info({ server: kube.server, source: kube.source }, 'watching the Kubernetes API');
      const registry = new KubernetesRegistry(kube.config, {
        settings: {
          controlPlaneNamespace: config.controlPlaneNamespace,
          clusterDomain: config.clusterDomain,
          trustDomain: config.trustDomain,
        },
        logger: logger.child({ component: 'registry' }),
      });
      this.components.push(registryComponent(registry));
      this.registryValue = registry;
      return registry;
    }
    if (config.meshFile === undefined) {
      throw new UsageError(
        'MESH_MISSING_SETTING',
        'no mesh file: pass --mesh-file FILE or set MESH_CONTROL_MESH_FILE',
        'the mesh file lists services, workloads and instances (`meshctl control --help` shows an example); in a cluster use --registry kubernetes',
      );
    }
    const file = config.meshFile;
    this.registryValue = new LocalRegistry(file, (err) =>
      logger.warn({ file, err: err.message }, 'mesh file change ignored'),
    );
    return this.registryValue;
  }

  close(): void {
    // The Kubernetes registry is closed as a component; the local one here.
    if (this.registryValue instanceof LocalRegistry) this.registryValue.close();
  }
}

type Factory = (b: BackEnds, logger: Logger, alone: boolean) => Component | Promise<Component>;

const FACTORIES: Partial<Record<ComponentName, Factory>> = {
  destination: (b, logger) =>
    createDestinationComponent(b.registry(), logger.child({ component: 'destination' })),
  identity: async (b, logger) => {
    const { config } = b;
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
    const tokens: TokenValidator =
      config.registry === 'kubernetes'
        ? new TokenReviewValidator(b.kube().config, {
            controlPlaneNamespace: config.controlPlaneNamespace,
            trustDomain: config.trustDomain,
          })
        : new RegistryTokenValidator(b.registry());
    return createIdentityComponent(issuer, tokens, logger.child({ component: 'identity' }));
  },
  tap: (b, logger) => createTapComponent(b.registry(), b.config, logger.child({ component: 'tap' })),
  injector: (b, logger, alone) => {
    const { config } = b;
    if (config.injectorTlsDir === undefined) {
      throw new UsageError(
        'MESH_MISSING_SETTING',
        'the injector needs --injector-tls-dir (or MESH_CONTROL_INJECTOR_TLS_DIR) with tls.crt and tls.key',
        'the API server only calls webhooks over HTTPS; `meshctl install` makes the certificate',
      );
    }
    const listen: HostPort =
      config.injectorListen ?? (alone ? config.listen : parseHostPort(INJECTOR_SHARED_LISTEN));
    return createInjectorComponent({
      listen,
      tlsDir: config.injectorTlsDir,
      valuesFile: config.injectorValues,
      values: () => resolveValues(),
      trustAnchorsFile: config.trustAnchors,
      kube: b.kube().config,
      logger: logger.child({ component: 'injector' }),
    });
  },
  metrics: (b, logger) => {
    const { config } = b;
    const m = createMetricsService({
      registry: b.registry(),
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
  if (FACTORIES[name] === undefined) return false;
  if (name === 'identity') return config.identityDir !== undefined;
  if (name === 'injector') return config.injectorTlsDir !== undefined;
  return true;
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
  const backEnds = new BackEnds(config, logger);
  const components: Component[] = [];
  // The injector alone takes --listen for its HTTPS webhook: there is no gRPC service to put there.
  const injectorAlone = wanted.length === 1 && wanted[0] === 'injector';
  try {
    for (const name of wanted) {
      const factory = FACTORIES[name];
      if (factory === undefined) {
        throw new UsageError(
          'MESH_UNAVAILABLE_COMPONENT',
          `component "${name}" is not available in this build`,
        );
      }
      components.push(await factory(backEnds, logger, injectorAlone));
    }
  } catch (err) {
    for (const c of [...components, ...backEnds.components]) await c.close().catch(() => undefined);
    backEnds.close();
    throw err;
  }
  const server = await startControlServer({
    listen: config.listen,
    admin: config.admin,
    components: [...components, ...backEnds.components],
    logger,
  });
  const onSignal = (signal: NodeJS.Signals): void => void server.shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await server.closed;
  backEnds.close();
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
