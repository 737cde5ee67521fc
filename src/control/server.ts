// Runs a set of control-plane components in one process: one gRPC server for all their services plus the
// health service, and an admin HTTP listener with /metrics, /ready and /live. Stops them gracefully.
import * as grpc from '@grpc/grpc-js';
import { http } from '../common/node-http.js';
import type net from 'node:net';
import { type HostPort, formatHostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import type { Component } from './component.js';
import { createHealthService } from './health.js';

export interface ControlServerOptions {
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly components: readonly Component[];
  readonly logger: Logger;
}

export interface RunningControlServer {
  /** Undefined when no component serves gRPC (the injector alone serves HTTPS on its own listener). */
  readonly grpcAddress: HostPort | undefined;
  readonly adminAddress: HostPort;
  shutdown(reason: string): Promise<void>;
  readonly closed: Promise<void>;
}

const startedAt = Date.now();

function processMetrics(): string {
  const cpu = process.cpuUsage();
  return [
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${Math.floor(startedAt / 1000)}`,
    '',
  ].join('\n');
}

export async function startControlServer(options: ControlServerOptions): Promise<RunningControlServer> {
  const { components, logger } = options;
  let serving = true;
  const server = new grpc.Server({
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const served = components.flatMap((c) => c.services);
  for (const s of served) server.addService(s.definition, s.implementation);
  const health = createHealthService(
    served.map((s) => s.name),
    () => serving,
  );
  server.addService(health.definition, health.implementation);

  let grpcAddress: HostPort | undefined;
  if (served.length > 0) {
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(formatHostPort(options.listen), grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    grpcAddress = { host: options.listen.host, port };
  }

  const admin = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (path === '/metrics') {
      send(200, components.map((c) => c.metrics()).join('') + processMetrics(), 'text/plain; version=0.0.4');
    } else if (path === '/ready') {
      const reasons = components.flatMap((c) => {
        const r = c.notReadyReason();
        return r === undefined ? [] : [`${c.name}: ${r}`];
      });
      if (!serving) reasons.push('shutting down');
      send(
        reasons.length === 0 ? 200 : 503,
        reasons.length === 0 ? 'ready\n' : `not ready: ${reasons.join('; ')}\n`,
      );
    } else if (path === '/live') {
      send(200, 'live\n');
    } else {
      send(404, 'not found: try /metrics, /ready, /live\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(options.admin.port, options.admin.host, () => resolve());
  });
  const adminAddress = { host: options.admin.host, port: (admin.address() as net.AddressInfo).port };
  logger.info(
    {
      grpc: grpcAddress ? formatHostPort(grpcAddress) : 'none',
      admin: formatHostPort(adminAddress),
      components: components.map((c) => c.name),
    },
    'control plane started',
  );

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      serving = false;
      logger.info({ reason }, 'control plane stopping');
      for (const c of components) await c.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      admin.closeAllConnections();
      await new Promise<void>((r) => admin.close(() => r()));
      logger.info('control plane stopped');
      resolveClosed();
    })();
    return stopping;
  };
  return { grpcAddress, adminAddress, shutdown, closed };
}
