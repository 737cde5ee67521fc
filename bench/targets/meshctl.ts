// meshctl proxies as benchmark targets.
//
// * one hop: client → proxy outbound (authority mapped straight to the origin) → origin; TCP pass-through
//   through a --forward listener whose authority port is opaque.
// * sidecar pair: client → client proxy outbound → server proxy inbound → origin, the real mesh path. The
//   inbound listener delivers to one --app, so there is one server proxy per origin port (h1, h2, gRPC).
//   By default the two proxies speak mesh mTLS: a control plane (Destination + Identity, mesh-control.ts)
//   certifies all four proxies and gives the client each endpoint's identity; --no-mtls runs it in plaintext
//   with static endpoints. Either way the pair is checked before the runs (mesh-tls-check.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Managed } from '../system/processes.js';
import { startMeshControl, type MeshControl } from './mesh-control.js';
import { confirmPairTls } from './mesh-tls-check.js';
import {
  AUTHORITY,
  freePort,
  ref,
  waitForHttpOk,
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
  /** The tap server stays on, as deployed; each proxy needs its own port. */
  readonly tap: number;
}

async function proxyPorts(): Promise<ProxyPorts> {
  return {
    outbound: await freePort(),
    inbound: await freePort(),
    admin: await freePort(),
    tap: await freePort(),
  };
}

/**
 * Flags that turn on mesh mTLS for one proxy of the pair: its identity, token file and trust anchors from
 * the run's control plane; the client also resolves through the control plane's Destination API, which
 * is what tells it the server's identity. Empty for the plaintext pair (--no-mtls).
 */
function mtlsArgs(mesh: MeshControl | undefined, workload: string, role: 'client' | 'server'): string[] {
  if (mesh === undefined) return [];
  return [
    ...(role === 'client' ? ['--control-plane', mesh.address] : []),
    '--identity-addr',
    mesh.address,
    ...mesh.proxyArgs(workload),
  ];
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
    '--tap',
    `127.0.0.1:${ports.tap}`,
    '--log-level',
    'warn',
    '--drain-timeout',
    '1s',
    ...extra,
  ];
  const p = ctx.registry.start(name, process.execPath, args);
  await waitForPort(ports.outbound, p);
  await waitForPort(ports.admin, p);
  // /ready answers 200 once a proxy with an identity holds its certificate (at once without one).
  await waitForHttpOk(`http://127.0.0.1:${ports.admin}/ready`, p, 30_000);
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

const PAIR_PROTOCOLS = ['h1', 'h2', 'grpc'] as const;
type PairProtocol = (typeof PAIR_PROTOCOLS)[number];

export async function startMeshctlPair(ctx: TargetContext): Promise<RunningTarget> {
  const o = ctx.origin;
  const appPort: Record<PairProtocol, number> = { h1: o.h1, h2: o.h2, grpc: o.grpc };
  const serverPorts = {} as Record<PairProtocol, ProxyPorts>;
  for (const proto of PAIR_PROTOCOLS) serverPorts[proto] = await proxyPorts();
  const clientPorts = await proxyPorts();
  const inbound = (proto: PairProtocol): string => `127.0.0.1:${serverPorts[proto].inbound}`;
  const admin = (ports: ProxyPorts): string => `127.0.0.1:${ports.admin}`;

  // Workload names are the authorities' service names: h1.bench → service h1 in namespace bench.
  const mesh = ctx.mtls
    ? await startMeshControl(ctx, [
        ...PAIR_PROTOCOLS.map((proto) => ({
          name: proto,
          inbound: inbound(proto),
          admin: admin(serverPorts[proto]),
          service: true,
        })),
        {
          name: 'client',
          inbound: `127.0.0.1:${clientPorts.inbound}`,
          admin: admin(clientPorts),
          service: false,
        },
      ])
    : undefined;

  const empty = endpointsFile(ctx, 'pair-server', {});
  const servers = {} as Record<PairProtocol, Managed>;
  for (const proto of PAIR_PROTOCOLS) {
    const ports = serverPorts[proto];
    const p = await startProxy(ctx, `meshctl-pair-server-${proto}`, ports, [
      '--app',
      `127.0.0.1:${appPort[proto]}`,
      '--endpoints',
      empty,
      ...mtlsArgs(mesh, proto, 'server'),
    ]);
    await waitForPort(ports.inbound, p);
    servers[proto] = p;
  }
  // Plaintext: static endpoints. mTLS: the Destination API, the only source of the servers' identities
  // (no endpoints file, so nothing can quietly fall back to a plaintext route).
  const map = {
    [`${AUTHORITY.h1}:80`]: [inbound('h1')],
    [`${AUTHORITY.h2}:80`]: [inbound('h2')],
    [`${AUTHORITY.grpc}:80`]: [inbound('grpc')],
  };
  const client = await startProxy(
    ctx,
    'meshctl-pair-client',
    clientPorts,
    mesh === undefined
      ? ['--endpoints', endpointsFile(ctx, 'pair-client', map)]
      : mtlsArgs(mesh, 'client', 'client'),
  );
  const tlsNote = await confirmPairTls(
    {
      clientOutboundPort: clientPorts.outbound,
      clientAdmin: admin(clientPorts),
      serverAdmins: { h1: admin(serverPorts.h1), h2: admin(serverPorts.h2), grpc: admin(serverPorts.grpc) },
      ...(mesh === undefined
        ? {}
        : {
            clientId: mesh.identityOf('client'),
            serverIds: {
              h1: mesh.identityOf('h1'),
              h2: mesh.identityOf('h2'),
              grpc: mesh.identityOf('grpc'),
            },
          }),
    },
    ctx.mtls,
  );

  const clientRef = ref('client', client);
  const serverRef = (proto: PairProtocol): ProcessRef => ref(`server-${proto}`, servers[proto]);
  const ep = (proto: PairProtocol): TargetEndpoint => ({
    port: clientPorts.outbound,
    processes: [clientRef, serverRef(proto)],
  });
  return {
    id: 'meshctl-pair',
    label: ctx.mtls ? 'meshctl pair (mTLS)' : 'meshctl pair (plaintext)',
    endpoints: { h1: ep('h1'), h2: ep('h2'), grpc: ep('grpc') },
    processes: [clientRef, serverRef('h1'), serverRef('h2'), serverRef('grpc')],
    configs:
      mesh === undefined
        ? { 'pair-client-endpoints.json': JSON.stringify(map) }
        : { 'mesh.yaml': mesh.meshFileText, 'control plane': mesh.process.commandLine },
    notes: [
      mesh === undefined
        ? 'client sidecar outbound → server sidecar inbound → origin, plaintext between the proxies (--no-mtls); static endpoints'
        : 'client sidecar → server sidecar with mesh mTLS (ECDSA P-256 certificates from a local identity service); ' +
          'the client resolves through the Destination API; the control plane process is not counted (idle during runs)',
      tlsNote,
      'one server proxy per origin port (its inbound delivers to one --app); CPU and RSS are client + the server proxy on the path',
    ],
  };
}
