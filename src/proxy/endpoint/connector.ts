// Opens upstream connections for the client pools and opaque forwarding: plain TCP, or mesh mTLS when the
// endpoint is a meshed proxy and this proxy has a certificate. Connect timeout (handshake included),
// TCP_NODELAY, and tcp_* accounting for every connection the proxy makes.
import net from 'node:net';
import type tls from 'node:tls';
import type { HostPort } from '../../common/address.js';
import type { TcpSeries } from '../metrics/proxy-metrics.js';
import { originateMeshTls } from '../tls/originate.js';
import { kConnectPhase } from '../errors.js';

/** Mesh TLS to originate: the peer's identity and this proxy's client context. */
export interface MeshTlsTarget {
  readonly peerIdentity: string;
  /** undefined while this proxy has no certificate yet. */
  readonly context: () => tls.SecureContext | undefined;
}

export interface ConnectOptions {
  readonly address: HostPort;
  readonly timeoutMs: number;
  readonly tcp: TcpSeries;
  readonly tls?: MeshTlsTarget | undefined;
  /** ALPN offered over mesh TLS (h2, http/1.1, or the opaque protocol). */
  readonly alpn: string;
  /**
   * Keep writing after the peer's FIN: opaque TCP needs it (a FIN ends one direction only). HTTP pools must
   * not have it: a peer that dies sends FIN, and a half-open socket would keep the pooled HTTP/2 session
   * "open" with every new stream failing on it.
   */
  readonly halfOpen?: boolean;
}

/** A connect-timeout error carries this code so that isConnectFailure() recognises it. */
export const CONNECT_TIMEOUT_CODE = 'ETIMEDOUT_CONNECT';
/** This proxy cannot originate mTLS yet (no certificate): the request must not go out in plaintext. */
export const NO_IDENTITY_CODE = 'ENOIDENTITY';

/** Starts a connection; `callback` runs once, with the connected (and, for TLS, verified) socket or the error. */
export function openConnection(
  options: ConnectOptions,
  callback: (err: Error | null, socket: net.Socket | null) => void,
): net.Socket {
  let socket: net.Socket;
  let ready: string;
  if (options.tls !== undefined) {
    const context = options.tls.context();
    if (context === undefined) {
      const placeholder = new net.Socket();
      process.nextTick(() =>
        callback(
          Object.assign(new Error('this proxy has no certificate yet'), { code: NO_IDENTITY_CODE }),
          null,
        ),
      );
      placeholder.destroy();
      return placeholder;
    }
    socket = originateMeshTls({
      address: options.address,
      peerIdentity: options.tls.peerIdentity,
      context,
      alpn: options.alpn,
      halfOpen: options.halfOpen === true,
    });
    ready = 'secureConnect';
  } else {
    socket = net.connect({
      host: options.address.host,
      port: options.address.port,
      noDelay: true,
      allowHalfOpen: options.halfOpen === true,
    });
    ready = 'connect';
  }
  let settled = false;
  const timer = setTimeout(() => {
    const err = Object.assign(new Error(`connect timeout after ${options.timeoutMs} ms`), {
      code: CONNECT_TIMEOUT_CODE,
    });
    socket.destroy(err);
  }, options.timeoutMs);
  socket.once(ready, () => {
    clearTimeout(timer);
    settled = true;
    options.tcp.track(socket);
    callback(null, socket);
  });
  socket.once('error', (err) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    // Nothing of the request can have been written yet: safe to try another endpoint.
    callback(Object.assign(err, { [kConnectPhase]: true }), null);
  });
  return socket;
}

/** openConnection as a promise, for opaque forwarding. */
export function connect(options: ConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    openConnection(options, (err, socket) =>
      socket === null ? reject(err ?? new Error('connect failed')) : resolve(socket),
    );
  });
}
