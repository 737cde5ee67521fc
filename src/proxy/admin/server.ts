// The admin listener: Prometheus metrics, readiness and liveness for probes, a loopback-only shutdown, and a
// debug view of what the proxy currently knows.
import type { Server, ServerResponse } from 'node:http';
import { http } from '../../common/node-http.js';
import type net from 'node:net';
import { type HostPort } from '../../common/address.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-text.js';

export interface AdminHooks {
  metrics(): string;
  /** undefined when ready, else the reason it is not. */
  notReadyReason(): string | undefined;
  shutdownEnabled: boolean;
  shutdown(): void;
  debug(): unknown;
}

function isLoopback(address: string | undefined): boolean {
  return (
    address !== undefined &&
    (address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1')
  );
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function createAdminServer(hooks: AdminHooks): Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/metrics':
        send(res, 200, hooks.metrics(), PROMETHEUS_CONTENT_TYPE);
        return;
      case '/ready': {
        const reason = hooks.notReadyReason();
        send(
          res,
          reason === undefined ? 200 : 503,
          reason === undefined ? 'ready\n' : `not ready: ${reason}\n`,
        );
        return;
      }
      case '/live':
        send(res, 200, 'live\n');
        return;
      case '/shutdown':
        if (!hooks.shutdownEnabled) return send(res, 404, 'shutdown endpoint is disabled\n');
        if (req.method !== 'POST') return send(res, 405, 'use POST\n');
        if (!isLoopback(req.socket.remoteAddress))
          return send(res, 403, 'shutdown is only allowed from loopback\n');
        send(res, 202, 'shutting down\n');
        hooks.shutdown();
        return;
      case '/debug':
        send(res, 200, JSON.stringify(hooks.debug(), null, 2) + '\n', 'application/json');
        return;
      default:
        send(res, 404, 'not found: try /metrics, /ready, /live, /debug\n');
    }
  });
}

export async function listenAdmin(server: Server, address: HostPort): Promise<HostPort> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return { host: bound.address, port: bound.port };
}
