// Turns what the proxy recorded about one tapped request into the three wire events (request_init,
// response_init, response_end). Runs only for requests a tap reports, never on untapped traffic.
import { performance } from 'node:perf_hooks';
import { ProxyDirection, type Header, type StreamId, type TapEvent } from '../../api/gen/tap.js';
import type { ProxyLabels } from './match.js';
import type { HeaderBag, TapRequestInfo } from './hook.js';

/** One tapped request as the exchange saw it; times are performance.now() milliseconds. */
export interface TappedRequest {
  readonly id: StreamId;
  readonly info: TapRequestInfo;
  readonly startedAt: number;
  /** When response headers arrived; -1 if they never did. */
  responseAt: number;
  status: number;
  responseHeaders: HeaderBag | undefined;
  /** When the exchange ended; -1 while it is in flight. */
  endedAt: number;
  grpcStatus: number | undefined;
  responseBytes: number;
  trailers: HeaderBag | undefined;
  resetCode: number;
}

/** The part every event of a request shares: addresses, labels, direction, TLS. */
export type Envelope = Pick<
  TapEvent,
  'source' | 'sourceMeta' | 'destination' | 'destinationMeta' | 'proxyDirection' | 'tls'
>;

export function envelopeFor(info: TapRequestInfo, self: ProxyLabels): Envelope {
  const endpoint: Record<string, string> = {};
  // Discovery labels are metric labels (dst_workload, dst_pod…); tap names them without the prefix.
  for (const [k, v] of Object.entries(info.destinationLabels)) {
    endpoint[k.startsWith('dst_') ? k.slice(4) : k] = v;
  }
  const inbound = info.direction === 'inbound';
  return {
    source: { ip: info.sourceIp, port: info.sourcePort },
    // Outbound requests come from this proxy's app; inbound ones from a peer whose identity (client_id)
    // arrives with mesh mTLS.
    sourceMeta: inbound ? (info.clientIdentity ? { client_id: info.clientIdentity } : {}) : { ...self },
    destination: { ip: info.destinationIp, port: info.destinationPort },
    destinationMeta: inbound
      ? { ...endpoint, ...self }
      : info.serverIdentity
        ? { ...endpoint, server_id: info.serverIdentity }
        : endpoint,
    proxyDirection: inbound
      ? ProxyDirection.PROXY_DIRECTION_INBOUND
      : ProxyDirection.PROXY_DIRECTION_OUTBOUND,
    tls: info.tls,
  };
}

const micros = (fromMs: number, toMs: number): number => Math.max(0, Math.round((toMs - fromMs) * 1000));
const wallClock = (perfMs: number): number => Math.floor(performance.timeOrigin + perfMs);

export function requestInitEvent(req: TappedRequest, envelope: Envelope, headers: Header[]): TapEvent {
  const { info } = req;
  return {
    ...envelope,
    requestInit: {
      id: req.id,
      method: info.method,
      scheme: info.scheme,
      authority: info.authority,
      path: info.path,
      headers,
      route: info.route,
    },
    timestampMs: wallClock(req.startedAt),
    proxy: '',
  };
}

export function responseInitEvent(req: TappedRequest, envelope: Envelope, headers: Header[]): TapEvent {
  return {
    ...envelope,
    responseInit: {
      id: req.id,
      sinceRequestInitUs: micros(req.startedAt, req.responseAt),
      httpStatus: req.status,
      headers,
    },
    timestampMs: wallClock(req.responseAt),
    proxy: '',
  };
}

export function responseEndEvent(req: TappedRequest, envelope: Envelope, trailers: Header[]): TapEvent {
  return {
    ...envelope,
    responseEnd: {
      id: req.id,
      sinceRequestInitUs: micros(req.startedAt, req.endedAt),
      sinceResponseInitUs: req.responseAt < 0 ? 0 : micros(req.responseAt, req.endedAt),
      responseBytes: req.responseBytes,
      grpcStatus: req.grpcStatus,
      trailers,
      resetErrorCode: req.resetCode,
    },
    timestampMs: wallClock(req.endedAt),
    proxy: '',
  };
}
