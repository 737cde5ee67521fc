// Opens upstream connections for the client pools: plain TCP today (TLS origination joins with identity),
// with a connect timeout, TCP_NODELAY, and tcp_* accounting for every connection the proxy makes.
import net from 'node:net';
import type { HostPort } from '../../common/address.js';
import type { TcpSeries } from '../metrics/proxy-metrics.js';

export interface ConnectOptions {
  readonly address: HostPort;
  readonly timeoutMs: number;
  readonly tcp: TcpSeries;
}

/** A connect-timeout error carries this code so that isConnectFailure() recognises it. */
export const CONNECT_TIMEOUT_CODE = 'ETIMEDOUT_CONNECT';

/** Starts a connection; `callback` runs once, with the connected socket or the error. */
export function openConnection(
  options: ConnectOptions,
  callback: (err: Error | null, socket: net.Socket | null) => void,
): net.Socket {
  const socket = net.connect({ host: options.address.host, port: options.address.port, noDelay: true });
  let settled = false;
  const timer = setTimeout(() => {
    const err = Object.assign(new Error(`connect timeout after ${options.timeoutMs} ms`), {
      code: CONNECT_TIMEOUT_CODE,
    });
    socket.destroy(err);
  }, options.timeoutMs);
  socket.once('connect', () => {
    clearTimeout(timer);
    settled = true;
    options.tcp.track(socket);
    callback(null, socket);
  });
  socket.once('error', (err) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    callback(err, null);
  });
  return socket;
}
