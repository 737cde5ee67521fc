// The Metrics gRPC service: validates requests, asks the summaries for rows, and maps failures to gRPC
// statuses. createMetricsService is the factory the control-plane runner uses.
import { Metadata, status as GrpcStatus, type ServerErrorResponse } from '@grpc/grpc-js';
import type { Resource } from '../../api/gen/common.js';
import {
  MetricsService,
  type EdgesResponse,
  type MetricsServer,
  type RoutesResponse,
  type StatResponse,
} from '../../api/gen/metrics.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { MeshRegistry } from '../registry/model.js';
import type { MetricsBackend } from './backend.js';
import { computeEdges } from './edges.js';
import { EmbeddedBackend, type EmbeddedBackendOptions } from './embedded/embedded-backend.js';
import { badRequest, grpcStatusFor, MetricsApiError, notFound } from './errors.js';
import { PrometheusBackend } from './prometheus/prometheus-backend.js';
import {
  DEFAULT_NAMESPACE,
  describe,
  knownToRegistry,
  parseResource,
  type ResourceRef,
} from './resources.js';
import { computeRoutes } from './routes.js';
import { CallStats, renderComponentMetrics } from './self-metrics.js';
import { computeStat } from './stat.js';

export const MIN_WINDOW_MS = 10_000;
export const MAX_WINDOW_MS = 3_600_000;
export const DEFAULT_WINDOW_MS = 60_000;

export type BackendConfig =
  | ({ readonly type: 'embedded' } & EmbeddedBackendOptions)
  | { readonly type: 'prometheus'; readonly url: string; readonly timeoutMs?: number };

