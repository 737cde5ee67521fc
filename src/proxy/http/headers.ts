// Header hygiene between hops: hop-by-hop headers (RFC 9110 §7.6.1) never cross the proxy, and HTTP/2's
// connection-specific headers are never sent on an HTTP/2 stream. Host is kept as the client sent it.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { CLIENT_ID_HEADER } from '../tls/peer.js';

/** Lower-case names that are always hop-by-hop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
]);

/** Names listed in a Connection header are hop-by-hop too; returns undefined when there are none. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  let tokens: Set<string> | undefined;
  for (const raw of text.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token !== '' && token !== 'close' && token !== 'keep-alive') (tokens ??= new Set()).add(token);
  }
  return tokens;
}

/**
 * Request headers for an HTTP/1.1 upstream, from the client's raw header list (name/value pairs, casing
 * kept). Drops hop-by-hop headers, those the client named in Connection, and `expect` (the proxy answers
 * 100-continue itself). Returns a flat [name, value, …] array, the shape undici takes without copying.
 */
export function h1RequestHeaders(
  rawHeaders: readonly string[],
  connection: string | undefined,
  clientIdentity?: string,
): string[] {
  const extra = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'expect' || lower === CLIENT_ID_HEADER || extra?.has(lower))
      continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  // Only the proxy vouches for a client's identity; whatever a client sent under that name was dropped above.
  if (clientIdentity !== undefined) out.push(CLIENT_ID_HEADER, clientIdentity);
  return out;
}

/**
 * Response headers from an upstream (undici's parsed object) for the downstream HTTP/1 response: drops
 * hop-by-hop headers; framing (content-length vs chunked) is left to Node's ServerResponse.
 */
export function h1ResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const extra = connectionTokens(headers['connection']);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || extra?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Headers for an HTTP/2 stream (request or response), from an HTTP/2 peer's headers: drops
 * connection-specific headers, which RFC 9113 §8.2.2 forbids, except `te: trailers` which gRPC needs.
 * Pseudo-headers are kept.
 */
export function h2ForwardHeaders(headers: IncomingHttpHeaders, clientIdentity?: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === CLIENT_ID_HEADER) continue;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'te' && value === 'trailers') out[name] = value;
      continue;
    }
    out[name] = value;
  }
  if (clientIdentity !== undefined) out[CLIENT_ID_HEADER] = clientIdentity;
  return out;
}

/** True for a gRPC content type (application/grpc, application/grpc+proto, application/grpc-web…). */
export function isGrpcContentType(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('application/grpc');
}
