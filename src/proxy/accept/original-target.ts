// Transparent mode: the original destination of each accepted connection, recorded by the listener and read
// by the layers above it (the inbound router delivers to that port). Kept beside the connection object (the
// socket, its TLS wrapper, its HTTP/2 session) rather than threaded through every HTTP call.
import type { HostPort } from '../../common/address.js';

const targets = new WeakMap<object, HostPort>();

export function setOriginalTarget(connection: object, target: HostPort): void {
  targets.set(connection, target);
}

/** Where the connection was addressed before iptables redirected it; undefined when it was not redirected. */
export function originalTargetOf(connection: object | null | undefined): HostPort | undefined {
  return connection ? targets.get(connection) : undefined;
}
