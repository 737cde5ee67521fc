// The proxy's tap listener: a gRPC server for Tap.Observe whose streams become subscriptions of the TapHub,
// plus metrics about tap itself. Plaintext for now; mesh mTLS, and serving only the control plane's tap
// identity, arrive with identity (issue 5) through `credentials` and `authorize`.
import * as grpc from '@grpc/grpc-js';
import { type HostPort, formatHostPort } from '../../common/address.js';
import { errorMessage } from '../../common/errors.js';
import { quoteForLog } from '../../common/log-quote.js';
import type { Logger } from '../../common/logger.js';
import { redactedHeaderSet } from '../../api/tap-rules.js';
import {
  Match,
  TapService,
  type ObserveRequest,
  type TapEvent,
  type TapServer as TapServerImpl,
} from '../../api/gen/tap.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { type PrometheusWriter, renderLabels } from '../metrics/prometheus-text.js';
import { TapHub } from './hub.js';
import { CompiledMatch, MatchError, type ProxyLabels } from './match.js';
import { Subscription, type EventSink } from './subscription.js';

/** Observe streams one proxy serves at once; more are refused with RESOURCE_EXHAUSTED. */
export const MAX_OPEN_TAPS = 64;
/** An ObserveRequest is a small message; a bigger one is not a tap request. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** How long shutdown waits for ended streams to flush before cutting connections. */
const SHUTDOWN_GRACE_MS = 1000;

export interface TapServerOptions {
  readonly logger: Logger;
  /** The proxy's labels (namespace, workload, pod) for event metadata and inbound label matches. */
  readonly labels: ProxyLabels;
  /** Where tap's own counters are exported; optional so tests can run the server alone. */
  readonly metrics?: ProxyMetrics;
  /** Transport security for the listener; plaintext until mesh identity exists. */
  readonly credentials?: grpc.ServerCredentials;
  /** Decides whether a caller may tap (e.g. by its mTLS identity); undefined lets everyone in. */
  readonly authorize?: (call: grpc.ServerWritableStream<ObserveRequest, TapEvent>) => boolean;
  readonly bufferLimit?: number;
}

export interface RunningTapServer {
  /** The hook the HTTP forwarders call. */
  readonly hook: TapHub;
  /** Binds the listener; resolves with the bound address (port 0 picks a free port). */
  listen(address: HostPort): Promise<HostPort>;
  /** Ends every open tap stream normally, then stops the server. */
  close(): Promise<void>;
}

type ObserveCall = grpc.ServerWritableStream<ObserveRequest, TapEvent>;

export function createTapServer(options: TapServerOptions): RunningTapServer {
  const { logger } = options;
  const hub = new TapHub(options.labels);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    // A control plane that vanished without closing its connection would otherwise keep its taps (and the
    // per-request match work) alive forever: keepalive pings find it and end its streams.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  });

  const observe = (call: ObserveCall): void => {
    if (options.authorize !== undefined && !options.authorize(call)) {
      fail(call, grpc.status.PERMISSION_DENIED, 'this client may not tap this proxy');
      return;
    }
    if (hub.open >= MAX_OPEN_TAPS) {
      fail(call, grpc.status.RESOURCE_EXHAUSTED, `at most ${MAX_OPEN_TAPS} taps may be open on one proxy`);
      return;
    }
    const req = call.request;
    let sub: Subscription;
    try {
      if (!Number.isFinite(req.maxRps) || req.maxRps < 0) throw new MatchError('max_rps: must be 0 or more');
      const sink: EventSink = {
        get buffered() {
          return call.writableLength;
        },
        write: (event) => void call.write(event),
        end: () => call.end(),
      };
      sub = new Subscription(
        {
          match: CompiledMatch.compile(req.match, options.labels),
          limit: req.limit,
          maxRps: req.maxRps,
          extractHeaders: req.extractHeaders,
          redacted: redactedHeaderSet(req.redactHeaders),
          ...(options.bufferLimit !== undefined ? { bufferLimit: options.bufferLimit } : {}),
        },
        sink,
        hub.stats,
        hub.clock(),
        (s) => hub.remove(s),
      );
    } catch (err) {
      if (!(err instanceof MatchError || err instanceof RangeError)) throw err;
      fail(call, grpc.status.INVALID_ARGUMENT, err.message);
      return;
    }
    const params = {
      peer: quoteForLog(call.getPeer()),
      limit: req.limit,
      maxRps: req.maxRps,
      extractHeaders: req.extractHeaders,
      match: quoteForLog(JSON.stringify(Match.toJSON(req.match ?? {})), 500),
    };
    // The caller may have gone while the request was checked; its 'cancelled' event is then already past.
    if (call.cancelled) return;
    logger.info(params, 'tap opened');
    // Headers now, so the caller knows the tap is in place before any event arrives.
    call.sendMetadata(new grpc.Metadata());
    hub.add(sub);
    const stop = (): void => {
      if (!sub.closed) logger.info({ peer: params.peer }, 'tap closed');
      sub.close(false);
    };
    call.on('cancelled', stop);
    call.on('error', stop);
    call.on('close', stop);
  };

  const impl: TapServerImpl = { observe };
  server.addService(TapService, impl);
  options.metrics?.addCollector((w) => writeTapMetrics(w, hub));

  return {
    hook: hub,
    listen: (address) =>
      new Promise((resolve, reject) => {
        server.bindAsync(
          formatHostPort(address),
          options.credentials ?? grpc.ServerCredentials.createInsecure(),
          (err, port) => (err ? reject(err) : resolve({ host: address.host, port })),
        );
      }),
    close: () =>
      new Promise<void>((resolve) => {
        hub.closeAll();
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        force.unref();
        server.tryShutdown((err) => {
          clearTimeout(force);
          if (err) logger.warn({ err: errorMessage(err) }, 'tap server shutdown');
          resolve();
        });
      }),
  };
}

function fail(call: ObserveCall, code: grpc.status, details: string): void {
  const err: Partial<grpc.StatusObject> & Error = Object.assign(new Error(details), { code, details });
  call.emit('error', err);
}

const MAX_RPS = renderLabels({ reason: 'max_rps' });
const BACKPRESSURE = renderLabels({ reason: 'backpressure' });

function writeTapMetrics(w: PrometheusWriter, hub: TapHub): void {
  const s = hub.stats;
  w.family('tap_streams_open', 'gauge', 'Tap.Observe streams open now');
  w.sample('tap_streams_open', '', hub.open);
  w.family('tap_streams_total', 'counter', 'Tap.Observe streams opened');
  w.sample('tap_streams_total', '', s.streamsOpened);
  w.family('tap_requests_reported_total', 'counter', 'Requests reported to a tap (summed over taps)');
  w.sample('tap_requests_reported_total', '', s.requestsReported);
  w.family('tap_events_emitted_total', 'counter', 'Tap events written to tap streams');
  w.sample('tap_events_emitted_total', '', s.eventsEmitted);
  w.family(
    'tap_requests_dropped_total',
    'counter',
    "Matching requests not reported: over the tap's max_rps, or its stream was not draining",
  );
  w.sample('tap_requests_dropped_total', MAX_RPS, s.droppedMaxRps);
  w.sample('tap_requests_dropped_total', BACKPRESSURE, s.droppedBackpressure);
  w.family('tap_events_dropped_total', 'counter', 'Events of reported requests lost to a full tap stream');
  w.sample('tap_events_dropped_total', '', s.eventsDropped);
  w.family('tap_errors_total', 'counter', 'Internal tap errors caught before they could affect a request');
  w.sample('tap_errors_total', '', s.errors);
}
