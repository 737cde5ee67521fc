// The tap component as the control-plane runner sees it. When the control plane holds the mesh's issuer it
// gives itself the tap identity (tap.<cp-ns>), renewed like a proxy's, and taps proxies over mTLS, checking
// that each presents its instance's identity; proxies accept only that identity on their tap listeners.
import * as grpc from '@grpc/grpc-js';
import { MemoryCertificateProvider } from '../../common/grpc-certificates.js';
import type { Logger } from '../../common/logger.js';
import { loadIssuerDir, readTrustAnchors } from '../../identity/files.js';
import { createWorkloadKey, derToPem } from '../../identity/workload-key.js';
import type { Component } from '../component.js';
import type { ControlConfig } from '../config.js';
import { type MeshRegistry, workloadIdentity } from '../registry/model.js';
import { createTapService } from './service.js';

async function selfIssuedCredentials(
  registry: MeshRegistry,
  config: ControlConfig,
  identityDir: string,
  logger: Logger,
): Promise<{ credentials: grpc.ChannelCredentials; stop: () => void }> {
  const issuer = await loadIssuerDir(identityDir, {
    lifetimeMs: config.identityLifetimeMs,
    clockSkewMs: config.identityClockSkewMs,
  });
  const { controlPlaneNamespace: cpns, trustDomain } = registry.spec;
  const identity = workloadIdentity('tap', cpns, cpns, trustDomain);
  const provider = new MemoryCertificateProvider();
  provider.setCa(readTrustAnchors(identityDir));
  let timer: NodeJS.Timeout | undefined;
  const issue = async (): Promise<void> => {
    const key = await createWorkloadKey(identity);
    const leaf = await issuer.issue(key.csrDer, identity);
    provider.setIdentity(
      derToPem(leaf.leafDer) + leaf.intermediatesDer.map((d) => derToPem(d)).join(''),
      key.keyPem,
    );
    const renewIn = Math.max(1000, (leaf.validUntilMs - Date.now()) * 0.7);
    timer = setTimeout(
      () =>
        void issue().catch((err: unknown) =>
          logger.error({ err: String(err) }, 'tap certificate renewal failed'),
        ),
      renewIn,
    );
    timer.unref();
  };
  await issue();
  logger.info({ identity }, 'tap connects to proxies over mTLS');
  return {
    credentials: grpc.experimental.createCertificateProviderChannelCredentials(provider, provider),
    stop: () => clearTimeout(timer),
  };
}

export async function createTapComponent(
  registry: MeshRegistry,
  config: ControlConfig,
  logger: Logger,
): Promise<Component> {
  const secure =
    config.identityDir === undefined
      ? undefined
      : await selfIssuedCredentials(registry, config, config.identityDir, logger);
  if (secure === undefined) logger.warn('tap connects to proxies in plaintext: no --identity-dir');
  const api = createTapService({
    registry,
    logger,
    ...(secure ? { proxyCredentials: secure.credentials, verifyProxyIdentity: true } : {}),
  });
  return {
    name: 'tap',
    services: [
      { name: 'mesh.tap.v1.TapAPI', definition: api.definition, implementation: api.implementation },
    ],
    metrics: () => {
      const s = api.stats();
      return [
        '# TYPE tap_watches_open gauge',
        `tap_watches_open ${s.openWatches}`,
        '# TYPE tap_proxies_connected gauge',
        `tap_proxies_connected ${s.connectedProxies}`,
        '# TYPE tap_events_received_total counter',
        `tap_events_received_total ${s.eventsReceived}`,
        '# TYPE tap_events_forwarded_total counter',
        `tap_events_forwarded_total ${s.eventsForwarded}`,
        '',
      ].join('\n');
    },
    notReadyReason: () => undefined,
    async close() {
      secure?.stop();
      api.close();
    },
  };
}
