// Opaque TCP: connect to a target and copy bytes both ways, with half-close and back-pressure.
import type net from 'node:net';
import type { HostPort } from '../../common/address.js';

/**
 * Connects to `target` within `timeoutMs`. Rejects with the socket error (code ECONNREFUSED, ETIMEDOUT, …).
 * The socket is created with allowHalfOpen so that a FIN from one side can be forwarded while the other
 * side still writes.
 */
export function connectTcp(_target: HostPort, _timeoutMs: number): Promise<net.Socket> {
  throw new Error('not implemented');
}

/**
 * Copies bytes between `client` and `upstream` until both directions have ended: a FIN from one side is
 * forwarded as end() to the other (half-close), writes respect back-pressure (pause/resume on drain), and an
 * error or reset on either side destroys both. `onDone` is called exactly once, with the first error if any.
 * Both sockets must have been created with allowHalfOpen: true; `client` may be paused with unshifted bytes.
 */
export function forwardTcp(
  _client: net.Socket,
  _upstream: net.Socket,
  _onDone?: (err?: Error) => void,
): void {
  throw new Error('not implemented');
}
