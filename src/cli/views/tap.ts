// Tap events as people and scripts read them: linkerd's `req/rsp/end id=… proxy=in|out src=… dst=…` lines,
// and one documented JSON object per event.
import { ProxyDirection, type Header, type TapEvent } from '../../api/gen/tap.js';
import { type Paint, plain } from '../colour.js';

/** gRPC status names as linkerd prints them (Go's codes). */
const GRPC_CODES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
] as const;

export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] ?? String(code);
}

export type TapEventType = 'requestInit' | 'responseInit' | 'responseEnd';
export type TapDirection = 'inbound' | 'outbound' | 'unknown';

export interface TapPeerJson {
  ip: string;
  port: number;
  /** Source: the client's identity (client_id, inbound) or the proxy's own workload labels (outbound).
   *  Destination: namespace, workload, pod, service, server_id as known. */
  labels: Record<string, string>;
}

export interface TapHeaderJson {
  name: string;
  value: string;
}

export interface TapEventJson {
  type: TapEventType;
  /** Identifies the request across its events: unique per proxy process (`base`) and request (`stream`). */
  id: { base: number; stream: number };
  /** The instance (pod) whose proxy reported the event. */
  proxy: string;
  direction: TapDirection;
  /** True when the request travelled over mesh mTLS. */
  tls: boolean;
  /** Milliseconds since the Unix epoch. */
  timestampMs: number;
  source: TapPeerJson;
  destination: TapPeerJson;
  /** type requestInit only. Headers are present with -o json/jsonl; sensitive values read [REDACTED]. */
  request?: {
    method: string;
    scheme: string;
    authority: string;
    path: string;
    route: string;
    headers: TapHeaderJson[];
  };
  /** type responseInit only. */
  response?: { status: number; sinceRequestInitUs: number; headers: TapHeaderJson[] };
  /** type responseEnd only. grpcStatus is null for non-gRPC responses; resetErrorCode null unless reset. */
  end?: {
    sinceRequestInitUs: number;
    sinceResponseInitUs: number;
    responseBytes: number;
    grpcStatus: number | null;
    resetErrorCode: number | null;
    trailers: TapHeaderJson[];
  };
}

const DIRECTIONS: Readonly<Record<number, TapDirection>> = {
  [ProxyDirection.PROXY_DIRECTION_INBOUND]: 'inbound',
  [ProxyDirection.PROXY_DIRECTION_OUTBOUND]: 'outbound',
};

const headers = (hs: readonly Header[]): TapHeaderJson[] => hs.map((h) => ({ name: h.name, value: h.value }));

export function eventType(e: TapEvent): TapEventType {
  return e.requestInit ? 'requestInit' : e.responseInit ? 'responseInit' : 'responseEnd';
}

export function tapEventJson(e: TapEvent): TapEventJson {
  const type = eventType(e);
  const id = e.requestInit?.id ?? e.responseInit?.id ?? e.responseEnd?.id;
  const out: TapEventJson = {
    type,
    id: { base: id?.base ?? 0, stream: id?.stream ?? 0 },
    proxy: e.proxy,
    direction: DIRECTIONS[e.proxyDirection] ?? 'unknown',
    tls: e.tls,
    timestampMs: e.timestampMs,
    source: { ip: e.source?.ip ?? '', port: e.source?.port ?? 0, labels: { ...e.sourceMeta } },
    destination: {
      ip: e.destination?.ip ?? '',
      port: e.destination?.port ?? 0,
      labels: { ...e.destinationMeta },
    },
  };
  if (e.requestInit) {
    const r = e.requestInit;
    out.request = {
      method: r.method,
      scheme: r.scheme,
      authority: r.authority,
      path: r.path,
      route: r.route,
      headers: headers(r.headers),
    };
  } else if (e.responseInit) {
    const r = e.responseInit;
    out.response = {
      status: r.httpStatus,
      sinceRequestInitUs: r.sinceRequestInitUs,
      headers: headers(r.headers),
    };
  } else if (e.responseEnd) {
    const r = e.responseEnd;
    out.end = {
      sinceRequestInitUs: r.sinceRequestInitUs,
      sinceResponseInitUs: r.sinceResponseInitUs,
      responseBytes: r.responseBytes,
      grpcStatus: r.grpcStatus ?? null,
      resetErrorCode: r.resetErrorCode === 0 ? null : r.resetErrorCode,
      trailers: headers(r.trailers),
    };
  }
  return out;
}

const hostPort = (p: TapPeerJson): string =>
  p.ip.includes(':') ? `[${p.ip}]:${p.port}` : `${p.ip}:${p.port}`;

const PREFIX: Readonly<Record<TapEventType, string>> = {
  requestInit: 'req',
  responseInit: 'rsp',
  responseEnd: 'end',
};

function statusStyle(status: number, paint: Paint): string {
  if (status >= 500) return paint('red', String(status));
  if (status >= 400) return paint('yellow', String(status));
  return String(status);
}

/** Request text comes from whoever sent the request: control characters must not reach the terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
export function safeText(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function sortedLabels(prefix: string, labels: Record<string, string>): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => safeText(`${prefix}${k}=${labels[k] ?? ''}`));
}

/**
 * One event as linkerd's tap prints it: `req id=3:1 proxy=in  src=… dst=… tls=true :method=GET …`.
 * `wide` appends the source and destination labels (src_…=, dst_…=) and the route (rt_route=).
 */
export function tapEventLine(j: TapEventJson, options: { wide?: boolean; paint?: Paint } = {}): string {
  const paint = options.paint ?? plain;
  const dir = j.direction === 'inbound' ? 'in ' : j.direction === 'outbound' ? 'out' : '?  ';
  const parts = [
    PREFIX[j.type],
    `id=${j.id.base}:${j.id.stream}`,
    `proxy=${dir}`,
    `src=${hostPort(j.source)}`,
    `dst=${hostPort(j.destination)}`,
    `tls=${j.tls}`,
  ];
  if (j.request) {
    const { method, authority, path } = j.request;
    parts.push(safeText(`:method=${method}`), safeText(`:authority=${authority}`), safeText(`:path=${path}`));
  } else if (j.response) {
    parts.push(
      `:status=${statusStyle(j.response.status, paint)}`,
      `latency=${j.response.sinceRequestInitUs}µs`,
    );
  } else if (j.end) {
    if (j.end.grpcStatus !== null) {
      const name = grpcCodeName(j.end.grpcStatus);
      parts.push(`grpc-status=${j.end.grpcStatus === 0 ? name : paint('red', name)}`);
    }
    if (j.end.resetErrorCode !== null) parts.push(paint('red', `reset-error=${j.end.resetErrorCode}`));
    parts.push(`duration=${j.end.sinceResponseInitUs}µs`, `response-length=${j.end.responseBytes}B`);
  }
  if (options.wide) {
    parts.push(...sortedLabels('src_', j.source.labels), ...sortedLabels('dst_', j.destination.labels));
    if (j.request && j.request.route !== '') parts.push(safeText(`rt_route=${j.request.route}`));
  }
  return parts.join(' ');
}
