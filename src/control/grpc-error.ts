// An error that carries the gRPC status it should end a call with, so handlers can throw and one place
// turns the throw into the call's status.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

export class GrpcError extends Error {
  constructor(
    readonly code: GrpcStatus,
    readonly details: string,
  ) {
    super(details);
    this.name = 'GrpcError';
  }
}

/** The status a call ends with for any thrown value (unexpected errors become INTERNAL). */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: GrpcStatus; details: string } {
  if (err instanceof GrpcError) return { code: err.code, details: err.details };
  return { code: GrpcStatus.INTERNAL, details: err instanceof Error ? err.message : 'internal error' };
}
