// Opaque TCP: connect to a target and copy bytes both ways, with half-close and back-pressure.
// The copy runs per chunk for every opaque connection, so listeners are module-level functions (`this` is the
// socket that emitted) and the per-connection state is one object found through a WeakMap.
import net from 'node:net';
import type { HostPort } from '../../common/address.js';
import { MeshError } from '../../common/errors.js';

/**
 * Connects to `target` within `timeoutMs`. Rejects with the socket error (code ECONNREFUSED, ETIMEDOUT, …).
 * The socket is created with allowHalfOpen so that a FIN from one side can be forwarded while the other
 * side still writes.
 */
export function connectTcp(target: HostPort, timeoutMs: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.removeListener('connect', onConnect);
      reject(err);
    };
    const onConnect = (): void => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    };
    // net's own `timeout` is an idle timer that only emits; a connect deadline has to destroy the attempt.
    const timer = setTimeout(() => {
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      socket.destroy();
      reject(
        new MeshError(
          'ETIMEDOUT',
          `connect ETIMEDOUT ${target.host}:${target.port} (no answer within ${timeoutMs} ms)`,
        ),
      );
    }, timeoutMs);
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

interface Forward {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly onDone: ((err?: Error) => void) | undefined;
  /** The first error either side reported; later ones are consequences of tearing down. */
  error: Error | undefined;
  closed: number;
}

const forwards = new WeakMap<net.Socket, Forward>();

/**
 * Copies bytes between `client` and `upstream` until both directions have ended: a FIN from one side is
 * forwarded as end() to the other (half-close), writes respect back-pressure (pause/resume on drain), and an
 * error or reset on either side destroys both. `onDone` is called exactly once, with the first error if any.
 * Both sockets must have been created with allowHalfOpen: true; `client` may be paused with unshifted bytes.
 */
export function forwardTcp(client: net.Socket, upstream: net.Socket, onDone?: (err?: Error) => void): void {
  const fwd: Forward = { client, upstream, onDone, error: undefined, closed: 0 };
  for (const socket of [client, upstream]) {
    forwards.set(socket, fwd);
    socket.on('data', onData);
    socket.on('drain', onDrain);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
  }
  // Either side may already be gone (e.g. the client left while the upstream was connecting); its 'close'
  // has then been emitted before we listened, so it is accounted for here, a tick later so that onDone is
  // never called from inside forwardTcp.
  for (const socket of [client, upstream]) {
    if (socket.closed) process.nextTick(closedBeforeForward, socket);
    else if (socket.destroyed) abort(peerOf(fwd, socket));
    else if (socket.readableEnded) onEnd.call(socket);
  }
  // Replays whatever a peek unshifted, then keeps reading.
  if (!client.destroyed) client.resume();
  if (!upstream.destroyed) upstream.resume();
}

function closedBeforeForward(socket: net.Socket): void {
  onClose.call(socket);
}

function peerOf(fwd: Forward, socket: net.Socket): net.Socket {
  return socket === fwd.client ? fwd.upstream : fwd.client;
}

function onData(this: net.Socket, chunk: Buffer): void {
  const fwd = forwards.get(this);
  if (fwd === undefined) return;
  const peer = peerOf(fwd, this);
  if (peer.destroyed || peer.writableEnded) return;
  // Stop reading until the peer's buffer drains: the kernel's receive window then pushes back on the sender.
  if (!peer.write(chunk)) this.pause();
}

function onDrain(this: net.Socket): void {
  const fwd = forwards.get(this);
  if (fwd === undefined) return;
  const source = peerOf(fwd, this);
  if (!source.destroyed && !source.readableEnded) source.resume();
}

/** A FIN from one side: pass it on and keep the other direction flowing. */
function onEnd(this: net.Socket): void {
  const fwd = forwards.get(this);
  if (fwd === undefined) return;
  const peer = peerOf(fwd, this);
  if (!peer.destroyed && !peer.writableEnded) peer.end();
}

function onError(this: net.Socket, err: Error): void {
  const fwd = forwards.get(this);
  if (fwd === undefined) return;
  fwd.error ??= err;
  abort(peerOf(fwd, this));
}

function onClose(this: net.Socket): void {
  const fwd = forwards.get(this);
  if (fwd === undefined) return;
  // A side that closed without finishing both directions was torn down, so the copy cannot complete.
  if (!(this.readableEnded && this.writableFinished)) abort(peerOf(fwd, this));
  if (++fwd.closed < 2) return;
  forwards.delete(fwd.client);
  forwards.delete(fwd.upstream);
  fwd.onDone?.(fwd.error);
}

/**
 * Tears a socket down with a TCP RST when it can, so the far end sees an abort (as it would have without the
 * proxy) rather than a clean FIN that could pass for a complete response.
 */
function abort(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    // Only plain TCP handles can reset; a TLSSocket's wrap throws ERR_INVALID_HANDLE_TYPE.
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
