// How a failed call to the control plane is reported: one MeshError code per cause, with a message naming
// the address or resource and a hint saying what to do. The CLI prints these; the TUI shows them and retries.
import { status, type ServiceError } from '@grpc/grpc-js';
import { MeshError, UsageError } from '../../common/errors.js';

export const CONTROL_UNREACHABLE = 'MESH_CONTROL_UNREACHABLE';
export const API_UNIMPLEMENTED = 'MESH_API_UNIMPLEMENTED';
export const RESOURCE_NOT_FOUND = 'MESH_RESOURCE_NOT_FOUND';
export const BAD_REQUEST = 'MESH_BAD_REQUEST';
export const CONTROL_ERROR = 'MESH_CONTROL_ERROR';

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/** Maps a gRPC failure of `api` (e.g. "metrics", "tap") at `address` to the MeshError the user sees. */
export function controlPlaneError(err: unknown, address: string, api: string): MeshError {
  if (err instanceof MeshError) return err;
  if (!isServiceError(err)) {
    return new MeshError(CONTROL_ERROR, `${api} API at ${address}: ${String(err)}`);
  }
  switch (err.code) {
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      // One line that says what to do: it is the first thing a new user sees.
      return new MeshError(
        CONTROL_UNREACHABLE,
        `no control plane reachable at ${address} — start one with \`meshctl demo\` or pass --control-plane ADDR`,
        undefined,
        { cause: err },
      );
    case status.UNIMPLEMENTED:
      return new MeshError(
        API_UNIMPLEMENTED,
        `the control plane at ${address} does not serve the ${api} API`,
        `run \`meshctl control\` with the ${api} component, or pass --control-plane ADDR`,
        { cause: err },
      );
    case status.NOT_FOUND:
      return new MeshError(RESOURCE_NOT_FOUND, err.details || `${api}: not found`, undefined, { cause: err });
    case status.INVALID_ARGUMENT:
      return new UsageError(BAD_REQUEST, err.details || `${api}: invalid request`);
    default:
      return new MeshError(
        CONTROL_ERROR,
        `${api} API at ${address}: ${err.details || err.message}`,
        undefined,
        {
          cause: err,
        },
      );
  }
}
