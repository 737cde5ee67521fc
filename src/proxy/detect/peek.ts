// Socket adapter for detection: reads a connection's first bytes, classifies them, and puts them back.
// Listeners are module-level functions (`this` is the socket) with state in a WeakMap, so a peek allocates
// one state object and one promise per connection rather than a set of closures.
import type net from 'node:net';
import { detectProtocol, type DetectedProtocol } from './detect.js';

export interface PeekResult {
  /** 'closed' when the client closed or errored before a decision. */
  readonly protocol: DetectedProtocol | 'closed';
  /** The bytes read so far; they have been pushed back (unshift) into the socket, which is left paused. */
  readonly prefix: Buffer;
  /** True when the decision was forced to 'opaque' by the timeout. */
  readonly timedOut: boolean;
}

interface Peek {
  readonly socket: net.Socket;
  readonly resolve: (result: PeekResult) => void;
  /** Everything read so far, as one buffer once detection has looked at it. */
  prefix: Buffer;
  timer: NodeJS.Timeout | undefined;
}

const EMPTY = Buffer.alloc(0);
const peeks = new WeakMap<net.Socket, Peek>();

/**
 * Reads from `socket` until detectProtocol decides or `timeoutMs` passes (then 'opaque'). The peeked bytes are
 * replayed: on return the socket is paused with every byte read unshifted back, so the next consumer sees
 * the stream from its first byte. Never rejects.
 *
 * On 'closed' the bytes cannot be replayed (Node refuses unshift after 'end', and a destroyed socket has no
 * reader), so they are only returned in `prefix`.
 */
export function peekProtocol(socket: net.Socket, timeoutMs: number): Promise<PeekResult> {
  return new Promise<PeekResult>((resolve) => {
    if (socket.destroyed || socket.readableEnded) {
      resolve({ protocol: 'closed', prefix: EMPTY, timedOut: false });
      return;
    }
    const peek: Peek = { socket, resolve, prefix: EMPTY, timer: undefined };
    peeks.set(socket, peek);
    socket.on('data', onData);
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
    peek.timer = setTimeout(onTimeout, timeoutMs, peek);
    // A listener alone does not restart a socket someone paused explicitly.
    socket.resume();
  });
}

function onData(this: net.Socket, chunk: Buffer): void {
  const peek = peeks.get(this);
  if (peek === undefined) return;
  peek.prefix = peek.prefix.length === 0 ? chunk : Buffer.concat([peek.prefix, chunk]);
  const result = detectProtocol(peek.prefix);
  if (result !== 'need-more') settle(peek, result, false);
}

function onTimeout(peek: Peek): void {
  peek.timer = undefined;
  settle(peek, 'opaque', true);
}

function onGone(this: net.Socket): void {
  const peek = peeks.get(this);
  if (peek !== undefined) settle(peek, 'closed', false);
}

function settle(peek: Peek, protocol: DetectedProtocol | 'closed', timedOut: boolean): void {
  const { socket, prefix } = peek;
  peeks.delete(socket);
  if (peek.timer !== undefined) clearTimeout(peek.timer);
  // Removing the 'data' listener does not stop a flowing stream; pause() does, and must come first so the
  // unshifted bytes stay buffered for the next consumer instead of being emitted to nobody.
  socket.pause();
  socket.removeListener('data', onData);
  socket.removeListener('end', onGone);
  socket.removeListener('close', onGone);
  socket.removeListener('error', onGone);
  if (protocol !== 'closed' && prefix.length > 0) socket.unshift(prefix);
  peek.resolve({ protocol, prefix, timedOut });
}