export interface MetricsServiceOptions {
  readonly registry: MeshRegistry;
  /** A back end to use, or how to make one (default: embedded, scraping every 2 s, 1 h of history). */
  readonly backend?: MetricsBackend | BackendConfig;
  /** The evaluation time of each query (default Date.now); tests pin it. */
  readonly now?: () => number;
  /** Where scrape targets going down and coming back are reported (embedded back end). */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface MetricsComponent {
  readonly definition: typeof MetricsService;
  readonly implementation: MetricsServer;
  readonly backend: MetricsBackend;
  /** The component's own metrics, Prometheus text, for the runner's admin /metrics. */
  metricsText(): string;
  /** Stops the back end (the embedded scraper, when there is one). */
  close(): Promise<void>;
}

function isBackend(b: MetricsBackend | BackendConfig): b is MetricsBackend {
  return typeof (b as MetricsBackend).sumIncrease === 'function';
}

export function createBackend(
  registry: MeshRegistry,
  config: BackendConfig,
  logger?: Pick<Logger, 'info' | 'warn'>,
): MetricsBackend {
  if (config.type === 'prometheus') {
    return new PrometheusBackend({
      url: config.url,
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    });
  }
  const { type: _type, ...options } = config;
  return new EmbeddedBackend(registry, options, {
    onTargetState: (t) => {
      const fields = { target: t.key, url: t.url, scrapes: t.scrapes };
      if (t.up) logger?.info(fields, 'metrics: scraping proxy');
      else logger?.warn({ ...fields, err: t.lastError }, 'metrics: scrape failed');
    },
  });
}

/** The window a request asks for, validated: 0 means one minute; otherwise 10 s … 1 h. */
export function parseWindow(windowMs: number): number {
  if (windowMs === 0) return DEFAULT_WINDOW_MS;
  if (!Number.isInteger(windowMs) || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
    throw badRequest(
      `window_ms: ${windowMs} is out of range; expected ${MIN_WINDOW_MS}…${MAX_WINDOW_MS} (10 s … 1 h), or 0 for 1 minute`,
    );
  }
  return windowMs;
}

/** A Resource message counts as absent when all its fields are empty (what a client sends for "unset"). */
function present(r: Resource | undefined): r is Resource {
  return r !== undefined && (r.type !== '' || r.name !== '' || r.namespace !== '');
}

function selectorOf(r: Resource | undefined, allNamespaces: boolean): ResourceRef {
  const ref = parseResource(r, 'selector', DEFAULT_NAMESPACE);
  return allNamespaces ? { ...ref, namespace: undefined } : ref;
}

function requireKnown(registry: MeshRegistry, ref: ResourceRef, field: string): void {
  // Authorities are checked against traffic too, after the query.
  if (ref.kind !== 'authority' && !knownToRegistry(registry, ref)) {
    throw notFound(`${field}: ${describe(ref)} not found`);
  }
}

function toServiceError(err: unknown): ServerErrorResponse {
  const code = grpcStatusFor(err);
  const metadata = new Metadata();
  if (err instanceof MetricsApiError) metadata.set('mesh-error-code', err.code);
  const message =
    code === GrpcStatus.INTERNAL && !(err instanceof MetricsApiError)
      ? `internal error: ${errorMessage(err)}`
      : errorMessage(err);
  return Object.assign(new Error(message), { code, details: message, metadata });
}

export function createMetricsService(options: MetricsServiceOptions): MetricsComponent {
  const { registry } = options;
  const config: MetricsBackend | BackendConfig = options.backend ?? { type: 'embedded' };
  const backend = isBackend(config) ? config : createBackend(registry, config, options.logger);
  const now = options.now ?? Date.now;
  const calls = new CallStats();

  // Runs one call: answers with the result or the mapped error, and counts it.
  function unary<Req, Res>(
    method: string,
    handler: (req: Req) => Promise<Res>,
  ): (call: { request: Req }, callback: (err: ServerErrorResponse | null, value?: Res) => void) => void {
    return (call, callback) => {
      const started = performance.now();
      handler(call.request).then(
        (res) => {
          calls.record(method, 'OK', performance.now() - started);
          callback(null, res);
        },
        (err: unknown) => {
          const e = toServiceError(err);
          calls.record(
            method,
            GrpcStatus[e.code ?? GrpcStatus.UNKNOWN] ?? 'UNKNOWN',
            performance.now() - started,
          );
          callback(e);
        },
      );
    };
  }

  const implementation: MetricsServer = {
    stat: unary('Stat', async (req): Promise<StatResponse> => {
      const windowMs = parseWindow(req.windowMs);
      const selector = selectorOf(req.selector, req.allNamespaces);
      if (present(req.from) && present(req.to)) {
        throw badRequest('from and to are exclusive: set at most one of them');
      }
      const ns = selector.namespace;
      const from = present(req.from) ? parseResource(req.from, 'from', ns) : undefined;
      const to = present(req.to) ? parseResource(req.to, 'to', ns) : undefined;
      requireKnown(registry, selector, 'selector');
      if (from) requireKnown(registry, from, 'from');
      if (to) requireKnown(registry, to, 'to');
      const rows = await computeStat(backend, registry, {
        selector,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        windowMs,
        atMs: now(),
      });
      return { rows, windowMs, source: backend.source };
    }),
    routes: unary('Routes', async (req): Promise<RoutesResponse> => {
      const windowMs = parseWindow(req.windowMs);
      const selector = selectorOf(req.selector, req.allNamespaces);
      const to = present(req.to) ? parseResource(req.to, 'to', selector.namespace) : undefined;
      requireKnown(registry, selector, 'selector');
      if (to) requireKnown(registry, to, 'to');
      const rows = await computeRoutes(backend, registry, {
        selector,
        ...(to ? { to } : {}),
        windowMs,
        atMs: now(),
      });
      return { rows, windowMs, source: backend.source };
    }),
    edges: unary('Edges', async (req): Promise<EdgesResponse> => {
      const selector = selectorOf(req.selector, req.allNamespaces);
      requireKnown(registry, selector, 'selector');
      return { edges: await computeEdges(backend, registry, { selector, atMs: now() }) };
    }),
  };

  return {
    definition: MetricsService,
    implementation,
    backend,
    metricsText() {
      return renderComponentMetrics({
        source: backend.source,
        calls,
        ...(backend instanceof EmbeddedBackend
          ? {
              targets: backend.scraper.targets(),
              scrapeDurations: backend.scraper.durations,
              store: backend.store,
            }
          : {}),
        ...(backend instanceof PrometheusBackend ? { prometheus: backend.stats } : {}),
      });
    },
    close: () => backend.close(),
  };
}
