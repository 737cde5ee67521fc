// Socket adapter for detection: reads a connection's first bytes, classifies them, and puts them back.
import type net from 'node:net';
import type { DetectedProtocol } from './detect.js';

export interface PeekResult {
  /** 'closed' when the client closed or errored before a decision. */
  readonly protocol: DetectedProtocol | 'closed';
  /** The bytes read so far; they have been pushed back (unshift) into the socket, which is left paused. */
  readonly prefix: Buffer;
  /** True when the decision was forced to 'opaque' by the timeout. */
  readonly timedOut: boolean;
}

/**
 * Reads from `socket` until detectProtocol decides or `timeoutMs` passes (then 'opaque'). The peeked bytes are
 * replayed: on return the socket is paused with every byte read unshifted back, so the next consumer sees
 * the stream from its first byte. Never rejects.
 */
export function peekProtocol(_socket: net.Socket, _timeoutMs: number): Promise<PeekResult> {
  throw new Error('not implemented');
}
