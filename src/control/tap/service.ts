// The control plane's TapAPI: validates a Watch (target, match, rate, header names), resolves the target in
// the registry and runs a TapWatch for it until the caller cancels. Parameters are logged quoted and
// bounded, never verbatim, so a crafted name cannot forge log lines.
import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../../common/errors.js';
import { quoteForLog } from '../../common/log-quote.js';
import type { Logger } from '../../common/logger.js';
import { matchProblem, redactedHeaderSet } from '../../api/tap-rules.js';
import {
  Match,
  TapAPIService,
  type TapAPIServer,
  type TapEvent,
  type WatchRequest,
} from '../../api/gen/tap.js';
import type { MeshRegistry } from '../registry/model.js';
import { TapClients, type Backoff } from './proxy-stream.js';
import { TargetError, resolveTarget, type TapTarget } from './resource.js';
import { TapWatch } from './watch.js';

export const DEFAULT_MAX_RPS = 100;
/** Far above what a terminal can show; a bound so one caller cannot ask every proxy for everything. */
export const MAX_MAX_RPS = 10_000;
/** Concurrent watches one control plane serves; more are refused with RESOURCE_EXHAUSTED. */
export const MAX_WATCHES = 256;

export interface TapServiceOptions {
  readonly registry: MeshRegistry;
  readonly logger: Logger;
  /** Namespace for targets that name none (default "default"). */
  readonly defaultNamespace?: string;
  /** Credentials for connections to proxies' tap listeners; plaintext when the control plane has no identity. */
  readonly proxyCredentials?: grpc.ChannelCredentials;
  /** With mTLS credentials: check that each proxy presents its instance's identity. */
  readonly verifyProxyIdentity?: boolean;
  /** Reconnect backoff towards proxies (tests shorten it). */
  readonly backoff?: Backoff;
}

export interface TapServiceStats {
  readonly openWatches: number;
  /** Proxy streams established, over all open watches. */
  readonly connectedProxies: number;
  /** Events received from proxies and forwarded to callers, over all open watches. */
  readonly eventsReceived: number;
  readonly eventsForwarded: number;
}

export interface TapApi {
  readonly definition: TapAPIService;
  readonly implementation: TapAPIServer;
  stats(): TapServiceStats;
  /** Ends every watch (UNAVAILABLE) and closes the connections to proxies. */
  close(): void;
}

type WatchCall = grpc.ServerWritableStream<WatchRequest, TapEvent>;

export function createTapService(options: TapServiceOptions): TapApi {
  const { registry, logger } = options;
  const clients = new TapClients(options.proxyCredentials);
  const watches = new Map<TapWatch, WatchCall>();

  const watch = (call: WatchCall): void => {
    const req = call.request;
    const peer = quoteForLog(call.getPeer());
    const t = req.target;
    const params = {
      peer,
      target: quoteForLog(t === undefined ? '' : `${t.type}/${t.namespace}/${t.name}`),
      match: quoteForLog(JSON.stringify(Match.toJSON(req.match ?? {})), 500),
      maxRps: req.maxRps,
      extractHeaders: req.extractHeaders,
    };
    if (watches.size >= MAX_WATCHES) {
      fail(call, grpc.status.RESOURCE_EXHAUSTED, `at most ${MAX_WATCHES} taps may be open`);
      return;
    }
    let target: TapTarget;
    let maxRps: number;
    try {
      maxRps = req.maxRps === 0 ? DEFAULT_MAX_RPS : req.maxRps;
      if (!Number.isFinite(maxRps) || maxRps < 0 || maxRps > MAX_MAX_RPS) {
        throw new TargetError(
          'INVALID_ARGUMENT',
          `max_rps: expected 0 (default ${DEFAULT_MAX_RPS}) to ${MAX_MAX_RPS}`,
        );
      }
      const problem = matchProblem(req.match);
      if (problem !== undefined) throw new TargetError('INVALID_ARGUMENT', problem);
      redactedHeaderSet(req.redactHeaders);
      target = resolveTarget(req.target, registry, options.defaultNamespace ?? 'default');
    } catch (err) {
      if (!(err instanceof TargetError || err instanceof RangeError)) throw err;
      const code =
        err instanceof TargetError && err.code === 'NOT_FOUND'
          ? grpc.status.NOT_FOUND
          : grpc.status.INVALID_ARGUMENT;
      logger.info({ ...params, err: quoteForLog(errorMessage(err)) }, 'tap refused');
      fail(call, code, err.message);
      return;
    }
    const w = new TapWatch(
      {
        registry,
        target,
        match: req.match,
        maxRps,
        extractHeaders: req.extractHeaders,
        redactHeaders: req.redactHeaders,
        clients,
        logger,
        verifyProxyIdentity: options.verifyProxyIdentity === true,
        ...(options.backoff ? { backoff: options.backoff } : {}),
      },
      {
        get buffered() {
          return call.writableLength;
        },
        write: (event) => void call.write(event),
      },
    );
    // The caller may have gone while the request was checked; its 'cancelled' event is then already past.
    if (call.cancelled) return;
    watches.set(w, call);
    logger.info(params, 'tap opened');
    call.sendMetadata(new grpc.Metadata());
    const stop = (): void => {
      if (!watches.delete(w)) return;
      w.close();
      logger.info(
        {
          peer,
          target: params.target,
          forwarded: w.eventsForwarded,
          droppedMaxRps: w.droppedMaxRps,
          droppedBackpressure: w.droppedBackpressure,
        },
        'tap closed',
      );
    };
    call.on('cancelled', stop);
    call.on('error', stop);
    call.on('close', stop);
    w.start();
  };

  return {
    definition: TapAPIService,
    implementation: { watch },
    stats: () => {
      let connectedProxies = 0;
      let eventsReceived = 0;
      let eventsForwarded = 0;
      for (const w of watches.keys()) {
        connectedProxies += w.connectedProxies;
        eventsReceived += w.eventsReceived;
        eventsForwarded += w.eventsForwarded;
      }
      return { openWatches: watches.size, connectedProxies, eventsReceived, eventsForwarded };
    },
    close: () => {
      for (const [w, call] of [...watches]) {
        watches.delete(w);
        w.close();
        fail(call, grpc.status.UNAVAILABLE, 'the tap service is shutting down');
      }
      clients.closeAll();
    },
  };
}

function fail(call: WatchCall, code: grpc.status, details: string): void {
  call.emit('error', Object.assign(new Error(details), { code, details }));
}
