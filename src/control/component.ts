// A control-plane component as the runner sees it: the gRPC services it serves, its own metrics, its
// readiness, and how to stop it. Components know nothing about ports, processes or signals.
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';

export interface ServedService {
  /** Fully-qualified gRPC service name, e.g. mesh.destination.v1.Destination (used by the health service). */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface Component {
  readonly name: string;
  readonly services: readonly ServedService[];
  /** Prometheus text about the component itself (streams open, updates sent, …). */
  metrics(): string;
  /** undefined when ready, else why not. */
  notReadyReason(): string | undefined;
  close(): Promise<void>;
}
