// The demo mesh: which workloads run, how many instances, on which ports, with which identities; turned
// into the mesh file the control plane reads and the process specs the supervisor runs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { MeshFileSpecDoc } from './mesh-file-doc.js';

export type AppKind = 'web' | 'books' | 'authors' | 'traffic';

export interface InstancePorts {
  app: number;
  inbound: number;
  outbound: number;
  admin: number;
  tap: number;
}

export interface DemoInstance {
  readonly workload: AppKind;
  readonly name: string;
  readonly ports: InstancePorts;
  readonly token: string;
}

export interface DemoTopology {
  readonly namespace: string;
  readonly controlPlane: string;
  readonly controlAdmin: string;
  readonly instances: readonly DemoInstance[];
}

/** Workloads and their instance counts: two books instances show balancing. */
export const WORKLOADS: readonly [AppKind, number][] = [
  ['web', 1],
  ['books', 2],
  ['authors', 1],
  ['traffic', 1],
];

export const NAMESPACE = 'demo';
const TRUST_DOMAIN = 'cluster.local';
const CONTROL_NS = 'mesh';

export function identityOf(workload: string): string {
  return `${workload}.${NAMESPACE}.serviceaccount.identity.${CONTROL_NS}.${TRUST_DOMAIN}`;
}

/** Lays out the demo on the given free ports (7 + 5 per instance). */
export function layout(ports: number[]): DemoTopology {
  let i = 0;
  const next = (): number => {
    const p = ports[i++];
    if (p === undefined) throw new Error('not enough ports for the demo');
    return p;
  };
  const controlPlane = `127.0.0.1:${next()}`;
  const controlAdmin = `127.0.0.1:${next()}`;
  const instances: DemoInstance[] = [];
  for (const [workload, count] of WORKLOADS) {
    for (let n = 0; n < count; n++) {
      instances.push({
        workload,
        name: `${workload}-${n}`,
        ports: { app: next(), inbound: next(), outbound: next(), admin: next(), tap: next() },
        token: randomBytes(16).toString('hex'),
      });
    }
  }
  return { namespace: NAMESPACE, controlPlane, controlAdmin, instances };
}

export function portsNeeded(): number {
  return 2 + WORKLOADS.reduce((n, [, count]) => n + count * 5, 0);
}

const addr = (port: number): string => `127.0.0.1:${port}`;

export function meshFileOf(topology: DemoTopology): MeshFileSpecDoc {
  const instancesOf = (w: AppKind) =>
    topology.instances
      .filter((i) => i.workload === w)
      .map((i) => ({
        name: i.name,
        address: addr(i.ports.inbound),
        admin: addr(i.ports.admin),
        tap: addr(i.ports.tap),
        token: i.token,
      }));
  return {
    trustDomain: TRUST_DOMAIN,
    controlPlaneNamespace: CONTROL_NS,
    services: [
      { name: 'web', namespace: NAMESPACE, ports: [80], workload: 'web' },
      { name: 'books', namespace: NAMESPACE, ports: [80], workload: 'books' },
      {
        name: 'authors',
        namespace: NAMESPACE,
        ports: [80],
        workload: 'authors',
        profile: {
          routes: [
            {
              name: 'GET /authors/{id}',
              method: 'GET',
              pathRegex: '/authors/\\d+',
              retryable: true,
              timeout: '1s',
            },
            { name: 'GET /authors', method: 'GET', pathRegex: '/authors' },
          ],
          retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
        },
      },
    ],
    workloads: (['web', 'books', 'authors', 'traffic'] as const).map((w) => ({
      name: w,
      namespace: NAMESPACE,
      serviceAccount: w,
      instances: instancesOf(w),
    })),
  };
}

export interface ProcessSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function processesOf(topology: DemoTopology, dir: string, rps: number): ProcessSpec[] {
  const identityDir = path.join(dir, 'identity');
  const specs: ProcessSpec[] = [
    {
      name: 'control',
      args: [
        'control',
        'all',
        '--mesh-file',
        path.join(dir, 'mesh.yaml'),
        '--identity-dir',
        identityDir,
        '--listen',
        topology.controlPlane,
        '--admin',
        topology.controlAdmin,
      ],
      env: {},
    },
  ];
  for (const inst of topology.instances) {
    const p = inst.ports;
    specs.push({
      name: `${inst.name}/app`,
      args: [
        'demo-app',
        inst.workload,
        '--listen',
        addr(p.app),
        '--instance',
        inst.name,
        '--outbound',
        addr(p.outbound),
        '--rps',
        String(rps),
      ],
      env: {},
    });
    specs.push({
      name: `${inst.name}/proxy`,
      args: [
        'proxy',
        ...(inst.workload === 'traffic' ? [] : ['--app', addr(p.app), '--inbound', addr(p.inbound)]),
        '--outbound',
        addr(p.outbound),
        '--admin',
        addr(p.admin),
        '--tap',
        addr(p.tap),
        '--control-plane',
        topology.controlPlane,
        '--identity',
        identityOf(inst.workload),
        '--trust-anchors',
        path.join(identityDir, 'ca.crt'),
        '--namespace',
        NAMESPACE,
        '--workload',
        inst.workload,
        '--pod',
        inst.name,
        '--log-level',
        'warn',
      ],
      env: { MESH_PROXY_IDENTITY_TOKEN: inst.token },
    });
  }
  return specs;
}
