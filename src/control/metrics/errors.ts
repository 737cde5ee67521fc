// The metrics API's expected failures: a stable code each, and the one place that maps them to gRPC statuses.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { MeshError } from '../../common/errors.js';

export type MetricsErrorCode =
  /** The request is malformed: unknown resource type, window out of range, from and to both set. */
  | 'MESH_METRICS_BAD_REQUEST'
  /** The request names a resource the registry does not know. */
  | 'MESH_METRICS_NOT_FOUND'
  /** The external Prometheus cannot be reached or answered with a server error. */
  | 'MESH_METRICS_BACKEND_UNAVAILABLE'
  /** The external Prometheus rejected a query or answered something unexpected. */
  | 'MESH_METRICS_BACKEND_QUERY';

export class MetricsApiError extends MeshError {
  declare readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string) {
    super(code, message);
    this.name = 'MetricsApiError';
  }
}

export function badRequest(message: string): MetricsApiError {
  return new MetricsApiError('MESH_METRICS_BAD_REQUEST', message);
}

export function notFound(message: string): MetricsApiError {
  return new MetricsApiError('MESH_METRICS_NOT_FOUND', message);
}

/** The gRPC status for an error thrown while answering; anything unexpected is INTERNAL. */
export function grpcStatusFor(err: unknown): GrpcStatus {
  if (!(err instanceof MetricsApiError)) return GrpcStatus.INTERNAL;
  switch (err.code) {
    case 'MESH_METRICS_BAD_REQUEST':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'MESH_METRICS_NOT_FOUND':
      return GrpcStatus.NOT_FOUND;
    case 'MESH_METRICS_BACKEND_UNAVAILABLE':
      return GrpcStatus.UNAVAILABLE;
    case 'MESH_METRICS_BACKEND_QUERY':
      return GrpcStatus.INTERNAL;
  }
}
