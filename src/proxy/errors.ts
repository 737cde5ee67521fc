// The proxy's failure vocabulary, and the one place that maps each failure to what a client sees:
// an HTTP status (or gRPC status) and a `mesh-proxy-error` header naming the cause.
import { errorCode } from '../common/errors.js';

export type ProxyErrorCode =
  | 'MESH_NO_ENDPOINTS'
  | 'MESH_UNKNOWN_AUTHORITY'
  | 'MESH_CONNECT_REFUSED'
  | 'MESH_CONNECT_TIMEOUT'
  | 'MESH_CONNECT_FAILED'
  | 'MESH_UPSTREAM_RESET'
  | 'MESH_RESPONSE_TIMEOUT'
  | 'MESH_DEADLINE_EXCEEDED'
  | 'MESH_UPSTREAM_ERROR'
  | 'MESH_BAD_REQUEST'
  | 'MESH_DRAINING'
  | 'MESH_NO_IDENTITY'
  | 'MESH_TLS_FAILED'
  /** Transparent mode: a connection's original destination is unknown (or is the proxy itself). */
  | 'MESH_NO_ORIGINAL_DST';

export const PROXY_ERROR_HEADER = 'mesh-proxy-error';

export class ProxyError extends Error {
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }

  /** The value of the mesh-proxy-error header: code and a short reason, one line. */
  headerValue(): string {
    return `${this.code}: ${this.message}`.replace(/[\r\n]+/g, ' ');
  }
}

const HTTP_STATUS: Record<ProxyErrorCode, number> = {
  MESH_NO_ENDPOINTS: 503,
  MESH_UNKNOWN_AUTHORITY: 503,
  MESH_CONNECT_REFUSED: 502,
  MESH_CONNECT_TIMEOUT: 504,
  MESH_CONNECT_FAILED: 502,
  MESH_UPSTREAM_RESET: 502,
  MESH_RESPONSE_TIMEOUT: 504,
  MESH_DEADLINE_EXCEEDED: 504,
  MESH_UPSTREAM_ERROR: 502,
  MESH_BAD_REQUEST: 400,
  MESH_DRAINING: 503,
  MESH_NO_IDENTITY: 503,
  MESH_TLS_FAILED: 502,
  MESH_NO_ORIGINAL_DST: 503,
};

/** gRPC status codes (grpc/status.proto): UNAVAILABLE 14, DEADLINE_EXCEEDED 4, INTERNAL 13, INVALID_ARGUMENT 3. */
const GRPC_STATUS: Record<ProxyErrorCode, number> = {
  MESH_NO_ENDPOINTS: 14,
  MESH_UNKNOWN_AUTHORITY: 14,
  MESH_CONNECT_REFUSED: 14,
  MESH_CONNECT_TIMEOUT: 14,
  MESH_CONNECT_FAILED: 14,
  MESH_UPSTREAM_RESET: 14,
  MESH_RESPONSE_TIMEOUT: 4,
  MESH_DEADLINE_EXCEEDED: 4,
  MESH_UPSTREAM_ERROR: 13,
  MESH_BAD_REQUEST: 3,
  MESH_DRAINING: 14,
  MESH_NO_IDENTITY: 14,
  MESH_TLS_FAILED: 14,
  MESH_NO_ORIGINAL_DST: 14,
};

export function httpStatusFor(err: ProxyError): number {
  return HTTP_STATUS[err.code];
}

export function grpcStatusFor(err: ProxyError): number {
  return GRPC_STATUS[err.code];
}

const CONNECT_ERRNOS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Marks an error raised while a connection was being set up (TCP connect or TLS handshake). */
export const kConnectPhase = Symbol('meshConnectPhase');

/**
 * True for failures that happened while connecting, before any byte of the request was written, so the
 * request may safely be sent to another endpoint.
 */
export function isConnectFailure(err: unknown): boolean {
  if (typeof err === 'object' && err !== null && kConnectPhase in err) return true;
  const code = errorCode(err);
  return (
    code !== undefined &&
    (CONNECT_ERRNOS.has(code) || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT_CONNECT')
  );
}

/** Translates an error from a client library or socket into the proxy's vocabulary. */
export function toProxyError(err: unknown, target: string): ProxyError {
  if (err instanceof ProxyError) return err;
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new ProxyError('MESH_CONNECT_REFUSED', `connection refused by ${target}`, { cause: err });
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT_CONNECT':
      return new ProxyError('MESH_CONNECT_TIMEOUT', `timed out connecting to ${target}`, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ProxyError('MESH_CONNECT_FAILED', `cannot connect to ${target} (${code})`, { cause: err });
    case 'ENOIDENTITY':
      return new ProxyError(
        'MESH_NO_IDENTITY',
        `cannot reach ${target} over mTLS: this proxy has no certificate yet`,
        {
          cause: err,
        },
      );
    case 'ERR_MESH_IDENTITY_MISMATCH':
      return new ProxyError('MESH_TLS_FAILED', `refused ${target}: ${(err as Error).message}`, {
        cause: err,
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new ProxyError('MESH_RESPONSE_TIMEOUT', `no response headers from ${target} in time`, {
        cause: err,
      });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'ERR_HTTP2_STREAM_ERROR':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_GOAWAY_SESSION':
      return new ProxyError('MESH_UPSTREAM_RESET', `connection to ${target} was reset`, { cause: err });
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return new ProxyError('MESH_BAD_REQUEST', `request cannot be forwarded: ${(err as Error).message}`, {
        cause: err,
      });
    default:
      if (code !== undefined && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO)/.test(code)) {
        return new ProxyError('MESH_TLS_FAILED', `mTLS with ${target} failed (${code})`, { cause: err });
      }
      return new ProxyError(
        'MESH_UPSTREAM_ERROR',
        `upstream ${target} failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
  }
}
