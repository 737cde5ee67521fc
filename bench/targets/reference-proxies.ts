// The comparison targets: HAProxy (nbthread 1), nginx (1 worker), and two Node proxies (npm http-proxy
// and an undici Pool behind node:http), configured the way the performance anchors measured them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AUTHORITY,
  firstJsonLine,
  freePort,
  ref,
  waitForPort,
  type RunningTarget,
  type TargetContext,
} from './target.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function haproxyConfig(
  ports: { h1: number; h2: number; grpc: number; tcp: number },
  o: TargetContext['origin'],
): string {
  return `global
  nbthread 1
  maxconn 8000

defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always

frontend h1
  bind 127.0.0.1:${ports.h1}
  default_backend h1
backend h1
  server origin 127.0.0.1:${o.h1}

frontend h2
  bind 127.0.0.1:${ports.h2} proto h2
  default_backend h2
backend h2
  server origin 127.0.0.1:${o.h2} proto h2

frontend grpc
  bind 127.0.0.1:${ports.grpc} proto h2
  default_backend grpc
backend grpc
  server origin 127.0.0.1:${o.grpc} proto h2

frontend tcp
  mode tcp
  bind 127.0.0.1:${ports.tcp}
  default_backend tcp
backend tcp
  mode tcp
  server origin 127.0.0.1:${o.h1}
`;
}

export async function startHaproxy(ctx: TargetContext): Promise<RunningTarget> {
  const bin = ctx.tools.get('haproxy')?.path;
  if (bin === undefined) throw new Error('haproxy is not installed');
  const ports = { h1: await freePort(), h2: await freePort(), grpc: await freePort(), tcp: await freePort() };
  const config = haproxyConfig(ports, ctx.origin);
  const file = path.join(ctx.workDir, 'haproxy.cfg');
  writeFileSync(file, config);
  const p = ctx.registry.start('haproxy', bin, ['-db', '-f', file]);
  for (const port of Object.values(ports)) await waitForPort(port, p);
  const procs = [ref('haproxy', p)];
  return {
    id: 'haproxy',
    label: 'HAProxy (nbthread 1)',
    endpoints: {
      h1: { port: ports.h1, processes: procs },
      h2: { port: ports.h2, processes: procs },
      grpc: { port: ports.grpc, processes: procs },
      tcp: { port: ports.tcp, processes: procs },
    },
    processes: procs,
    configs: { 'haproxy.cfg': config },
    notes: ['mode http with http-reuse always; h2/gRPC proto h2 on both sides; TCP in mode tcp'],
  };
}

function nginxConfig(
  dir: string,
  ports: { h1: number; h2: number; grpc: number },
  o: TargetContext['origin'],
): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream h1 { server 127.0.0.1:${o.h1}; keepalive 128; keepalive_requests 1000000; }
  upstream grpc { server 127.0.0.1:${o.grpc}; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${ports.h1};
    location / { proxy_pass http://h1; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:${ports.h2} http2;
    location / { proxy_pass http://h1; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:${ports.grpc} http2;
    location / { grpc_pass grpc://grpc; }
  }
}
`;
}

export async function startNginx(ctx: TargetContext): Promise<RunningTarget> {
  const bin = ctx.tools.get('nginx')?.path;
  if (bin === undefined) throw new Error('nginx is not installed');
  const dir = path.join(ctx.workDir, 'nginx');
  mkdirSync(dir, { recursive: true, mode: 0o777 });
  const ports = { h1: await freePort(), h2: await freePort(), grpc: await freePort() };
  const config = nginxConfig(dir, ports, ctx.origin);
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const p = ctx.registry.start('nginx', bin, ['-c', file, '-p', `${dir}/`, '-e', `${dir}/nginx-error.log`]);
  for (const port of Object.values(ports)) await waitForPort(port, p);
  const procs = [ref('nginx master+worker', p)];
  return {
    id: 'nginx',
    label: 'nginx (1 worker)',
    endpoints: {
      h1: { port: ports.h1, processes: procs },
      h2: {
        port: ports.h2,
        processes: procs,
        note: 'h2c in, HTTP/1.1 to the origin (nginx proxies h2 only as gRPC)',
      },
      grpc: { port: ports.grpc, processes: procs },
    },
    processes: procs,
    configs: { 'nginx.conf': config.replaceAll(dir, '$DIR') },
    notes: [
      'worker_processes 1, upstream keepalive 128, access_log off; CPU and RSS are master + worker',
      'no TCP: nginx-light has no stream module',
    ],
  };
}

async function startNodeProxy(
  ctx: TargetContext,
  id: 'http-proxy' | 'undici',
  script: string,
  label: string,
  note: string,
): Promise<RunningTarget> {
  const p = ctx.registry.start(id, process.execPath, [path.join(HERE, script), String(ctx.origin.h1)], {
    stdinPipe: true,
  });
  const { port } = await firstJsonLine<{ port: number }>(p);
  await waitForPort(port, p);
  const procs = [ref('proxy', p)];
  return {
    id,
    label,
    endpoints: { h1: { port, processes: procs } },
    processes: procs,
    configs: {},
    notes: [note, 'HTTP/1.1 only'],
  };
}

export function startHttpProxy(ctx: TargetContext): Promise<RunningTarget> {
  return startNodeProxy(
    ctx,
    'http-proxy',
    'http-proxy-server.js',
    'Node http-proxy',
    'npm http-proxy 1.18.1 with a keep-alive http.Agent (maxSockets 256, lifo)',
  );
}

export function startUndiciProxy(ctx: TargetContext): Promise<RunningTarget> {
  return startNodeProxy(
    ctx,
    'undici',
    'undici-proxy-server.js',
    'Node undici proxy',
    'node:http server + undici Pool (128 connections) with pool.stream()',
  );
}

/** Direct: clients talk to the origin itself; the baseline every "added" figure subtracts. */
export function directTarget(ctx: TargetContext): RunningTarget {
  const o = ctx.origin;
  return {
    id: 'direct',
    label: 'direct (no proxy)',
    endpoints: {
      h1: { port: o.h1, processes: [] },
      h2: { port: o.h2, processes: [] },
      grpc: { port: o.grpc, processes: [] },
      tcp: { port: o.h1, processes: [] },
    },
    processes: [],
    configs: {},
    notes: [`the origin itself; requests still carry Host ${AUTHORITY.h1} etc.`],
  };
}
