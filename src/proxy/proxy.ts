// Assembles a running proxy from its config: metrics, discovery, the inbound/outbound/forward listeners and
// the admin server; and takes it down again, draining in-flight work first.
import { performance } from 'node:perf_hooks';
import { type HostPort, formatHostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { errorMessage } from '../common/errors.js';
import { ProxyListener } from './accept/listener.js';
import { createAdminServer, listenAdmin } from './admin/server.js';
import type { Clock } from './balance/peak-ewma.js';
import { createRandom } from './balance/random.js';
import type { ProxyConfig } from './config.js';
import { watchEndpointFile } from './discovery/static-endpoints.js';
import { Endpoint } from './endpoint/endpoint.js';
import { FixedPicker } from './endpoint/picker.js';
import type { HttpContext, RequestRouter } from './http/context.js';
import { H1Listener } from './http/h1-server.js';
import { H2Listener } from './http/h2-server.js';
import { ProxyMetrics, type Direction } from './metrics/proxy-metrics.js';
import { ServiceDirectory } from './outbound/directory.js';
import type { ProxyIdentity } from './identity/client.js';
import type { MeshTlsServer } from './accept/listener.js';
import { renderLabels } from './metrics/prometheus-text.js';
import { readTrustAnchorsFile } from './identity/trust-anchors.js';
import type { DestinationDiscovery } from './discovery/destination-client.js';
import { NO_TAP, type TapHook } from './tap/hook.js';
import { proxyLabels } from './tap/identity.js';
import type { RunningTapServer } from './tap/server.js';
import type { TransparentListening } from './accept/listener.js';
import { AppPorts } from './inbound/app-ports.js';
import { OriginalDstRouter } from './outbound/original-dst-router.js';
import { loadOriginalDst, type OriginalDstResult } from './original-dst.js';

/** Connect attempts per request across endpoints (the first try and up to two failovers). */
const MAX_CONNECT_ATTEMPTS = 3;
/** How long a request for a new authority waits for the control plane before deciding without it. */
const FIRST_ANSWER_TIMEOUT_MS = 3000;

export interface RunningProxy {
  readonly inbound: HostPort | undefined;
  readonly outbound: HostPort;
  readonly admin: HostPort;
  readonly forwards: readonly HostPort[];
  /** The tap listener; undefined when tap is off. */
  readonly tap: HostPort | undefined;
  /** Stops accepting, lets in-flight work finish within the drain timeout, then closes everything. */
  shutdown(reason: string): Promise<void>;
  /** Resolves once shutdown has completed. */
  readonly closed: Promise<void>;
}

const clock: Clock = { now: () => performance.now() };
const random = createRandom();

export async function startProxy(config: ProxyConfig, logger: Logger): Promise<RunningProxy> {
  const metrics = new ProxyMetrics({ authorityLimit: config.authorityLimit, routeLimit: config.routeLimit });
  let draining = false;
  const isDraining = (): boolean => draining;

  // Identity, tap and the Destination client (gRPC, X.509) are imported only when configured: a proxy
  // without them does not carry their modules in memory.
  let identity: ProxyIdentity | undefined;
  if (config.identity !== undefined) {
    const trustAnchorsPem = readTrustAnchorsFile(config.identity.trustAnchorsFile);
    const { ProxyIdentity } = await import('./identity/client.js');
    identity = new ProxyIdentity({
      identity: config.identity.name,
      address: config.identity.address,
      token: config.identity.token,
      trustAnchorsPem,
      logger,
      random,
    });
    const id = identity;
    metrics.addCollector((w) => id.collect(w));
    identity.start();
  }
  // Tap: until an Observe stream is open, requests pay one field read for it; with --tap off, nothing.
  let tapServer: RunningTapServer | undefined;
  if (config.tap !== undefined) {
    const [{ createTapServer }, { tapSecurity }] = await Promise.all([
      import('./tap/server.js'),
      import('./tap/security.js'),
    ]);
    tapServer = createTapServer({
      logger,
      metrics,
      labels: proxyLabels(config),
      ...tapSecurity(identity, logger),
    });
  }
  const tap: TapHook = tapServer?.hook ?? NO_TAP;
  const refusals = new Map<string, number>();
  metrics.addCollector((w) => {
    if (refusals.size === 0) return;
    w.family(
      'inbound_tls_refused_total',
      'counter',
      'Mesh TLS handshakes refused on the inbound side, by reason.',
    );
    for (const [reason, n] of refusals) w.sample('inbound_tls_refused_total', renderLabels({ reason }), n);
  });

  const endpointDeps = (direction: Direction) => ({
    direction,
    metrics,
    connectTimeoutMs: config.connectTimeoutMs,
    clock,
    random,
    // Outbound: meshed endpoints are reached over mTLS when this proxy has an identity.
    identity: direction === 'outbound' ? identity : undefined,
  });
  const directory = new ServiceDirectory(endpointDeps('outbound'), clock, logger, config.transparent);
  const transparent = config.transparent ? transparentListening(config, metrics, logger) : undefined;

  let stopWatching: (() => void) | undefined;
  if (config.endpointsFile !== undefined) {
    stopWatching = watchEndpointFile(
      config.endpointsFile,
      (map) => {
        for (const authority of directory.staticAuthorities()) {
          if (!map.has(authority)) directory.setStaticEndpoints(authority, undefined);
        }
        for (const [authority, addrs] of map) {
          directory.setStaticEndpoints(
            authority,
            addrs.map((address) => ({ address })),
          );
        }
        logger.info({ file: config.endpointsFile, authorities: map.size }, 'static endpoints loaded');
      },
      (err) => logger.warn({ file: config.endpointsFile, err: err.message }, 'endpoints file change ignored'),
    );
  }

  let discovery: DestinationDiscovery | undefined;
  if (config.controlPlane !== undefined) {
    const { DestinationDiscovery } = await import('./discovery/destination-client.js');
    discovery = new DestinationDiscovery({
      controlPlane: config.controlPlane,
      contextToken: JSON.stringify({ ns: config.namespace, workload: config.workload, pod: config.pod }),
      idleTimeoutMs: config.discoveryIdleTimeoutMs,
      firstAnswerTimeoutMs: FIRST_ANSWER_TIMEOUT_MS,
      directory,
      logger,
      clock,
      random,
    });
    directory.useDiscovery(discovery);
    const d = discovery;
    metrics.addCollector((w) => d.collect(w));
  }

  const makeContext = (direction: Direction, router: RequestRouter): HttpContext => ({
    direction,
    metrics,
    router,
    logger,
    responseTimeoutMs: config.responseTimeoutMs,
    maxConnectAttempts: MAX_CONNECT_ATTEMPTS,
    draining: isDraining,
    tap,
  });

  const listeners: ProxyListener[] = [];
  const httpListeners: (H1Listener | H2Listener)[] = [];
  const build = (
    name: string,
    address: HostPort,
    direction: Direction,
    router: RequestRouter,
    opaque: boolean,
    opaqueTarget: ReturnType<typeof opaqueFor>,
    meshTls?: MeshTlsServer,
    transparentListening?: TransparentListening,
  ): ProxyListener => {
    const ctx = makeContext(direction, router);
    const h1 = new H1Listener(ctx);
    const h2 = new H2Listener(ctx);
    httpListeners.push(h1, h2);
    const l = new ProxyListener({
      name,
      address,
      direction,
      metrics,
      logger,
      h1,
      h2,
      detectTimeoutMs: config.detectTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      maxConnectAttempts: MAX_CONNECT_ATTEMPTS,
      opaque,
      opaqueTarget,
      meshTls,
      transparent: transparentListening,
    });
    listeners.push(l);
    return l;
  };
  const opaqueFor = (authority: string | undefined) => (_target?: HostPort) =>
    authority === undefined ? undefined : directory.picker(authority);

  // Inbound: everything goes to the local app (transparent mode: to the app port it was addressed to).
  let inboundListener: ProxyListener | undefined;
  let appEndpoint: Endpoint | undefined;
  let appPorts: AppPorts | undefined;
  if (config.inbound !== undefined && (config.app !== undefined || transparent !== undefined)) {
    let appPicker: FixedPicker | undefined;
    if (config.app !== undefined) {
      appEndpoint = new Endpoint(config.app, endpointDeps('inbound'));
      appPicker = new FixedPicker(formatHostPort(config.app), appEndpoint);
    }
    const ownPorts = new Set(
      [config.inbound, config.outbound, config.admin, config.tap].map((a) => a?.port ?? 0),
    );
    const ports = transparent && new AppPorts(endpointDeps('inbound'), appPicker, ownPorts);
    appPorts = ports;
    // Not transparent: there is an --app (or no inbound listener at all).
    const inboundRouter: RequestRouter = ports ?? { route: () => appPicker as FixedPicker };
    const meshTls: MeshTlsServer | undefined =
      identity === undefined
        ? undefined
        : {
            identity,
            refused(reason, peer) {
              const key = reason.replace(/[^\w .:-]/g, '').slice(0, 64);
              refusals.set(key, (refusals.get(key) ?? 0) + 1);
              logger.warn({ peerIdentity: peer ?? null, reason }, 'refused a mesh TLS connection');
            },
          };
    inboundListener = build(
      'inbound',
      config.inbound,
      'inbound',
      inboundRouter,
      config.app !== undefined && config.opaquePorts.has(config.app.port),
      (target) => (ports ? ports.pickerFor(target) : appPicker),
      meshTls,
      transparent?.('inbound'),
    );
  }
  // Outbound: routed by authority through discovery; in transparent mode, connections without an HTTP
  // authority are routed by their original IP:port (discovered, so meshed pods get mTLS; else dialled).
  const outboundListener = build(
    'outbound',
    config.outbound,
    'outbound',
    transparent ? new OriginalDstRouter(directory) : directory,
    false,
    transparent
      ? (target) => (target === undefined ? undefined : directory.picker(formatHostPort(target)))
      : opaqueFor(undefined),
    undefined,
    transparent?.('outbound'),
  );
  // Forward listeners: every connection belongs to one authority.
  const forwardListeners = config.forwards.map((f) => {
    const router: RequestRouter = { route: () => directory.route(f.authority) };
    const port = Number(f.authority.slice(f.authority.lastIndexOf(':') + 1));
    return build(
      `forward ${f.authority}`,
      f.listen,
      'outbound',
      router,
      config.opaquePorts.has(port),
      opaqueFor(f.authority),
    );
  });

  let shutdownStarted: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const admin = createAdminServer({
    metrics: () => metrics.render(),
    notReadyReason: () => {
      if (draining) return 'draining';
      if (identity !== undefined && !identity.ready) {
        return `waiting for a certificate from the identity service at ${formatHostPort(identity.options.address)}`;
      }
      return undefined;
    },
    shutdownEnabled: config.shutdownEndpoint,
    shutdown: () => void shutdown('admin /shutdown'),
    debug: () => ({ outbound: directory.snapshot(), discovery: discovery?.snapshot() ?? null, draining }),
  });

  // With an identity, the inbound listener opens only once there is a certificate: until then peers get a
  // quick connection refusal (and retry elsewhere) rather than a handshake this proxy would have to refuse.
  const deferInbound = identity !== undefined && inboundListener !== undefined;
  const bound: HostPort[] = [];
  try {
    for (const l of listeners) {
      bound.push(deferInbound && l === inboundListener ? (config.inbound as HostPort) : await l.listen());
    }
  } catch (err) {
    for (const l of listeners) l.stopAccepting();
    stopWatching?.();
    throw err;
  }
  if (deferInbound && identity !== undefined && inboundListener !== undefined) {
    const inbound = inboundListener;
    let opened = false;
    identity.onRotate(() => {
      if (opened || draining) return;
      opened = true;
      inbound.listen().then(
        (addr) =>
          logger.info({ inbound: formatHostPort(addr) }, 'inbound listener open: certificate obtained'),
        (err: unknown) => {
          logger.fatal({ err: errorMessage(err) }, 'cannot open the inbound listener');
          void shutdown('inbound listener failed');
        },
      );
    });
  }
  const adminAddr = await listenAdmin(admin, config.admin);
  const tapAddr = config.tap && (await tapServer?.listen(config.tap));

  const inboundAddr = inboundListener ? bound[listeners.indexOf(inboundListener)] : undefined;
  const outboundAddr = bound[listeners.indexOf(outboundListener)] as HostPort;
  const forwardAddrs = forwardListeners.map((l) => bound[listeners.indexOf(l)] as HostPort);
  logger.info(
    {
      inbound: inboundAddr && formatHostPort(inboundAddr),
      outbound: formatHostPort(outboundAddr),
      admin: formatHostPort(adminAddr),
      app: config.app && formatHostPort(config.app),
      forwards: forwardAddrs.map(formatHostPort),
      tap: tapAddr && formatHostPort(tapAddr),
      transparent: config.transparent,
    },
    'proxy started',
  );

  async function drainAll(deadline: number): Promise<void> {
    for (const h of httpListeners) h.drain();
    while (performance.now() < deadline) {
      const open = listeners.reduce((n, l) => n + l.openConnections(), 0);
      if (open === 0) return;
      for (const h of httpListeners) h.drain();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function shutdown(reason: string): Promise<void> {
    shutdownStarted ??= (async () => {
      draining = true;
      logger.info({ reason, drainTimeoutMs: config.drainTimeoutMs }, 'draining');
      const deadline = performance.now() + config.drainTimeoutMs;
      for (const l of listeners) l.stopAccepting();
      await drainAll(deadline);
      const left = listeners.reduce((n, l) => n + l.openConnections(), 0);
      if (left > 0) logger.warn({ connections: left }, 'drain timeout: closing remaining connections');
      for (const h of httpListeners) h.closeAll();
      for (const l of listeners) l.destroyAll();
      stopWatching?.();
      discovery?.close();
      identity?.close();
      directory.destroy();
      appEndpoint?.destroy();
      appPorts?.destroy();
      await tapServer?.close();
      admin.closeAllConnections();
      await new Promise<void>((r) => admin.close(() => r()));
      logger.info('proxy stopped');
      resolveClosed();
    })().catch((err: unknown) => {
      logger.error({ err: errorMessage(err) }, 'shutdown failed');
      resolveClosed();
    });
    return shutdownStarted;
  }

  return {
    inbound: inboundAddr,
    outbound: outboundAddr,
    admin: adminAddr,
    forwards: forwardAddrs,
    tap: tapAddr,
    shutdown,
    closed,
  };
}

/**
 * The original-destination layer for transparent mode, per direction. Without the native addon the proxy
 * still runs, but says at startup what it cannot do (and counts every connection it could not place).
 */
function transparentListening(
  config: ProxyConfig,
  metrics: ProxyMetrics,
  logger: Logger,
): (direction: Direction) => TransparentListening {
  const originalDst = loadOriginalDst();
  if (!originalDst.available) {
    logger.error(
      { reason: originalDst.unavailableReason },
      `transparent mode without original destinations: inbound goes to ${config.app ? formatHostPort(config.app) : 'nowhere (no --app)'}, outbound is routed by HTTP authority only`,
    );
  }
  const counts = new Map<string, number>();
  metrics.addCollector((w) => {
    w.family(
      'original_dst_total',
      'counter',
      'Connections accepted in transparent mode, by whether their original destination was recovered (redirected), was the listener itself (direct) or is unknown (failed).',
    );
    for (const [labels, n] of counts) w.sample('original_dst_total', labels, n);
  });
  return (direction) => {
    const keys = Object.fromEntries(
      (['redirected', 'direct', 'failed'] as const).map((result) => {
        const labels = renderLabels({ direction, result });
        counts.set(labels, 0);
        return [result, labels];
      }),
    ) as Record<OriginalDstResult['kind'], string>;
    return {
      originalDst(socket) {
        const found = originalDst.lookup(socket);
        const key = keys[found.kind];
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (found.kind === 'failed')
          logger.debug({ direction, reason: found.reason }, 'original destination unknown');
        return found.kind === 'redirected' ? found.target : undefined;
      },
      opaquePorts: config.opaquePorts,
    };
  };
}
