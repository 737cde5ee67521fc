// meshctl proxies as benchmark targets.
//
// * one hop: client → proxy outbound (authority mapped straight to the origin) → origin; TCP pass-through
//   through a --forward listener whose authority port is opaque.
// * sidecar pair: client → client proxy outbound → server proxy inbound → origin, the real mesh path. The
//   inbound listener delivers to one --app, so there is one server proxy per origin port (h1, h2, gRPC).
//   mTLS between the two does not exist yet (issue 5): the pair runs in plaintext and says so; `--mtls`
//   is the switch that will add identity flags to both sides once it does (see mtlsArgs).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Managed } from '../system/processes.js';
import {
  AUTHORITY,
  freePort,
  ref,
  waitForPort,
  type ProcessRef,
  type RunningTarget,
  type TargetContext,
  type TargetEndpoint,
} from './target.js';

const TCP_OPAQUE_PORT = 9000;

interface ProxyPorts {
  readonly outbound: number;
  readonly inbound: number;
  readonly admin: number;
}

async function proxyPorts(): Promise<ProxyPorts> {
  return { outbound: await freePort(), inbound: await freePort(), admin: await freePort() };
}

/**
 * Flags that turn on mesh mTLS between a client and a server proxy. Identity (issue 5) is not merged yet;
 * when it is, this returns the identity/trust-anchor flags for `role` (a local CA made once per run in
 * ctx.workDir, e.g. with `meshctl identity create`), and the pair's label drops "(no TLS)".
 */
function mtlsArgs(ctx: TargetContext, _role: 'client' | 'server'): string[] {
  if (!ctx.mtls) return [];
  throw new Error(
    'the sidecar pair with mTLS needs proxy identity (issue 5), which this branch does not have yet; run without --mtls',
  );
}

async function startProxy(
  ctx: TargetContext,
  name: string,
  ports: ProxyPorts,
  extra: readonly string[],
): Promise<Managed> {
  const bin = path.join(ctx.repoRoot, 'bin', 'meshctl.js');
  const args = [
    ...ctx.meshctlNodeFlags,
    bin,
    'proxy',
    '--outbound',
    `127.0.0.1:${ports.outbound}`,
    '--inbound',
    `127.0.0.1:${ports.inbound}`,
    '--admin',
    `127.0.0.1:${ports.admin}`,
    '--log-level',
    'warn',
    '--drain-timeout',
    '1s',
    ...extra,
  ];
  const p = ctx.registry.start(name, process.execPath, args);
  await waitForPort(ports.outbound, p);
  await waitForPort(ports.admin, p);
  return p;
}

function endpointsFile(ctx: TargetContext, name: string, map: Record<string, string[]>): string {
  const file = path.join(ctx.workDir, `${name}-endpoints.json`);
  writeFileSync(file, `${JSON.stringify(map, null, 2)}\n`);
  return file;
}

export async function startMeshctlOneHop(ctx: TargetContext): Promise<RunningTarget> {
  const o = ctx.origin;
  const map = {
    [`${AUTHORITY.h1}:80`]: [`127.0.0.1:${o.h1}`],
    [`${AUTHORITY.h2}:80`]: [`127.0.0.1:${o.h2}`],
    [`${AUTHORITY.grpc}:80`]: [`127.0.0.1:${o.grpc}`],
    [AUTHORITY.tcp]: [`127.0.0.1:${o.h1}`],
  };
  const file = endpointsFile(ctx, 'meshctl', map);
  const ports = await proxyPorts();
  const tcpPort = await freePort();
  const p = await startProxy(ctx, 'meshctl', ports, [
    '--endpoints',
    file,
    '--forward',
    `127.0.0.1:${tcpPort}=${AUTHORITY.tcp}`,
    '--opaque-ports',
    String(TCP_OPAQUE_PORT),
  ]);
  await waitForPort(tcpPort, p);
  const procs = [ref('proxy', p)];
  const ep = (port: number): TargetEndpoint => ({ port, processes: procs });
  return {
    id: 'meshctl',
    label: 'meshctl (1 hop)',
    endpoints: { h1: ep(ports.outbound), h2: ep(ports.outbound), grpc: ep(ports.outbound), tcp: ep(tcpPort) },
    processes: procs,
    configs: { 'meshctl-endpoints.json': JSON.stringify(map) },
    notes: [
      `one proxy, outbound listener routes by Host/:authority; TCP through --forward …=${AUTHORITY.tcp} (opaque port ${TCP_OPAQUE_PORT})`,
    ],
  };
}

export async function startMeshctlPair(ctx: TargetContext): Promise<RunningTarget> {
  const o = ctx.origin;
  const empty = endpointsFile(ctx, 'pair-server', {});
  const servers: Partial<Record<'h1' | 'h2' | 'grpc', { p: Managed; ports: ProxyPorts }>> = {};
  for (const [proto, appPort] of [
    ['h1', o.h1],
    ['h2', o.h2],
    ['grpc', o.grpc],
  ] as const) {
    const ports = await proxyPorts();
    const p = await startProxy(ctx, `meshctl-pair-server-${proto}`, ports, [
      '--app',
      `127.0.0.1:${appPort}`,
      '--endpoints',
      empty,
      ...mtlsArgs(ctx, 'server'),
    ]);
    await waitForPort(ports.inbound, p);
    servers[proto] = { p, ports };
  }
  const inbound = (proto: 'h1' | 'h2' | 'grpc'): string => `127.0.0.1:${servers[proto]?.ports.inbound ?? 0}`;
  const map = {
    [`${AUTHORITY.h1}:80`]: [inbound('h1')],
    [`${AUTHORITY.h2}:80`]: [inbound('h2')],
    [`${AUTHORITY.grpc}:80`]: [inbound('grpc')],
  };
  const file = endpointsFile(ctx, 'pair-client', map);
  const clientPorts = await proxyPorts();
  const client = await startProxy(ctx, 'meshctl-pair-client', clientPorts, [
    '--endpoints',
    file,
    ...mtlsArgs(ctx, 'client'),
  ]);
  const clientRef = ref('client', client);
  const serverRef = (proto: 'h1' | 'h2' | 'grpc'): ProcessRef =>
    ref(`server-${proto}`, servers[proto]?.p as Managed);
  const ep = (proto: 'h1' | 'h2' | 'grpc'): TargetEndpoint => ({
    port: clientPorts.outbound,
    processes: [clientRef, serverRef(proto)],
  });
  return {
    id: 'meshctl-pair',
    label: ctx.mtls ? 'meshctl pair (mTLS)' : 'meshctl pair (no TLS)',
    endpoints: { h1: ep('h1'), h2: ep('h2'), grpc: ep('grpc') },
    processes: [clientRef, serverRef('h1'), serverRef('h2'), serverRef('grpc')],
    configs: { 'pair-client-endpoints.json': JSON.stringify(map) },
    notes: [
      ctx.mtls
        ? 'client sidecar → server sidecar with mesh mTLS'
        : 'client sidecar outbound → server sidecar inbound → origin, plaintext between the proxies (mTLS arrives with issue 5; then run with --mtls)',
      'one server proxy per origin port (its inbound delivers to one --app); CPU and RSS are client + the server proxy on the path',
    ],
  };
}
