// The standard gRPC health service (grpc.health.v1), answering for the whole server ("") and for each
// component service by name.
import type * as grpc from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as Serving,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from '../api/gen/health.js';
import type { ServedService } from './component.js';

export function createHealthService(services: readonly string[], isServing: () => boolean): ServedService {
  const known = new Set(['', ...services]);
  const statusOf = (service: string): Serving =>
    known.has(service) ? (isServing() ? Serving.SERVING : Serving.NOT_SERVING) : Serving.SERVICE_UNKNOWN;
  const implementation: HealthServer = {
    check(call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback) {
      const status = statusOf(call.request.service);
      if (status === Serving.SERVICE_UNKNOWN) {
        callback({
          code: GrpcStatus.NOT_FOUND,
          details: `unknown service ${JSON.stringify(call.request.service)}`,
        });
        return;
      }
      callback(null, { status });
    },
    watch(call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) {
      let last: Serving | undefined;
      const send = (): void => {
        const status = statusOf(call.request.service);
        if (status !== last) call.write({ status });
        last = status;
      };
      send();
      const timer = setInterval(send, 1000);
      call.once('cancelled', () => clearInterval(timer));
      call.once('close', () => clearInterval(timer));
    },
  };
  return { name: 'grpc.health.v1.Health', definition: HealthService, implementation };
}
