// TapSource over the control plane's TapAPI.Watch stream: builds the match for a query and turns each
// wire TapEvent into a TapRecord. Closing a subscription cancels the call; that cancel is not an error.
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { ProxyDirection, TapAPIClient, type Match, type TapEvent, type StreamId } from '../../api/gen/tap.js';
import type { TcpAddress } from '../../api/gen/common.js';
import type { ResourceRef, TapDirection, TapRecord } from '../model.js';
import { toWireResource } from './grpc-stats.js';
import { controlPlaneError } from './errors.js';
import type { TapHandlers, TapQuery, TapSource, TapSubscription } from './source.js';

export class GrpcTapSource implements TapSource {
  private readonly client: TapAPIClient;
  private readonly address: string;

  constructor(options: { readonly address: string }) {
    this.address = options.address;
    this.client = new TapAPIClient(options.address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  watch(query: TapQuery, handlers: TapHandlers): TapSubscription {
    const call: ClientReadableStream<TapEvent> = this.client.watch({
      target: toWireResource(query.target),
      match: tapMatch(query),
      maxRps: query.maxRps,
      extractHeaders: false,
      redactHeaders: [],
    });
    let finished = false;
    const finish = (report: () => void): void => {
      if (finished) return;
      finished = true;
      report();
    };
    call.on('metadata', () => {
      if (!finished) handlers.opened();
    });
    call.on('data', (event: TapEvent) => {
      if (finished) return;
      const record = toTapRecord(event);
      if (record) handlers.record(record);
    });
    // Our own cancel (close) has already set `finished`; any other error, CANCELLED from a server going away
    // included, is a failure the caller retries.
    call.on('error', (err: unknown) =>
      finish(() => handlers.failed(controlPlaneError(err, this.address, 'tap'))),
    );
    call.on('end', () => finish(() => handlers.ended()));
    return {
      close: () => {
        finish(() => undefined);
        call.cancel();
      },
    };
  }

  close(): void {
    this.client.close();
  }
}

/** The match for a query: requests to `to` (by destination labels) and with the route label, when given. */
export function tapMatch(query: TapQuery): Match | undefined {
  const terms: Match[] = [];
  if (query.to) terms.push(...destinationTerms(query.to));
  if (query.route !== undefined) terms.push({ http: { route: query.route } });
  if (terms.length === 0) return undefined;
  if (terms.length === 1) return terms[0];
  return { all: { matches: terms } };
}

function destinationTerms(to: ResourceRef): Match[] {
  const label = (key: string, value: string): Match => ({ destinationLabel: { key, value } });
  switch (to.type) {
    case 'namespace':
      return to.name ? [label('namespace', to.name)] : [];
    case 'authority':
      return to.name ? [{ http: { authority: to.name } }] : [];
    default: {
      const terms = to.namespace ? [label('namespace', to.namespace)] : [];
      // Workloads, pods and services are all labels of the destination endpoint.
      if (to.name) terms.push(label(to.type, to.name));
      return terms;
    }
  }
}

const DIRECTIONS: Record<number, TapDirection> = {
  [ProxyDirection.PROXY_DIRECTION_INBOUND]: 'inbound',
  [ProxyDirection.PROXY_DIRECTION_OUTBOUND]: 'outbound',
};

function address(a: TcpAddress | undefined): string {
  if (!a) return '';
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

function streamKey(proxy: string, id: StreamId | undefined): string {
  return `${proxy}/${id?.base ?? 0}:${id?.stream ?? 0}`;
}

/** One wire event as a TapRecord; undefined for an event that carries none of the three kinds. */
export function toTapRecord(e: TapEvent): TapRecord | undefined {
  const base = {
    at: e.timestampMs,
    proxy: e.proxy,
    direction: DIRECTIONS[e.proxyDirection] ?? 'unknown',
    tls: e.tls,
    source: address(e.source),
    destination: address(e.destination),
    sourceWorkload: e.sourceMeta['workload'] ?? '',
    destinationWorkload: e.destinationMeta['workload'] ?? '',
  };
  if (e.requestInit) {
    const r = e.requestInit;
    return {
      ...base,
      kind: 'request',
      id: streamKey(e.proxy, r.id),
      method: r.method,
      authority: r.authority,
      path: r.path,
      route: r.route,
    };
  }
  if (e.responseInit) {
    const r = e.responseInit;
    return {
      ...base,
      kind: 'response',
      id: streamKey(e.proxy, r.id),
      status: r.httpStatus,
      sinceRequestMs: r.sinceRequestInitUs / 1000,
    };
  }
  if (e.responseEnd) {
    const r = e.responseEnd;
    return {
      ...base,
      kind: 'end',
      id: streamKey(e.proxy, r.id),
      durationMs: r.sinceRequestInitUs / 1000,
      grpcStatus: r.grpcStatus ?? null,
      resetErrorCode: r.resetErrorCode,
      responseBytes: r.responseBytes,
    };
  }
  return undefined;
}
