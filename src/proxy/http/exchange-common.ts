// What the HTTP/1 and HTTP/2 exchanges share besides their protocol: how a request is described to tap, and
// where a request that failed before reaching any endpoint is counted.
import type { Endpoint } from '../endpoint/endpoint.js';
import type { HttpSeries } from '../metrics/proxy-metrics.js';
import type { HeaderBag, TapRequestInfo } from '../tap/hook.js';
import type { HttpContext } from './context.js';

export interface TappedRequest {
  readonly sourceIp: string | undefined;
  readonly sourcePort: number | undefined;
  readonly method: string;
  readonly scheme: string;
  readonly path: string;
  readonly headers: HeaderBag;
}

export function tapRequestInfo(
  ctx: HttpContext,
  ep: Endpoint,
  authority: string,
  route: string,
  clientId: string | undefined,
  req: TappedRequest,
): TapRequestInfo {
  const meshTls = ep.tls === 'true';
  return {
    direction: ctx.direction,
    sourceIp: req.sourceIp ?? '',
    sourcePort: req.sourcePort ?? 0,
    destinationIp: ep.address.host,
    destinationPort: ep.address.port,
    destinationLabels: ep.meta.labels,
    tls: clientId !== undefined || meshTls,
    clientIdentity: clientId,
    serverIdentity: meshTls ? ep.meta.identity : undefined,
    method: req.method,
    scheme: req.scheme,
    authority,
    path: req.path,
    route,
    headers: req.headers,
  };
}

/** The series for a request that failed before any endpoint was chosen: its authority, no target address. */
export function unroutedSeries(ctx: HttpContext, authority: string): HttpSeries {
  const series = ctx.metrics.http(ctx.direction, authority, '', 'false');
  series.requests++;
  return series;
}
